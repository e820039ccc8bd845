//! tls-guard's decisions with their traces ([`crate::trace`]): the request as received, the
//! virtual host and the rules in force for the path, every connection property the decision
//! read (TLS version, `connection.mtls`, SNI, cipher, client certificate), and the step that
//! decided; for an answer, the upstream facts read.

use super::decide::effective_rules;
use super::decision::Decision;
use super::plan::TlsGuardPlan;
use crate::attributes::Attributes;
use crate::authority::parse_authority;
use crate::path::{DEFAULT_MAX_TARGET_BYTES, explain, normalize_target};
use crate::request::RequestHead;
use crate::trace::{Outcome, Phase, Recorded, Step, StepKind, Trace, received, show};

impl TlsGuardPlan {
    /// [`TlsGuardPlan::decide_request`] and its trace (built beside the decision, only when
    /// asked). The outcome is the decision under the plan's mode.
    pub fn trace_request(
        &self,
        request: &RequestHead<'_>,
        attrs: &dyn Attributes,
    ) -> (Decision, Trace) {
        let recorded = Recorded::new(attrs);
        let decision = self.decide_request(request, &recorded);
        let mut steps = vec![received(request)];
        match normalize_target(request.target(), DEFAULT_MAX_TARGET_BYTES) {
            Err(_) => steps.extend(explain::default_steps(request.target())),
            Ok(target) => {
                steps.push(
                    Step::new(StepKind::Normalise, "path the path rules match")
                        .after(target.path.clone()),
                );
                let authority = target
                    .authority
                    .as_deref()
                    .map_or(request.authority(), str::as_bytes);
                match parse_authority(authority) {
                    Err(_) => steps.push(
                        Step::new(StepKind::VirtualHost, "host")
                            .after(format!("malformed: {}", show(authority))),
                    ),
                    Ok((host, _)) => {
                        let index = self.hosts.select_index(&host);
                        let chosen = index.map_or_else(
                            || "none: no virtual host names it".to_owned(),
                            |i| format!("virtual_hosts[{i}]"),
                        );
                        steps.push(
                            Step::new(StepKind::VirtualHost, "virtual host")
                                .before(host.as_str())
                                .after(chosen),
                        );
                        if let Some(rules) = self.hosts.select(&host) {
                            let e = effective_rules(rules, &target.path);
                            steps.push(Step::new(StepKind::Rule, "rules in force").after(format!(
                                "min_version {}, plaintext {:?}, sni {:?}, {} client allowlist(s)",
                                e.min_version.as_str(),
                                e.plaintext,
                                rules.sni,
                                e.clients.len()
                            )));
                        }
                    }
                }
            }
        }
        steps.extend(recorded.steps());
        let outcome = Outcome::of(&decision.clone().verdict(self.mode));
        steps.push(decision_step(&outcome));
        (
            decision,
            Trace::new(super::FILTER, Phase::Request, outcome, steps),
        )
    }

    /// [`TlsGuardPlan::decide_response`] and its trace: the upstream facts read
    /// (`response.code_details`, `upstream.address`, `upstream.tls_version`, the upstream
    /// certificate) and the step that decided.
    pub fn trace_response(&self, attrs: &dyn Attributes) -> (Decision, Trace) {
        let recorded = Recorded::new(attrs);
        let decision = self.decide_response(&recorded);
        let mut steps = recorded.steps();
        let outcome = Outcome::of(&decision.clone().verdict(self.mode));
        steps.push(decision_step(&outcome));
        (
            decision,
            Trace::new(super::FILTER, Phase::Response, outcome, steps),
        )
    }
}

fn decision_step(outcome: &Outcome) -> Step {
    let mut step = Step::new(StepKind::Decision, outcome.reason.clone()).decisive();
    if let Some(status) = outcome.status {
        step = step.after(status.to_string());
    }
    if let Some(location) = &outcome.location {
        step = step.rule(format!("Location {location}"));
    }
    step
}
