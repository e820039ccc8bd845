//! header-hardening's decisions with their traces ([`crate::trace`]): at request time the
//! virtual host, whether the connection counts as TLS (HSTS, RFC 6797 §7.2) and the input that
//! matched a pattern; at response time every header added, replaced or removed, with the reason
//! and guideline, and the session ids judged weak.

use super::facts::{RequestFacts, RequestVerdict};
use super::plan::HeaderPlan;
use super::respond::{ResponseEdits, apply};
use super::validate::InputCause;
use crate::attributes::Attributes;
use crate::request::RequestHead;
use crate::trace::{Outcome, Phase, Recorded, Step, StepKind, Trace, received, show};

impl HeaderPlan {
    /// [`HeaderPlan::on_request`] and its trace (built beside the decision, only when asked).
    pub fn trace_request(
        &self,
        request: &RequestHead<'_>,
        attrs: &dyn Attributes,
    ) -> (RequestFacts, RequestVerdict, Trace) {
        let recorded = Recorded::new(attrs);
        let (facts, verdict) = self.on_request(request, &recorded);
        let mut steps = vec![received(request), self.host_step(&facts)];
        if let Some(path) = &facts.path {
            steps.push(Step::new(StepKind::Normalise, "normalised path").after(path.clone()));
        }
        steps.extend(recorded.steps());
        steps.push(
            Step::new(StepKind::Connection, "connection counts as TLS")
                .after(facts.tls.to_string())
                .rule("HSTS only over TLS (P11, RFC 6797 §7.2)"),
        );
        let outcome = input_outcome(&verdict);
        steps.push(input_step(&verdict));
        (
            facts,
            verdict,
            Trace::new(super::FILTER, Phase::Request, outcome, steps),
        )
    }

    /// [`HeaderPlan::on_request_body`] and its trace.
    pub fn trace_body(
        &self,
        facts: &RequestFacts,
        body: &[u8],
        end_of_stream: bool,
    ) -> (RequestVerdict, Trace) {
        let verdict = self.on_request_body(facts, body, end_of_stream);
        let steps = vec![
            Step::new(StepKind::Input, "form body").after(format!("{} bytes", body.len())),
            input_step(&verdict),
        ];
        let outcome = input_outcome(&verdict);
        (
            verdict,
            Trace::new(super::FILTER, Phase::Body, outcome, steps),
        )
    }

    /// [`HeaderPlan::on_response`] and its trace: one [`StepKind::Header`] step per header
    /// name whose values changed (before and after, and why), one per weak session id.
    pub fn trace_response(
        &self,
        facts: &RequestFacts,
        headers: &[(String, Vec<u8>)],
    ) -> (ResponseEdits, Trace) {
        let edits = self.on_response(facts, headers);
        let mut after = headers.to_vec();
        apply(&edits.edits, &mut after);
        let mut steps = vec![self.host_step(facts)];
        let mut names: Vec<String> = Vec::new();
        for (n, _) in headers.iter().chain(after.iter()) {
            let n = n.to_ascii_lowercase();
            if !n.starts_with(':') && !names.contains(&n) {
                names.push(n);
            }
        }
        for name in names {
            let (was, now) = (values(headers, &name), values(&after, &name));
            if was == now {
                continue;
            }
            let title = match (was.is_some(), now.is_some()) {
                (false, _) => format!("{name} added"),
                (true, false) => format!("{name} removed"),
                (true, true) => format!("{name} replaced"),
            };
            let mut step = Step::new(StepKind::Header, title).rule(why(&name, &edits));
            if let Some(w) = was {
                step = step.before(w);
            }
            if let Some(n) = now {
                step = step.after(n);
            }
            steps.push(step);
        }
        for w in &edits.weak_sessions {
            steps.push(
                Step::new(StepKind::Header, format!("weak session id {}", w.name))
                    .after(format!("{} bits ({})", w.bits, w.reason.as_str()))
                    .rule("P17: session ids of 128 bits or more"),
            );
        }
        let outcome = if edits.reject {
            Outcome {
                decision: "deny",
                status: Some(502),
                reason: "weak_session_id".to_owned(),
                location: None,
            }
        } else {
            Outcome::other("harden", "hardened")
        };
        steps.push(
            Step::new(StepKind::Decision, outcome.reason.clone())
                .after(format!(
                    "{} added, {} replaced, {} removed, {} cookies hardened",
                    edits.added, edits.replaced, edits.removed, edits.cookies_hardened
                ))
                .decisive(),
        );
        (
            edits,
            Trace::new(super::FILTER, Phase::Response, outcome, steps),
        )
    }

    fn host_step(&self, facts: &RequestFacts) -> Step {
        let chosen = match facts.host {
            Some(i) => format!("virtual_hosts[{i}] ({})", self.host_name(facts)),
            None => "default (no virtual host names it)".to_owned(),
        };
        let mut step = Step::new(StepKind::VirtualHost, "virtual host").after(chosen);
        if let Some(h) = &facts.request_host {
            step = step.before(h.clone());
        }
        step
    }
}

fn input_outcome(verdict: &RequestVerdict) -> Outcome {
    match (verdict, verdict.verdict()) {
        (_, Some(v)) => Outcome::of(&v),
        (RequestVerdict::InspectBody { .. }, None) => Outcome::other("inspect_body", "form_body"),
        _ => Outcome::other("allow", "no_input_matched"),
    }
}

fn input_step(verdict: &RequestVerdict) -> Step {
    let step = Step::new(StepKind::Input, "input validation (P16)");
    match verdict {
        RequestVerdict::Continue => step.after("no input matched").decisive(),
        RequestVerdict::InspectBody { max_bytes } => {
            step.after(format!("form body held (at most {max_bytes} bytes)"))
        }
        RequestVerdict::Reject { matched, .. } | RequestVerdict::ShadowReject { matched } => {
            let rule = match matched.cause {
                InputCause::Pattern => format!("pattern {}", matched.pattern),
                InputCause::BodyTooLarge => "max_body_bytes".to_owned(),
                InputCause::UnreadableBody => "a body the product would read otherwise".to_owned(),
            };
            step.after(matched.field.clone()).rule(rule).decisive()
        }
    }
}

/// Every value of `name` (lower case) in `headers`, joined by `, `; `None` when absent. A
/// `Set-Cookie` value is shown without the cookie's value ([`redact_cookie`]): a trace is
/// logged, and a session id must not be.
fn values(headers: &[(String, Vec<u8>)], name: &str) -> Option<String> {
    let all: Vec<String> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| {
            if name == "set-cookie" {
                redact_cookie(&show(v))
            } else {
                show(v)
            }
        })
        .collect();
    (!all.is_empty()).then(|| all.join(", "))
}

/// A `Set-Cookie` value with the cookie's value replaced by its length
/// (`JSESSIONID=<32 bytes>; Path=/; Secure`), its attributes kept (RFC 6265 §4.1.1).
fn redact_cookie(value: &str) -> String {
    let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
    let redacted = match pair.split_once('=') {
        Some((name, v)) => format!("{name}=<{} bytes>", v.trim().len()),
        None => format!("<{} bytes>", pair.trim().len()),
    };
    if attributes.is_empty() {
        redacted
    } else {
        format!("{redacted};{attributes}")
    }
}

/// Why a header changed, with the guideline it serves.
fn why(name: &str, edits: &ResponseEdits) -> String {
    match name {
        "strict-transport-security" => "HSTS on TLS (P11, RFC 6797)".to_owned(),
        "set-cookie" => {
            "cookie attributes Secure, HttpOnly, SameSite (P17, RFC 6265 §4.1)".to_owned()
        }
        "cache-control" | "pragma" | "expires" if edits.no_store => {
            "no caching of sensitive answers (P12)".to_owned()
        }
        "server" | "x-powered-by" => "no product fingerprint (P10)".to_owned(),
        "clear-site-data" => "logout clears the browser's data (P12)".to_owned(),
        n if edits.weak_values_replaced.iter().any(|w| w == n) => {
            "weak upstream value replaced (P16)".to_owned()
        }
        _ => "header rules: OWASP baseline and the virtual host's (P16)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_cookie;

    #[test]
    fn cookie_values_never_reach_a_trace() {
        // (value, shown)
        let rows = [
            (
                "JSESSIONID=0123456789abcdef; Path=/; HttpOnly",
                "JSESSIONID=<16 bytes>; Path=/; HttpOnly",
            ),
            ("sid=abc", "sid=<3 bytes>"),
            ("opaque", "<6 bytes>"),
        ];
        for (value, shown) in rows {
            assert_eq!(redact_cookie(value), shown, "{value}");
        }
    }
}
