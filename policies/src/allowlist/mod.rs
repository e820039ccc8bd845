//! The `context-allowlist` policy: block the admin contexts (`/carbon`, `/services`, …) from
//! the DMZ and expose only allowlisted applications (seed guidelines "Block the /services and
//! /carbon contexts from the DMZ", "Restrict access to the management console", "Change default
//! admin credentials").
//!
//! ```
//! use policies::allowlist::{AllowlistPlan, Decision, DenyReason};
//! use policies::attributes::AttributeTable;
//! use policies::request::RequestHead;
//!
//! let plan = AllowlistPlan::from_json(br#"{
//!     "virtual_hosts": [{ "domains": ["*"], "allow": ["/oauth2/*"], "deny": ["/carbon"] }]
//! }"#).unwrap();
//! let head = |path: &str| vec![
//!     (":method".to_owned(), b"GET".to_vec()),
//!     (":path".to_owned(), path.as_bytes().to_vec()),
//!     (":authority".to_owned(), b"is.example.com".to_vec()),
//! ];
//! let conn = AttributeTable::default().with("source.address", "203.0.113.9:40000");
//! let bypass = head("/oauth2/..;/%63arbon/admin/login.jsp");
//! assert_eq!(
//!     plan.decide(&RequestHead::new(&bypass), &conn),
//!     Decision::Deny { status: 403, reason: DenyReason::DenyRule },
//! );
//! assert!(matches!(plan.decide(&RequestHead::new(&head("/oauth2/token")), &conn), Decision::Allow(_)));
//! ```

pub mod body;
mod config;
pub mod credentials;
mod decide;
mod decision;
mod explain;
mod host;
pub mod methods;
mod plan;
mod tails;
mod trace;

/// The filter's name (`context-allowlist`): log lines, counters, traces.
pub const FILTER: &str = "context-allowlist";

pub use config::{
    AllowRule, AllowlistConfig, Credential, CredentialBodiesConfig, Mode, OverridePolicy,
    VirtualHostConfig,
};
pub use credentials::MalformedForm;
pub use decision::{AllowReason, Decision, DenyReason};
pub use explain::Explanation;
pub use plan::{AllowlistPlan, OverrideStrip};

#[cfg(test)]
mod mutant_tests;
#[cfg(test)]
mod product_tests;
#[cfg(test)]
mod tests;
