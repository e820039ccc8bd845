//! Log lines that cannot be forged: every line carries the request id, and every value a client
//! controls is escaped so that CR, LF and other control characters never start a new line or
//! fake a field (seed guideline "Prevent log forging"; OWASP Logging Cheat Sheet).
//!
//! Format: `<filter> request_id=<id> decision=<allow|deny|shadow_deny> reason=<reason> path=<escaped>`
//! followed by any extra `key=value` pairs.

use std::fmt::Write;

/// Longest value written to a log line, in bytes; longer values are cut and end in `...`.
pub const MAX_LOGGED_VALUE_BYTES: usize = 256;

/// Escapes a client-controlled value for a log line: bytes outside printable ASCII, space,
/// `"`, `\` and `=` become `\xNN`; the result is at most [`MAX_LOGGED_VALUE_BYTES`] bytes of
/// input (then `...`). An empty value is written as `-`.
pub fn escape(value: &[u8]) -> String {
    if value.is_empty() {
        return "-".to_owned();
    }
    let mut out = String::with_capacity(value.len().min(MAX_LOGGED_VALUE_BYTES) + 8);
    for &b in value.iter().take(MAX_LOGGED_VALUE_BYTES) {
        if b.is_ascii_graphic() && !matches!(b, b'"' | b'\\' | b'=') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    if value.len() > MAX_LOGGED_VALUE_BYTES {
        out.push_str("...");
    }
    out
}

/// Longest request id taken from a client, in bytes.
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// The request id to log, from an `x-request-id` value: kept when it is 1 to
/// [`MAX_REQUEST_ID_BYTES`] bytes of `[A-Za-z0-9._:-]` (Envoy sets a UUID), `None` otherwise so
/// that the caller generates one.
pub fn sane_request_id(value: Option<&[u8]>) -> Option<String> {
    let v = value?;
    let ok = !v.is_empty()
        && v.len() <= MAX_REQUEST_ID_BYTES
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    ok.then(|| String::from_utf8_lossy(v).into_owned())
}

/// What a filter decided about one request, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoggedDecision {
    /// Let through.
    Allow,
    /// Denied with a local response.
    Deny,
    /// Would have been denied; let through because the filter runs in shadow mode.
    ShadowDeny,
}

impl LoggedDecision {
    /// `allow`, `deny` or `shadow_deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::Deny => "deny",
            Self::ShadowDeny => "shadow_deny",
        }
    }
}

/// Builds one log line: `filter` is the filter's name (`context-allowlist`), `request_id` the
/// request's id (escaped here), `reason` a snake_case reason from the policy, `path` the raw
/// request target (escaped here), and `extra` more `key=value` pairs whose values are escaped.
pub fn line(
    filter: &str,
    request_id: &str,
    decision: LoggedDecision,
    reason: &str,
    path: &[u8],
    extra: &[(&str, &[u8])],
) -> String {
    let mut out = format!(
        "{filter} request_id={} decision={} reason={reason} path={}",
        escape(request_id.as_bytes()),
        decision.as_str(),
        escape(path)
    );
    for (key, value) in extra {
        let _ = write!(out, " {key}={}", escape(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_line_breaks_and_field_forgery() {
        assert_eq!(
            escape(b"/a\r\nFAKE decision=allow"),
            "/a\\x0d\\x0aFAKE\\x20decision\\x3dallow"
        );
        assert_eq!(escape(b"\x1b[31m\"x\\"), "\\x1b[31m\\x22x\\x5c");
        assert_eq!(escape("é".as_bytes()), "\\xc3\\xa9");
        assert_eq!(escape(b""), "-");
    }

    #[test]
    fn escape_cuts_long_values() {
        let long = vec![b'a'; 1000];
        let out = escape(&long);
        assert_eq!(out.len(), MAX_LOGGED_VALUE_BYTES + 3);
        assert!(out.ends_with("..."));
    }

    #[test]
    fn request_id_is_kept_only_when_sane() {
        let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(
            sane_request_id(Some(uuid.as_bytes())).as_deref(),
            Some(uuid)
        );
        assert_eq!(sane_request_id(Some(b"abc\r\nx")), None);
        assert_eq!(sane_request_id(Some(b"")), None);
        assert_eq!(sane_request_id(Some(&[b'a'; 129])), None);
        assert_eq!(sane_request_id(None), None);
    }

    #[test]
    fn line_has_the_documented_shape() {
        let l = line(
            "context-allowlist",
            "abc\n1",
            LoggedDecision::ShadowDeny,
            "deny_rule",
            b"/carbon",
            &[("host", b"evil\r\n")],
        );
        assert_eq!(
            l,
            "context-allowlist request_id=abc\\x0a1 decision=shadow_deny reason=deny_rule path=/carbon host=evil\\x0d\\x0a"
        );
        assert!(!l.contains('\n'));
    }
}
