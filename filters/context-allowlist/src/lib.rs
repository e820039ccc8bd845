//! # context-allowlist
//!
//! A Proxy-Wasm HTTP filter that blocks the admin contexts of WSO2 products (`/carbon`,
//! `/services`, …) from the DMZ and lets through only allowlisted paths, whatever encoding a
//! client tries. The decision is `policies::allowlist::AllowlistPlan::decide`; this crate reads
//! the request head in one host call, applies the decision, counts it and logs it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::rc::Rc;

use filter_shim::{HostAttributes, headers, log, metrics::DecisionCounters, reply};
use policies::allowlist::{AllowReason, AllowlistPlan, Decision, DenyReason, Mode};
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
    counters: DecisionCounters<AllowReason, DenyReason>,
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
            let counters = DecisionCounters::define(FILTER, &[]);
            Rc::new(Shared { plan, counters })
        });
        self.shared.is_some()
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(AllowlistHttp {
            shared: self.shared.clone(),
            pending: None,
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
    /// A login form body being buffered after [`Decision::InspectBody`].
    pending: Option<Pending>,
}

/// What the body phase needs of the request head: the bound and the log fields.
struct Pending {
    request_id: String,
    max_bytes: usize,
    target: Vec<u8>,
    authority: Vec<u8>,
    method: Vec<u8>,
}

impl Context for AllowlistHttp {}

impl AllowlistHttp {
    /// Counts, logs and applies a denial: a local response, or (shadow mode) nothing.
    fn refuse(
        shared: &Shared,
        pending: &Pending,
        status: u16,
        reason: DenyReason,
        why: &[(&str, &[u8])],
    ) -> Action {
        let shadow = shared.plan.mode() == Mode::Shadow;
        let logged = if shadow {
            LoggedDecision::ShadowDeny
        } else {
            LoggedDecision::Deny
        };
        let mut extra: Vec<(&str, &[u8])> = vec![
            ("host", pending.authority.as_slice()),
            ("method", pending.method.as_slice()),
        ];
        if let Some(d) = reason.detail() {
            extra.push(("detail", d.as_bytes()));
        }
        extra.extend_from_slice(why);
        log::info(&logline::line(
            FILTER,
            &pending.request_id,
            logged,
            reason.as_str(),
            &pending.target,
            &extra,
        ));
        filter_shim::deny(
            &shared.counters,
            shadow,
            reason,
            status,
            &pending.request_id,
        )
    }

    fn allow(shared: &Shared, pending: &Pending, reason: AllowReason) -> Action {
        shared.counters.allowed(reason);
        if log::enabled(LogLevel::Debug) {
            log::debug(&logline::line(
                FILTER,
                &pending.request_id,
                LoggedDecision::Allow,
                reason.as_str(),
                &pending.target,
                &[],
            ));
        }
        Action::Continue
    }
}

/// Removes the method overrides `method_override: strip` names.
fn strip_overrides(plan: &AllowlistPlan, head: &RequestHead<'_>) {
    let Some(strip) = plan.override_strip(head) else {
        return;
    };
    for name in strip.headers {
        if let Err(status) = headers::remove_request(name) {
            log::error(&format!("{FILTER}: cannot remove {name}: {status:?}"));
        }
    }
    if let Some(path) = strip.path
        && let Err(status) = headers::set_request(":path", path.as_bytes())
    {
        log::error(&format!("{FILTER}: cannot rewrite :path: {status:?}"));
    }
}

impl HttpContext for AllowlistHttp {
    fn on_http_request_headers(&mut self, _num_headers: usize, end_of_stream: bool) -> Action {
        let pairs = headers::request().unwrap_or_default();
        let head = RequestHead::new(&pairs);
        let request_id = filter_shim::request_id(&head);
        let Some(shared) = self.shared.clone() else {
            log::error(&logline::line(
                FILTER,
                &request_id,
                LoggedDecision::Deny,
                "not_configured",
                head.target(),
                &[],
            ));
            reply::send(
                500,
                &reply::details("context_allowlist", "not_configured"),
                &request_id,
                &[],
            );
            return Action::Pause;
        };
        let pending = Pending {
            request_id,
            max_bytes: 0,
            target: head.target().to_vec(),
            authority: head.authority().to_vec(),
            method: head.method().to_vec(),
        };
        match shared.plan.decide(&head, &HostAttributes) {
            Decision::Allow(reason) => {
                strip_overrides(&shared.plan, &head);
                Self::allow(&shared, &pending, reason)
            }
            Decision::InspectBody { max_bytes } => {
                strip_overrides(&shared.plan, &head);
                if end_of_stream {
                    return Self::allow(&shared, &pending, AllowReason::Allowlisted);
                }
                // The headers go on; the body is held (StopIterationAndBuffer in the body
                // callback) until judged. Pausing here would be StopAllIteration in Envoy
                // (proxy-wasm-cpp-host #95, unless `allow_on_headers_stop_iteration`, which Istio
                // cannot set): no body would ever reach the filter.
                self.pending = Some(Pending {
                    max_bytes,
                    ..pending
                });
                Action::Continue
            }
            Decision::Deny { status, reason } => {
                // Why: the layer of the product's routing that decided, and where it landed.
                let (_, why) = shared.plan.explain(&head, &HostAttributes);
                let layer = why.decided_by.map(|l| l.as_str().as_bytes().to_vec());
                let landed = why.landed.map(String::into_bytes);
                let mut fields: Vec<(&str, &[u8])> = Vec::new();
                if let Some(l) = &layer {
                    fields.push(("layer", l));
                }
                if let Some(l) = &landed {
                    fields.push(("landed", l));
                }
                Self::refuse(&shared, &pending, status, reason, &fields)
            }
        }
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        // Keep buffering (StopIterationAndBuffer) until the body is whole or over the bound.
        if !end_of_stream
            && self
                .pending
                .as_ref()
                .is_some_and(|p| body_size <= p.max_bytes)
        {
            return Action::Pause;
        }
        self.judge_body(body_size)
    }

    fn on_http_request_trailers(&mut self, _num_trailers: usize) -> Action {
        // Trailers end the body: judge what was buffered, or it would go on unread.
        let size = if self.pending.is_some() {
            headers::request_body(usize::MAX).map_or(0, |b| b.len())
        } else {
            0
        };
        self.judge_body(size)
    }
}

impl AllowlistHttp {
    /// Decides about the buffered login form (`body_size` bytes so far), once.
    fn judge_body(&mut self, body_size: usize) -> Action {
        let (Some(shared), Some(pending)) = (self.shared.clone(), self.pending.as_ref()) else {
            return Action::Continue;
        };
        let body = match headers::request_body(body_size.min(pending.max_bytes.saturating_add(1))) {
            Ok(b) => b,
            Err(status) => {
                log::error(&format!(
                    "{FILTER}: cannot read the request body: {status:?}"
                ));
                return Self::refuse(&shared, pending, 400, DenyReason::MalformedParameters, &[]);
            }
        };
        let action = match shared.plan.decide_body(&pending.target, &body) {
            Decision::Deny { status, reason } => {
                Self::refuse(&shared, pending, status, reason, &[("phase", b"body")])
            }
            _ => Self::allow(&shared, pending, AllowReason::Allowlisted),
        };
        self.pending = None;
        action
    }
}
