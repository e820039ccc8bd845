//! # gateway-hardening
//!
//! The three policies in one Proxy-Wasm module: one VM, one root context, one HTTP context per
//! request that reads the request head once and runs header-hardening's request checks,
//! tls-guard and context-allowlist in that order (the dmz-gateway chain's), then hardens every
//! answer, local responses included. The plugin configuration is an object with a section per
//! policy, each the single filter's schema; an absent section switches that policy off
//! (`filter_shim::policy::combined`). Log lines, counters and response code details name the
//! policy that decided, as the single filters do.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

filter_shim::module!("gateway-hardening", filter_shim::policy::combined);
