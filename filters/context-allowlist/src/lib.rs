//! # context-allowlist
//!
//! A Proxy-Wasm HTTP filter that blocks the admin contexts of WSO2 products (`/carbon`,
//! `/services`, …) from the DMZ and lets through only allowlisted paths, whatever encoding a
//! client tries. The decision is `policies::allowlist::AllowlistPlan::decide`; the module is
//! `filter_shim::policy::allowlist`'s stage alone (the combined `gateway_hardening.wasm` runs
//! the same stage).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

filter_shim::module!("context-allowlist", |json| Ok(vec![
    filter_shim::policy::allowlist::compile(json)?
]));
