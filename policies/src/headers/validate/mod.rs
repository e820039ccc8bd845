//! Request-side input validation, in the spirit of the XSS input validation valve that the seed
//! guideline "Enable additional XSS protection" points to: the values of chosen query
//! parameters, request headers and (opt-in) urlencoded form body parameters are matched against
//! patterns, and a request that matches is refused (or only logged in `shadow` mode).
//!
//! A coarse net for defence in depth, never a substitute for output encoding. Each value is
//! matched in every canonical form ([`decode`]: percent-decoding and HTML character references,
//! repeated until stable, at most [`MAX_DECODE_ROUNDS`] rounds; NUL removed; tab and newlines
//! removed as the URL parser does), so a pattern never spells an encoding; the built-in
//! patterns ([`DEFAULT_PATTERNS`], [`patterns`]) follow the HTML tokenizer, so that benign text
//! (`a < b`, `<scripted>`, `&#600;`, `onboarding=1`) passes. Patterns match bytes, ASCII
//! case-insensitively; the regex crate matches in linear time; each pattern is bounded by
//! [`PATTERN_SIZE_LIMIT`] and the whole set by [`SET_SIZE_LIMIT`].

mod body;
mod decode;
mod patterns;

use regex::bytes::{RegexBuilder, RegexSet, RegexSetBuilder};

use super::config::{InputValidationConfig, Mode};
use super::cookies::NameGlobs;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;
use crate::globs::{GlobMode, PathGlobs};
use crate::request::RequestHead;

pub(super) use body::default_max_body_bytes;
pub use body::{BodyCheck, DEFAULT_MAX_BODY_BYTES, MAX_BODY_BYTES, MIN_BODY_BYTES};
pub use decode::MAX_DECODE_ROUNDS;
pub use patterns::DEFAULT_PATTERNS;

/// Most bytes of compiled program one pattern may take.
pub const PATTERN_SIZE_LIMIT: usize = 64 * 1024;
/// Most bytes of compiled program (and of lazy DFA cache) the whole pattern set may take.
pub const SET_SIZE_LIMIT: usize = 1024 * 1024;

/// The compiled input validation of one virtual host.
#[derive(Debug, Clone)]
pub(super) struct InputPlan {
    pub(super) mode: Mode,
    paths: PathGlobs,
    query_params: NameGlobs,
    headers: Vec<String>,
    patterns: RegexSet,
    pub(super) status: u16,
    /// `max_body_bytes` when `form_bodies` is on.
    form_bodies: Option<usize>,
}

/// Why an input was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputCause {
    /// A value matched the pattern [`InputMatch::pattern`].
    Pattern,
    /// A form body longer than `max_body_bytes` (413).
    BodyTooLarge,
    /// A form body the filter cannot read as the product does (see [`BodyCheck::Unreadable`]),
    /// or that the host would not hand over.
    UnreadableBody,
}

impl InputCause {
    /// The log reason and counter suffix: `input_validation`, `input_body_too_large` or
    /// `input_unreadable_body`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pattern => "input_validation",
            Self::BodyTooLarge => "input_body_too_large",
            Self::UnreadableBody => "input_unreadable_body",
        }
    }
}

/// A refused input, for the log: where it was, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputMatch {
    /// `query.<name>`, `header.<name>` or `form.<name>` (the name decoded, escaped when
    /// logged), or `body` for a cause about the whole body.
    pub field: String,
    /// Index of the pattern in the configured (or built-in) list; 0 when `cause` is not
    /// [`InputCause::Pattern`].
    pub pattern: usize,
    /// Why. [`HeaderPlan::on_request`](crate::headers::HeaderPlan::on_request) only gives
    /// [`InputCause::Pattern`].
    pub cause: InputCause,
}

impl InputMatch {
    fn by_pattern(field: String, pattern: usize) -> Self {
        Self {
            field,
            pattern,
            cause: InputCause::Pattern,
        }
    }

    /// A cause about the whole body.
    pub(super) fn body(cause: InputCause) -> Self {
        Self {
            field: "body".to_owned(),
            pattern: 0,
            cause,
        }
    }
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
        if !(MIN_BODY_BYTES..=MAX_BODY_BYTES).contains(&c.max_body_bytes) {
            return Err(ConfigError::at(
                path.key("max_body_bytes"),
                ConfigErrorKind::OutOfRange {
                    what: "max_body_bytes",
                    range: format!("{MIN_BODY_BYTES} to {MAX_BODY_BYTES}"),
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
            paths: PathGlobs::compile(&path.key("paths"), &c.paths, GlobMode::Endpoint)?,
            query_params: if c.query_params.is_empty() {
                NameGlobs::none()
            } else {
                NameGlobs::compile(&path.key("query_params"), &c.query_params)?
            },
            headers,
            patterns: set,
            status: c.status,
            form_bodies: c.form_bodies.then_some(c.max_body_bytes),
        })
    }

    /// True when requests to `path` are checked. A path that could not be normalised (`None`)
    /// is checked too: the filter cannot tell where it goes.
    pub(super) fn applies_to(&self, path: Option<&str>) -> bool {
        path.is_none_or(|p| self.paths.is_match(p))
    }

    /// The first configured query parameter or header whose name or value matches a pattern.
    pub(super) fn check(
        &self,
        query: Option<&[u8]>,
        headers: &[(String, Vec<u8>)],
    ) -> Option<InputMatch> {
        if let Some(m) = self.check_params("query", query.unwrap_or_default()) {
            return Some(m);
        }
        for (name, value) in headers {
            if !self.headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
                continue;
            }
            if let Some(pattern) = self.first_match(value, true) {
                return Some(InputMatch::by_pattern(
                    format!("header.{}", name.to_ascii_lowercase()),
                    pattern,
                ));
            }
        }
        None
    }

    /// What the body of `request` needs ([`BodyCheck::None`] unless `form_bodies` is on and
    /// the body is a form).
    pub(super) fn body_check(&self, request: &RequestHead<'_>) -> BodyCheck {
        self.form_bodies
            .map_or(BodyCheck::None, |max| body::body_check(request, max))
    }

    /// The first parameter of a urlencoded form `body` whose name or value matches.
    pub(super) fn check_form(&self, body: &[u8]) -> Option<InputMatch> {
        self.check_params("form", body)
    }

    /// The first parameter of the urlencoded `pairs` (a query string or a form body, parsed
    /// as the product's servlet container does: `form_urlencoded`, `+` a space, a bad escape
    /// kept) selected by `query_params` whose name or value matches; `field` prefixes its name.
    fn check_params(&self, field: &str, pairs: &[u8]) -> Option<InputMatch> {
        for (name, value) in form_urlencoded::parse(pairs) {
            if !self.query_params.is_match(&name) {
                continue;
            }
            let hit = [
                self.first_match(name.as_bytes(), false),
                self.first_match(value.as_bytes(), false),
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(pattern) = hit {
                return Some(InputMatch::by_pattern(format!("{field}.{name}"), pattern));
            }
        }
        None
    }

    /// The lowest pattern index matching any canonical form of `raw` (`plus`: `+` is a space
    /// in the first decoding round).
    fn first_match(&self, raw: &[u8], plus: bool) -> Option<usize> {
        let mut lowest: Option<usize> = None;
        decode::for_each_form(raw, plus, |form| {
            if self.patterns.is_match(form)
                && let Some(i) = self.patterns.matches(form).iter().next()
            {
                lowest = Some(lowest.map_or(i, |l| l.min(i)));
            }
            // Nothing lower than the first pattern.
            lowest != Some(0)
        });
        lowest
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
