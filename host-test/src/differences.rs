//! `host-test/scenarios/expected-differences.yaml`: the one list of tests where Envoy is
//! expected to disagree with the wasmtime host because Envoy itself answers before any filter
//! runs (an invalid method, `Content-Length` with `Transfer-Encoding: chunked`, …), each with
//! its reason.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::check::Verdict;
use crate::scenario::resolve::workspace_root;

/// The file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedDifferences {
    /// The entries.
    #[serde(default)]
    pub differences: Vec<Difference>,
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
        serde_saphyr::from_str(&text).map_err(|e| {
            let line = e.location().map_or(0, |l| l.line());
            format!(
                "{}:{line}: {}",
                path.display(),
                e.to_string().lines().next().unwrap_or_default()
            )
        })
    }

    /// The reason Envoy's failing `verdict` for `test` of `file` on `target` is excused, if an
    /// entry lists it. Never when the request landed on an admin surface the test expected it
    /// not to reach (`expect.admin_reached: false`): no entry excuses a bypass.
    pub fn excuse(&self, file: &Path, test: &str, target: &str, verdict: &Verdict) -> Option<&str> {
        if verdict.admin_landing.is_some() {
            return None;
        }
        self.reason(file, test, target)
    }

    /// The reason `test` of `file` may differ on `target` (`listener/protocol`), if listed.
    pub fn reason(&self, file: &Path, test: &str, target: &str) -> Option<&str> {
        let file = file.to_string_lossy().replace('\\', "/");
        self.differences
            .iter()
            .find(|d| {
                d.test == test
                    && file.ends_with(&d.file)
                    && (d.targets.is_empty() || d.targets.iter().any(|t| t == target))
            })
            .map(|d| d.reason.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed() -> ExpectedDifferences {
        serde_saphyr::from_str(
            "differences:\n  - file: product-routing/tenant-valve.yaml\n    test: greedy-api\n    reason: Envoy answers first\n",
        )
        .unwrap()
    }

    #[test]
    fn an_ordinary_failure_is_excused_when_listed() {
        let d = listed();
        let v = Verdict {
            failures: vec!["status: expected 403, got 400".to_string()],
            ..Verdict::default()
        };
        let file =
            Path::new("host-test/scenarios/context-allowlist/product-routing/tenant-valve.yaml");
        assert_eq!(
            d.excuse(file, "greedy-api", "plain_raw/http1", &v),
            Some("Envoy answers first")
        );
        assert_eq!(d.excuse(file, "other", "plain_raw/http1", &v), None);
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
        let file =
            Path::new("host-test/scenarios/context-allowlist/product-routing/tenant-valve.yaml");
        assert_eq!(
            d.reason(file, "greedy-api", "plain_raw/http1"),
            Some("Envoy answers first")
        );
        assert_eq!(d.excuse(file, "greedy-api", "plain_raw/http1", &v), None);
    }
}
