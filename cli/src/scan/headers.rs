//! The header scan: GET each URL with [`crate::http`], grade the answer's headers with
//! [`crate::grade::grade`] (the OWASP Secure Headers Project's lists), and turn every failed
//! check into a finding tied to its guideline:
//!
//! | grade check | guideline | rule |
//! | --- | --- | --- |
//! | remove list (`Server`, `X-Powered-By`, ...) | P10 | `header-fingerprint` |
//! | `Strict-Transport-Security` | P11 | `header-hsts` |
//! | `Cache-Control`, `Clear-Site-Data` | P12 | `header-cache-control`, `header-clear-site-data` |
//! | `Content-Security-Policy`, `X-Frame-Options` and the rest of the add list, `X-XSS-Protection` | P16 | `header-csp`, `header-frame-options`, ... |
//! | `Set-Cookie` without `Secure`, `HttpOnly`, `SameSite` | P17 | `header-cookie-attributes` |
//!
//! A failed required check (it costs a grade) is an error, a failed recommended one (it keeps
//! the answer from `A+`) a note. A URL that gives no answer is a warning finding
//! (`header-scan-failed`) on each of P10, P11, P12, P16 and P17: none of them could be checked
//! there. Never a panic.

use crate::finding::{Finding, Severity};
use crate::grade::{self, Exchange, Grade};
use crate::http::{self, Target};

/// What to fetch and how to grade it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Where to send it ([`Target::from_url`] makes one from a URL).
    pub target: Target,
    /// The request target, sent as written (`/carbon/admin/login.jsp`).
    pub request_target: String,
    /// What the grader must know of the answer (sensitive, logout); its `tls` is replaced by
    /// [`Target::tls`].
    pub exchange: Exchange,
}

/// The scan of one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderResult {
    /// The URL fetched (`https://a.test:9443/carbon/`): the findings' location.
    pub url: String,
    /// The answer's status; `None` when there was no answer.
    pub status: Option<u16>,
    /// The grade (`A+` .. `F`); `None` when there was no answer or the lists do not parse.
    pub grade: Option<Grade>,
    /// One finding per failed check, or the one finding saying why nothing was graded.
    pub findings: Vec<Finding>,
}

/// Per grade check (the header as the lists write it, lower-cased): the rule, the guideline and
/// the fix. A header of the add list missing here gets `header-unknown`, P16.
const RULES: &[(&str, &str, &str, &str)] = &[
    (
        "remove list",
        "header-fingerprint",
        "P10",
        "Remove the headers that name the stack (Server, X-Powered-By, ...): header-hardening's remove list, Envoy's server_header_transformation.",
    ),
    (
        "strict-transport-security",
        "header-hsts",
        "P11",
        "Send Strict-Transport-Security: max-age=63072000; includeSubDomains on every TLS answer, and none over plaintext.",
    ),
    (
        "cache-control",
        "header-cache-control",
        "P12",
        "Send Cache-Control: no-store, max-age=0 on dynamic and sensitive answers.",
    ),
    (
        "clear-site-data",
        "header-clear-site-data",
        "P12",
        "Send Clear-Site-Data: \"cache\",\"cookies\",\"storage\" on logout answers.",
    ),
    (
        "content-security-policy",
        "header-csp",
        "P16",
        "Send a Content-Security-Policy without unsafe script sources, with frame-ancestors.",
    ),
    (
        "x-frame-options",
        "header-frame-options",
        "P16",
        "Send X-Frame-Options: deny (or a CSP frame-ancestors).",
    ),
    (
        "x-content-type-options",
        "header-content-type-options",
        "P16",
        "Send X-Content-Type-Options: nosniff.",
    ),
    (
        "referrer-policy",
        "header-referrer-policy",
        "P16",
        "Send Referrer-Policy: no-referrer.",
    ),
    (
        "permissions-policy",
        "header-permissions-policy",
        "P16",
        "Send a Permissions-Policy that allows no feature to every origin.",
    ),
    (
        "cross-origin-embedder-policy",
        "header-cross-origin-policies",
        "P16",
        "Send OWASP's Cross-Origin-Embedder-Policy value.",
    ),
    (
        "cross-origin-opener-policy",
        "header-cross-origin-policies",
        "P16",
        "Send OWASP's Cross-Origin-Opener-Policy value.",
    ),
    (
        "cross-origin-resource-policy",
        "header-cross-origin-policies",
        "P16",
        "Send OWASP's Cross-Origin-Resource-Policy value.",
    ),
    (
        "x-dns-prefetch-control",
        "header-dns-prefetch-control",
        "P16",
        "Send X-DNS-Prefetch-Control: off.",
    ),
    (
        "x-permitted-cross-domain-policies",
        "header-cross-domain-policies",
        "P16",
        "Send X-Permitted-Cross-Domain-Policies: none.",
    ),
    (
        "x-xss-protection",
        "header-xss-protection",
        "P16",
        "Send X-XSS-Protection: 0 (or none): the old filter is itself a risk.",
    ),
    (
        "set-cookie",
        "header-cookie-attributes",
        "P17",
        "Set Secure, HttpOnly and SameSite on every cookie.",
    ),
];

/// The rule, guideline and fix of a grade check on `header`.
fn rule_of(header: &str) -> (&'static str, &'static str, &'static str) {
    let header = header.to_ascii_lowercase();
    RULES.iter().find(|(h, ..)| *h == header).map_or(
        (
            "header-unknown",
            "P16",
            "Grade this header of OWASP's list in cli/src/grade/checks.rs.",
        ),
        |(_, rule, guideline, fix)| (rule, guideline, fix),
    )
}

/// Fetches every request in turn (each within its target's timeout) and grades its answer.
pub fn scan(requests: &[Request]) -> Vec<HeaderResult> {
    requests.iter().map(scan_one).collect()
}

/// The URL of a request, for locations.
fn url_of(request: &Request) -> String {
    let scheme = if request.target.tls { "https" } else { "http" };
    format!(
        "{scheme}://{}{}",
        request.target.host, request.request_target
    )
}

fn scan_one(request: &Request) -> HeaderResult {
    let url = url_of(request);
    let exchange = Exchange {
        tls: request.target.tls,
        ..request.exchange
    };
    let answer = match http::send(&request.target, "GET", &request.request_target, &[]) {
        Ok(answer) => answer,
        Err(e) => {
            let findings = failed(&url, &format!("no answer from {url}: {e}"));
            return HeaderResult {
                url,
                status: None,
                grade: None,
                findings,
            };
        }
    };
    let (grade, findings) = match grade::grade(&answer.headers, exchange) {
        Ok(report) => (Some(report.grade), findings(&url, &report)),
        Err(e) => (None, failed(&url, &format!("cannot grade: {e}"))),
    };
    HeaderResult {
        url,
        status: Some(answer.status),
        grade,
        findings,
    }
}

/// The guidelines a header scan judges (every guideline of [`RULES`]).
pub const COVERS: &[&str] = &["P10", "P11", "P12", "P16", "P17"];

/// The `header-scan-failed` findings at `url`, one per guideline of [`COVERS`].
fn failed(url: &str, message: &str) -> Vec<Finding> {
    COVERS
        .iter()
        .map(|id| Finding {
            rule: "header-scan-failed",
            guideline: id,
            severity: Severity::Warning,
            location: url.to_owned(),
            path: String::new(),
            message: message.to_owned(),
            fix: "Make the URL reachable from where the scan runs, then scan again.".to_owned(),
            suppressed: None,
        })
        .collect()
}

/// One finding per failed check of `report` at `url` (`path`: the header checked).
pub fn findings(url: &str, report: &grade::Report) -> Vec<Finding> {
    report
        .findings
        .iter()
        .filter_map(|f| {
            let failure = f.failure.as_ref()?;
            let (rule, guideline, fix) = rule_of(&f.header);
            let severity = match f.severity {
                grade::Severity::Required => Severity::Error,
                grade::Severity::Recommended => Severity::Note,
            };
            Some(Finding {
                rule,
                guideline,
                severity,
                location: url.to_owned(),
                path: f.header.clone(),
                message: format!("{}: {failure}", f.header),
                fix: fix.to_owned(),
                suppressed: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// One result as text: `URL status grade`, then one line per finding
/// (`severity guideline rule: message`).
pub fn summary(result: &HeaderResult) -> String {
    let status = result
        .status
        .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
    let grade = result
        .grade
        .map_or_else(|| "not graded".to_owned(), |g| g.to_string());
    let mut out = format!("{} {status} grade {grade}\n", result.url);
    for f in &result.findings {
        out.push_str(&format!(
            "  {} {} {}: {}\n",
            f.severity.as_str(),
            f.guideline,
            f.rule,
            f.message
        ));
    }
    out
}
