//! One check per header of the lists (the table in `mod.rs`).

use super::{Exchange, Finding, Lists, Severity};
use Severity::{Recommended, Required};

/// One year in seconds: the least `max-age` the HSTS preload list accepts
/// (<https://hstspreload.org/>, "Submission Requirements").
const ONE_YEAR: u64 = 31_536_000;

/// The answer's headers.
pub(super) struct Headers<'a>(pub(super) &'a [(String, Vec<u8>)]);

impl Headers<'_> {
    /// Every value of `name` (any case), lossily decoded and trimmed.
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
            0 => Err("missing".to_owned()),
            1 => Ok(all.remove(0)),
            n => Err(format!("sent {n} times")),
        }
    }
}

/// The findings of every check, in the lists' order.
pub(super) fn all(h: &Headers<'_>, ex: Exchange, lists: &Lists) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |header: &str, severity, result: Result<(), String>| {
        out.push(Finding {
            header: header.to_owned(),
            severity,
            failure: result.err(),
        });
    };
    for rec in &lists.add {
        let owasp = rec.value.as_str();
        let name = rec.name.as_str();
        match name.to_ascii_lowercase().as_str() {
            "strict-transport-security" => {
                push(name, Required, hsts_required(h, ex.tls));
                if ex.tls {
                    push(name, Recommended, hsts_recommended(h, owasp));
                }
            }
            "cache-control" => {
                if ex.sensitive || !h.all("set-cookie").is_empty() {
                    push(name, Required, cache_required(h));
                    push(name, Recommended, every_directive(&h.all(name), owasp, ','));
                }
            }
            "clear-site-data" => {
                if ex.logout {
                    push(name, Required, clear_site_data(h));
                    push(name, Recommended, every_directive(&h.all(name), owasp, ','));
                }
            }
            "content-security-policy" => {
                push(name, Required, csp_required(h));
                push(name, Recommended, csp_recommended(h, owasp));
            }
            "cross-origin-embedder-policy" => {
                push(
                    name,
                    Recommended,
                    equals(h, name, &[owasp, "credentialless"]),
                );
            }
            "cross-origin-opener-policy" => {
                push(name, Recommended, equals(h, name, &[owasp]));
            }
            "cross-origin-resource-policy" => {
                push(name, Recommended, equals(h, name, &[owasp, "same-site"]));
            }
            "permissions-policy" => {
                push(name, Required, permissions_required(h));
                push(name, Recommended, h.one(name).map(drop));
            }
            "referrer-policy" => {
                push(name, Required, referrer_required(h));
                push(name, Recommended, equals(h, name, &[owasp]));
            }
            "x-content-type-options" => push(name, Required, equals(h, name, &[owasp])),
            "x-frame-options" => push(name, Required, clickjacking(h, owasp)),
            "x-dns-prefetch-control" | "x-permitted-cross-domain-policies" => {
                push(name, Recommended, equals(h, name, &[owasp]));
            }
            _ => push(
                name,
                Required,
                Err(format!(
                    "the grade does not know this header of OWASP's list (value {owasp:?}): grade it in cli/src/grade/checks.rs"
                )),
            ),
        }
    }
    for dep in &lists.deprecated {
        let name = dep.name.as_str();
        let values = h.all(name);
        let wrong: Vec<&String> = values.iter().filter(|v| **v != dep.value).collect();
        push(
            name,
            Required,
            match wrong.first() {
                Some(v) => Err(format!("{v:?}, OWASP: {:?} or absent", dep.value)),
                None => Ok(()),
            },
        );
        push(
            name,
            Recommended,
            if values.is_empty() {
                Err(format!("missing, OWASP: {:?}", dep.value))
            } else {
                Ok(())
            },
        );
    }
    push("remove list", Required, fingerprints(h, &lists.remove));
    push("Set-Cookie", Required, cookies(h));
    out
}

/// The directives of a header value split at `sep` outside quoted strings: lower-case names,
/// values as written (quotes kept).
fn directives(value: &str, sep: char) -> Vec<(String, Option<String>)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c == sep && !quoted => parts.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim().to_owned())),
            None => (p.to_ascii_lowercase(), None),
        })
        .collect()
}

fn equals(h: &Headers<'_>, name: &str, allowed: &[&str]) -> Result<(), String> {
    let v = h.one(name)?;
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(&v)) {
        Ok(())
    } else {
        Err(format!("{v:?}, expected {}", allowed.join(" or ")))
    }
}

/// Every directive (by name) of OWASP's `owasp` value appears in one of `values`.
fn every_directive(values: &[String], owasp: &str, sep: char) -> Result<(), String> {
    let have: Vec<(String, Option<String>)> =
        values.iter().flat_map(|v| directives(v, sep)).collect();
    let missing: Vec<String> = directives(owasp, sep)
        .into_iter()
        .filter(|want| {
            !have.iter().any(|got| match (&want.1, &got.1) {
                // `max-age=0` must be that value; other valued directives by name.
                (Some(w), Some(g)) if want.0 == "max-age" => got.0 == want.0 && w == g,
                _ => got.0 == want.0,
            })
        })
        .map(|(n, v)| v.map_or(n.clone(), |v| format!("{n}={v}")))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("without {} (OWASP: {owasp:?})", missing.join(", ")))
    }
}

fn max_age(value: &str) -> Option<u64> {
    directives(value, ';')
        .into_iter()
        .find(|(n, _)| n == "max-age")
        .and_then(|(_, v)| v?.trim_matches('"').parse().ok())
}

fn hsts_required(h: &Headers<'_>, tls: bool) -> Result<(), String> {
    if !tls {
        return match h.all("strict-transport-security").is_empty() {
            true => Ok(()),
            false => {
                Err("sent over plaintext (RFC 6797 §7.2: ignored, and a sign of confusion)".into())
            }
        };
    }
    let v = h.one("strict-transport-security")?;
    match max_age(&v) {
        Some(age) if age >= ONE_YEAR => Ok(()),
        _ => Err(format!("{v:?}: max-age under a year")),
    }
}

fn hsts_recommended(h: &Headers<'_>, owasp: &str) -> Result<(), String> {
    let v = h.one("strict-transport-security")?;
    let want_age = max_age(owasp).unwrap_or(ONE_YEAR);
    let want_sub = directives(owasp, ';')
        .iter()
        .any(|(n, _)| n == "includesubdomains");
    let has_sub = directives(&v, ';')
        .iter()
        .any(|(n, _)| n == "includesubdomains");
    if max_age(&v).is_some_and(|a| a >= want_age) && (has_sub || !want_sub) {
        Ok(())
    } else {
        Err(format!("{v:?}, OWASP: {owasp:?}"))
    }
}

fn cache_required(h: &Headers<'_>) -> Result<(), String> {
    let all = h.all("cache-control");
    let d: Vec<(String, Option<String>)> = all.iter().flat_map(|v| directives(v, ',')).collect();
    if d.iter().any(|(n, _)| n == "public") {
        return Err(format!(
            "{:?}: a sensitive answer allowed in shared caches",
            all.join(", ")
        ));
    }
    if d.iter().any(|(n, _)| n == "no-store") {
        Ok(())
    } else if all.is_empty() {
        Err("missing: a sensitive answer may be stored".into())
    } else {
        Err(format!("{:?} without no-store", all.join(", ")))
    }
}

fn clear_site_data(h: &Headers<'_>) -> Result<(), String> {
    let all = h.all("clear-site-data");
    if all
        .iter()
        .flat_map(|v| directives(v, ','))
        .any(|(n, _)| n == "\"cookies\"" || n == "\"*\"")
    {
        Ok(())
    } else {
        Err(format!("{all:?}: a logout that leaves the session cookies"))
    }
}

/// The source list of `name` in one policy (`None`: the policy does not have it).
fn csp_sources(policy: &str, name: &str) -> Option<Vec<String>> {
    policy.split(';').find_map(|d| {
        let mut parts = d.split_whitespace();
        let key = parts.next()?;
        key.eq_ignore_ascii_case(name)
            .then(|| parts.map(str::to_ascii_lowercase).collect())
    })
}

/// Why a script source list is weak, if it is.
fn weak_scripts(sources: &[String]) -> Option<String> {
    let disables_inline = sources.iter().any(|s| {
        s.starts_with("'nonce-")
            || s.starts_with("'sha256-")
            || s.starts_with("'sha384-")
            || s.starts_with("'sha512-")
            || s == "'strict-dynamic'"
    });
    sources
        .iter()
        .find(|s| {
            matches!(
                s.as_str(),
                "'unsafe-eval'" | "*" | "http:" | "https:" | "data:"
            ) || (s.as_str() == "'unsafe-inline'" && !disables_inline)
        })
        .cloned()
}

fn csp_required(h: &Headers<'_>) -> Result<(), String> {
    let policies = h.all("content-security-policy");
    if policies.is_empty() {
        return Err("missing".into());
    }
    // A resource must pass every policy: one strict policy is enough.
    let scripts: Vec<Option<String>> = policies
        .iter()
        .map(|p| {
            let sources = csp_sources(p, "script-src").or_else(|| csp_sources(p, "default-src"));
            match sources {
                Some(s) => weak_scripts(&s),
                None => Some("no script-src or default-src".to_owned()),
            }
        })
        .collect();
    if scripts.iter().all(Option::is_some)
        && let Some(Some(w)) = scripts.first()
    {
        return Err(format!("scripts: {w}"));
    }
    let ancestors: Vec<Vec<String>> = policies
        .iter()
        .filter_map(|p| csp_sources(p, "frame-ancestors"))
        .collect();
    let permissive = |s: &Vec<String>| {
        s.iter()
            .find(|x| matches!(x.as_str(), "*" | "http:" | "https:"))
            .cloned()
    };
    if !ancestors.is_empty() && ancestors.iter().all(|s| permissive(s).is_some()) {
        let which = ancestors.first().and_then(permissive).unwrap_or_default();
        return Err(format!("frame-ancestors {which}: any site may frame it"));
    }
    Ok(())
}

/// The fetch directives that fall back to `default-src` (CSP3 §6.1).
const FETCH_DIRECTIVES: &[&str] = &[
    "child-src",
    "connect-src",
    "font-src",
    "frame-src",
    "img-src",
    "manifest-src",
    "media-src",
    "object-src",
    "script-src",
    "style-src",
    "worker-src",
];

fn csp_recommended(h: &Headers<'_>, owasp: &str) -> Result<(), String> {
    let policies = h.all("content-security-policy");
    let missing: Vec<&str> = owasp
        .split(';')
        .filter_map(|d| d.split_whitespace().next())
        .filter(|name| {
            !policies.iter().any(|p| {
                csp_sources(p, name).is_some()
                    // A fetch directive falls back to default-src (CSP3 §6.8.3).
                    || (FETCH_DIRECTIVES.contains(name) && csp_sources(p, "default-src").is_some())
            })
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("without {} (OWASP: {owasp:?})", missing.join(", ")))
    }
}

fn permissions_required(h: &Headers<'_>) -> Result<(), String> {
    let open: Vec<String> = h
        .all("permissions-policy")
        .iter()
        .flat_map(|v| directives(v, ','))
        .filter(|(_, v)| {
            v.as_deref().is_some_and(|v| {
                v.trim_matches(|c| c == '(' || c == ')')
                    .split_whitespace()
                    .any(|s| s == "*")
            })
        })
        .map(|(n, v)| format!("{n}={}", v.unwrap_or_default()))
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("allows every origin: {}", open.join(", ")))
    }
}

fn referrer_required(h: &Headers<'_>) -> Result<(), String> {
    let v = h.one("referrer-policy")?;
    // Browsers apply the last policy they understand.
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
        Err(format!("{v:?} sends the path to other sites"))
    }
}

fn clickjacking(h: &Headers<'_>, owasp: &str) -> Result<(), String> {
    let xfo = h.one("x-frame-options");
    let framing_by_csp = h
        .all("content-security-policy")
        .iter()
        .any(|p| csp_sources(p, "frame-ancestors").is_some());
    match xfo {
        Ok(v) if v.eq_ignore_ascii_case(owasp) || v.eq_ignore_ascii_case("sameorigin") => Ok(()),
        _ if framing_by_csp => Ok(()),
        Ok(v) => Err(format!("{v:?} and no CSP frame-ancestors")),
        Err(e) => Err(format!("{e} and no CSP frame-ancestors")),
    }
}

fn fingerprints(h: &Headers<'_>, remove: &[String]) -> Result<(), String> {
    let found: Vec<String> =
        h.0.iter()
            .filter(|(n, _)| remove.iter().any(|r| r.eq_ignore_ascii_case(n)))
            .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(v)))
            .collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(found.join(", "))
    }
}

fn cookies(h: &Headers<'_>) -> Result<(), String> {
    let mut weak = Vec::new();
    for v in h.all("set-cookie") {
        let Ok(c) = cookie::Cookie::parse(v.as_str()) else {
            weak.push(format!("{v:?} unparseable"));
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
