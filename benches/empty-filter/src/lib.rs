//! # empty-filter
//!
//! A Rust Proxy-Wasm HTTP filter that does nothing: one root context, one HTTP context per
//! request, every callback the SDK's default (continue). What Envoy's V8 costs per request
//! before any policy runs: `cargo xtask bench` compares every filter with it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::ContextType;

/// The module's entry point (`_initialize`), which the SDK's `main!` writes.
#[allow(missing_docs)]
mod entry {
    use super::*;

    proxy_wasm::main! {{
        proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(EmptyRoot) });
    }}
}

/// The root context: accepts any plugin configuration.
struct EmptyRoot;

impl Context for EmptyRoot {}

impl RootContext for EmptyRoot {
    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(EmptyHttp))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One request: nothing done.
struct EmptyHttp;

impl Context for EmptyHttp {}

impl HttpContext for EmptyHttp {}
