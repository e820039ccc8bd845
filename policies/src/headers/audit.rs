//! A header audit: grades a response's headers against the OWASP Secure Headers Project's
//! recommendations (present, values strong enough, nothing that fingerprints the stack), the way
//! an external scanner would, so that the end-to-end tests can prove the gateway's effect.
//!
//! Required checks: HSTS (present with `max-age` of a year or more on TLS, absent on plaintext,
//! RFC 6797 §7.2), `X-Content-Type-Options: nosniff`, clickjacking protection
//! (`X-Frame-Options` or CSP `frame-ancestors`), a Content-Security-Policy without
//! `'unsafe-inline'`/`'unsafe-eval'`/`*` for scripts, a strict `Referrer-Policy`, no header from
//! the remove list (a `Server` value that names no product and no version is accepted),
//! `no-store` on responses that set cookies, and `Secure`, `HttpOnly` and `SameSite` on every
//! cookie. Recommended checks: `Permissions-Policy`, the three `Cross-Origin-*-Policy` headers
//! and `X-Permitted-Cross-Domain-Policies: none`.
//!
//! Grade: every check passes `A+`; only recommended checks fail `A`; then one failed required
//! check `B`, two `C`, three `D`, more `F`.

use std::fmt;

use super::owasp;

/// What the auditor knows about the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditContext {
    /// The response came over TLS.
    pub tls: bool,
}

/// How much a failed check costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Costs a grade.
    Required,
    /// Keeps the response from `A+`.
    Recommended,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Short name (`hsts`, `csp`, `cookies`…).
    pub check: &'static str,
    /// What a failure costs.
    pub severity: Severity,
    /// Whether it passed.
    pub passed: bool,
    /// Why it failed (empty when it passed).
    pub detail: String,
}

/// The overall grade.
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
pub struct AuditReport {
    /// The grade.
    pub grade: Grade,
    /// One finding per check, in a fixed order.
    pub findings: Vec<Finding>,
}

impl AuditReport {
    /// The failed checks' names, comma-separated (`-` when none), for tables.
    pub fn failed_checks(&self) -> String {
        let failed: Vec<&str> = self
            .findings
            .iter()
            .filter(|f| !f.passed)
            .map(|f| f.check)
            .collect();
        if failed.is_empty() {
            "-".to_owned()
        } else {
            failed.join(",")
        }
    }
}

/// Product names that a neutral `Server` value must not contain (lower-case).
const PRODUCTS: &[&str] = &[
    "wso2",
    "carbon",
    "tomcat",
    "apache",
    "jetty",
    "nginx",
    "envoy",
    "istio",
    "kong",
    "iis",
    "microsoft",
    "php",
    "asp",
    "express",
    "openresty",
    "undertow",
    "wildfly",
    "jboss",
    "weblogic",
    "websphere",
    "gunicorn",
    "uvicorn",
    "caddy",
    "lighttpd",
    "litespeed",
    "cloudflare",
];

/// Grades `headers` (any case; `:status` and other pseudo-headers are ignored).
pub fn audit(headers: &[(String, Vec<u8>)], ctx: AuditContext) -> AuditReport {
    let h = Headers(headers);
    let mut findings = Vec::new();
    let mut check = |check, severity, result: Result<(), String>| {
        findings.push(Finding {
            check,
            severity,
            passed: result.is_ok(),
            detail: result.err().unwrap_or_default(),
        });
    };
    use Severity::{Recommended, Required};
    check("hsts", Required, hsts(&h, ctx.tls));
    check(
        "nosniff",
        Required,
        equals(&h, "x-content-type-options", &["nosniff"]),
    );
    check("clickjacking", Required, clickjacking(&h));
    check("csp", Required, csp(&h));
    check("referrer", Required, referrer(&h));
    check("fingerprint", Required, fingerprint(&h));
    check("no_store", Required, no_store(&h));
    check("cookies", Required, cookies(&h));
    check(
        "permissions",
        Recommended,
        present(&h, "permissions-policy"),
    );
    check(
        "coop",
        Recommended,
        equals(
            &h,
            "cross-origin-opener-policy",
            &["same-origin", "same-origin-allow-popups"],
        ),
    );
    check(
        "corp",
        Recommended,
        equals(
            &h,
            "cross-origin-resource-policy",
            &["same-origin", "same-site"],
        ),
    );
    check(
        "coep",
        Recommended,
        equals(
            &h,
            "cross-origin-embedder-policy",
            &["require-corp", "credentialless"],
        ),
    );
    check(
        "xpcdp",
        Recommended,
        equals(&h, "x-permitted-cross-domain-policies", &["none"]),
    );
    let failed = |s| {
        findings
            .iter()
            .filter(|f| !f.passed && f.severity == s)
            .count()
    };
    let grade = match (failed(Required), failed(Recommended)) {
        (0, 0) => Grade::APlus,
        (0, _) => Grade::A,
        (1, _) => Grade::B,
        (2, _) => Grade::C,
        (3, _) => Grade::D,
        _ => Grade::F,
    };
    AuditReport { grade, findings }
}

struct Headers<'a>(&'a [(String, Vec<u8>)]);

impl Headers<'_> {
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).trim().to_owned())
            .collect()
    }

    /// The one value of `name`; two or more are as bad as none for these headers.
    fn one(&self, name: &str) -> Result<String, String> {
        let mut all = self.all(name);
        match all.len() {
            0 => Err(format!("{name} missing")),
            1 => Ok(all.remove(0)),
            n => Err(format!("{name} sent {n} times")),
        }
    }
}

fn present(h: &Headers<'_>, name: &str) -> Result<(), String> {
    h.one(name).map(drop)
}

fn equals(h: &Headers<'_>, name: &str, allowed: &[&str]) -> Result<(), String> {
    let v = h.one(name)?;
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(&v)) {
        Ok(())
    } else {
        Err(format!("{name}: {v}"))
    }
}

fn hsts(h: &Headers<'_>, tls: bool) -> Result<(), String> {
    let all = h.all("strict-transport-security");
    if !tls {
        return if all.is_empty() {
            Ok(())
        } else {
            Err("HSTS sent over plaintext (RFC 6797 §7.2)".into())
        };
    }
    let v = h.one("strict-transport-security")?;
    let max_age = v
        .split(';')
        .filter_map(|d| d.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("max-age"))
        .and_then(|(_, n)| n.trim().trim_matches('"').parse::<u64>().ok());
    match max_age {
        Some(age) if age >= 31_536_000 => Ok(()),
        _ => Err(format!("weak HSTS: {v}")),
    }
}

fn clickjacking(h: &Headers<'_>) -> Result<(), String> {
    let xfo_ok = h
        .one("x-frame-options")
        .is_ok_and(|v| v.eq_ignore_ascii_case("deny") || v.eq_ignore_ascii_case("sameorigin"));
    if xfo_ok || directive(h, "frame-ancestors").is_some() {
        Ok(())
    } else {
        Err("neither X-Frame-Options nor CSP frame-ancestors".into())
    }
}

/// The value of CSP directive `name` (from the first policy that has it).
fn directive(h: &Headers<'_>, name: &str) -> Option<String> {
    h.all("content-security-policy")
        .into_iter()
        .find_map(|policy| {
            policy.split(';').find_map(|d| {
                let mut parts = d.trim().splitn(2, [' ', '\t']);
                let key = parts.next()?;
                key.eq_ignore_ascii_case(name)
                    .then(|| parts.next().unwrap_or_default().trim().to_owned())
            })
        })
}

fn csp(h: &Headers<'_>) -> Result<(), String> {
    if h.all("content-security-policy").is_empty() {
        return Err("content-security-policy missing".into());
    }
    let scripts = directive(h, "script-src")
        .or_else(|| directive(h, "default-src"))
        .ok_or("CSP has neither script-src nor default-src")?;
    let weak = scripts.split_whitespace().find(|s| {
        [
            "'unsafe-inline'",
            "'unsafe-eval'",
            "*",
            "http:",
            "https:",
            "data:",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(s))
    });
    match weak {
        Some(w) => Err(format!("CSP allows {w} for scripts")),
        None => Ok(()),
    }
}

fn referrer(h: &Headers<'_>) -> Result<(), String> {
    let v = h.one("referrer-policy")?;
    // Browsers use the last policy they understand.
    let last = v.rsplit(',').next().unwrap_or_default().trim();
    const STRICT: &[&str] = &[
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ];
    if STRICT.iter().any(|s| s.eq_ignore_ascii_case(last)) {
        Ok(())
    } else {
        Err(format!("referrer-policy: {v}"))
    }
}

fn fingerprint(h: &Headers<'_>) -> Result<(), String> {
    let mut found = Vec::new();
    for (name, value) in h.0 {
        if name.starts_with(':') || !owasp::is_fingerprinting(name) {
            continue;
        }
        if name.eq_ignore_ascii_case("server") {
            let v = String::from_utf8_lossy(value).to_ascii_lowercase();
            let reveals = v.bytes().any(|b| b.is_ascii_digit() || b == b'/')
                || PRODUCTS.iter().any(|p| v.contains(p));
            if !reveals {
                continue;
            }
            found.push(format!("server: {v}"));
        } else {
            found.push(name.to_ascii_lowercase());
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(found.join(", "))
    }
}

fn no_store(h: &Headers<'_>) -> Result<(), String> {
    if h.all("set-cookie").is_empty() || super::respond::has_no_store(h.0) {
        Ok(())
    } else {
        Err("sets a cookie without Cache-Control: no-store".into())
    }
}

fn cookies(h: &Headers<'_>) -> Result<(), String> {
    let mut weak = Vec::new();
    for v in h.all("set-cookie") {
        let Ok(c) = cookie::Cookie::parse(v.as_str()) else {
            weak.push("malformed".to_owned());
            continue;
        };
        let mut missing = Vec::new();
        if c.secure() != Some(true) {
            missing.push("Secure");
        }
        if c.http_only() != Some(true) {
            missing.push("HttpOnly");
        }
        if c.same_site().is_none() {
            missing.push("SameSite");
        }
        if !missing.is_empty() {
            weak.push(format!("{} without {}", c.name(), missing.join("/")));
        }
    }
    if weak.is_empty() {
        Ok(())
    } else {
        Err(weak.join(", "))
    }
}
