//! `host-test/scenarios/expected-differences.yaml`: the one list of tests where Envoy is
//! expected to disagree with the wasmtime host because Envoy itself answers, or changes the
//! request, before any filter runs (an invalid method, `Content-Length` with
//! `Transfer-Encoding: chunked`, its own path normalisation, …). Each entry gives its reason and
//! what Envoy must do instead (`instead:`, an `expect:` block checked against what Envoy did):
//! an entry never excuses more than the difference it names. An entry that matches no test of
//! the run, or that a test no longer needs (Envoy agrees), fails the run.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::check::{Observed, Verdict, check};
use crate::scenario::Expect;
use crate::scenario::resolve::workspace_root;

/// The file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedDifferences {
    /// The entries.
    #[serde(default)]
    pub differences: Vec<Difference>,
    /// For each entry, whether a test of the run matched it.
    #[serde(skip)]
    matched: RefCell<Vec<bool>>,
}

/// One expected difference.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// The scenario file, as a path suffix (`bypass/invalid-method.yaml`).
    pub file: String,
    /// The test id.
    pub test: String,
    /// Why Envoy answers differently.
    pub reason: String,
    /// Only these targets (`plain_raw/http1`); all when empty.
    #[serde(default)]
    pub targets: Vec<String>,
    /// What Envoy must do instead (status, `reached_upstream`, `upstream_request.path`,
    /// headers, …): checked like a test's `expect`. Required: a difference that says nothing of
    /// what happens instead would excuse anything.
    pub instead: Expect,
}

/// How an entry judges one Envoy result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement<'a> {
    /// No entry lists this test on this target.
    NotListed,
    /// Listed, and Envoy did what `instead` says: the failure is excused for this reason.
    Excused(&'a str),
    /// Listed, but Envoy did not do what `instead` says (or landed on an admin surface, which
    /// nothing excuses): the failures.
    Refused(String),
    /// Listed, but Envoy passed the test itself: the entry is stale.
    Stale,
}

/// The default location: `<workspace>/host-test/scenarios/expected-differences.yaml`.
pub fn default_path() -> PathBuf {
    workspace_root()
        .join("host-test")
        .join("scenarios")
        .join("expected-differences.yaml")
}

impl ExpectedDifferences {
    /// Reads `path`; a missing file is an empty list. Errors name the file and line.
    pub fn load(path: &Path) -> Result<Self, String> {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Ok(Self::default());
        };
        Self::parse(&text).map_err(|e| format!("{}:{e}", path.display()))
    }

    /// Parses the file's text; errors carry the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let d: Self = serde_saphyr::from_str(text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line());
            format!(
                "{line}: {}",
                e.to_string().lines().next().unwrap_or_default()
            )
        })?;
        d.matched.replace(vec![false; d.differences.len()]);
        Ok(d)
    }

    /// Judges Envoy's `verdict` for `test` of `file` on `target` (`listener/protocol`), given
    /// what Envoy did (`obs`, `None` when nothing was observed). Marks the entry as matched.
    pub fn judge(
        &self,
        file: &Path,
        test: &str,
        target: &str,
        verdict: &Verdict,
        obs: Option<&Observed>,
    ) -> Judgement<'_> {
        let Some(i) = self.find(file, test, target) else {
            return Judgement::NotListed;
        };
        if let Some(slot) = self.matched.borrow_mut().get_mut(i) {
            *slot = true;
        }
        let Some(entry) = self.differences.get(i) else {
            return Judgement::NotListed;
        };
        if verdict.passed() {
            return Judgement::Stale;
        }
        if let Some(landing) = &verdict.admin_landing {
            return Judgement::Refused(format!(
                "{landing} (expected-differences.yaml lists this test, but never excuses an admin landing)"
            ));
        }
        let Some(obs) = obs else {
            return Judgement::Refused(format!(
                "{} (expected difference listed, but nothing was observed to check `instead` against)",
                verdict.failures.join("; ")
            ));
        };
        let instead = check(&entry.instead, obs);
        if instead.passed() {
            Judgement::Excused(&entry.reason)
        } else {
            Judgement::Refused(format!(
                "{}; and not what expected-differences.yaml says Envoy does instead: {}",
                verdict.failures.join("; "),
                instead.failures.join("; ")
            ))
        }
    }

    /// The reason `test` of `file` may differ on `target` (`listener/protocol`), if listed.
    pub fn reason(&self, file: &Path, test: &str, target: &str) -> Option<&str> {
        self.find(file, test, target)
            .and_then(|i| self.differences.get(i))
            .map(|d| d.reason.as_str())
    }

    fn find(&self, file: &Path, test: &str, target: &str) -> Option<usize> {
        let file = file.to_string_lossy().replace('\\', "/");
        self.differences.iter().position(|d| {
            d.test == test
                && file.ends_with(&d.file)
                && (d.targets.is_empty() || d.targets.iter().any(|t| t == target))
        })
    }

    /// One message per entry that no test of the run matched, among the entries whose file is
    /// one of `files` (the run's scenario files), or every entry when `whole_suite` (the run
    /// covered the folder this list belongs to).
    pub fn unmatched(&self, files: &[PathBuf], whole_suite: bool) -> Vec<String> {
        let matched = self.matched.borrow();
        self.differences
            .iter()
            .enumerate()
            .filter(|(i, _)| !matched.get(*i).copied().unwrap_or(false))
            .filter(|(_, d)| {
                whole_suite
                    || files
                        .iter()
                        .any(|f| f.to_string_lossy().replace('\\', "/").ends_with(&d.file))
            })
            .map(|(_, d)| {
                format!(
                    "expected-differences.yaml: the entry for {} {} ({}) matches no test that ran in Envoy: remove or fix it",
                    d.file,
                    d.test,
                    if d.targets.is_empty() {
                        "every target".to_owned()
                    } else {
                        d.targets.join(", ")
                    }
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "host-test/scenarios/context-allowlist/product-routing/tenant-valve.yaml";

    fn listed() -> ExpectedDifferences {
        ExpectedDifferences::parse(
            "differences:\n  - file: product-routing/tenant-valve.yaml\n    test: greedy-api\n    reason: Envoy answers first\n    instead: { status: 400, reached_upstream: false }\n",
        )
        .unwrap()
    }

    fn failed() -> Verdict {
        Verdict {
            failures: vec!["status: expected 403, got 400".to_string()],
            ..Verdict::default()
        }
    }

    fn observed(status: u32, reached: bool) -> Observed {
        Observed {
            status: Some(status),
            reached_upstream: reached,
            ..Observed::default()
        }
    }

    #[test]
    fn a_failure_is_excused_only_when_envoy_does_what_instead_says() {
        let d = listed();
        let file = Path::new(FILE);
        // (row, observed status, reached upstream, excused)
        let rows = [
            ("what instead says", 400, false, true),
            ("another status", 403, false, false),
            ("reached the upstream", 400, true, false),
            ("a 200 from the upstream", 200, true, false),
        ];
        for (row, status, reached, excused) in rows {
            let j = d.judge(
                file,
                "greedy-api",
                "plain_raw/http1",
                &failed(),
                Some(&observed(status, reached)),
            );
            assert_eq!(
                matches!(j, Judgement::Excused("Envoy answers first")),
                excused,
                "{row}: {j:?}"
            );
        }
        assert_eq!(
            d.judge(
                file,
                "other",
                "plain_raw/http1",
                &failed(),
                Some(&observed(400, false))
            ),
            Judgement::NotListed
        );
    }

    #[test]
    fn an_admin_landing_is_never_excused() {
        let d = listed();
        let m = "admin_reached: dispatched to /api /server/v1/applications (admin)".to_string();
        let v = Verdict {
            failures: vec!["status: expected 403, got 200".to_string(), m.clone()],
            admin_landing: Some(m),
            ..Verdict::default()
        };
        let file = Path::new(FILE);
        assert_eq!(
            d.reason(file, "greedy-api", "plain_raw/http1"),
            Some("Envoy answers first")
        );
        assert!(matches!(
            d.judge(
                file,
                "greedy-api",
                "plain_raw/http1",
                &v,
                Some(&observed(400, false))
            ),
            Judgement::Refused(_)
        ));
    }

    #[test]
    fn an_entry_envoy_no_longer_needs_is_stale() {
        let d = listed();
        let j = d.judge(
            Path::new(FILE),
            "greedy-api",
            "plain_raw/http1",
            &Verdict::default(),
            Some(&observed(403, false)),
        );
        assert_eq!(j, Judgement::Stale);
    }

    #[test]
    fn an_entry_without_instead_is_refused_at_load() {
        let err = ExpectedDifferences::parse(
            "differences:\n  - file: a.yaml\n    test: t\n    reason: r\n",
        )
        .unwrap_err();
        assert!(err.contains("instead"), "{err}");
    }

    #[test]
    fn entries_that_match_no_test_of_the_run_are_reported() {
        let d = listed();
        let ran = vec![PathBuf::from(FILE)];
        // The file ran, the test did not match: reported.
        assert_eq!(d.unmatched(&ran, false).len(), 1);
        // A run of other files says nothing, unless it was the whole suite.
        let other = vec![PathBuf::from("host-test/scenarios/tls-guard/sni.yaml")];
        assert!(d.unmatched(&other, false).is_empty());
        assert_eq!(d.unmatched(&other, true).len(), 1);
        // Once matched, not reported.
        let _ = d.judge(
            Path::new(FILE),
            "greedy-api",
            "plain_raw/http1",
            &failed(),
            Some(&observed(400, false)),
        );
        assert!(d.unmatched(&ran, true).is_empty());
    }
}
