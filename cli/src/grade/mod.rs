//! The header grade of one HTTP answer, the way an external scanner grades it, against the
//! OWASP Secure Headers Project's published lists ([`lists`]), never against the filters' own
//! constants: every header of the add list, every header of the remove list, the deprecated
//! `X-XSS-Protection`, and the cookies.
//!
//! What each header of the add list must show (`checks.rs`); "OWASP's value" is the add list's:
//!
//! | header | required (costs a grade) | recommended (keeps the answer from `A+`) |
//! | --- | --- | --- |
//! | `Strict-Transport-Security` | TLS: one value, `max-age` of a year or more; plaintext: absent (RFC 6797 §7.2) | `max-age` at least OWASP's, `includeSubDomains` when OWASP's has it |
//! | `Cache-Control` | a sensitive answer or one that sets a cookie: `no-store`, and never `public` | every directive of OWASP's value |
//! | `Clear-Site-Data` | a logout answer: present with `"cookies"` | every directive of OWASP's value |
//! | `Content-Security-Policy` | present; scripts (`script-src`, else `default-src`) without `'unsafe-eval'`, `*`, `http:`, `https:`, `data:`, or `'unsafe-inline'` that no nonce or hash disables (CSP3 §8.2); `frame-ancestors` without `*` or a bare scheme | every directive OWASP's value names |
//! | `Cross-Origin-Embedder-Policy`, `-Opener-Policy`, `-Resource-Policy` | | OWASP's value (or the one stricter alternative each allows) |
//! | `Permissions-Policy` | no feature allowed to `*` | present |
//! | `Referrer-Policy` | the policy browsers apply (the last) does not leak the path cross-origin | OWASP's value |
//! | `X-Content-Type-Options` | OWASP's value | |
//! | `X-DNS-Prefetch-Control` | | OWASP's value |
//! | `X-Frame-Options` | OWASP's value or `sameorigin`, or a CSP `frame-ancestors` | |
//! | `X-Permitted-Cross-Domain-Policies` | | OWASP's value |
//!
//! Besides: no header of the remove list (required; `Server` included, whatever its value), the
//! deprecated headers absent or with the value OWASP asks for (required) and present with it
//! (recommended), and every `Set-Cookie` with `Secure`, `HttpOnly` and `SameSite` (required).
//! A header of the add list this grade does not know is a failed required check, so an update
//! of the lists cannot pass unread.
//!
//! Grade: every check passes `A+`; only recommended checks fail `A`; then one failed required
//! check `B`, two `C`, three `D`, more `F`.

mod checks;
mod lists;
#[cfg(test)]
mod tests;

use std::fmt;

pub use lists::{Deprecated, ListError, Lists, Recommended, lists};

/// What the grader knows about the exchange besides the answer's headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    /// The answer came over TLS.
    pub tls: bool,
    /// The answer is sensitive (an identity provider's dynamic page, API answer or error):
    /// no shared or browser cache may keep it. Public metadata (JWKS, discovery) is not.
    pub sensitive: bool,
    /// The answer ends a session (a logout endpoint): it must clear the site's data.
    pub logout: bool,
}

impl Exchange {
    /// A sensitive answer that is not a logout, over TLS or not.
    pub const fn sensitive(tls: bool) -> Self {
        Self {
            tls,
            sensitive: true,
            logout: false,
        }
    }
}

/// How much a failed check costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Costs a grade.
    Required,
    /// Keeps the answer from `A+`.
    Recommended,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The header checked, as the lists write it (`Strict-Transport-Security`), or `remove list`,
    /// `Set-Cookie`.
    pub header: String,
    /// What a failure costs.
    pub severity: Severity,
    /// Why it failed; `None` when it passed.
    pub failure: Option<String>,
}

/// The overall grade, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grade {
    /// Every check passed.
    APlus,
    /// Only recommended checks failed.
    A,
    /// One required check failed.
    B,
    /// Two required checks failed.
    C,
    /// Three required checks failed.
    D,
    /// Four or more required checks failed.
    F,
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::APlus => "A+",
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
            Self::F => "F",
        })
    }
}

/// Every finding and the grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The grade the findings earn.
    pub grade: Grade,
    /// One per check, in the lists' order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The failed checks as `header: why` joined with `; ` (`-` when none failed).
    pub fn failures(&self) -> String {
        let failed: Vec<String> = self
            .findings
            .iter()
            .filter_map(|f| Some(format!("{}: {}", f.header, f.failure.as_ref()?)))
            .collect();
        if failed.is_empty() {
            "-".to_owned()
        } else {
            failed.join("; ")
        }
    }
}

/// Grades an answer's `headers` (`(name, value)` pairs, names in any case, values raw bytes;
/// pseudo-headers such as `:status` are ignored) for `exchange`.
///
/// # Errors
/// [`ListError`] when a data file under `data/owasp/` does not parse.
pub fn grade(headers: &[(String, Vec<u8>)], exchange: Exchange) -> Result<Report, ListError> {
    let lists = lists()?;
    let findings = checks::all(&checks::Headers(headers), exchange, lists);
    let failed = |s| {
        findings
            .iter()
            .filter(|f| f.failure.is_some() && f.severity == s)
            .count()
    };
    let grade = match (failed(Severity::Required), failed(Severity::Recommended)) {
        (0, 0) => Grade::APlus,
        (0, _) => Grade::A,
        (1, _) => Grade::B,
        (2, _) => Grade::C,
        (3, _) => Grade::D,
        _ => Grade::F,
    };
    Ok(Report { grade, findings })
}
