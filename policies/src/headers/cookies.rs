//! `Set-Cookie` hardening: `Secure`, `HttpOnly` and `SameSite` added to the cookies a rule names
//! (RFC 6265bis §4.1.2), values the filter cannot read hardened or dropped, and the session-id
//! checks (strength, `Domain`).
//!
//! Each value is read as a browser reads it ([`super::setcookie`]: RFC 6265 §5.2, only space and
//! tab trimmed, the last of repeated attributes applies); the missing attributes are then
//! appended to the value exactly as the upstream wrote it, so that attribute order, quoted values
//! and attributes the filter does not know (`Partitioned`, `Priority`) survive byte for byte. An
//! attribute already present is never changed: an explicit `SameSite=None` stays (cross-site
//! single sign-on needs it), but gets `Secure` when the rule asks for it. An attribute a browser
//! would not apply (`\x0bSecure`, `SameSite=Sometimes`) is not present: the real one is added.
//!
//! ## Unparseable values
//! A value that is not UTF-8, or has no name (`=value`, or no `=` at all: RFC 6265bis §5.6 reads
//! `foo` as a nameless cookie whose value is `foo`) matches no rule by name, yet a browser may
//! store it. It is never passed on as it came: `unparseable_cookies: "harden"` (the default)
//! appends what the default rule would (`Secure`, `HttpOnly`, `SameSite=Lax`, those missing),
//! byte-safe; `"drop"` removes the value.
//!
//! ## Deletions
//! A session cookie that is being deleted is not a session id: not judged for strength, nor its
//! `Domain` checked (a deletion must name the `Domain` the cookie was set with). It is deleted
//! when its value is empty, or its last valid `Max-Age` is 0 or less (`Max-Age` wins over
//! `Expires`, RFC 6265 §5.3 step 3), or, without `Max-Age`, its last valid `Expires` is not after
//! the response's `Date` header (RFC 9110 §6.6.1) or, when the response has no readable `Date`,
//! lies before the year 2000 (a gateway has no clock it can trust to be in step; servers write
//! dates such as `Thu, 01 Jan 1970 00:00:10 GMT` to delete). Its attributes are still hardened.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use super::config::{BroadDomain, CookieRule, SameSite, UnparseableCookies};
use super::session::{BroadDomainSession, SessionPlan, WeakSession, is_broad_domain};
use super::setcookie::{Enforcement, SetCookie};
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

    /// What the default rule adds, for values no rule can name.
    const CATCH_ALL: Attributes = Attributes {
        secure: true,
        http_only: true,
        same_site: Some(SameSite::Lax),
    };

    fn attributes(&self) -> Attributes {
        Attributes {
            secure: self.secure,
            http_only: self.http_only,
            same_site: self.same_site,
        }
    }
}

/// The attributes a rule adds.
#[derive(Debug, Clone, Copy)]
struct Attributes {
    secure: bool,
    http_only: bool,
    same_site: Option<SameSite>,
}

/// What the response around the `Set-Cookie` values says, for the session checks.
#[derive(Debug, Clone, Copy)]
pub(super) struct CookieContext<'a> {
    /// The virtual host's rules, first match wins.
    pub(super) rules: &'a [CookieRulePlan],
    /// The session-id checks.
    pub(super) session: &'a SessionPlan,
    /// The request's host (lower-case, no port), `None` when unknown.
    pub(super) host: Option<&'a str>,
    /// The response's `Date`, in seconds since the Unix epoch, when readable.
    pub(super) date: Option<i64>,
}

/// What became of one `Set-Cookie` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CookieOutcome {
    /// The new value, when attributes were added or removed.
    pub(super) hardened: Option<Vec<u8>>,
    /// The value is removed from the response (`unparseable_cookies: "drop"`).
    pub(super) dropped: bool,
    /// The value could not be read as a cookie (not UTF-8, or no name).
    pub(super) malformed: bool,
    /// It sets a session id weaker than the minimum.
    pub(super) weak_session: Option<WeakSession>,
    /// It sets a session cookie whose `Domain` is broader than the request's host.
    pub(super) broad_domain: Option<BroadDomainSession>,
}

/// Hardens one `Set-Cookie` value and checks it as a session id.
pub(super) fn harden(raw: &[u8], ctx: &CookieContext<'_>) -> CookieOutcome {
    let mut out = CookieOutcome {
        hardened: None,
        dropped: false,
        malformed: false,
        weak_session: None,
        broad_domain: None,
    };
    let cookie = SetCookie::parse(raw);
    let Some(name) = cookie.name() else {
        out.malformed = true;
        match ctx.session.unparseable {
            UnparseableCookies::Drop => out.dropped = true,
            UnparseableCookies::Harden => {
                out.hardened = append(raw, &cookie, CookieRulePlan::CATCH_ALL);
            }
        }
        return out;
    };
    let mut base = None;
    let value = std::str::from_utf8(cookie.value()).unwrap_or_default();
    if ctx.session.is_session(name) && !value.is_empty() && !deletes(&cookie, ctx.date) {
        out.weak_session = ctx.session.judge(name, value);
        if let Some(domain) = cookie.domain()
            && is_broad_domain(domain, ctx.host)
        {
            let removed = ctx.session.broad_domain == BroadDomain::Remove;
            out.broad_domain = Some(BroadDomainSession {
                name: name.to_owned(),
                domain: String::from_utf8_lossy(domain).into_owned(),
                removed,
            });
            if removed {
                base = Some(cookie.without("domain"));
            }
        }
    }
    let added = ctx
        .rules
        .iter()
        .find(|r| r.names.is_match(name))
        .and_then(|rule| match &base {
            Some(b) => append(b, &SetCookie::parse(b), rule.attributes()),
            None => append(raw, &cookie, rule.attributes()),
        });
    out.hardened = added.or(base);
    out
}

/// `raw` with the attributes of `want` that `cookie` (its parse) lacks appended, or `None` when
/// it lacks none. A trailing `;` or whitespace is not repeated before them.
fn append(raw: &[u8], cookie: &SetCookie<'_>, want: Attributes) -> Option<Vec<u8>> {
    let mut added = String::new();
    if want.secure && !cookie.secure() {
        added.push_str("; Secure");
    }
    if want.http_only && !cookie.http_only() {
        added.push_str("; HttpOnly");
    }
    let has_same_site = matches!(
        cookie.same_site(),
        Some(Enforcement::Strict | Enforcement::Lax | Enforcement::None)
    );
    if let Some(same_site) = want.same_site
        && !has_same_site
    {
        added.push_str(match same_site {
            SameSite::Strict => "; SameSite=Strict",
            SameSite::Lax => "; SameSite=Lax",
            SameSite::None => "; SameSite=None",
        });
    }
    if added.is_empty() {
        return None;
    }
    let end = raw
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b';'))
        .map_or(0, |e| e + 1);
    let mut v = Vec::with_capacity(end + added.len());
    v.extend_from_slice(raw.get(..end).unwrap_or_default());
    v.extend_from_slice(added.as_bytes());
    Some(v)
}

/// Whether `cookie` deletes itself (see the module docs); `date` is the response's `Date`.
fn deletes(cookie: &SetCookie<'_>, date: Option<i64>) -> bool {
    /// 2000-01-01T00:00:00Z, in seconds since the Unix epoch.
    const YEAR_2000: i64 = 946_684_800;
    if let Some(age) = cookie.max_age() {
        return age <= 0;
    }
    match (cookie.expires(), date) {
        (Some(expires), Some(now)) => expires <= now,
        (Some(expires), None) => expires < YEAR_2000,
        (None, _) => false,
    }
}
