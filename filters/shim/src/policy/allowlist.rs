//! context-allowlist's stage: `policies::allowlist::AllowlistPlan::decide` on the request head,
//! `decide_body` on a held login form, each verdict applied by [`crate::apply`].

use std::rc::Rc;

use policies::allowlist::{AllowReason, AllowlistPlan, Decision, DenyReason};
use policies::request::RequestHead;
use policies::verdict::Verdict;

use crate::apply::{Applied, Line, apply};
use crate::metrics::DecisionCounters;
use crate::stage::{Flow, Policy, RequestCtx, Stage};
use crate::{headers, log};

/// The filter's name.
pub const FILTER: &str = "context-allowlist";

/// The compiled plan and its counters.
pub struct Allowlist {
    plan: AllowlistPlan,
    counters: DecisionCounters<AllowReason, DenyReason>,
}

/// Compiles context-allowlist's plugin configuration (`AllowlistPlan::from_json`; with the
/// `mutants` feature, `_mutant` is the rule the plan leaves out) and defines its counters.
///
/// # Errors
/// The compile error, naming the field.
pub fn compile(json: &[u8]) -> Result<Rc<dyn Policy>, policies::ConfigError> {
    let plan = AllowlistPlan::from_json(json)?;
    Ok(Rc::new(Allowlist {
        plan,
        counters: DecisionCounters::define(FILTER, &[]),
    }))
}

impl Policy for Allowlist {
    fn stage(self: Rc<Self>) -> Box<dyn Stage> {
        Box::new(AllowlistStage {
            shared: self,
            pending: None,
        })
    }
}

/// One request.
struct AllowlistStage {
    shared: Rc<Allowlist>,
    /// A login form body being held after [`Decision::InspectBody`].
    pending: Option<Pending>,
}

/// The request's log fields, borrowed from the request head.
struct Fields<'a> {
    request_id: &'a str,
    target: &'a [u8],
    authority: &'a [u8],
    method: &'a [u8],
    debug: bool,
}

/// What the body phase needs of the request head: the bound and the log fields, copied (only
/// for a held login form).
struct Pending {
    request_id: String,
    max_bytes: usize,
    target: Vec<u8>,
    authority: Vec<u8>,
    method: Vec<u8>,
    debug: bool,
}

impl Pending {
    fn fields(&self) -> Fields<'_> {
        Fields {
            request_id: &self.request_id,
            target: &self.target,
            authority: &self.authority,
            method: &self.method,
            debug: self.debug,
        }
    }
}

impl Allowlist {
    /// Applies `verdict`; a denial's log line names the host, the method and the detail, then
    /// `why`.
    fn apply(
        &self,
        request: &Fields<'_>,
        verdict: &Verdict<AllowReason, DenyReason>,
        why: &[(&str, &[u8])],
    ) -> Flow {
        let line = Line {
            filter: FILTER,
            request_id: request.request_id,
            target: request.target,
            debug: request.debug,
        };
        let mut fields: Vec<(&str, &[u8])> = Vec::new();
        if let Verdict::Deny { reason, .. } | Verdict::ShadowDeny(reason) = verdict {
            fields.push(("host", request.authority));
            fields.push(("method", request.method));
            if let Some(d) = reason.detail() {
                fields.push(("detail", d.as_bytes()));
            }
            fields.extend_from_slice(why);
        }
        match apply(&self.counters, verdict, line, &fields, None) {
            Applied::Continue => Flow::Continue,
            Applied::Replied => Flow::Replied,
        }
    }

    /// Removes the method overrides `method_override: strip` names.
    fn strip_overrides(&self, head: &RequestHead<'_>) {
        let Some(strip) = self.plan.override_strip(head) else {
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
}

impl Stage for AllowlistStage {
    fn on_request_headers(&mut self, req: &RequestCtx<'_>) -> Flow {
        let shared = Rc::clone(&self.shared);
        let head = req.head;
        let fields = Fields {
            request_id: req.request_id,
            target: head.target(),
            authority: head.authority(),
            method: head.method(),
            debug: req.debug,
        };
        let decision = shared.plan.decide(head, req.attrs);
        if req.debug {
            log::trace(req.request_id, &shared.plan.trace(head, req.attrs).1);
        }
        match decision {
            Decision::InspectBody { max_bytes } => {
                shared.strip_overrides(head);
                if req.end_of_stream {
                    return shared.apply(&fields, &Verdict::Allow(AllowReason::Allowlisted), &[]);
                }
                // The headers go on; the body is held (StopIterationAndBuffer in the body
                // callback) until judged. Pausing here would be StopAllIteration in Envoy
                // (proxy-wasm-cpp-host #95, unless `allow_on_headers_stop_iteration`, which Istio
                // cannot set): no body would ever reach the filter.
                self.pending = Some(Pending {
                    request_id: req.request_id.to_owned(),
                    max_bytes,
                    target: fields.target.to_vec(),
                    authority: fields.authority.to_vec(),
                    method: fields.method.to_vec(),
                    debug: req.debug,
                });
                Flow::Continue
            }
            Decision::Allow(_) => {
                shared.strip_overrides(head);
                let verdict = decision.verdict(shared.plan.mode());
                verdict.map_or(Flow::Continue, |v| shared.apply(&fields, &v, &[]))
            }
            Decision::Deny { .. } => {
                // Why: the layer of the product's routing that decided, and where it landed.
                let (_, why) = shared.plan.explain(head, req.attrs);
                let layer = why.decided_by.map(|l| l.as_str().as_bytes().to_vec());
                let landed = why.landed.map(String::into_bytes);
                let mut extra: Vec<(&str, &[u8])> = Vec::new();
                if let Some(l) = &layer {
                    extra.push(("layer", l));
                }
                if let Some(l) = &landed {
                    extra.push(("landed", l));
                }
                let verdict = decision.verdict(shared.plan.mode());
                verdict.map_or(Flow::Continue, |v| shared.apply(&fields, &v, &extra))
            }
        }
    }

    fn on_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Flow {
        // Keep holding (StopIterationAndBuffer) until the body is whole or over the bound.
        match &self.pending {
            Some(p) if !end_of_stream && body_size <= p.max_bytes => Flow::Hold,
            Some(_) => self.judge_body(body_size),
            None => Flow::Continue,
        }
    }

    fn on_request_trailers(&mut self) -> Flow {
        // Trailers end the body: judge what was held, or it would go on unread.
        if self.pending.is_none() {
            return Flow::Continue;
        }
        let size = headers::request_body(usize::MAX).map_or(0, |b| b.len());
        self.judge_body(size)
    }
}

impl AllowlistStage {
    /// Decides about the held login form (`body_size` bytes so far), once.
    fn judge_body(&mut self, body_size: usize) -> Flow {
        let Some(pending) = self.pending.take() else {
            return Flow::Continue;
        };
        let shared = &self.shared;
        let mode = shared.plan.mode();
        let body = match headers::request_body(body_size.min(pending.max_bytes.saturating_add(1))) {
            Ok(b) => b,
            Err(status) => {
                log::error(&format!(
                    "{FILTER}: cannot read the request body: {status:?}"
                ));
                let verdict = Verdict::Deny {
                    status: 400,
                    reason: DenyReason::MalformedParameters,
                }
                .in_mode(mode);
                return shared.apply(&pending.fields(), &verdict, &[]);
            }
        };
        if pending.debug {
            log::trace(
                &pending.request_id,
                &shared.plan.trace_body(&pending.target, &body).1,
            );
        }
        match shared
            .plan
            .decide_body(&pending.target, &body)
            .verdict(mode)
        {
            Some(v @ (Verdict::Deny { .. } | Verdict::ShadowDeny(_))) => {
                shared.apply(&pending.fields(), &v, &[("phase", b"body")])
            }
            _ => shared.apply(
                &pending.fields(),
                &Verdict::Allow(AllowReason::Allowlisted),
                &[],
            ),
        }
    }
}
