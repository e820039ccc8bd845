//! `Set-Cookie` hardening: `Secure`, `HttpOnly` and `SameSite` added to the cookies a rule names
//! (RFC 6265bis §4.1.2), and the session-id strength check.
//!
//! Each value is parsed with the `cookie` crate (to know its name and which attributes it already
//! has, case-insensitively and as browsers read them); the missing attributes are then appended
//! to the value exactly as the upstream wrote it, so that attribute order, quoted values and
//! attributes the crate does not know (`Partitioned`, `Priority`) survive byte for byte. An
//! attribute already present is never changed: an explicit `SameSite=None` stays (cross-site
//! single sign-on needs it), but gets `Secure` when the rule asks for it.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::config::{CookieRule, SameSite};
use super::session::estimate_bits;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// Cookie-name globs (case-sensitive; `*` matches any run of characters).
#[derive(Debug, Clone)]
pub(super) struct NameGlobs(GlobSet);

impl NameGlobs {
    pub(super) fn compile(path: &FieldPath, names: &[String]) -> Result<Self, ConfigError> {
        if names.is_empty() {
            return Err(ConfigError::at(path.clone(), ConfigErrorKind::Empty));
        }
        let mut builder = GlobSetBuilder::new();
        for (i, n) in names.iter().enumerate() {
            let bad = |reason: String| {
                ConfigError::at(
                    path.index(i),
                    ConfigErrorKind::InvalidGlob {
                        glob: n.clone(),
                        reason,
                    },
                )
            };
            let token_or_glob = |b: u8| super::values::is_tchar(b) || b"?[]{},".contains(&b);
            if n.is_empty() || !n.bytes().all(token_or_glob) {
                return Err(bad("a cookie name is a token (RFC 6265 §4.1.1)".into()));
            }
            let glob = GlobBuilder::new(n)
                .literal_separator(false)
                .build()
                .map_err(|e| bad(e.kind().to_string()))?;
            builder.add(glob);
        }
        builder.build().map(Self).map_err(|e| {
            ConfigError::at(
                path.clone(),
                ConfigErrorKind::InvalidGlob {
                    glob: String::new(),
                    reason: e.to_string(),
                },
            )
        })
    }

    /// Globs that match nothing.
    pub(super) fn none() -> Self {
        Self(GlobSet::empty())
    }

    pub(super) fn is_match(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

/// One compiled cookie rule.
#[derive(Debug, Clone)]
pub(super) struct CookieRulePlan {
    names: NameGlobs,
    secure: bool,
    http_only: bool,
    same_site: Option<SameSite>,
}

impl CookieRulePlan {
    pub(super) fn compile(path: &FieldPath, rule: &CookieRule) -> Result<Self, ConfigError> {
        Ok(Self {
            names: NameGlobs::compile(&path.key("names"), &rule.names)?,
            secure: rule.secure,
            http_only: rule.http_only,
            same_site: rule.same_site,
        })
    }
}

/// What became of one `Set-Cookie` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CookieOutcome {
    /// The new value, when attributes were added.
    pub(super) hardened: Option<Vec<u8>>,
    /// The value could not be parsed as a cookie (left unchanged).
    pub(super) malformed: bool,
    /// `(cookie name, estimated bits)` when this sets a session id below the minimum.
    pub(super) weak_session: Option<(String, u32)>,
}

/// Hardens one `Set-Cookie` value and checks it as a session id.
pub(super) fn harden(
    value: &[u8],
    rules: &[CookieRulePlan],
    session: Option<&super::plan::SessionPlan>,
) -> CookieOutcome {
    let mut out = CookieOutcome {
        hardened: None,
        malformed: false,
        weak_session: None,
    };
    let Ok(text) = std::str::from_utf8(value) else {
        out.malformed = true;
        return out;
    };
    let Ok(cookie) = cookie::Cookie::parse(text) else {
        out.malformed = true;
        return out;
    };
    let name = cookie.name();
    if let Some(s) = session.filter(|s| s.names.is_match(name)) {
        let deleting =
            cookie.value_trimmed().is_empty() || cookie.max_age().is_some_and(|age| age.is_zero());
        if !deleting {
            let bits = estimate_bits(cookie.value_trimmed());
            if bits < s.min_bits {
                out.weak_session = Some((name.to_owned(), bits));
            }
        }
    }
    let Some(rule) = rules.iter().find(|r| r.names.is_match(name)) else {
        return out;
    };
    let mut added = String::new();
    if rule.secure && cookie.secure() != Some(true) {
        added.push_str("; Secure");
    }
    if rule.http_only && cookie.http_only() != Some(true) {
        added.push_str("; HttpOnly");
    }
    if let Some(same_site) = rule.same_site
        && cookie.same_site().is_none()
    {
        added.push_str(match same_site {
            SameSite::Strict => "; SameSite=Strict",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::None => "; SameSite=None",
        });
    }
    if !added.is_empty() {
        let kept = text.trim_end_matches([' ', '\t', ';']);
        let mut v = String::with_capacity(kept.len() + added.len());
        v.push_str(kept);
        v.push_str(&added);
        out.hardened = Some(v.into_bytes());
    }
    out
}
