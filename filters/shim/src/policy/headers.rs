//! header-hardening's stage: `policies::headers::HeaderPlan::on_request` (input validation) on
//! the request, `on_request_body` on a held form body, `on_response` on every answer (the
//! upstream's and every local response, its own included). Its own refusals are answered with
//! the local-reply set hardened by its configured rules.

use std::rc::Rc;

use policies::headers::{BodyCheck, DenyReason, InputCause, RequestVerdict};
use policies::headers::{Edit, HeaderPlan, RequestFacts, ResponseEdits, apply as apply_edits};
use policies::logline::{self, LoggedDecision};
use policies::reason::Reason;

use super::headers_counters::{self as counters, Extra, HardeningCounters};
use crate::apply::{Applied, Line, apply};
use crate::stage::{Flow, Policy, RequestCtx, Stage};
use crate::{headers, log, reply};

/// The filter's name.
pub const FILTER: &str = "header-hardening";

/// The compiled plan and its counters.
pub struct Hardening {
    plan: HeaderPlan,
    counters: HardeningCounters,
    /// The rule this test build leaves out (`mutants` feature, `_mutant`).
    #[cfg(feature = "mutants")]
    mutant: Option<String>,
}

/// Compiles header-hardening's plugin configuration (`HeaderPlan::from_json`; with the
/// `mutants` feature, `_mutant` is the rule this build leaves out) and defines its counters.
///
/// # Errors
/// The compile error, naming the field.
pub fn compile(json: &[u8]) -> Result<Rc<dyn Policy>, policies::ConfigError> {
    #[cfg(feature = "mutants")]
    let (mutant, json) = crate::mutant::split_config(json, &super::headers_mutant::NAMES)?;
    #[cfg(feature = "mutants")]
    let json = json.as_slice();
    let plan = HeaderPlan::from_json(json)?;
    Ok(Rc::new(Hardening {
        plan,
        counters: counters::define(FILTER),
        #[cfg(feature = "mutants")]
        mutant,
    }))
}

impl Policy for Hardening {
    fn stage(self: Rc<Self>) -> Box<dyn Stage> {
        Box::new(HardeningStage {
            shared: self,
            facts: RequestFacts::default(),
            request_id: String::new(),
            target: Vec::new(),
            debug: false,
        })
    }
}

/// One request and its answer.
struct HardeningStage {
    shared: Rc<Hardening>,
    /// Captured at request time for the response side.
    facts: RequestFacts,
    request_id: String,
    /// The raw request target, for log lines.
    target: Vec<u8>,
    /// Whether the host logs `debug` lines (asked at request time).
    debug: bool,
}

impl Stage for HardeningStage {
    fn on_request_headers(&mut self, req: &RequestCtx<'_>) -> Flow {
        let shared = Rc::clone(&self.shared);
        self.request_id = req.request_id.to_owned();
        self.target = req.head.target().to_vec();
        self.debug = req.debug;
        let (facts, verdict) = shared.plan.on_request(req.head, req.attrs);
        if req.debug {
            log::trace(
                req.request_id,
                &shared.plan.trace_request(req.head, req.attrs).2,
            );
        }
        self.facts = facts;
        #[cfg(feature = "mutants")]
        let verdict =
            super::headers_mutant::request(shared.mutant.as_deref(), &mut self.facts, verdict);
        // The headers go on; a form body is held in `on_request_body`.
        self.apply_input(&shared, &verdict, &[])
    }

    fn on_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Flow {
        // Hold a form body (StopIterationAndBuffer) until it is whole or over its bound; a
        // pause at the headers would have been StopAllIteration in Envoy, and no body would
        // have come (proxy-wasm-cpp-host #95).
        match self.facts.body_check {
            BodyCheck::None => Flow::Continue,
            BodyCheck::Inspect { max_bytes } if !end_of_stream && body_size <= max_bytes => {
                Flow::Hold
            }
            _ => self.judge_body(body_size, end_of_stream),
        }
    }

    fn on_request_trailers(&mut self) -> Flow {
        // Trailers end the body: judge what is held, or it would go on unread.
        if self.facts.body_check == BodyCheck::None {
            return Flow::Continue;
        }
        self.judge_body(usize::MAX, true)
    }

    fn on_response_headers(&mut self) -> Flow {
        let shared = Rc::clone(&self.shared);
        let mut pairs = headers::response().unwrap_or_default();
        let edits = shared.plan.on_response(&self.facts, &pairs);
        if self.debug {
            log::trace(
                &self.request_id,
                &shared.plan.trace_response(&self.facts, &pairs).1,
            );
        }
        #[cfg(feature = "mutants")]
        let edits = super::headers_mutant::response(shared.mutant.as_deref(), edits);
        self.count(&shared, &edits);
        self.log_findings(&edits);
        if edits.reject {
            shared.counters.denied(DenyReason::WeakSessionId, false);
            self.local_reply(&shared, 502, DenyReason::WeakSessionId.name());
            return Flow::Replied;
        }
        let written = if edits.host_calls() > 1 {
            apply_edits(&edits.edits, &mut pairs);
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
        if !edits.edits.is_empty() && self.debug {
            self.log_hardened(&edits);
        }
        Flow::Continue
    }
}

impl HardeningStage {
    fn line(&self) -> Line<'_> {
        Line {
            filter: FILTER,
            request_id: &self.request_id,
            target: &self.target,
            debug: self.debug,
        }
    }

    fn log(
        &self,
        write: fn(&str),
        decision: LoggedDecision,
        reason: &str,
        extra: &[(&str, &[u8])],
    ) {
        self.line().write(write, decision, reason, extra);
    }

    /// Applies an input-validation verdict: the field, the pattern (for a pattern match), then
    /// `extra` in the log line; a refusal answered by [`Self::local_reply`].
    fn apply_input(
        &self,
        shared: &Hardening,
        verdict: &RequestVerdict,
        extra: &[(&str, &[u8])],
    ) -> Flow {
        let Some(shape) = verdict.verdict() else {
            return Flow::Continue;
        };
        let (RequestVerdict::Reject { matched, .. } | RequestVerdict::ShadowReject { matched }) =
            verdict
        else {
            return Flow::Continue;
        };
        let pattern = matched.pattern.to_string();
        let mut fields: Vec<(&str, &[u8])> = vec![("field", matched.field.as_bytes())];
        if matched.cause == InputCause::Pattern {
            fields.push(("pattern", pattern.as_bytes()));
        }
        fields.extend_from_slice(extra);
        let send = |status: u16, reason: &str| self.local_reply(shared, status, reason);
        match apply(&shared.counters, &shape, self.line(), &fields, Some(&send)) {
            Applied::Continue => Flow::Continue,
            Applied::Replied => Flow::Replied,
        }
    }

    /// Judges the held request body (`body_size` bytes so far; the host is asked for at most
    /// the bound plus one) with `HeaderPlan::on_request_body`, once, and applies the verdict:
    /// keep holding, let it go on, or refuse it. A body the host will not hand over is refused
    /// as unreadable.
    fn judge_body(&mut self, body_size: usize, end_of_stream: bool) -> Flow {
        let shared = Rc::clone(&self.shared);
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
        if self.debug {
            log::trace(
                &self.request_id,
                &shared.plan.trace_body(&self.facts, &body, end_of_stream).1,
            );
        }
        if matches!(verdict, RequestVerdict::InspectBody { .. }) {
            return Flow::Hold;
        }
        self.facts.body_check = BodyCheck::None;
        Extra::InputBodiesInspected.add(&shared.counters, 1);
        self.apply_input(&shared, &verdict, &[("phase", b"body")])
    }

    /// The debug line of a hardened answer: how many headers were added, replaced, removed.
    fn log_hardened(&self, edits: &ResponseEdits) {
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

    fn count(&self, shared: &Hardening, edits: &ResponseEdits) {
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
    fn local_reply(&self, shared: &Hardening, status: u16, reason: &str) {
        let base = reply::headers(&self.request_id, &[]);
        let headers = shared.plan.local_reply(&self.facts, base, status);
        reply::send_headers(
            status,
            &reply::details(shared.counters.filter(), reason),
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
