//! Running one [`Exchange`] through a [`Module`], as the filters' module does in a proxy.

use serde::Serialize;

use super::input::{self, Exchange, UpstreamInput};
use super::module::{Module, PolicyPlan};
use crate::allowlist::{self, AllowlistPlan};
use crate::attributes::{self, AttributeTable};
use crate::headers::{self, BodyCheck, HeaderPlan, RequestFacts, RequestVerdict, apply};
use crate::logline::sane_request_id;
use crate::reason::Reason;
use crate::reply;
use crate::request::RequestHead;
use crate::tls;
use crate::trace::{Trace, show};
use crate::verdict::Verdict;

/// Raw header pairs (name, value bytes), `:status` first in an answer.
type Pairs = Vec<(String, Vec<u8>)>;

/// A header as shown: its name and its value as text (`\xNN` for bytes that are not UTF-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// The name (pseudo-headers such as `:status` included).
    pub name: String,
    /// The value.
    pub value: String,
}

/// What came out of an exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExchangeOutcome {
    /// The status the client got.
    pub status: u16,
    /// Whether the request reached the upstream.
    pub reached_upstream: bool,
    /// The local response's code details (`gateway_hardening.tls_guard.sni_mismatch`), when a
    /// policy answered itself.
    pub local_details: Option<String>,
    /// The policy that answered with a local response.
    pub answered_by: Option<&'static str>,
    /// Every decision's trace, in the order the policies made them.
    pub traces: Vec<Trace>,
    /// The request headers as the upstream received them (after `method_override: strip`).
    pub upstream_request: Option<Vec<Header>>,
    /// The answer as it entered the response phase (the upstream's, or the local response).
    pub response_before: Vec<Header>,
    /// The answer as the client got it.
    pub response_after: Vec<Header>,
}

/// A local response: its status, code details, headers (without `:status`), the policy.
struct Local {
    status: u16,
    details: String,
    headers: Vec<(String, Vec<u8>)>,
    policy: &'static str,
}

/// One policy's part of the request, as its stage in the filters keeps it.
enum Stage<'m> {
    Headers(&'m HeaderPlan, RequestFacts),
    Tls(&'m tls::TlsGuardPlan, bool),
    Allowlist(&'m AllowlistPlan, Option<usize>),
}

/// What every stage reads of the request.
struct Ctx<'a> {
    head: RequestHead<'a>,
    attrs: AttributeTable,
    request_id: String,
    tls: bool,
    end_of_stream: bool,
}

impl Module {
    /// Runs `exchange` through the policies: request headers in order, then a held body, until
    /// one answers; then the answer (the upstream's, or the local response) through the
    /// policies that saw the request, in reverse. A local response sent at response time
    /// replaces the answer as it is.
    ///
    /// # Errors
    /// A header, body or property value that is not valid base64, naming it.
    pub fn run(&self, exchange: &Exchange) -> Result<ExchangeOutcome, String> {
        let pairs = input::pairs(&exchange.request.headers)?;
        let body = match &exchange.request.body {
            Some(b) => b.to_vec().map_err(|e| format!("request body: {e}"))?,
            None => Vec::new(),
        };
        let has_trailers = !exchange.request.trailers.is_empty();
        let attrs = input::table(
            AttributeTable::default(),
            &exchange.properties,
            exchange.host,
        )?;
        let head = RequestHead::new(&pairs);
        let ctx = Ctx {
            request_id: sane_request_id(head.get("x-request-id"))
                .unwrap_or_else(|| "playground".to_owned()),
            tls: attributes::string(&attrs, &["connection", "tls_version"])
                .is_some_and(|v| !v.is_empty()),
            end_of_stream: body.is_empty() && !has_trailers,
            head,
            attrs,
        };
        let mut upstream_request = pairs.clone();
        let mut traces = Vec::new();
        let mut stages = Vec::new();
        let mut local = None;
        for plan in &self.policies {
            let (stage, answer) = request_headers(plan, &ctx, &mut traces, &mut upstream_request);
            stages.push(stage);
            if answer.is_some() {
                local = answer;
                break;
            }
        }
        if local.is_none() && !ctx.end_of_stream {
            for stage in &mut stages {
                local = request_body(stage, &ctx, &body, &mut traces);
                if local.is_some() {
                    break;
                }
            }
        }
        let reached_upstream = local.is_none();
        let upstream = exchange.upstream.clone().unwrap_or_default();
        let (mut answer, response_attrs) = match &local {
            Some(l) => (
                with_status(l.status, &l.headers),
                ctx.attrs
                    .clone()
                    .with("response.code_details", l.details.clone()),
            ),
            None => answer_of(&upstream, &ctx.attrs, exchange.host)?,
        };
        let before = shown(&answer);
        for stage in stages.iter().rev() {
            if let Some(l) =
                response_headers(stage, &ctx, &response_attrs, &mut answer, &mut traces)
            {
                answer = with_status(l.status, &l.headers);
                local = Some(l);
                break;
            }
        }
        let status = answer
            .iter()
            .find(|(n, _)| n == ":status")
            .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse().ok())
            .unwrap_or(0);
        Ok(ExchangeOutcome {
            status,
            reached_upstream,
            local_details: local.as_ref().map(|l| l.details.clone()),
            answered_by: local.as_ref().map(|l| l.policy),
            traces,
            upstream_request: reached_upstream.then(|| shown(&upstream_request)),
            response_before: before,
            response_after: shown(&answer),
        })
    }
}

/// One policy's request-headers callback: its stage, and its local response if it answered.
fn request_headers<'m>(
    plan: &'m PolicyPlan,
    ctx: &Ctx<'_>,
    traces: &mut Vec<Trace>,
    upstream_request: &mut Vec<(String, Vec<u8>)>,
) -> (Stage<'m>, Option<Local>) {
    match plan {
        PolicyPlan::Headers(p) => {
            let (facts, verdict, trace) = p.trace_request(&ctx.head, &ctx.attrs);
            traces.push(trace);
            let answer = match verdict.verdict() {
                Some(Verdict::Deny { status, reason }) => {
                    Some(headers_local(p, &facts, ctx, status, reason.name()))
                }
                _ => None,
            };
            (Stage::Headers(p, facts), answer)
        }
        PolicyPlan::Tls(p) => {
            let (decision, trace) = p.trace_request(&ctx.head, &ctx.attrs);
            traces.push(trace);
            let answer = refusal(tls::FILTER, decision.verdict(p.mode()), ctx);
            (Stage::Tls(p, answer.is_some()), answer)
        }
        PolicyPlan::Allowlist(p) => {
            let (decision, trace) = p.trace(&ctx.head, &ctx.attrs);
            traces.push(trace);
            let mut pending = None;
            let answer = match decision {
                allowlist::Decision::InspectBody { max_bytes } => {
                    strip_overrides(p, &ctx.head, upstream_request);
                    pending = (!ctx.end_of_stream).then_some(max_bytes);
                    None
                }
                allowlist::Decision::Allow(_) => {
                    strip_overrides(p, &ctx.head, upstream_request);
                    None
                }
                allowlist::Decision::Deny { .. } => decision
                    .verdict(p.mode())
                    .and_then(|v| refusal(allowlist::FILTER, v, ctx)),
            };
            (Stage::Allowlist(p, pending), answer)
        }
    }
}

/// One policy's judgement of the whole request body (or the first bytes past its bound).
fn request_body(
    stage: &mut Stage<'_>,
    ctx: &Ctx<'_>,
    body: &[u8],
    traces: &mut Vec<Trace>,
) -> Option<Local> {
    match stage {
        Stage::Headers(p, facts) => {
            let limit = match facts.body_check {
                BodyCheck::None => return None,
                BodyCheck::Inspect { max_bytes } => body.len().min(max_bytes.saturating_add(1)),
                BodyCheck::Unreadable => 0,
            };
            let (verdict, trace) = p.trace_body(facts, body.get(..limit).unwrap_or(body), true);
            traces.push(trace);
            facts.body_check = BodyCheck::None;
            match (&verdict, verdict.verdict()) {
                (RequestVerdict::Reject { .. }, Some(Verdict::Deny { status, reason })) => {
                    Some(headers_local(p, facts, ctx, status, reason.name()))
                }
                _ => None,
            }
        }
        Stage::Allowlist(p, pending) => {
            let max_bytes = pending.take()?;
            let held = body.get(..body.len().min(max_bytes.saturating_add(1)));
            let (decision, trace) = p.trace_body(ctx.head.target(), held.unwrap_or(body));
            traces.push(trace);
            decision
                .verdict(p.mode())
                .and_then(|v| refusal(allowlist::FILTER, v, ctx))
        }
        Stage::Tls(..) => None,
    }
}

/// One policy's response-headers callback on `answer` (`:status` first), which it may edit; a
/// local response it sends instead.
fn response_headers(
    stage: &Stage<'_>,
    ctx: &Ctx<'_>,
    attrs: &AttributeTable,
    answer: &mut Vec<(String, Vec<u8>)>,
    traces: &mut Vec<Trace>,
) -> Option<Local> {
    match stage {
        Stage::Headers(p, facts) => {
            let (edits, trace) = p.trace_response(facts, answer);
            traces.push(trace);
            if edits.reject {
                let reason = headers::DenyReason::WeakSessionId;
                return Some(headers_local(p, facts, ctx, 502, reason.name()));
            }
            apply(&edits.edits, answer);
            None
        }
        Stage::Tls(p, replied) => {
            if *replied || !p.has_response_checks() {
                return None;
            }
            let (decision, trace) = p.trace_response(attrs);
            traces.push(trace);
            refusal(tls::FILTER, decision.verdict(p.mode()), ctx)
        }
        Stage::Allowlist(..) => None,
    }
}

/// `method_override: strip`: the override headers removed, `_method` taken out of `:path`.
fn strip_overrides(
    plan: &AllowlistPlan,
    head: &RequestHead<'_>,
    request: &mut Vec<(String, Vec<u8>)>,
) {
    let Some(strip) = plan.override_strip(head) else {
        return;
    };
    request.retain(|(n, _)| !strip.headers.iter().any(|h| n.eq_ignore_ascii_case(h)));
    if let Some(path) = strip.path {
        for (n, v) in request.iter_mut() {
            if n == ":path" {
                *v = path.clone().into_bytes();
            }
        }
    }
}

/// The local response a `filter`'s verdict answers with, as `filter_shim::apply` sends it:
/// `status` for a denial, 308 with `Location` for a redirect; `None` for an allow or a shadow
/// denial.
fn refusal<A: Reason, D: Reason>(
    filter: &'static str,
    verdict: Verdict<A, D>,
    ctx: &Ctx<'_>,
) -> Option<Local> {
    match verdict {
        Verdict::Deny { status, reason } => {
            Some(local_reply(filter, status, reason.name(), ctx, &[]))
        }
        Verdict::Redirect { location, reason } => Some(local_reply(
            filter,
            308,
            reason.name(),
            ctx,
            &[("location", &location)],
        )),
        Verdict::Allow(_) | Verdict::ShadowDeny(_) => None,
    }
}

fn local_reply(
    filter: &'static str,
    status: u16,
    reason: &str,
    ctx: &Ctx<'_>,
    extra: &[(&str, &str)],
) -> Local {
    Local {
        status,
        details: reply::details(filter, reason),
        headers: reply::headers(&ctx.request_id, ctx.tls, extra),
        policy: filter,
    }
}

fn headers_local(
    plan: &HeaderPlan,
    facts: &RequestFacts,
    ctx: &Ctx<'_>,
    status: u16,
    reason: &str,
) -> Local {
    let base = reply::headers(&ctx.request_id, ctx.tls, &[]);
    Local {
        status,
        details: reply::details(headers::FILTER, reason),
        headers: plan.local_reply(facts, base, status),
        policy: headers::FILTER,
    }
}

/// The upstream's answer (`:status` first) and the properties readable while it passes: the
/// connection's, the upstream's, `response.code_details: via_upstream`.
fn answer_of(
    upstream: &UpstreamInput,
    downstream: &AttributeTable,
    host: super::HostKind,
) -> Result<(Pairs, AttributeTable), String> {
    let headers = input::pairs(&upstream.headers)?;
    let attrs = input::table(downstream.clone(), &upstream.properties, host)?
        .with("response.code_details", "via_upstream");
    Ok((with_status(upstream.status, &headers), attrs))
}

fn with_status(status: u16, headers: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(":status".to_owned(), status.to_string().into_bytes())];
    out.extend(headers.iter().cloned());
    out
}

fn shown(headers: &[(String, Vec<u8>)]) -> Vec<Header> {
    headers
        .iter()
        .map(|(n, v)| Header {
            name: n.clone(),
            value: show(v),
        })
        .collect()
}
