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
/// - `content-security-policy`: the `'unsafe-inline'` or `'unsafe-eval'` source expression
///   (CSP3 §2.3.1; any case), or `frame-ancestors *`;
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
        "content-security-policy" => {
            has(b"'unsafe-inline'")
                || has(b"'unsafe-eval'")
                || lower.split(|&b| b == b';').any(|d| {
                    let mut words = d.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty());
                    words.next() == Some(b"frame-ancestors") && words.any(|w| w == b"*")
                })
        }
        "cross-origin-opener-policy" | "cross-origin-embedder-policy" => {
            lower.starts_with(b"unsafe-none")
        }
        "permissions-policy" => has(b"=*") || has(b"=(*)"),
        "x-content-type-options" => lower != b"nosniff",
        "referrer-policy" => has(b"unsafe-url"),
        _ => false,
    }
}
