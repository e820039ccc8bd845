//! From the checks an audit ran to one row per guideline: pass, fail, not applicable, or the
//! operator's part.

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::guidelines::{self, Guideline, Part};

/// One check the audit ran (or could not run), with what it covers and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What ran, as a reader would name it (`lint envoy.yaml`, `TLS scan 127.0.0.1:10443`).
    pub name: String,
    /// The guideline ids this check judges: a guideline it covers and finds nothing wrong with
    /// passes on this check's evidence.
    pub covers: Vec<&'static str>,
    /// `None` when it ran; else why not (`no --config given`), which makes the guidelines it
    /// would cover "not applicable" unless another check covers them.
    pub skipped: Option<String>,
    /// What it found. A check that ran into an error (an unreachable host) reports it as a
    /// finding on each guideline it covers, never as a crash.
    pub findings: Vec<Finding>,
    /// The check's own output, shown as the evidence.
    pub output: String,
}

impl Check {
    /// A check that did not run, and why.
    pub fn skipped(
        name: impl Into<String>,
        covers: &[&'static str],
        why: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            covers: covers.to_vec(),
            skipped: Some(why.into()),
            findings: Vec::new(),
            output: String::new(),
        }
    }

    /// A check that could not reach its target: one error finding per guideline it covers.
    pub fn unreachable(
        name: impl Into<String>,
        rule: &'static str,
        covers: &[&'static str],
        location: &str,
        error: &str,
    ) -> Self {
        let findings = covers
            .iter()
            .map(|id| Finding {
                rule,
                guideline: id,
                severity: Severity::Error,
                location: location.to_owned(),
                path: String::new(),
                message: format!("could not be checked: {error}"),
                fix: "make the target reachable from where the audit runs, or audit it from inside"
                    .to_owned(),
                suppressed: None,
            })
            .collect();
        Self {
            name: name.into(),
            covers: covers.to_vec(),
            skipped: None,
            findings,
            output: error.to_owned(),
        }
    }
}

/// A guideline's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Checked, and nothing at warning or above found.
    Pass,
    /// A check found something at warning or above (suppressed findings do not count).
    Fail,
    /// The gateway could check it, but no check that covers it ran (the reason says which and why).
    NotApplicable,
    /// Only the operator can meet it; the row says what to do.
    Operator,
}

impl Verdict {
    /// `pass`, `fail`, `not applicable`, `operator`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NotApplicable => "not applicable",
            Verdict::Operator => "operator",
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The guideline.
    pub guideline: Guideline,
    /// Its result.
    pub verdict: Verdict,
    /// Why, in a sentence or two.
    pub reason: String,
    /// The names of the checks whose evidence the row rests on.
    pub evidence: Vec<String>,
    /// The findings on this guideline (suppressed ones included, marked).
    pub findings: Vec<Finding>,
}

/// The severity from which a finding fails its guideline.
pub const FAIL_FROM: Severity = Severity::Warning;

/// One row per guideline of [`guidelines::ALL`], in order, judged on `checks`.
pub fn rows(checks: &[Check]) -> Vec<Row> {
    guidelines::ALL.iter().map(|g| row(g, checks)).collect()
}

fn row(g: &Guideline, checks: &[Check]) -> Row {
    let ran: Vec<&Check> = checks
        .iter()
        .filter(|c| c.skipped.is_none() && covers(c, g.id))
        .collect();
    let findings: Vec<Finding> = ran
        .iter()
        .flat_map(|c| c.findings.iter().filter(|f| f.guideline == g.id).cloned())
        .collect();
    let failing: Vec<&Finding> = findings.iter().filter(|f| f.fails(FAIL_FROM)).collect();
    let evidence: Vec<String> = ran.iter().map(|c| c.name.clone()).collect();
    let (verdict, reason) = if !failing.is_empty() {
        let mut reason = failing
            .iter()
            .take(3)
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        if failing.len() > 3 {
            reason.push_str(&format!("; and {} more", failing.len() - 3));
        }
        (Verdict::Fail, reason)
    } else if !ran.is_empty() {
        let suppressed = findings.len();
        let mut reason = format!("nothing found by {}", evidence.join(", "));
        if suppressed > 0 {
            reason.push_str(&format!(
                " ({suppressed} finding(s) accepted by the operator, with their reasons)"
            ));
        }
        (Verdict::Pass, reason)
    } else if g.part == Part::Operator {
        (Verdict::Operator, g.operator.to_owned())
    } else {
        let why: Vec<String> = checks
            .iter()
            .filter(|c| covers(c, g.id))
            .filter_map(|c| c.skipped.as_ref().map(|s| format!("{}: {s}", c.name)))
            .collect();
        let reason = if why.is_empty() {
            format!(
                "no check of this audit covers it; {} ({})",
                g.gateway, g.operator
            )
        } else {
            format!("not checked: {}", why.join("; "))
        };
        (Verdict::NotApplicable, reason)
    };
    Row {
        guideline: *g,
        verdict,
        reason,
        evidence,
        findings,
    }
}

fn covers(check: &Check, id: &str) -> bool {
    check.covers.contains(&id) || check.findings.iter().any(|f| f.guideline == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: &'static str, severity: Severity, suppressed: Option<&str>) -> Finding {
        Finding {
            rule: "r",
            guideline: id,
            severity,
            location: "l".into(),
            path: String::new(),
            message: format!("{id} broken"),
            fix: "fix".into(),
            suppressed: suppressed.map(str::to_owned),
        }
    }

    fn check(covers: &[&'static str], findings: Vec<Finding>) -> Check {
        Check {
            name: "c".into(),
            covers: covers.to_vec(),
            skipped: None,
            findings,
            output: String::new(),
        }
    }

    fn verdict(rows: &[Row], id: &str) -> Verdict {
        rows.iter().find(|r| r.guideline.id == id).unwrap().verdict
    }

    #[test]
    fn verdicts() {
        let checks = vec![
            check(
                &["P8", "P10", "P11"],
                vec![
                    finding("P10", Severity::Error, None),
                    finding("P11", Severity::Error, Some("accepted")),
                    finding("P8", Severity::Note, None),
                    finding("N3", Severity::Warning, None),
                ],
            ),
            Check::skipped("lint", &["P4", "P8"], "no --config given"),
        ];
        let rows = rows(&checks);
        assert_eq!(rows.len(), 38);
        let cases = [
            ("P8", Verdict::Pass, "a note does not fail"),
            ("P10", Verdict::Fail, "an error fails"),
            ("P11", Verdict::Pass, "a suppressed error does not fail"),
            ("N3", Verdict::Fail, "a finding outside covers still counts"),
            (
                "P4",
                Verdict::NotApplicable,
                "covered only by a skipped check",
            ),
            ("P1", Verdict::Operator, "operator's part"),
            ("N6", Verdict::NotApplicable, "covered by nothing"),
        ];
        for (id, want, why) in cases {
            assert_eq!(verdict(&rows, id), want, "{id}: {why}");
        }
        let p4 = rows.iter().find(|r| r.guideline.id == "P4").unwrap();
        assert!(p4.reason.contains("no --config given"), "{}", p4.reason);
    }

    #[test]
    fn unreachable_fails_every_covered_guideline() {
        let rows = rows(&[Check::unreachable(
            "TLS scan",
            "tls-unreachable",
            &["P8", "P13"],
            "127.0.0.1:1",
            "connection refused",
        )]);
        assert_eq!(verdict(&rows, "P8"), Verdict::Fail);
        assert_eq!(verdict(&rows, "P13"), Verdict::Fail);
        assert_eq!(verdict(&rows, "P14"), Verdict::NotApplicable);
    }
}
