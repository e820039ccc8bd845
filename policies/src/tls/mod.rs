//! The `tls-guard` policy: TLS metadata checks per virtual host and path (minimum version,
//! plaintext redirected or denied, SNI equal to the request's host, negotiated cipher, client
//! certificates for admin paths) and, at response time, the upstream connection (no default
//! certificate, TLS to the clusters that require it).
//!
//! Seed guidelines: "use TLS 1.2 and disable SSL, TLS 1.0 and 1.1", the cipher rules (no
//! DES/3DES, RC4, MD5, DSS, non-PFS; GCM preferred), "Enable HostName Verification" (strict),
//! "Change default keystores" (no WSO2 default certificate anywhere), "Always communicate over
//! TLS", and "Restrict access to the management console" (client certificates).
//!
//! ```
//! use policies::tls::{Decision, DenyReason, TlsGuardPlan};
//! use policies::attributes::AttributeTable;
//! use policies::request::RequestHead;
//!
//! let plan = TlsGuardPlan::from_json(br#"{
//!     "virtual_hosts": [{
//!         "domains": ["is.example.com"],
//!         "plaintext": "redirect",
//!         "paths": [{ "paths": ["/carbon"],
//!                     "client_certificate": { "dns_sans": ["admin.example.internal"] } }]
//!     }]
//! }"#).unwrap();
//! let head = |path: &str| vec![
//!     (":method".to_owned(), b"GET".to_vec()),
//!     (":path".to_owned(), path.as_bytes().to_vec()),
//!     (":authority".to_owned(), b"is.example.com".to_vec()),
//! ];
//! // Plaintext: redirected to HTTPS with the same path and query.
//! let plain = AttributeTable::default().with("connection.mtls", [0u8]);
//! assert_eq!(
//!     plan.decide_request(&RequestHead::new(&head("/oauth2/authorize?x=1")), &plain),
//!     Decision::Redirect { location: "https://is.example.com/oauth2/authorize?x=1".into() },
//! );
//! // TLS 1.3, SNI of another host: 421.
//! let fronted = AttributeTable::default()
//!     .with("connection.tls_version", "TLSv1.3")
//!     .with("connection.mtls", [0u8])
//!     .with("connection.requested_server_name", "cdn.example.net");
//! assert_eq!(
//!     plan.decide_request(&RequestHead::new(&head("/oauth2/token")), &fronted),
//!     Decision::Deny { status: 421, reason: DenyReason::SniMismatch },
//! );
//! // An SNI ending in a dot: 421 (RFC 6066 §3, "without a trailing dot").
//! let dotted = fronted.clone().with("connection.requested_server_name", "is.example.com.");
//! assert_eq!(
//!     plan.decide_request(&RequestHead::new(&head("/oauth2/token")), &dotted),
//!     Decision::Deny { status: 421, reason: DenyReason::SniTrailingDot },
//! );
//! // The admin context without a client certificate: 403.
//! let tls = fronted.with("connection.requested_server_name", "IS.example.com");
//! assert_eq!(
//!     plan.decide_request(&RequestHead::new(&head("/Carbon/admin")), &tls),
//!     Decision::Deny { status: 403, reason: DenyReason::ClientCertificateMissing },
//! );
//! ```

pub mod cipher;
mod config;
mod decide;
mod decision;
mod plan;
pub mod subject;
mod trace;
mod upstream;

/// The filter's name (`tls-guard`): log lines, counters, traces.
pub const FILTER: &str = "tls-guard";
pub mod version;

pub use config::{
    DEFAULT_CIPHER_KEY, MissingProperties, PathRuleConfig, Plaintext, RequireTlsConfig, SniPolicy,
    TlsGuardConfig, TlsVirtualHostConfig, UpstreamConfig,
};
pub use decision::{AllowReason, Decision, DenyReason, Property};
pub use plan::TlsGuardPlan;
pub use version::TlsVersion;

#[cfg(test)]
mod tests;
