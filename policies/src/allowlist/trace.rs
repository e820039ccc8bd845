//! The allowlist's decisions with their traces ([`crate::trace`]): the request as received, each
//! normalisation step, the host and its virtual host, each routing layer's landing with the rule
//! it matched, and the step that decided.

use super::decision::Decision;
use super::plan::AllowlistPlan;
use crate::attributes::Attributes;
use crate::path::explain;
use crate::request::RequestHead;
use crate::trace::{Outcome, Phase, Step, StepKind, Trace, received};

impl AllowlistPlan {
    /// [`AllowlistPlan::decide`] and its trace (built beside the decision, only when asked).
    /// The outcome is the decision under the plan's mode (`shadow_deny` in shadow mode), or
    /// `inspect_body` when a login form body decides.
    pub fn trace(&self, request: &RequestHead<'_>, attrs: &dyn Attributes) -> (Decision, Trace) {
        let (decision, why) = self.explain(request, attrs);
        let mut steps = vec![received(request)];
        steps.extend(explain::steps(request.target(), self.max_target_bytes));
        if let Some(host) = &why.host {
            let chosen = why
                .virtual_host
                .clone()
                .unwrap_or_else(|| "none: no virtual host names it".to_owned());
            steps.push(
                Step::new(StepKind::VirtualHost, "virtual host")
                    .before(host)
                    .after(chosen),
            );
        }
        for (i, landing) in why.landings.iter().enumerate() {
            let mut step = Step::new(StepKind::Route, format!("layer {}", landing.layer))
                .after(landing.path.clone());
            if let Some(detail) = &landing.detail {
                step = step.before(detail.clone());
            }
            if let Some(rule) = why.allowed_by.get(i) {
                step = step.rule(format!("allowed by {rule}"));
            }
            steps.push(step);
        }
        let outcome = match decision.verdict(self.mode) {
            Some(v) => Outcome::of(&v),
            None => Outcome::other("inspect_body", "login_form"),
        };
        let mut last = Step::new(StepKind::Decision, decided_by(&outcome.reason, &why));
        if let Some(landed) = &why.landed {
            last = last.after(landed.clone());
        }
        if let Some(rule) = why.rule.clone().or_else(|| deny_detail(decision)) {
            last = last.rule(rule);
        }
        steps.push(last.decisive());
        (
            decision,
            Trace::new(super::FILTER, Phase::Request, outcome, steps),
        )
    }

    /// [`AllowlistPlan::decide_body`] and its trace.
    pub fn trace_body(&self, target: &[u8], body: &[u8]) -> (Decision, Trace) {
        let decision = self.decide_body(target, body);
        let outcome = decision.verdict(self.mode).map_or_else(
            || Outcome::other("inspect_body", "login_form"),
            |v| Outcome::of(&v),
        );
        let steps = vec![
            Step::new(StepKind::Input, "login form body")
                .after(format!("{} bytes", body.len()))
                .rule(format!(
                    "credential_bodies.max_bytes {}",
                    self.credential_bodies.max_bytes
                )),
            Step::new(StepKind::Decision, outcome.reason.clone())
                .rule("default credentials in the query and the form (P18)")
                .decisive(),
        ];
        (
            decision,
            Trace::new(super::FILTER, Phase::Body, outcome, steps),
        )
    }
}

fn decided_by(reason: &str, why: &super::Explanation) -> String {
    match why.decided_by {
        Some(layer) => format!("{reason} (layer {layer})"),
        None => reason.to_owned(),
    }
}

fn deny_detail(decision: Decision) -> Option<String> {
    match decision {
        Decision::Deny { reason, .. } => reason.detail().map(str::to_owned),
        _ => None,
    }
}
