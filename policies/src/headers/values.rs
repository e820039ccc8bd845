//! Checks of configured header names and values (RFC 9110 §5.1, §5.5).

use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// Headers a rule may not name: framing and connection headers, pseudo-headers, and those with
/// their own settings.
pub(super) const RESERVED: &[(&str, &str)] = &[
    ("set-cookie", "use `cookies`"),
    ("strict-transport-security", "use `hsts`"),
    ("content-length", "framing is the proxy's"),
    ("transfer-encoding", "framing is the proxy's"),
    ("connection", "hop-by-hop"),
    ("keep-alive", "hop-by-hop"),
    ("proxy-connection", "hop-by-hop"),
    ("upgrade", "hop-by-hop"),
    ("te", "hop-by-hop"),
    ("trailer", "hop-by-hop"),
];

pub(super) fn bad_value(path: FieldPath, name: &str, reason: &str) -> ConfigError {
    ConfigError::at(
        path,
        ConfigErrorKind::InvalidHeaderValue {
            name: name.to_owned(),
            reason: reason.to_owned(),
        },
    )
}

/// A configured value (RFC 9110 §5.5): visible ASCII, spaces and tabs inside, not empty, no
/// leading or trailing whitespace. CR, LF and NUL would split or end the header.
pub(super) fn check_value(v: &str) -> Result<(), &'static str> {
    if v.is_empty() {
        return Err("empty (use `remove: true` to drop a header)");
    }
    if v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err("CR, LF and NUL are not allowed (header injection)");
    }
    if v.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err("control characters are not allowed");
    }
    if !v.is_ascii() {
        return Err("only ASCII is allowed");
    }
    if v.starts_with([' ', '\t']) || v.ends_with([' ', '\t']) {
        return Err("leading or trailing whitespace");
    }
    Ok(())
}

/// `Clear-Site-Data`: comma-separated quoted directives (W3C Clear Site Data §3.1).
pub(super) fn check_clear_site_data(v: &str) -> Result<(), &'static str> {
    check_value(v)?;
    const KNOWN: &[&str] = &[
        "\"cache\"",
        "\"cookies\"",
        "\"storage\"",
        "\"executionContexts\"",
        "\"clientHints\"",
        "\"prefetchCache\"",
        "\"prerenderCache\"",
        "\"*\"",
    ];
    if v.split(',').map(str::trim).all(|d| KNOWN.contains(&d)) {
        Ok(())
    } else {
        Err("expected quoted directives such as \"cache\", \"cookies\", \"storage\"")
    }
}

/// RFC 9110 §5.6.2 `tchar`.
pub(super) fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
