//! The `header-hardening` policy: the OWASP secure headers on every response, `Server` and the
//! other stack fingerprints removed, HSTS on TLS connections only, cache prevention on sensitive
//! and authenticated responses, `Clear-Site-Data` on logout, `Secure`/`HttpOnly`/`SameSite` on
//! session cookies with a session-id strength check, and opt-in request input validation (seed
//! guidelines "Update the HTTP Response header Server value", "Enabling HTTP Strict Transport
//! Security Headers", "Preventing browser caching", "Enable additional XSS Protection",
//! "Increase JSESSIONID length").
//!
//! The filter calls [`HeaderPlan::on_request`] at request time (it keeps the returned
//! [`RequestFacts`]) and [`HeaderPlan::on_response`] at response time, then writes the
//! [`Edit`]s back. The header grade that judges the result is `gateway-hardening-cli`'s (OWASP's
//! published lists, independent of [`owasp`]).
//!
//! ```
//! use policies::attributes::AttributeTable;
//! use policies::headers::{apply, HeaderPlan};
//! use policies::request::RequestHead;
//!
//! let plan = HeaderPlan::from_json(br#"{
//!     "virtual_hosts": [{ "domains": ["*"], "headers": [{ "name": "Server", "set": "gateway" }] }]
//! }"#).unwrap();
//! let pairs = |list: &[(&str, &str)]| -> Vec<(String, Vec<u8>)> {
//!     list.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()
//! };
//! let request = pairs(&[(":method", "GET"), (":path", "/commonauth"), (":authority", "is.example.com")]);
//! let tls = AttributeTable::default().with("connection.tls_version", "TLSv1.3");
//! let (facts, _verdict) = plan.on_request(&RequestHead::new(&request), &tls);
//!
//! let mut response = pairs(&[
//!     (":status", "302"),
//!     ("server", "WSO2 Carbon Server"),
//!     ("set-cookie", "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; HttpOnly"),
//! ]);
//! let edits = plan.on_response(&facts, &response);
//! apply(&edits.edits, &mut response);
//! let value = |name: &str| response.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
//! assert_eq!(value("server"), Some(b"gateway".to_vec()));
//! assert_eq!(value("x-content-type-options"), Some(b"nosniff".to_vec()));
//! assert!(value("strict-transport-security").is_some());
//! assert!(response.contains(&(
//!     "set-cookie".to_owned(),
//!     b"JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; HttpOnly; Secure; SameSite=Lax".to_vec(),
//! )));
//! ```

mod config;
mod cookies;
mod facts;
mod local_reply;
pub mod owasp;
mod plan;
mod reason;
mod respond;
mod session;
mod setcookie;
mod trace;
mod validate;
mod values;
mod weak;

/// The filter's name (`header-hardening`): log lines, counters, traces.
pub const FILTER: &str = "header-hardening";

pub use config::{
    Baseline, BroadDomain, CacheConfig, CookieRule, HeaderHardeningConfig, HeaderRule, HstsConfig,
    InputValidationConfig, LogoutConfig, Mode, RouteConfig, SameSite, SessionCookiesConfig,
    UnparseableCookies, VirtualHostConfig, WeakValues,
};
pub use facts::{RequestFacts, RequestVerdict};
pub use plan::HeaderPlan;
pub use reason::DenyReason;
pub use respond::{Edit, ResponseEdits, apply};
pub use session::{BroadDomainSession, Estimate, WeakReason, WeakSession, estimate, estimate_bits};
pub use validate::{
    BodyCheck, DEFAULT_MAX_BODY_BYTES, DEFAULT_PATTERNS, InputCause, InputMatch, MAX_BODY_BYTES,
    MAX_DECODE_ROUNDS, MIN_BODY_BYTES, PATTERN_SIZE_LIMIT, SET_SIZE_LIMIT,
};

#[cfg(test)]
mod tests;
