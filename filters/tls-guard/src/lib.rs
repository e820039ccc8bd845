//! # tls-guard
//!
//! A Proxy-Wasm HTTP filter that checks the TLS metadata of each request (minimum version,
//! plaintext redirected or refused, SNI equal to the request's host, negotiated cipher, client
//! certificate for admin paths) and, when the response headers arrive, the upstream connection
//! (no WSO2 default certificate, TLS to the clusters that require it). The decisions are
//! `policies::tls::TlsGuardPlan::{decide_request, decide_response}`; this crate reads the
//! request head in one host call, applies the decision, counts it and logs it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::cell::Cell;
use std::rc::Rc;

use filter_shim::{HostAttributes, headers, log, metrics::DecisionCounters, reply};
use policies::logline::{self, LoggedDecision};
use policies::mode::Mode;
use policies::request::RequestHead;
use policies::tls::{AllowReason, Decision, DenyReason, MissingProperties, Property, TlsGuardPlan};
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

const FILTER: &str = "tls-guard";

/// The kill matrix's mutants (test builds only).
#[cfg(feature = "mutants")]
mod mutant;

/// The module's entry point (`_initialize`), which the SDK's `main!` writes.
#[allow(missing_docs)]
mod entry {
    use super::*;

    proxy_wasm::main! {{
        filter_shim::install_panic_hook(FILTER);
        proxy_wasm::set_log_level(LogLevel::Trace);
        proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(TlsGuardRoot::default()) });
    }}
}

/// What every HTTP context shares: the plan, the counters, and which missing properties have
/// been logged already (once per VM).
struct Shared {
    plan: TlsGuardPlan,
    counters: DecisionCounters<AllowReason, DenyReason>,
    missing_logged: [Cell<bool>; Property::ALL.len()],
    /// The deny reason this test build never applies (`mutants` feature, `_mutant`).
    #[cfg(feature = "mutants")]
    mutant: Option<String>,
}

impl Shared {
    /// Logs, once per VM and property, that the host does not report `property`.
    fn note_missing(&self, property: Property) {
        let Some(flag) = self.missing_logged.get(property.index()) else {
            return;
        };
        if flag.replace(true) {
            return;
        }
        let decision = match self.plan.missing_properties() {
            MissingProperties::Deny => "deny",
            MissingProperties::Allow => "allow",
        };
        log::warn(&format!(
            "{FILTER}: the host does not report {}; missing_properties={decision} decides every such request (logged once per VM)",
            property.attribute()
        ));
    }
}

/// The root context: compiles the plugin configuration in `on_configure`.
#[derive(Default)]
struct TlsGuardRoot {
    shared: Option<Rc<Shared>>,
}

impl Context for TlsGuardRoot {}

impl RootContext for TlsGuardRoot {
    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        // On an error Envoy rejects the listener (or exits when it is in the bootstrap).
        #[cfg(not(feature = "mutants"))]
        let configured = filter_shim::configure(FILTER, TlsGuardPlan::from_json);
        #[cfg(feature = "mutants")]
        let (configured, mutant) = filter_shim::mutant::configure(
            FILTER,
            &policies::tls::DenyReason::ALL,
            TlsGuardPlan::from_json,
        );
        self.shared = configured.map(|plan| {
            Rc::new(Shared {
                plan,
                counters: DecisionCounters::define(FILTER, &EXTRA_COUNTERS),
                missing_logged: Default::default(),
                #[cfg(feature = "mutants")]
                mutant,
            })
        });
        self.shared.is_some()
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(TlsGuardHttp {
            shared: self.shared.clone(),
            replied: false,
            request_id: String::new(),
            target: Vec::new(),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One request.
struct TlsGuardHttp {
    /// `None` when no configuration was accepted: every request is refused (fail closed).
    shared: Option<Rc<Shared>>,
    /// This filter answered the request itself: nothing to check on its own response.
    replied: bool,
    /// Kept for the response-time log line.
    request_id: String,
    /// The raw request target, for the response-time log line.
    target: Vec<u8>,
}

impl Context for TlsGuardHttp {}

impl HttpContext for TlsGuardHttp {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
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
                &reply::details("tls_guard", "not_configured"),
                &request_id,
                &[],
            );
            self.replied = true;
            return Action::Pause;
        };
        let decision = shared.plan.decide_request(&head, &HostAttributes);
        if shared.plan.has_response_checks() {
            self.request_id.clone_from(&request_id);
            self.target = head.target().to_vec();
        }
        let action = self.apply(
            &shared,
            decision,
            &request_id,
            head.target(),
            head.authority(),
        );
        if action == Action::Pause {
            self.replied = true;
        }
        action
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let Some(shared) = self.shared.clone() else {
            return Action::Continue;
        };
        if self.replied || !shared.plan.has_response_checks() {
            return Action::Continue;
        }
        let decision = shared.plan.decide_response(&HostAttributes);
        let request_id = std::mem::take(&mut self.request_id);
        let target = std::mem::take(&mut self.target);
        let action = self.apply(&shared, decision, &request_id, &target, b"");
        if action == Action::Pause {
            self.replied = true;
        }
        action
    }
}

impl TlsGuardHttp {
    /// Counts, logs and applies a decision; `Pause` when a local response was sent.
    fn apply(
        &self,
        shared: &Shared,
        decision: Decision,
        request_id: &str,
        target: &[u8],
        host: &[u8],
    ) -> Action {
        #[cfg(feature = "mutants")]
        let decision = mutant::apply(shared.mutant.as_deref(), decision);
        let shadow = shared.plan.mode() == Mode::Shadow;
        let logged = if shadow {
            LoggedDecision::ShadowDeny
        } else {
            LoggedDecision::Deny
        };
        match decision {
            Decision::Allow(reason) => {
                if let AllowReason::MissingProperty(p) = reason {
                    shared.note_missing(p);
                }
                shared.counters.allowed(reason);
                if log::enabled(LogLevel::Debug) {
                    log::debug(&logline::line(
                        FILTER,
                        request_id,
                        LoggedDecision::Allow,
                        reason.as_str(),
                        target,
                        &[],
                    ));
                }
                Action::Continue
            }
            Decision::Redirect { location } => {
                log::info(&logline::line(
                    FILTER,
                    request_id,
                    logged,
                    DenyReason::Plaintext.as_str(),
                    target,
                    &[
                        ("host", host),
                        ("status", b"308"),
                        ("location", location.as_bytes()),
                    ],
                ));
                if shadow {
                    shared.counters.denied(DenyReason::Plaintext, true);
                    return Action::Continue;
                }
                shared.counters.extra(REDIRECTED_PLAINTEXT, 1);
                reply::send(
                    308,
                    &reply::details("tls_guard", "plaintext"),
                    request_id,
                    &[("location", &location)],
                );
                Action::Pause
            }
            Decision::Deny { status, reason } => {
                let status_text = status.to_string();
                let mut extra: Vec<(&str, &[u8])> = vec![("status", status_text.as_bytes())];
                if !host.is_empty() {
                    extra.push(("host", host));
                }
                match reason {
                    DenyReason::MissingProperty(p) => {
                        shared.note_missing(p);
                        extra.push(("property", p.attribute().as_bytes()));
                    }
                    DenyReason::MalformedPath(e) => extra.push(("detail", e.as_str().as_bytes())),
                    _ => {}
                }
                log::info(&logline::line(
                    FILTER,
                    request_id,
                    logged,
                    reason.as_str(),
                    target,
                    &extra,
                ));
                filter_shim::deny(&shared.counters, shadow, reason, status, request_id)
            }
        }
    }
}

/// This filter's counters besides its decisions' (`allowed.<reason>`, `denied.<reason>`,
/// `shadow_denied.<reason>`): the plaintext redirect.
const EXTRA_COUNTERS: [&str; 1] = ["redirected.plaintext"];

/// Position of `redirected.plaintext` in [`EXTRA_COUNTERS`].
const REDIRECTED_PLAINTEXT: usize = 0;
