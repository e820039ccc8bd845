//! The OWASP Secure Headers Project's lists, as published (`data/owasp/`, `SOURCE.md` there):
//! the headers to add with their values (`ci/headers_add.json`), the headers to remove
//! (`ci/headers_remove.json`) and the deprecated headers with the value the project's page asks
//! for (`headers_deprecated.json`, transcribed from `mainsite/01_headers.md`).

use std::sync::OnceLock;

use serde::Deserialize;

/// A header OWASP recommends, with its recommended value (`ci/headers_add.json`).
#[derive(Debug, Clone, Deserialize)]
pub struct Recommended {
    /// The header name as OWASP writes it (`Strict-Transport-Security`).
    pub name: String,
    /// OWASP's value (`max-age=63072000; includeSubDomains`).
    pub value: String,
}

/// A deprecated header and the only value OWASP still accepts for it.
#[derive(Debug, Clone, Deserialize)]
pub struct Deprecated {
    /// The header name (`X-XSS-Protection`).
    pub name: String,
    /// The value OWASP asks for (`0`).
    pub value: String,
    /// OWASP's words, quoted.
    pub quote: String,
}

/// Every list, parsed.
#[derive(Debug, Clone)]
pub struct Lists {
    /// `headers_add.json`'s `headers`.
    pub add: Vec<Recommended>,
    /// `headers_remove.json`'s `headers`: names that reveal the stack.
    pub remove: Vec<String>,
    /// `headers_deprecated.json`'s `headers`.
    pub deprecated: Vec<Deprecated>,
    /// `headers_add.json`'s `last_update_utc` (`2026-07-19 05:44:10`).
    pub last_update_utc: String,
}

/// A data file that does not parse (only a bad update of `data/owasp/` can cause it).
#[derive(Debug, Clone, thiserror::Error)]
#[error("data/owasp/{file}: {message}")]
pub struct ListError {
    /// The file's name.
    pub file: &'static str,
    /// serde_json's message, with line and column.
    pub message: String,
}

#[derive(Deserialize)]
struct AddFile {
    last_update_utc: String,
    headers: Vec<Recommended>,
}

#[derive(Deserialize)]
struct RemoveFile {
    headers: Vec<String>,
}

#[derive(Deserialize)]
struct DeprecatedFile {
    headers: Vec<Deprecated>,
}

const ADD: &str = include_str!("../../data/owasp/headers_add.json");
const REMOVE: &str = include_str!("../../data/owasp/headers_remove.json");
const DEPRECATED: &str = include_str!("../../data/owasp/headers_deprecated.json");

fn parse<'a, T: Deserialize<'a>>(file: &'static str, text: &'a str) -> Result<T, ListError> {
    serde_json::from_str(text).map_err(|e| ListError {
        file,
        message: e.to_string(),
    })
}

/// The lists, parsed once per process.
///
/// # Errors
/// [`ListError`] naming the file that does not parse.
pub fn lists() -> Result<&'static Lists, ListError> {
    static LISTS: OnceLock<Result<Lists, ListError>> = OnceLock::new();
    LISTS
        .get_or_init(|| {
            let add: AddFile = parse("headers_add.json", ADD)?;
            let remove: RemoveFile = parse("headers_remove.json", REMOVE)?;
            let deprecated: DeprecatedFile = parse("headers_deprecated.json", DEPRECATED)?;
            Ok(Lists {
                add: add.headers,
                remove: remove.headers,
                deprecated: deprecated.headers,
                last_update_utc: add.last_update_utc,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}
