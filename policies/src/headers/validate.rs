//! Request-side input validation, in the spirit of the XSS input validation valve that the seed
//! guideline "Enable additional XSS protection" points to: the values of chosen query parameters
//! and headers are matched against patterns, and a request that matches is refused (or only
//! logged in `shadow` mode).
//!
//! A coarse net for defence in depth, never a substitute for output encoding: patterns match
//! bytes, ASCII case-insensitively, on the raw value and on its percent-decoded forms (once and
//! twice, so that `%253Cscript` is seen as `<script`). The regex crate matches in linear time;
//! each pattern is bounded by [`PATTERN_SIZE_LIMIT`] and the whole set by [`SET_SIZE_LIMIT`].

use regex::bytes::{RegexBuilder, RegexSet, RegexSetBuilder};

use super::config::{InputValidationConfig, Mode};
use super::cookies::NameGlobs;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;
use crate::globs::{GlobMode, PathGlobs};

/// Most bytes of compiled program one pattern may take.
pub const PATTERN_SIZE_LIMIT: usize = 64 * 1024;
/// Most bytes of compiled program (and of lazy DFA cache) the whole pattern set may take.
pub const SET_SIZE_LIMIT: usize = 1024 * 1024;

/// The built-in patterns: script tags and the tags that run script, `javascript:`/`vbscript:`
/// URLs, event-handler attributes, `eval(`/`expression(`, HTML data URLs, `srcdoc=`, and the
/// numeric character references of `<`.
pub const DEFAULT_PATTERNS: &[&str] = &[
    r"<\s*/?\s*script",
    r"<\s*(?:iframe|frame|object|embed|svg|math|img|image|body|style|link|meta|base|form|video|audio|details|marquee)\b",
    r"(?:java|vb|live)\s*script\s*:",
    r#"(?:^|[\s"'/<>;`])on[a-z]{3,}\s*="#,
    r"\b(?:eval|expression|setTimeout|setInterval|Function)\s*\(",
    r"data\s*:\s*text/html",
    r"\bsrcdoc\s*=",
    r"&#(?:x0*3c|0*60);?",
];

/// The compiled input validation of one virtual host.
#[derive(Debug, Clone)]
pub(super) struct InputPlan {
    pub(super) mode: Mode,
    paths: PathGlobs,
    query_params: NameGlobs,
    headers: Vec<String>,
    patterns: RegexSet,
    pub(super) status: u16,
}

/// A value that matched, for the log: where it was and which pattern matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputMatch {
    /// `query.<name>` or `header.<name>` (the name as received, escaped when logged).
    pub field: String,
    /// Index of the pattern in the configured (or built-in) list.
    pub pattern: usize,
}

impl InputPlan {
    pub(super) fn compile(
        path: &FieldPath,
        c: &InputValidationConfig,
    ) -> Result<Self, ConfigError> {
        if c.paths.is_empty() {
            return Err(ConfigError::at(path.key("paths"), ConfigErrorKind::Empty));
        }
        if !matches!(c.status, 400 | 403) {
            return Err(ConfigError::at(
                path.key("status"),
                ConfigErrorKind::InvalidStatus {
                    status: c.status,
                    allowed: "400 or 403",
                },
            ));
        }
        let mut headers = Vec::with_capacity(c.headers.len());
        for (i, h) in c.headers.iter().enumerate() {
            let lower = h.to_ascii_lowercase();
            if lower.is_empty() || !lower.bytes().all(super::values::is_tchar) {
                return Err(ConfigError::at(
                    path.key("headers").index(i),
                    ConfigErrorKind::InvalidHeaderName(h.clone()),
                ));
            }
            headers.push(lower);
        }
        let patterns: Vec<String> = match &c.patterns {
            Some(p) if p.is_empty() => {
                return Err(ConfigError::at(
                    path.key("patterns"),
                    ConfigErrorKind::Empty,
                ));
            }
            Some(p) => p.clone(),
            None => DEFAULT_PATTERNS.iter().map(|p| (*p).to_owned()).collect(),
        };
        for (i, p) in patterns.iter().enumerate() {
            RegexBuilder::new(p)
                .unicode(false)
                .case_insensitive(true)
                .size_limit(PATTERN_SIZE_LIMIT)
                .build()
                .map_err(|e| invalid_regex(path.key("patterns").index(i), p, &e))?;
        }
        let set = RegexSetBuilder::new(&patterns)
            .unicode(false)
            .case_insensitive(true)
            .size_limit(SET_SIZE_LIMIT)
            .dfa_size_limit(SET_SIZE_LIMIT)
            .build()
            .map_err(|e| invalid_regex(path.key("patterns"), "", &e))?;
        Ok(Self {
            mode: c.mode,
            paths: PathGlobs::compile(&path.key("paths"), &c.paths, GlobMode::Exact)?,
            query_params: if c.query_params.is_empty() {
                NameGlobs::none()
            } else {
                NameGlobs::compile(&path.key("query_params"), &c.query_params)?
            },
            headers,
            patterns: set,
            status: c.status,
        })
    }

    /// True when requests to `path` are checked. A path that could not be normalised (`None`)
    /// is checked too: the filter cannot tell where it goes.
    pub(super) fn applies_to(&self, path: Option<&str>) -> bool {
        path.is_none_or(|p| self.paths.is_match(p))
    }

    /// The first configured query parameter or header whose value matches a pattern.
    pub(super) fn check(
        &self,
        query: Option<&[u8]>,
        headers: &[(String, Vec<u8>)],
    ) -> Option<InputMatch> {
        for pair in query.unwrap_or_default().split(|&b| b == b'&') {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(eq) => (
                    pair.get(..eq).unwrap_or_default(),
                    pair.get(eq + 1..).unwrap_or_default(),
                ),
                None => (pair, &b""[..]),
            };
            let name = String::from_utf8_lossy(&percent_decode(name, true)).into_owned();
            if !self.query_params.is_match(&name) {
                continue;
            }
            if let Some(pattern) = self
                .first_match(name.as_bytes())
                .or(self.first_match(value))
            {
                return Some(InputMatch {
                    field: format!("query.{name}"),
                    pattern,
                });
            }
        }
        for (name, value) in headers {
            if !self.headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                continue;
            }
            if let Some(pattern) = self.first_match(value) {
                return Some(InputMatch {
                    field: format!("header.{}", name.to_ascii_lowercase()),
                    pattern,
                });
            }
        }
        None
    }

    /// The lowest pattern index matching `raw`, its decoding or its double decoding.
    fn first_match(&self, raw: &[u8]) -> Option<usize> {
        let once = percent_decode(raw, true);
        let twice = percent_decode(&once, false);
        [raw, &once, &twice]
            .iter()
            .filter_map(|v| self.patterns.matches(v).iter().next())
            .min()
    }
}

fn invalid_regex(path: FieldPath, pattern: &str, err: &regex::Error) -> ConfigError {
    ConfigError::at(
        path,
        ConfigErrorKind::InvalidRegex {
            pattern: pattern.to_owned(),
            reason: err.to_string(),
        },
    )
}

/// Percent-decodes `raw` (`+` as space when `plus` is set, as in form encoding); bad escapes
/// stay as they are.
fn percent_decode(raw: &[u8], plus: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let hex = raw
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) if plus => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}
