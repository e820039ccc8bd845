//! `mode: enforce | shadow`, shared by every filter's configuration: Envoy's RBAC filter keeps a
//! shadow policy beside the enforced one in the same way, so a policy can be observed on real
//! traffic before it refuses anything.

use serde::Deserialize;

/// Whether a policy acts or only observes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A request or response the policy refuses gets the local response the policy names.
    #[default]
    Enforce,
    /// A refusal is logged (`decision=shadow_deny`) and counted (`shadow_denied.<reason>`), and
    /// the request or response goes on unchanged.
    Shadow,
}
