//! # context-allowlist
//!
//! A Proxy-Wasm HTTP filter that blocks the admin contexts of WSO2 products (`/carbon`,
//! `/services`, …) from the DMZ and lets through only allowlisted paths, whatever encoding a
//! client tries. The decision is `policies::allowlist::AllowlistPlan::decide`; this crate reads
//! the request head in one host call, applies the decision, counts it and logs it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::rc::Rc;

use filter_shim::{HostAttributes, headers, log, metrics::Counters, reply};
use policies::allowlist::{AllowlistPlan, Decision, DenyReason, Mode};
use policies::logline::{self, LoggedDecision};
use policies::request::RequestHead;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

const FILTER: &str = "context-allowlist";

/// The module's entry point (`_initialize`), which the SDK's `main!` writes.
#[allow(missing_docs)]
mod entry {
    use super::*;

    proxy_wasm::main! {{
        filter_shim::install_panic_hook(FILTER);
        proxy_wasm::set_log_level(LogLevel::Trace);
        proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(AllowlistRoot::default()) });
    }}
}

/// What every HTTP context shares: the compiled plan and the counters.
struct Shared {
    plan: AllowlistPlan,
    counters: Counters,
}

/// The root context: compiles the plugin configuration in `on_configure`.
#[derive(Default)]
struct AllowlistRoot {
    shared: Option<Rc<Shared>>,
}

impl Context for AllowlistRoot {}

impl RootContext for AllowlistRoot {
    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        // On an error Envoy rejects the listener (or exits when it is in the bootstrap), and the
        // old configuration, if any, stays.
        self.shared = filter_shim::configure(FILTER, AllowlistPlan::from_json).map(|plan| {
            let suffixes = policies::allowlist::AllowReason::ALL
                .iter()
                .map(|r| format!("allowed.{r}"))
                .chain(DenyReason::ALL.iter().map(|r| format!("denied.{r}")))
                .chain(DenyReason::ALL.iter().map(|r| format!("shadow_denied.{r}")));
            let counters = Counters::define(FILTER, suffixes);
            Rc::new(Shared { plan, counters })
        });
        self.shared.is_some()
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(AllowlistHttp {
            shared: self.shared.clone(),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One request.
struct AllowlistHttp {
    /// `None` when no configuration was accepted: every request is refused (fail closed).
    shared: Option<Rc<Shared>>,
}

impl Context for AllowlistHttp {}

impl HttpContext for AllowlistHttp {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let pairs = headers::request().unwrap_or_default();
        let head = RequestHead::new(&pairs);
        let request_id = filter_shim::request_id(&head);
        let Some(shared) = &self.shared else {
            log::error(&logline::line(
                FILTER,
                &request_id,
                LoggedDecision::Deny,
                "not_configured",
                head.target(),
                &[],
            ));
            reply::send(500, &request_id, &[]);
            return Action::Pause;
        };
        match shared.plan.decide(&head, &HostAttributes) {
            Decision::Allow(reason) => {
                shared.counters.inc(&format!("allowed.{}", reason.as_str()));
                if log::enabled(LogLevel::Debug) {
                    log::debug(&logline::line(
                        FILTER,
                        &request_id,
                        LoggedDecision::Allow,
                        reason.as_str(),
                        head.target(),
                        &[],
                    ));
                }
                Action::Continue
            }
            Decision::Deny { status, reason } => {
                let shadow = shared.plan.mode() == Mode::Shadow;
                let logged = if shadow {
                    LoggedDecision::ShadowDeny
                } else {
                    LoggedDecision::Deny
                };
                let mut extra: Vec<(&str, &[u8])> =
                    vec![("host", head.authority()), ("method", head.method())];
                let detail = match reason {
                    DenyReason::MalformedPath(e) => Some(e.as_str()),
                    _ => None,
                };
                if let Some(d) = detail {
                    extra.push(("detail", d.as_bytes()));
                }
                log::info(&logline::line(
                    FILTER,
                    &request_id,
                    logged,
                    reason.as_str(),
                    head.target(),
                    &extra,
                ));
                if shadow {
                    shared
                        .counters
                        .inc(&format!("shadow_denied.{}", reason.as_str()));
                    return Action::Continue;
                }
                shared.counters.inc(&format!("denied.{}", reason.as_str()));
                reply::send(status, &request_id, &[]);
                Action::Pause
            }
        }
    }
}
