//! The lint of Envoy and Istio configurations against the guidelines of [`crate::guidelines`].
//!
//! [`lint_file`] reads a YAML or JSON file (several `---` documents allowed) and finds what kind
//! each document is: an Envoy bootstrap (`static_resources`, `admin`, `dynamic_resources`), an
//! LDS or CDS file (`resources: [{"@type": ...Listener | ...Cluster}]`), or an Istio object
//! (`WasmPlugin`, `Gateway`, `DestinationRule`; other kinds are read and left alone). Each is
//! read into typed views of the parts the rules need ([`view`]): unknown fields are ignored, but
//! a field the rules read with the wrong type is a [`LintError::Shape`] naming its path.
//!
//! The rules, one module per group, each finding tied to a guideline id ([`rules::ALL`]):
//! [`tls`] (versions, suites), [`http`] (plaintext, HSTS, `Server`, admin contexts, path
//! normalisation, access logs), [`wasm`] (fail-open, shared VMs, plugin configurations),
//! [`certs`] (key sizes, signatures, WSO2 default certificates), [`envoy`] (clusters, ports, the
//! admin interface), [`istio`].
//!
//! Suppressions: a listener's or cluster's `metadata.filter_metadata.gateway_hardening.lint_allow`
//! (`[{rule: <rule or guideline id>, reason: "..."}]`) and an Istio object's annotation
//! `gateway-hardening.io/lint-allow: "<rule>: <reason>; ..."` keep a matching finding with
//! [`Finding::suppressed`] set to the reason.

pub mod certs;
pub mod envoy;
pub mod http;
pub mod istio;
pub mod locate;
pub mod rules;
pub mod tls;
pub mod view;
pub mod wasm;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::finding::{Finding, Severity};
use rules::Rule;

/// How to lint.
#[derive(Debug, Clone)]
pub struct Options {
    /// Relative certificate filenames resolve against it, as Envoy resolves them against its
    /// working directory. Default `.`.
    pub cert_root: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cert_root: PathBuf::from("."),
        }
    }
}

/// Why a file could not be linted.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not YAML or JSON.
    #[error("{file}{}: not YAML or JSON: {message}", at(*.line, *.column))]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line, when the parser knows it.
        line: Option<u64>,
        /// 1-based column, when the parser knows it.
        column: Option<u64>,
        /// The parser's message.
        message: String,
    },
    /// A field the rules read has the wrong type (not Envoy's or Istio's shape).
    #[error("{file}{}: {path}: {message}", at(*.line, *.column))]
    Shape {
        /// The file.
        file: String,
        /// 1-based line of the field (or of the deepest part of its path that exists).
        line: Option<u64>,
        /// 1-based column.
        column: Option<u64>,
        /// The configuration path of the field (`static_resources.listeners[0].address`).
        path: String,
        /// What was expected.
        message: String,
    },
    /// A document that is neither an Envoy bootstrap, an LDS/CDS file nor an Istio object.
    #[error(
        "{file}: {path}: neither an Envoy bootstrap (static_resources, admin, dynamic_resources), an LDS/CDS file (resources) nor a Kubernetes object (apiVersion, kind)"
    )]
    UnknownKind {
        /// The file.
        file: String,
        /// The document (empty for a single-document file, `doc[1]` for the second).
        path: String,
    },
}

fn at(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(":{l}:{c}"),
        (Some(l), None) => format!(":{l}"),
        _ => String::new(),
    }
}

/// A field of the wrong type, before the file name is known.
#[derive(Debug)]
pub struct Shape {
    /// The configuration path.
    pub path: String,
    /// What was expected.
    pub message: String,
}

/// Joins a configuration path and a child (`a` + `b` = `a.b`, `a` + `[0]` = `a[0]`).
pub fn join(prefix: &str, child: &str) -> String {
    if child.is_empty() || child == "." {
        prefix.to_owned()
    } else if prefix.is_empty() {
        child.to_owned()
    } else if child.starts_with('[') {
        format!("{prefix}{child}")
    } else {
        format!("{prefix}.{child}")
    }
}

/// Reads `value` (found at `path`) as `T`; a field of the wrong type names its full path.
///
/// # Errors
/// [`Shape`] with the path of the field that did not fit.
pub fn typed<T: DeserializeOwned>(value: &Value, path: &str) -> Result<T, Shape> {
    serde_path_to_error::deserialize(value).map_err(|e| Shape {
        path: join(path, &e.path().to_string()),
        message: e.inner().to_string(),
    })
}

/// One accepted finding: a rule or guideline id and the operator's reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Allow {
    /// A rule id (`plaintext-listener`) or a guideline id (`P8`).
    pub rule: String,
    /// Why it is accepted.
    pub reason: String,
}

/// Where findings go while a file is linted.
pub struct Ctx<'a> {
    /// The file (SARIF's artifact).
    pub file: &'a str,
    /// The options.
    pub opts: &'a Options,
    /// What was found so far.
    pub findings: Vec<Finding>,
    /// The enforcing context allowlists of the file, compiled once (their plugin
    /// configuration's path, and the allowlist), for the rules that ask them about a path.
    pub allowlists: Vec<(String, wasm::AllowlistProbe)>,
}

impl Ctx<'_> {
    /// Records a finding of `rule` at `path`; `allow` holds the suppressions in scope.
    pub fn report(&mut self, allow: &[Allow], rule: Rule, path: &str, message: String, fix: &str) {
        self.report_as(
            allow,
            rule,
            rule.guideline,
            rule.severity,
            path,
            message,
            fix,
        );
    }

    /// As [`Ctx::report`], with another guideline or severity than the rule's.
    #[allow(clippy::too_many_arguments)]
    pub fn report_as(
        &mut self,
        allow: &[Allow],
        rule: Rule,
        guideline: &'static str,
        severity: Severity,
        path: &str,
        message: String,
        fix: &str,
    ) {
        let suppressed = allow
            .iter()
            .find(|a| a.rule == rule.id || a.rule == guideline)
            .map(|a| a.reason.clone());
        self.findings.push(Finding {
            rule: rule.id,
            guideline,
            severity,
            location: self.file.to_owned(),
            path: path.to_owned(),
            message,
            fix: fix.to_owned(),
            suppressed,
        });
    }
}

/// Lints the file at `path`.
///
/// # Errors
/// [`LintError`] when it cannot be read or is not an Envoy or Istio configuration.
pub fn lint_file(path: &Path, opts: &Options) -> Result<Vec<Finding>, LintError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| LintError::Read {
        file: name.clone(),
        source,
    })?;
    lint_str(&name, &text, opts)
}

/// Lints `text` (YAML or JSON) as if read from a file called `name`.
///
/// Returns the findings in the order of the configuration, suppressed ones included.
///
/// # Errors
/// [`LintError::Syntax`], [`LintError::Shape`] or [`LintError::UnknownKind`].
pub fn lint_str(name: &str, text: &str, opts: &Options) -> Result<Vec<Finding>, LintError> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| {
        let loc = e.location();
        LintError::Syntax {
            file: name.to_owned(),
            line: loc.map(|l| l.line()),
            column: loc.map(|l| l.column()),
            message: e.to_string(),
        }
    })?;
    let mut ctx = Ctx {
        file: name,
        opts,
        findings: Vec::new(),
        allowlists: Vec::new(),
    };
    let many = docs.iter().filter(|d| !d.is_null()).count() > 1;
    for (i, doc) in docs.iter().enumerate() {
        if doc.is_null() {
            continue;
        }
        let prefix = if many {
            format!("doc[{i}]")
        } else {
            String::new()
        };
        lint_doc(&mut ctx, doc, &prefix).map_err(|e| match e {
            DocError::Shape(s) => {
                let inner = s.path.strip_prefix(&prefix).unwrap_or(&s.path);
                let at = locate::locate(text, i, inner.trim_start_matches('.'));
                LintError::Shape {
                    file: name.to_owned(),
                    line: at.map(|a| a.0),
                    column: at.map(|a| a.1),
                    path: s.path,
                    message: s.message,
                }
            }
            DocError::Unknown => LintError::UnknownKind {
                file: name.to_owned(),
                path: prefix.clone(),
            },
        })?;
    }
    Ok(ctx.findings)
}

enum DocError {
    Shape(Shape),
    Unknown,
}

impl From<Shape> for DocError {
    fn from(s: Shape) -> Self {
        DocError::Shape(s)
    }
}

fn lint_doc(ctx: &mut Ctx<'_>, doc: &Value, prefix: &str) -> Result<(), DocError> {
    let Some(obj) = doc.as_object() else {
        return Err(DocError::Unknown);
    };
    if obj.contains_key("apiVersion") && obj.contains_key("kind") {
        istio::lint(ctx, doc, prefix)?;
    } else if ["static_resources", "admin", "dynamic_resources"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        envoy::lint_bootstrap(ctx, doc, prefix)?;
    } else if obj.contains_key("resources") {
        envoy::lint_discovery(ctx, doc, prefix)?;
    } else {
        return Err(DocError::Unknown);
    }
    Ok(())
}
