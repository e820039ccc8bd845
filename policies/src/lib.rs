//! # policies: the decisions of the gateway-hardening filters, without a proxy
//!
//! This crate holds everything the Proxy-Wasm filters decide, as plain Rust: it parses a
//! plugin configuration (JSON), compiles it once into an immutable plan, and answers per
//! request from the request head and the connection's attributes. The filters in `filters/`
//! only read headers and properties through the Proxy-Wasm ABI and apply the decision; so
//! every rule here is unit-tested and benchmarked natively.
//!
//! ## Example: block the admin contexts, whatever the encoding
//!
//! ```
//! use policies::allowlist::{AllowlistPlan, Decision, DenyReason};
//! use policies::attributes::AttributeTable;
//! use policies::request::RequestHead;
//!
//! // 1. Parse and compile the plugin configuration (what `on_configure` does).
//! let plan = AllowlistPlan::from_json(br#"{
//!     "deny_status": 404,
//!     "virtual_hosts": [{
//!         "domains": ["is.example.com"],
//!         "allow": ["/oauth2/*", "/commonauth"],
//!         "deny": ["/carbon", "/services"]
//!     }]
//! }"#).unwrap();
//!
//! // 2. Decide about a request (what `on_http_request_headers` does).
//! let headers = vec![
//!     (":method".to_owned(), b"GET".to_vec()),
//!     (":path".to_owned(), b"/commonauth/..;/%2e%2e/carbon/admin/login.jsp".to_vec()),
//!     (":authority".to_owned(), b"is.example.com:9443".to_vec()),
//! ];
//! let connection = AttributeTable::default().with("source.address", "198.51.100.7:50000");
//! assert_eq!(
//!     plan.decide(&RequestHead::new(&headers), &connection),
//!     Decision::Deny { status: 404, reason: DenyReason::DenyRule },
//! );
//! ```
//!
//! ## Errors name the field
//!
//! ```
//! let err = policies::allowlist::AllowlistPlan::from_json(
//!     b"{\"virtual_hosts\": [{\"domains\": [\"*\"],\n \"allow\": [\"/ok\", \"/a/../b\"]}]}",
//! ).unwrap_err();
//! assert_eq!(err.path().to_string(), "virtual_hosts[0].allow[1]");
//! assert_eq!(err.location(), Some((2, 19)));
//! ```
//!
//! ## Modules
//! - [`path`]: request-target normalisation (RFC 3986 §5.2.4 dot segments, Tomcat's path
//!   parameters, percent-decoding that refuses ambiguity); [`confusables`]: code points a back
//!   end reads as ASCII (NFKC).
//! - [`routing`]: where the product routes a request: one interpretation per routing layer
//!   (Tomcat, the product's tenant and organisation valve, the raw target).
//! - [`allowlist`]: the `context-allowlist` policy.
//! - [`tls`]: the `tls-guard` policy.
//! - [`headers`]: the `header-hardening` policy.
//! - [`authority`], [`vhost`], [`globs`], [`mode`]: hosts, virtual hosts, path globs and
//!   `enforce`/`shadow`, shared by every policy.
//! - [`attributes`], [`peer`]: what the host reports about the connection, in Envoy's or
//!   Kong's encoding.
//! - [`logline`]: log lines that cannot be forged.
//! - [`reason`]: the reason of a decision, one shape in every policy (name and position);
//!   [`verdict`]: the decision itself, one shape in every policy (allow, deny, redirect,
//!   shadow deny).
//! - [`mutant`]: the rules a test build (`mutants` feature) switches off one at a time, for the
//!   kill matrix; nothing in a shipped build.
//! - [`error`], [`field_path`]: configuration errors.
//! - [`presets`]: the shipped configurations for WSO2 products; [`check`]: any filter's
//!   configuration checked as its `on_configure` would; [`combined`]: the combined module's
//!   configuration, a section per policy.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod allowlist;
pub mod attributes;
pub mod authority;
pub mod check;
pub mod combined;
pub mod confusables;
pub mod error;
pub mod exchange;
pub mod field_path;
pub mod globs;
pub mod headers;
pub mod logline;
pub mod mode;
pub mod mutant;
pub mod path;
pub mod peer;
pub mod presets;
pub mod reason;
pub mod reply;
pub mod request;
pub mod routing;
pub mod tls;
pub mod trace;
pub mod verdict;
pub mod vhost;

pub use error::{ConfigError, ConfigErrorKind};
