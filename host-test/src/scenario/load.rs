//! Reading a scenario file: YAML, then the JSON Schema, then the typed structs. Every error
//! names the file, the line and the field.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jsonschema::Validator;

use super::ScenarioFile;
use super::node::Node;

/// The JSON Schema every scenario file must match (`host-test/scenario.schema.json`).
pub const SCHEMA: &str = include_str!("../../scenario.schema.json");

/// A scenario file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: u64,
    /// The field, e.g. `tests[2].expect.status` (empty for the whole file).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file.display(), self.line)?;
        if !self.field.is_empty() {
            write!(f, "`{}`: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

fn validator() -> Result<&'static Validator, String> {
    static V: OnceLock<Result<Validator, String>> = OnceLock::new();
    V.get_or_init(|| {
        let schema: serde_json::Value =
            serde_json::from_str(SCHEMA).map_err(|e| format!("scenario.schema.json: {e}"))?;
        jsonschema::validator_for(&schema).map_err(|e| format!("scenario.schema.json: {e}"))
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// `/tests/0/expect` → `tests[0].expect`.
pub fn pointer_to_field(pointer: &str) -> String {
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg.replace("~1", "/").replace("~0", "~"));
        }
    }
    out
}

/// Reads and checks the scenario file at `path`.
///
/// Errors: the file cannot be read, is not YAML, does not match the schema (each violation
/// with its line and field, the first ten joined), or has duplicate test ids.
pub fn load(path: &Path) -> Result<ScenarioFile, LoadError> {
    let err = |line: u64, field: String, message: String| LoadError {
        file: path.to_path_buf(),
        line,
        field,
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(0, String::new(), e.to_string()))?;
    let node: Node = serde_saphyr::from_str(&text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        err(
            line,
            String::new(),
            format!("not valid YAML: {}", first_line(&e.to_string())),
        )
    })?;
    let json = node.to_json();
    let validator = validator().map_err(|m| err(0, String::new(), m))?;
    let mut problems: Vec<LoadError> = Vec::new();
    for e in validator.iter_errors(&json) {
        let pointer = e.instance_path().as_str().to_string();
        let mut field = pointer_to_field(&pointer);
        let mut line = node.line_of(&pointer);
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
            e.kind()
            && let Some(name) = unexpected.first()
        {
            line = node.key_line(&pointer, name).unwrap_or(line);
            field = if field.is_empty() {
                name.clone()
            } else {
                format!("{field}.{name}")
            };
        }
        problems.push(err(line, field, e.to_string()));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        let mut first = problems.remove(0);
        for p in problems.iter().take(9) {
            first.message.push_str(&format!(
                "\n  also line {}: `{}`: {}",
                p.line, p.field, p.message
            ));
        }
        return Err(first);
    }
    let mut file: ScenarioFile = serde_saphyr::from_str(&text).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line());
        err(line, String::new(), first_line(&e.to_string()))
    })?;
    let mut seen = std::collections::HashSet::new();
    for (i, case) in file.tests.iter().enumerate() {
        if !seen.insert(case.id.clone()) {
            let pointer = format!("/tests/{i}/id");
            return Err(err(
                node.line_of(&pointer),
                pointer_to_field(&pointer),
                format!("duplicate test id `{}`", case.id),
            ));
        }
    }
    if super::combined::is_on() {
        super::combined::convert(&mut file, path);
    }
    Ok(file)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_to_field_uses_brackets_for_indexes() {
        assert_eq!(
            pointer_to_field("/tests/2/expect/status"),
            "tests[2].expect.status"
        );
        assert_eq!(pointer_to_field(""), "");
    }
}
