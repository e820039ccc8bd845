//! Plugin configuration of the `context-allowlist` filter (JSON, `deny_unknown_fields`).
//!
//! ```json
//! {
//!   "mode": "enforce",
//!   "deny_status": 404,
//!   "default_credentials": [{ "username": "admin", "password": "admin" }],
//!   "virtual_hosts": [{
//!     "name": "identity-server",
//!     "domains": ["is.example.com", "localhost"],
//!     "allow": ["/oauth2/*", { "path": "/commonauth", "methods": ["GET", "POST"] }],
//!     "deny": ["/carbon", "/services", "/t/*/carbon"],
//!     "internal_sources": ["10.20.0.0/16"],
//!     "internal_clients": { "dns_sans": ["admin.gateway.internal"] }
//!   }]
//! }
//! ```

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

pub use super::body::CredentialBodiesConfig;
pub use super::methods::OverridePolicy;
use crate::peer::PeerAllowlistConfig;
use crate::routing::ProductRouting;

/// The whole plugin configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistConfig {
    /// Free text for people (what the configuration is for); ignored by the filter.
    #[serde(default)]
    pub description: Option<String>,
    /// `enforce` (default) answers denied requests; `shadow` only logs and counts them.
    #[serde(default)]
    pub mode: Mode,
    /// Status of a denied request: 403 (default) or 404, so that denied contexts are not
    /// fingerprinted. Malformed paths get 400 (414 when too long), default credentials 401.
    #[serde(default = "default_deny_status")]
    pub deny_status: u16,
    /// Credential pairs refused on every path with 401 (the product's default administrator,
    /// seed guideline "Change default admin credentials").
    #[serde(default)]
    pub default_credentials: Vec<Credential>,
    /// Longest request target accepted, in bytes (default 8192, Tomcat's header limit).
    #[serde(default = "default_max_target_bytes")]
    pub max_target_bytes: usize,
    /// `refuse` (default: 400) or `strip` the method overrides a back end honours
    /// (`X-HTTP-Method-Override`, `X-HTTP-Method`, `X-Method-Override`, `_method`).
    #[serde(default)]
    pub method_override: OverridePolicy,
    /// Login form bodies read for `default_credentials` (paths and the buffer bound).
    #[serde(default)]
    pub credential_bodies: CredentialBodiesConfig,
    /// The virtual hosts; a request whose host none of them names is denied.
    pub virtual_hosts: Vec<VirtualHostConfig>,
    /// Test builds only (`mutants` feature, never shipped): the one rule this module switches
    /// off, for the kill matrix ([`crate::mutant::Mutant`]). Absent: none. Without the feature
    /// the field is unknown and the configuration refused.
    #[cfg(feature = "mutants")]
    #[serde(default, rename = "_mutant")]
    pub mutant: Option<crate::mutant::Mutant>,
}

fn default_deny_status() -> u16 {
    403
}

fn default_max_target_bytes() -> usize {
    crate::path::DEFAULT_MAX_TARGET_BYTES
}

pub use crate::mode::Mode;

/// A username and password pair that must never work through the gateway.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// Compared case-insensitively (WSO2 user names are case-insensitive by default).
    pub username: String,
    /// Compared exactly.
    pub password: String,
}

/// Rules for the requests to one set of domains.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualHostConfig {
    /// A name for logs; defaults to the first domain.
    #[serde(default)]
    pub name: Option<String>,
    /// Envoy-style domains: `host`, `*.suffix`, `prefix*` or `*`; ports are ignored.
    pub domains: Vec<String>,
    /// Path globs that may be reached (default deny). Not empty.
    pub allow: Vec<AllowRule>,
    /// Path globs that are denied whatever `allow` says; each covers its whole subtree and
    /// ignores ASCII case.
    #[serde(default)]
    pub deny: Vec<String>,
    /// Source addresses or CIDR blocks (from `source.address`) that may reach denied contexts.
    #[serde(default)]
    pub internal_sources: Vec<String>,
    /// Client certificates (by SAN or SHA-256 digest) that may reach denied contexts over mTLS.
    #[serde(default)]
    pub internal_clients: Option<PeerAllowlistConfig>,
    /// How the product behind this host routes a request after Tomcat: `"wso2-identity-server"`
    /// or an object ([`crate::routing::RoutingConfig`]); absent: Tomcat and the raw target only.
    #[serde(default)]
    pub product_routing: Option<ProductRouting>,
}

/// One allowed path glob, optionally for some methods only. Written as a string (`"/oauth2/*"`)
/// or an object (`{"path": "/oauth2/token", "methods": ["POST"]}`).
#[derive(Debug, Clone)]
pub struct AllowRule {
    /// The path glob.
    pub path: String,
    /// Methods allowed on it; `None` allows every method.
    pub methods: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowRuleObject {
    path: String,
    #[serde(default)]
    methods: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for AllowRule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RuleVisitor;
        impl<'de> Visitor<'de> for RuleVisitor {
            type Value = AllowRule;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a path glob, or an object with `path` and `methods`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AllowRule, E> {
                Ok(AllowRule {
                    path: v.to_owned(),
                    methods: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<AllowRule, A::Error> {
                let o = AllowRuleObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(AllowRule {
                    path: o.path,
                    methods: o.methods,
                })
            }
        }
        deserializer.deserialize_any(RuleVisitor)
    }
}
