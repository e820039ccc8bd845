//! # filter-shim: the Proxy-Wasm glue every gateway-hardening filter shares
//!
//! The filters keep their decisions in `policies`; this crate does the host side, always
//! through the SDK's `hostcalls` that return `Result` (never the trait helpers, which unwrap and
//! would trap the VM on a non-UTF-8 header):
//! - [`headers`]: a header map in one host call, and edits to it;
//! - [`metrics`]: counters defined once in the root context, counted by position;
//! - [`stage`], [`policy`], [`module`]: the policy interface, the registry of policies, and
//!   the module (root and HTTP context) that runs one policy or all of them;
//! - [`apply`]: the one place a verdict is counted, logged and answered;
//! - [`attributes`]: `policies::attributes::Attributes` over `get_property`, each property read
//!   at most once per callback;
//! - [`log`]: log lines with the request id ([`request_id`]);
//! - [`reply`]: local responses;
//! - [`configure`], [`plugin_configuration`] and [`install_panic_hook`] for the root context;
//! - `mutant` (`mutants` feature, test builds only): `_mutant` off a plugin configuration.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod apply;
pub mod attributes;
pub mod headers;
pub mod log;
pub mod metrics;
pub mod module;
#[cfg(feature = "mutants")]
pub mod mutant;
pub mod policy;
pub mod reply;
pub mod stage;

use policies::request::RequestHead;
use proxy_wasm::hostcalls;
use proxy_wasm::types::{BufferType, LogLevel};

/// The plugin configuration bytes (`proxy_get_buffer_bytes` of `PluginConfiguration`); empty
/// when the host gives none.
///
/// # Errors
/// The host's status when it refuses the call.
pub fn plugin_configuration() -> Result<Vec<u8>, proxy_wasm::types::Status> {
    Ok(hostcalls::get_buffer(BufferType::PluginConfiguration, 0, usize::MAX)?.unwrap_or_default())
}

/// `on_configure`'s common part: reads the plugin configuration and compiles it with `compile`
/// (a filter's `Plan::from_json`). Logs `<filter>: plugin configuration loaded` at `info` on
/// success; on failure logs the reason at `error` (a compile error names the offending field)
/// and returns `None`, so that the root context keeps no plan and `on_configure` returns false:
/// Envoy then refuses the configuration (fail closed).
pub fn configure<P, E: std::fmt::Display>(
    filter: &str,
    compile: impl FnOnce(&[u8]) -> Result<P, E>,
) -> Option<P> {
    let json = match plugin_configuration() {
        Ok(json) => json,
        Err(status) => {
            log::error(&format!(
                "{filter}: cannot read the plugin configuration: {status:?}"
            ));
            return None;
        }
    };
    match compile(&json) {
        Ok(plan) => {
            log::info(&format!("{filter}: plugin configuration loaded"));
            Some(plan)
        }
        Err(err) => {
            log::error(&format!("{filter}: {err}"));
            None
        }
    }
}

/// The request id for log lines and local responses: the request's `x-request-id` when it is a
/// sane token (Envoy sets a UUID), else a new UUID v4 (seed guideline "Prevent log forging").
pub fn request_id(request: &RequestHead<'_>) -> String {
    policies::logline::sane_request_id(request.get("x-request-id"))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// Logs a panic's message at `critical` before the VM traps, so that the gateway's log says
/// which filter failed and where. `filter` is the filter's name.
pub fn install_panic_hook(filter: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        let _ = hostcalls::log(LogLevel::Critical, &format!("{filter}: panic: {info}"));
    }));
}
