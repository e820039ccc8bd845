//! One finding: what the lint, the port audit and the scans report, tied to a guideline id of
//! [`crate::guidelines`]. The text, JSON and SARIF outputs and the audit report all read this
//! shape.

use serde::Serialize;

/// How bad a finding is. SARIF 2.1.0's `level` (§3.27.10): `error`, `warning`, `note`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; not a failure of the guideline by itself.
    Note,
    /// Weakens the guideline (a deviation the operator should justify).
    Warning,
    /// Breaks the guideline.
    Error,
}

impl Severity {
    /// `note`, `warning` or `error` (SARIF's level names).
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `note`, `warning` or `error` (for `--fail-on`); `None` otherwise.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule that found it, kebab-case (`tls-minimum-version`): SARIF's `ruleId`.
    pub rule: &'static str,
    /// The guideline it breaks (`P8`): an id of [`crate::guidelines::ALL`].
    pub guideline: &'static str,
    /// How bad it is.
    pub severity: Severity,
    /// Where: the file read, or the host and port scanned.
    pub location: String,
    /// Where inside it: the configuration path
    /// (`static_resources.listeners[2].filter_chains[0].transport_socket`), empty for a scan.
    pub path: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// What to change, in a sentence.
    pub fix: String,
    /// The reason an operator gave for accepting it (the configuration's
    /// `gateway_hardening.lint` metadata), when suppressed: reported, never counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

impl Finding {
    /// Whether this finding fails a run with `--fail-on threshold`: not suppressed, and at or
    /// above the threshold.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.suppressed.is_none() && self.severity >= threshold
    }
}
