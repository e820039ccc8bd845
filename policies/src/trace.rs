//! Explanations: why a policy decided what it did, as a timeline of steps (the request target as
//! received, each normalisation step, each routing layer's landing, the virtual host, the rule
//! that matched, the TLS facts read, each response header changed). One plain data shape for
//! every policy (serde `Serialize`: the playground renders it, the filters log it at `debug`,
//! the scenario runner prints it for a failing test).
//!
//! A trace is built only when asked (`AllowlistPlan::trace`, `TlsGuardPlan::trace_request`,
//! `HeaderPlan::trace_response`, ...), after or beside the decision: the request path pays
//! nothing for it.

use std::cell::RefCell;

use serde::Serialize;

use crate::attributes::Attributes;
use crate::reason::Reason;
use crate::request::RequestHead;
use crate::verdict::Verdict;

/// One policy's explanation of one decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The policy's filter name (`context-allowlist`, `tls-guard`, `header-hardening`).
    pub policy: &'static str,
    /// The phase decided: the request headers, the request body, or the response headers.
    pub phase: Phase,
    /// What the policy decided.
    pub outcome: Outcome,
    /// How it got there, in order.
    pub steps: Vec<Step>,
}

impl Trace {
    /// The trace of `policy`'s decision `outcome` in `phase`, made of `steps`.
    pub fn new(policy: &'static str, phase: Phase, outcome: Outcome, steps: Vec<Step>) -> Self {
        Self {
            policy,
            phase,
            outcome,
            steps,
        }
    }
}

/// Where in the exchange a decision was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The request headers (`on_http_request_headers`).
    Request,
    /// A held request body (`on_http_request_body`).
    Body,
    /// The response headers (`on_http_response_headers`).
    Response,
}

/// A decision in the shape every policy shares ([`Verdict`]), flattened for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// `allow`, `deny`, `redirect`, `shadow_deny`, `inspect_body` (the body decides) or
    /// `harden` (header-hardening's answer edits).
    pub decision: &'static str,
    /// The local response's status (HTTP status code) for `deny` and `redirect`.
    pub status: Option<u16>,
    /// The reason's name (the log line's `reason=`, the counter's tag).
    pub reason: String,
    /// The `Location` of a redirect.
    pub location: Option<String>,
}

impl Outcome {
    /// The outcome of `verdict`.
    pub fn of<A: Reason, D: Reason>(verdict: &Verdict<A, D>) -> Self {
        let (decision, status, location) = match verdict {
            Verdict::Allow(_) => ("allow", None, None),
            Verdict::Deny { status, .. } => ("deny", Some(*status), None),
            Verdict::Redirect { location, .. } => ("redirect", Some(308), Some(location.clone())),
            Verdict::ShadowDeny(_) => ("shadow_deny", None, None),
        };
        Self {
            decision,
            status,
            reason: verdict.reason_name().to_owned(),
            location,
        }
    }

    /// An outcome that is no verdict: `decision` (`inspect_body`, `harden`) and its reason.
    pub fn other(decision: &'static str, reason: &str) -> Self {
        Self {
            decision,
            status: None,
            reason: reason.to_owned(),
            location: None,
        }
    }

    /// Whether the request or answer was refused (a local response: `deny` or `redirect`).
    pub fn refused(&self) -> bool {
        matches!(self.decision, "deny" | "redirect")
    }
}

/// What a step of a trace is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The request as received (target, method, host).
    Received,
    /// One step of request-target normalisation (`crate::path`).
    Normalise,
    /// Where one routing layer of the product lands the request (`crate::routing`).
    Route,
    /// The virtual host chosen for the request's host.
    VirtualHost,
    /// A configured rule that matched (or that nothing matched).
    Rule,
    /// A connection fact read from the host's properties (TLS version, SNI, certificate).
    Connection,
    /// A check of the request's headers or body.
    Input,
    /// A response header added, replaced or removed.
    Header,
    /// The step that decided.
    Decision,
}

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What the step is about.
    pub kind: StepKind,
    /// A short title (`percent decoding`, `layer tenant_valve`).
    pub title: String,
    /// The value before the step, when it changes one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The value after the step (or the value read, the path landed on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The configuration entry involved (`virtual_hosts[0].deny[3] /carbon/**`), or the
    /// guideline and source the step follows (`P11, RFC 6797`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Whether this step decided the outcome.
    pub decisive: bool,
}

impl Step {
    /// A step of `kind` titled `title`, with nothing else yet.
    pub fn new(kind: StepKind, title: impl Into<String>) -> Self {
        Self {
            kind,
            title: title.into(),
            before: None,
            after: None,
            rule: None,
            decisive: false,
        }
    }

    /// With the value before the step.
    #[must_use]
    pub fn before(mut self, value: impl Into<String>) -> Self {
        self.before = Some(value.into());
        self
    }

    /// With the value after the step.
    #[must_use]
    pub fn after(mut self, value: impl Into<String>) -> Self {
        self.after = Some(value.into());
        self
    }

    /// With the rule involved.
    #[must_use]
    pub fn rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }

    /// Marked as the step that decided.
    #[must_use]
    pub fn decisive(mut self) -> Self {
        self.decisive = true;
        self
    }
}

/// Attributes that keep every property a policy read and the host's answer, so that a trace
/// can say which connection facts a decision used (and which the host did not report).
pub struct Recorded<'a> {
    inner: &'a dyn Attributes,
    seen: RefCell<Vec<(String, Option<Vec<u8>>)>>,
}

impl<'a> Recorded<'a> {
    /// Records the reads of `inner`.
    pub fn new(inner: &'a dyn Attributes) -> Self {
        Self {
            inner,
            seen: RefCell::new(Vec::new()),
        }
    }

    /// One [`StepKind::Connection`] step per property read (first read only, in read order):
    /// its dotted path and value (`true`/`false` for a one-byte Envoy bool), or
    /// `not reported`.
    pub fn steps(&self) -> Vec<Step> {
        self.seen
            .borrow()
            .iter()
            .map(|(path, value)| {
                let shown = match value.as_deref() {
                    None => "not reported".to_owned(),
                    Some([0]) => "false".to_owned(),
                    Some([1]) => "true".to_owned(),
                    Some(v) => show(v),
                };
                Step::new(StepKind::Connection, path.clone()).after(shown)
            })
            .collect()
    }
}

impl Attributes for Recorded<'_> {
    fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        let value = self.inner.property(path);
        let dotted = path.join(".");
        let mut seen = self.seen.borrow_mut();
        if !seen.iter().any(|(p, _)| *p == dotted) {
            seen.push((dotted, value.clone()));
        }
        value
    }
}

/// The request as received: method, target, host.
pub fn received(request: &RequestHead<'_>) -> Step {
    Step::new(StepKind::Received, "request as received").after(format!(
        "{} {} (host {})",
        show(request.method()),
        show(request.target()),
        show(request.authority())
    ))
}

/// Bytes shown as text: UTF-8 as is, any other byte as `\xNN`.
pub fn show(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::{AllowReason, DenyReason};

    #[test]
    fn outcomes_flatten_every_verdict() {
        type V = Verdict<AllowReason, DenyReason>;
        // (row, verdict, decision, status, reason)
        let rows: Vec<(&str, V, &str, Option<u16>, &str)> = vec![
            (
                "allow",
                Verdict::Allow(AllowReason::TlsVerified),
                "allow",
                None,
                "tls_verified",
            ),
            (
                "deny",
                Verdict::Deny {
                    status: 421,
                    reason: DenyReason::SniMismatch,
                },
                "deny",
                Some(421),
                "sni_mismatch",
            ),
            (
                "redirect",
                Verdict::Redirect {
                    location: "https://h/".into(),
                    reason: DenyReason::Plaintext,
                },
                "redirect",
                Some(308),
                "plaintext",
            ),
            (
                "shadow",
                Verdict::ShadowDeny(DenyReason::Plaintext),
                "shadow_deny",
                None,
                "plaintext",
            ),
        ];
        for (row, verdict, decision, status, reason) in rows {
            let o = Outcome::of(&verdict);
            assert_eq!(
                (o.decision, o.status, o.reason.as_str()),
                (decision, status, reason),
                "{row}"
            );
            assert_eq!(
                o.refused(),
                matches!(decision, "deny" | "redirect"),
                "{row}"
            );
        }
    }

    #[test]
    fn show_escapes_only_what_is_not_utf8() {
        assert_eq!(show(b"/a\xc0\xae/b"), "/a\\xc0\\xae/b");
        assert_eq!(show("/é".as_bytes()), "/é");
    }
}
