//! `host-test/scenarios/expected-differences.yaml`: the one list of tests where Envoy is
//! expected to disagree with the wasmtime host because Envoy itself answers before any filter
//! runs (an invalid method, `Content-Length` with `Transfer-Encoding: chunked`, …), each with
//! its reason.

use std::path::{Path, PathBuf};

use serde::Deserialize;

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
