//! # header-hardening
//!
//! A Proxy-Wasm HTTP filter that makes a WSO2 product's responses pass a header audit: the
//! OWASP secure headers, no `Server` or other stack fingerprints, HSTS on TLS connections only,
//! cache prevention, `Clear-Site-Data` on logout, hardened session cookies with a session-id
//! strength check, and opt-in XSS input validation of the request. The decisions are
//! `policies::headers::HeaderPlan::{on_request, on_response}`; this crate reads the request
//! head and one property at request time, the response head at response time (one host call
//! each), and writes the edits back in one call (or one per edit when there is only one).
//!
//! Configuration fields: `filters/header-hardening/README.md`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::rc::Rc;

use filter_shim::{HostAttributes, headers, log, reply};
use policies::headers::{BodyCheck, InputCause};
use policies::headers::{Edit, HeaderPlan, RequestFacts, RequestVerdict, ResponseEdits, apply};
use policies::logline::{self, LoggedDecision};
use policies::request::RequestHead;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel};

const FILTER: &str = "header-hardening";

/// The kill matrix's mutants (test builds only).
#[cfg(feature = "mutants")]
mod mutant;

mod counters;

use counters::{Extra, HardeningCounters, Refusal};

/// The module's entry point (`_initialize`), which the SDK's `main!` writes.
#[allow(missing_docs)]
mod entry {
    use super::*;

    proxy_wasm::main! {{
        filter_shim::install_panic_hook(FILTER);
        proxy_wasm::set_log_level(LogLevel::Trace);
        proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(HardeningRoot::default()) });
    }}
}

/// What every HTTP context shares: the compiled plan and the counters.
struct Shared {
    plan: HeaderPlan,
    counters: HardeningCounters,
    /// The rule this test build leaves out (`mutants` feature, `_mutant`).
    #[cfg(feature = "mutants")]
    mutant: Option<String>,
}

/// The root context: compiles the plugin configuration in `on_configure`.
#[derive(Default)]
struct HardeningRoot {
    shared: Option<Rc<Shared>>,
}

impl Context for HardeningRoot {}

impl RootContext for HardeningRoot {
    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        // On an error Envoy refuses the listener (or exits when it is in the bootstrap).
        #[cfg(not(feature = "mutants"))]
        let configured = filter_shim::configure(FILTER, HeaderPlan::from_json);
        #[cfg(feature = "mutants")]
        let (configured, mutant) =
            filter_shim::mutant::configure(FILTER, &mutant::NAMES, HeaderPlan::from_json);
        self.shared = configured.map(|plan| {
            let counters = counters::define(FILTER);
            Rc::new(Shared {
                plan,
                counters,
                #[cfg(feature = "mutants")]
                mutant,
            })
        });
        self.shared.is_some()
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(HardeningHttp {
            shared: self.shared.clone(),
            facts: RequestFacts::default(),
            request_id: String::new(),
            target: Vec::new(),
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One request and its response.
struct HardeningHttp {
    /// `None` when no configuration was accepted: every request is refused (fail closed).
    shared: Option<Rc<Shared>>,
    /// Captured at request time for the response side.
    facts: RequestFacts,
    request_id: String,
    /// The raw request target, for log lines.
    target: Vec<u8>,
}

impl Context for HardeningHttp {}

impl HttpContext for HardeningHttp {
    fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let pairs = headers::request().unwrap_or_default();
        let head = RequestHead::new(&pairs);
        self.request_id = filter_shim::request_id(&head);
        self.target = head.target().to_vec();
        let Some(shared) = self.shared.clone() else {
            self.log(log::error, LoggedDecision::Deny, "not_configured", &[]);
            reply::send(
                500,
                &reply::details("header_hardening", "not_configured"),
                &self.request_id,
                &[],
            );
            return Action::Pause;
        };
        let (facts, verdict) = shared.plan.on_request(&head, &HostAttributes);
        self.facts = facts;
        #[cfg(feature = "mutants")]
        let verdict = mutant::request(shared.mutant.as_deref(), &mut self.facts, verdict);
        match verdict {
            RequestVerdict::Continue => Action::Continue,
            // The headers go on; the form body is held in `on_http_request_body`.
            RequestVerdict::InspectBody { .. } => Action::Continue,
            RequestVerdict::ShadowReject { matched } => {
                shared.counters.denied(Refusal::InputValidation, true);
                let pattern = matched.pattern.to_string();
                self.log(
                    log::info,
                    LoggedDecision::ShadowDeny,
                    "input_validation",
                    &[
                        ("field", matched.field.as_bytes()),
                        ("pattern", pattern.as_bytes()),
                    ],
                );
                Action::Continue
            }
            RequestVerdict::Reject { status, matched } => {
                shared.counters.denied(Refusal::InputValidation, false);
                let pattern = matched.pattern.to_string();
                self.log(
                    log::info,
                    LoggedDecision::Deny,
                    "input_validation",
                    &[
                        ("field", matched.field.as_bytes()),
                        ("pattern", pattern.as_bytes()),
                    ],
                );
                self.local_reply(&shared, status, "input_validation");
                Action::Pause
            }
        }
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        // Hold a form body (StopIterationAndBuffer) until it is whole or over its bound; a
        // pause at the headers would have been StopAllIteration in Envoy, and no body would
        // have come (proxy-wasm-cpp-host #95).
        match self.facts.body_check {
            BodyCheck::None => Action::Continue,
            BodyCheck::Inspect { max_bytes } if !end_of_stream && body_size <= max_bytes => {
                Action::Pause
            }
            _ => self.judge_body(body_size, end_of_stream),
        }
    }

    fn on_http_request_trailers(&mut self, _num_trailers: usize) -> Action {
        // Trailers end the body: judge what is held, or it would go on unread.
        if self.facts.body_check == BodyCheck::None {
            return Action::Continue;
        }
        self.judge_body(usize::MAX, true)
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let Some(shared) = self.shared.clone() else {
            return Action::Continue;
        };
        let mut pairs = headers::response().unwrap_or_default();
        let edits = shared.plan.on_response(&self.facts, &pairs);
        #[cfg(feature = "mutants")]
        let edits = mutant::response(shared.mutant.as_deref(), edits);
        self.count(&shared, &edits);
        self.log_findings(&edits);
        if edits.reject {
            shared.counters.denied(Refusal::WeakSessionId, false);
            self.local_reply(&shared, 502, "weak_session_id");
            return Action::Pause;
        }
        let calls = edits.host_calls();
        let written = if calls > 1 {
            apply(&edits.edits, &mut pairs);
            headers::replace_response(&pairs)
        } else {
            edits.edits.iter().try_for_each(write_one)
        };
        if let Err(status) = written {
            log::error(&format!(
                "{FILTER}: request_id={} cannot write response headers: {status:?}",
                logline::escape(self.request_id.as_bytes())
            ));
        }
        if !edits.edits.is_empty() && log::enabled(LogLevel::Debug) {
            let n = |v: u32| v.to_string().into_bytes();
            let (added, replaced, removed, cookies) = (
                n(edits.added),
                n(edits.replaced),
                n(edits.removed),
                n(edits.cookies_hardened),
            );
            self.log(
                log::debug,
                LoggedDecision::Allow,
                "hardened",
                &[
                    ("added", &added),
                    ("replaced", &replaced),
                    ("removed", &removed),
                    ("cookies", &cookies),
                    ("no_store", if edits.no_store { b"true" } else { b"false" }),
                ],
            );
        }
        Action::Continue
    }
}

impl HardeningHttp {
    fn log(
        &self,
        write: fn(&str),
        decision: LoggedDecision,
        reason: &str,
        extra: &[(&str, &[u8])],
    ) {
        write(&logline::line(
            FILTER,
            &self.request_id,
            decision,
            reason,
            &self.target,
            extra,
        ));
    }

    /// One `warn` line per weak session id (with its bits and why), per session cookie whose
    /// `Domain` is broader than the host, and for a session id in the `Location` URL; one `info`
    /// line per weak upstream value kept.
    fn log_findings(&self, edits: &ResponseEdits) {
        let decision = if edits.reject {
            LoggedDecision::Deny
        } else {
            LoggedDecision::Allow
        };
        for w in &edits.weak_sessions {
            let bits = w.bits.to_string();
            self.log(
                log::warn,
                decision,
                "weak_session_id",
                &[
                    ("cookie", w.name.as_bytes()),
                    ("bits", bits.as_bytes()),
                    ("why", w.reason.as_str().as_bytes()),
                ],
            );
        }
        for b in &edits.broad_domain_sessions {
            self.log(
                log::warn,
                LoggedDecision::Allow,
                "broad_domain_session",
                &[
                    ("cookie", b.name.as_bytes()),
                    ("domain", b.domain.as_bytes()),
                    ("removed", if b.removed { b"true" } else { b"false" }),
                ],
            );
        }
        if edits.session_in_url {
            self.log(log::warn, LoggedDecision::Allow, "session_in_url", &[]);
        }
        for name in &edits.weak_values_kept {
            self.log(
                log::info,
                LoggedDecision::Allow,
                "weak_value_kept",
                &[("header", name.as_bytes())],
            );
        }
    }

    fn count(&self, shared: &Shared, edits: &ResponseEdits) {
        let c = &shared.counters;
        let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        if !edits.host_known {
            // The default host's rules applied (an unknown or malformed `:authority`).
            Extra::UnknownHost.add(c, 1);
        }
        Extra::ResponsesHardened.add(c, u32::from(!edits.edits.is_empty()));
        Extra::HeadersAdded.add(c, edits.added);
        Extra::HeadersReplaced.add(c, edits.replaced);
        Extra::HeadersRemoved.add(c, edits.removed);
        Extra::CookiesHardened.add(c, edits.cookies_hardened);
        Extra::CookiesMalformed.add(c, edits.cookies_malformed);
        Extra::WeakSessionIds.add(c, len(edits.weak_sessions.len()));
        Extra::NoStore.add(c, u32::from(edits.no_store));
        Extra::WeakValuesReplaced.add(c, len(edits.weak_values_replaced.len()));
        Extra::CookiesDropped.add(c, edits.cookies_dropped);
        Extra::BroadDomainSessions.add(c, len(edits.broad_domain_sessions.len()));
        Extra::SessionInUrl.add(c, u32::from(edits.session_in_url));
        Extra::WeakValuesKept.add(c, len(edits.weak_values_kept.len()));
    }

    /// A local response of `status` carrying the hardened local-reply set
    /// (`filter_shim::reply::headers`) with this virtual host's configured rules applied on top
    /// (its HSTS, its removals), whether or not the host runs this filter's response callback on
    /// it.
    fn local_reply(&self, shared: &Shared, status: u16, reason: &str) {
        let mut headers = reply::headers(&self.request_id, &[]);
        let code = status.to_string();
        headers.insert(0, (":status".to_owned(), code.into_bytes()));
        let edits = shared.plan.on_response(&self.facts, &headers);
        apply(&edits.edits, &mut headers);
        // The configured cache rules may not loosen an answer the gateway makes itself.
        headers.retain(|(n, _)| n != ":status" && n != "cache-control" && n != "pragma");
        headers.extend(
            policies::headers::owasp::LOCAL_REPLY
                .iter()
                .filter(|(n, _)| *n == "cache-control" || *n == "pragma")
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec())),
        );
        reply::send_headers(
            status,
            &reply::details("header_hardening", reason),
            &headers,
        );
    }
}

/// Writes one edit with its own host call(s).
fn write_one(edit: &Edit) -> Result<(), proxy_wasm::types::Status> {
    match edit {
        Edit::Set { name, value } => headers::set_response(name, value),
        Edit::Remove { name } => headers::remove_response(name),
        Edit::SetCookies { values } => {
            headers::remove_response("set-cookie")?;
            values
                .iter()
                .try_for_each(|v| headers::add_response("set-cookie", v))
        }
    }
}

impl HardeningHttp {
    /// Judges the held request body (`body_size` bytes so far; the host is asked for at most
    /// the bound plus one) with `HeaderPlan::on_request_body`, once, and applies the verdict:
    /// keep holding, let it go on, or count, log and (unless in shadow mode) refuse it with a
    /// local response. A body the host will not hand over is refused as unreadable.
    fn judge_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        let Some(shared) = self.shared.clone() else {
            return Action::Continue;
        };
        let limit = match self.facts.body_check {
            BodyCheck::Inspect { max_bytes } => body_size.min(max_bytes.saturating_add(1)),
            _ => 0,
        };
        let body = if limit == 0 {
            Vec::new()
        } else {
            headers::request_body(limit).unwrap_or_else(|status| {
                log::error(&format!(
                    "{FILTER}: request_id={} cannot read the request body: {status:?}",
                    logline::escape(self.request_id.as_bytes())
                ));
                self.facts.body_check = BodyCheck::Unreadable;
                Vec::new()
            })
        };
        let verdict = shared
            .plan
            .on_request_body(&self.facts, &body, end_of_stream);
        if matches!(verdict, RequestVerdict::InspectBody { .. }) {
            return Action::Pause;
        }
        self.facts.body_check = BodyCheck::None;
        Extra::InputBodiesInspected.add(&shared.counters, 1);
        let (matched, decision, status) = match verdict {
            RequestVerdict::ShadowReject { matched } => (matched, LoggedDecision::ShadowDeny, None),
            RequestVerdict::Reject { status, matched } => {
                (matched, LoggedDecision::Deny, Some(status))
            }
            RequestVerdict::Continue | RequestVerdict::InspectBody { .. } => {
                return Action::Continue;
            }
        };
        let reason = matched.cause.as_str();
        shared
            .counters
            .denied(Refusal::from(matched.cause), status.is_none());
        let pattern = matched.pattern.to_string();
        let mut extra: Vec<(&str, &[u8])> = vec![("field", matched.field.as_bytes())];
        if matched.cause == InputCause::Pattern {
            extra.push(("pattern", pattern.as_bytes()));
        }
        extra.push(("phase", b"body"));
        self.log(log::info, decision, reason, &extra);
        match status {
            Some(status) => {
                self.local_reply(&shared, status, reason);
                Action::Pause
            }
            None => Action::Continue,
        }
    }
}
