//! # header-hardening
//!
//! A Proxy-Wasm HTTP filter that makes a WSO2 product's responses pass a header audit: the
//! OWASP secure headers, no `Server` or other stack fingerprints, HSTS on TLS connections only,
//! cache prevention, `Clear-Site-Data` on logout, hardened session cookies with a session-id
//! strength check, and opt-in XSS input validation of the request. The decisions are
//! `policies::headers::HeaderPlan::{on_request, on_response}`; the module is
//! `filter_shim::policy::headers`'s stage alone (the combined `gateway_hardening.wasm` runs the
//! same stage).
//!
//! Configuration fields: `filters/header-hardening/README.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

filter_shim::module!("header-hardening", |json| Ok(vec![
    filter_shim::policy::headers::compile(json)?
]));
