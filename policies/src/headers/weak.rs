//! Weak upstream values of the security headers the baseline (or a `default` rule) adds only
//! when the upstream sent none: an upstream that sends a header switching the protection off is
//! not "the application knowing better" (issue 13; OWASP Secure Headers Project, "Best
//! practices": CSP without `unsafe-inline`/`unsafe-eval`).

/// What the upstream sent for one header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Upstream {
    /// No value.
    Absent,
    /// A value that switches the protection off or weakens it (see [`is_weak`]).
    Weak,
    /// Values that keep the protection.
    Sound,
}

/// Reads every value of `name` (lower-case) in `headers` and classifies them: one weak value
/// makes the header weak (a browser applies every CSP it receives, but an empty or permissive
/// one is what an auditor flags).
pub(super) fn upstream_value(headers: &[(String, Vec<u8>)], name: &str) -> Upstream {
    let mut seen = false;
    for (n, v) in headers {
        if n.eq_ignore_ascii_case(name) {
            if is_weak(name, v) {
                return Upstream::Weak;
            }
            seen = true;
        }
    }
    if seen {
        Upstream::Sound
    } else {
        Upstream::Absent
    }
}

/// Whether `value` of the header `name` (lower-case) is weak:
/// - any security header: empty or only whitespace;
/// - `content-security-policy`: in a directive that governs scripts (`default-src`,
///   `script-src`, `script-src-elem`, `script-src-attr`), `'unsafe-eval'`, or `'unsafe-inline'`
///   without a nonce, a hash or `'strict-dynamic'` beside it (CSP3 §8.2: browsers then ignore
///   `'unsafe-inline'`); or `frame-ancestors *`. Any case. `'unsafe-inline'` in `style-src` is
///   not counted (common, and no script runs from it);
/// - `cross-origin-opener-policy` / `cross-origin-embedder-policy`: `unsafe-none` (the value
///   that switches the isolation off);
/// - `permissions-policy`: a feature allowed to every origin (`*`);
/// - `x-content-type-options`: anything but `nosniff`; `referrer-policy`: `unsafe-url`.
pub(super) fn is_weak(name: &str, value: &[u8]) -> bool {
    let v = value.trim_ascii();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    match name {
        "content-security-policy" => lower.split(|&b| b == b';').any(weak_csp_directive),
        "cross-origin-opener-policy" | "cross-origin-embedder-policy" => {
            lower.starts_with(b"unsafe-none")
        }
        "permissions-policy" => has(b"=*") || has(b"=(*)"),
        "x-content-type-options" => lower != b"nosniff",
        "referrer-policy" => has(b"unsafe-url"),
        _ => false,
    }
}

/// Whether one CSP directive (lower-case) weakens the policy (see [`is_weak`]).
fn weak_csp_directive(directive: &[u8]) -> bool {
    let mut words = directive
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty());
    let Some(name) = words.next() else {
        return false;
    };
    let sources: Vec<&[u8]> = words.collect();
    let any = |f: &dyn Fn(&[u8]) -> bool| sources.iter().any(|s| f(s));
    match name {
        b"default-src" | b"script-src" | b"script-src-elem" | b"script-src-attr" => {
            let neutralised = any(&|s| {
                s.starts_with(b"'nonce-")
                    || s.starts_with(b"'sha256-")
                    || s.starts_with(b"'sha384-")
                    || s.starts_with(b"'sha512-")
                    || s == b"'strict-dynamic'"
            });
            any(&|s| s == b"'unsafe-eval'") || (!neutralised && any(&|s| s == b"'unsafe-inline'"))
        }
        b"frame-ancestors" => any(&|s| s == b"*"),
        _ => false,
    }
}
