//! Why the allowlist decided what it did: every landing of the request and which one decided.
//! Built only when asked ([`super::AllowlistPlan::explain`]), so the request path pays nothing.

use serde::Serialize;

use crate::routing::{Landing, Layer};

/// The explanation of one decision (serde `Serialize`, for logs, `check-config` and tools).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Every interpretation of the request, Tomcat's first (empty when the decision came before
    /// routing: credentials, method, malformed target, host).
    pub landings: Vec<Landing>,
    /// The layer whose landing decided a denial (`None` for an allow, or a denial before
    /// routing).
    pub decided_by: Option<Layer>,
    /// The path that layer landed on.
    pub landed: Option<String>,
    /// The configuration entry that decided (`virtual_hosts[0].deny[3]`), when one did.
    pub rule: Option<String>,
    /// The request's host as the allowlist read it (lower case, no port), once it was read.
    pub host: Option<String>,
    /// The virtual host chosen for it (`virtual_hosts[1]`); `None` before the host was read,
    /// or when no virtual host names it.
    pub virtual_host: Option<String>,
    /// For an allowed request, the allow rule each landing matched, in landing order
    /// (`virtual_hosts[0].allow[2] /oauth2/**`).
    pub allowed_by: Vec<String>,
}
