//! # tls-guard
//!
//! A Proxy-Wasm HTTP filter that checks the TLS metadata of each request (minimum version,
//! plaintext redirected or refused, SNI equal to the request's host, negotiated cipher, client
//! certificate for admin paths) and, when the response headers arrive, the upstream connection
//! (no WSO2 default certificate, TLS to the clusters that require it). The decisions are
//! `policies::tls::TlsGuardPlan::{decide_request, decide_response}`; the module is
//! `filter_shim::policy::tls`'s stage alone (the combined `gateway_hardening.wasm` runs the
//! same stage).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

filter_shim::module!("tls-guard", |json| Ok(vec![
    filter_shim::policy::tls::compile(json)?
]));
