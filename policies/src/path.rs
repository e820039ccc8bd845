//! Request-target normalisation: the path that Tomcat (and so every WSO2 product) will route,
//! computed before the gateway decides, so that no encoding of a denied context reaches it.
//!
//! [`normalize_target`] takes the raw request target (`:path`) and does, in Tomcat's order
//! (`CoyoteAdapter.postParseRequest`):
//! 1. accepts origin-form (`/a/b?q`) and absolute-form (`http://host/a/b?q`, RFC 9112 §3.2.2,
//!    whose authority then replaces the `Host` header), refuses the asterisk and authority forms;
//! 2. splits off the query (kept raw) and refuses a fragment;
//! 3. refuses raw bytes that a request target never holds: controls, space, non-ASCII, `\`;
//! 4. strips path parameters per segment (`/a;jsessionid=1/b` → `/a/b`, `/..;/` → `/../`);
//! 5. percent-decodes each segment, refusing what cannot be decoded unambiguously: bad escapes
//!    (`%zz`, `%u002e`), encoded `/`, `\`, `;`, NUL and controls, double encoding (`%252e`), and
//!    invalid or overlong UTF-8 (`%c0%ae`);
//! 6. refuses code points that a back end applying Unicode compatibility normalisation (NFKC),
//!    or a confusables fold, reads as ASCII: `／` (U+FF0F), `∕` (U+2215), `․` (U+2024), `＼`,
//!    `；`, fullwidth letters (see [`crate::confusables`]);
//! 7. removes dot segments (RFC 3986 §5.2.4) and merges empty segments (`//`);
//! 8. re-encodes the result canonically (RFC 3986 §6.2.2: unreserved characters and sub-delims
//!    plain, everything else `%XX` upper-case), so that the output is idempotent.
//!
//! The output never holds a `.` or `..` segment, `//`, `;`, `\` or an encoded `/`.

use std::fmt;

use crate::mutant::{Mutant, Mutation};

/// A request target, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedTarget {
    /// The canonical path, always starting with `/`.
    pub path: String,
    /// The raw query, without the `?`, when the target had one.
    pub query: Option<String>,
    /// The authority of an absolute-form target (`http://host:8080/x` → `host:8080`).
    pub authority: Option<String>,
    /// The path exactly as received (absolute form's scheme and authority removed, no query):
    /// what Tomcat's `HttpServletRequest.getRequestURI()` returns, and so what the product's
    /// valves route on.
    pub raw_path: String,
}

/// Why a request target could not be normalised unambiguously. The filters answer these with a
/// deterministic deny (400, or 414 for [`PathError::TooLong`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathError {
    /// The target is longer than the configured limit (bytes).
    TooLong,
    /// The target is empty, `*`, authority-form, or an absolute form with another scheme.
    NotOriginForm,
    /// An absolute-form target carries userinfo (`http://user@host/`), deprecated by RFC 9110 §4.2.4.
    UserinfoInAuthority,
    /// A `#` fragment, which a client never sends (RFC 9112 §3.2).
    Fragment,
    /// A raw control character or space.
    ControlCharacter,
    /// A raw byte outside ASCII; a client must percent-encode it.
    RawNonAscii,
    /// A raw `\`, which Tomcat refuses (and other servers treat as `/`).
    Backslash,
    /// `%` not followed by two hex digits.
    InvalidPercentEncoding,
    /// `%2F`: Tomcat rejects it by default, other servers decode it into a separator.
    EncodedSlash,
    /// `%5C`.
    EncodedBackslash,
    /// `%3B`: a decoded `;` that a back end may take for a path parameter.
    EncodedSemicolon,
    /// `%00` to `%1F` or `%7F`.
    EncodedControlCharacter,
    /// The decoded path still holds a percent escape (`%252e` → `%2e`): decoded twice, it
    /// would mean something else.
    DoubleEncoding,
    /// The decoded bytes are not UTF-8, or are overlong or surrogate encodings.
    InvalidUtf8,
    /// A code point that reads as a URL delimiter, a dot or an ASCII letter after Unicode
    /// compatibility normalisation (NFKC) or a confusables fold (fullwidth `／`, `∕`, `․`).
    Confusable,
    /// A path the product's own request dispatcher would refuse (a dispatch path above the root,
    /// an encoded dot segment, a tenant or organisation segment that is a dot segment): the
    /// product errors, and the gateway cannot say where the request would go.
    DispatchRefused,
}

impl PathError {
    /// The HTTP status a filter answers with: 414 for [`PathError::TooLong`], 400 otherwise.
    pub fn status(self) -> u16 {
        match self {
            Self::TooLong => 414,
            _ => 400,
        }
    }

    /// A short snake_case name, used in log lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooLong => "too_long",
            Self::NotOriginForm => "not_origin_form",
            Self::UserinfoInAuthority => "userinfo_in_authority",
            Self::Fragment => "fragment",
            Self::ControlCharacter => "control_character",
            Self::RawNonAscii => "raw_non_ascii",
            Self::Backslash => "backslash",
            Self::InvalidPercentEncoding => "invalid_percent_encoding",
            Self::EncodedSlash => "encoded_slash",
            Self::EncodedBackslash => "encoded_backslash",
            Self::EncodedSemicolon => "encoded_semicolon",
            Self::EncodedControlCharacter => "encoded_control_character",
            Self::DoubleEncoding => "double_encoding",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::Confusable => "confusable_character",
            Self::DispatchRefused => "dispatch_refused",
        }
    }
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for PathError {}

/// Tomcat's default `maxHttpHeaderSize` is 8 KiB; a longer target is refused before any work.
pub const DEFAULT_MAX_TARGET_BYTES: usize = 8192;

/// Normalises a raw request target (the `:path` pseudo-header, bytes as received) into the path
/// that a Tomcat back end routes. `max_bytes` bounds the target's length in bytes.
///
/// # Errors
/// A [`PathError`] when the target is malformed or ambiguous; see the module docs.
pub fn normalize_target(target: &[u8], max_bytes: usize) -> Result<NormalizedTarget, PathError> {
    normalize_target_with(target, max_bytes, Mutation::NONE)
}

/// [`normalize_target`] with the rules `mutation` switches off (none in a shipped build).
pub(crate) fn normalize_target_with(
    target: &[u8],
    max_bytes: usize,
    mutation: Mutation,
) -> Result<NormalizedTarget, PathError> {
    if target.len() > max_bytes {
        return Err(PathError::TooLong);
    }
    let (authority, rest) = split_absolute_form(target)?;
    let (raw_path, raw_query) = match rest.iter().position(|&b| b == b'?') {
        Some(q) => (rest.get(..q).unwrap_or_default(), rest.get(q + 1..)),
        None => (rest, None),
    };
    let raw_path: &[u8] = match (authority, raw_path.first()) {
        (_, Some(b'/')) => raw_path,
        (Some(_), None) => b"/",
        _ => return Err(PathError::NotOriginForm),
    };
    if let Some(query) = raw_query {
        check_raw_query(query)?;
    }
    let path = normalize_path_with(raw_path, mutation)?;
    Ok(NormalizedTarget {
        path,
        raw_path: String::from_utf8_lossy(raw_path).into_owned(),
        query: raw_query.map(|q| String::from_utf8_lossy(q).into_owned()),
        authority: authority.map(|a| String::from_utf8_lossy(a).into_owned()),
    })
}

/// Splits `http://authority/rest` into `(Some(authority), "/rest")`; origin-form passes through.
/// The rest of an absolute-form target may be empty or start with `?`: the caller reads both as
/// the path `/` (RFC 9112 §3.2.2).
fn split_absolute_form(target: &[u8]) -> Result<(Option<&[u8]>, &[u8]), PathError> {
    let after_scheme = ["http://", "https://"].iter().find_map(|scheme| {
        let head = target.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme.as_bytes())
            .then(|| target.get(scheme.len()..))?
    });
    let Some(after) = after_scheme else {
        return Ok((None, target));
    };
    let end = after
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    if authority.is_empty() {
        return Err(PathError::NotOriginForm);
    }
    if authority.contains(&b'@') {
        return Err(PathError::UserinfoInAuthority);
    }
    check_raw(authority, Mutation::NONE)?;
    Ok((Some(authority), rest))
}

fn check_raw(bytes: &[u8], mutation: Mutation) -> Result<(), PathError> {
    for &b in bytes {
        match b {
            b'#' => return Err(PathError::Fragment),
            0x00..=0x20 | 0x7f if !mutation.disables(Mutant::ControlBytes) => {
                return Err(PathError::ControlCharacter);
            }
            0x80..=0xff => return Err(PathError::RawNonAscii),
            b'\\' if !mutation.disables(Mutant::Backslash) => return Err(PathError::Backslash),
            _ => {}
        }
    }
    Ok(())
}

fn check_raw_query(bytes: &[u8]) -> Result<(), PathError> {
    for &b in bytes {
        match b {
            b'#' => return Err(PathError::Fragment),
            0x00..=0x20 | 0x7f => return Err(PathError::ControlCharacter),
            0x80..=0xff => return Err(PathError::RawNonAscii),
            _ => {}
        }
    }
    Ok(())
}

/// Steps 4 to 8 on a raw path that starts with `/` (Tomcat's `CoyoteAdapter` order, and the
/// order of `ApplicationContext.getRequestDispatcher`, which normalises a dispatch path the same
/// way): path parameters stripped, percent-decoded, confusables refused, dot segments removed,
/// slashes merged, re-encoded canonically. One output buffer: a `..` segment truncates it back to
/// where the previous segment started. A `..` above the root stays at the root.
///
/// # Errors
/// The [`PathError`] of the first ambiguous byte: controls, raw non-ASCII and `\` (checked
/// here too, so a path the product's valves built is held to the same rules), bad or
/// ambiguous escapes, invalid UTF-8, confusables. A path not starting with `/` is
/// [`PathError::NotOriginForm`].
pub fn normalize_path(raw: &[u8]) -> Result<String, PathError> {
    normalize_path_with(raw, Mutation::NONE)
}

fn normalize_path_with(raw: &[u8], mutation: Mutation) -> Result<String, PathError> {
    if raw.first() != Some(&b'/') {
        return Err(PathError::NotOriginForm);
    }
    check_raw(raw, mutation)?;
    let mut out = String::with_capacity(raw.len() + 1);
    let mut starts: Vec<usize> = Vec::new();
    let mut decoded = Vec::with_capacity(64);
    let mut trailing_slash = false;
    // The first split element is the empty string before the leading `/`.
    for raw_segment in raw.split(|&b| b == b'/').skip(1) {
        let without_params = match raw_segment.iter().position(|&b| b == b';') {
            Some(cut) if !mutation.disables(Mutant::PathParameters) => {
                raw_segment.get(..cut).unwrap_or_default()
            }
            _ => raw_segment,
        };
        percent_decode_segment(without_params, &mut decoded, mutation)?;
        let kept = match decoded.as_slice() {
            b"" => mutation.disables(Mutant::MergeSlashes),
            b"." | b".." => mutation.disables(Mutant::DotSegments),
            _ => true,
        };
        match decoded.as_slice() {
            b"" | b"." if !kept => trailing_slash = true,
            b".." if !kept => {
                if let Some(start) = starts.pop() {
                    out.truncate(start);
                }
                trailing_slash = true;
            }
            segment => {
                match std::str::from_utf8(segment) {
                    Err(_) if !mutation.disables(Mutant::Utf8) => {
                        return Err(PathError::InvalidUtf8);
                    }
                    Ok(text)
                        if !text.is_ascii()
                            && !mutation.disables(Mutant::Confusables)
                            && text.chars().any(crate::confusables::is_confusable) =>
                    {
                        return Err(PathError::Confusable);
                    }
                    _ => {}
                }
                starts.push(out.len());
                out.push('/');
                encode_canonical(segment, &mut out);
                trailing_slash = false;
            }
        }
    }
    if trailing_slash || out.is_empty() {
        out.push('/');
    }
    Ok(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `raw` into `out` (cleared first).
fn percent_decode_segment(
    raw: &[u8],
    out: &mut Vec<u8>,
    mutation: Mutation,
) -> Result<(), PathError> {
    out.clear();
    if mutation.disables(Mutant::PercentDecoding) {
        out.extend_from_slice(raw);
        return Ok(());
    }
    let mut iter = raw.iter().copied();
    while let Some(b) = iter.next() {
        if b != b'%' {
            out.push(b);
            continue;
        }
        let hi = iter
            .next()
            .and_then(hex_value)
            .ok_or(PathError::InvalidPercentEncoding)?;
        let lo = iter
            .next()
            .and_then(hex_value)
            .ok_or(PathError::InvalidPercentEncoding)?;
        let decoded = hi << 4 | lo;
        let separators = !mutation.disables(Mutant::EncodedSeparators);
        match decoded {
            b'/' if separators => return Err(PathError::EncodedSlash),
            b'\\' if !mutation.disables(Mutant::Backslash) => {
                return Err(PathError::EncodedBackslash);
            }
            b';' if separators => return Err(PathError::EncodedSemicolon),
            0x00..=0x1f | 0x7f if !mutation.disables(Mutant::ControlBytes) => {
                return Err(PathError::EncodedControlCharacter);
            }
            _ => out.push(decoded),
        }
    }
    if mutation.disables(Mutant::DoubleEncoding) {
        return Ok(());
    }
    let double = out
        .windows(3)
        .any(|w| matches!(w, [b'%', a, b] if hex_value(*a).is_some() && hex_value(*b).is_some()));
    if double {
        return Err(PathError::DoubleEncoding);
    }
    Ok(())
}

/// RFC 3986 `pchar` minus `;` (which a normalised path never holds) and minus `%`.
fn is_plain(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')'
        )
        || matches!(b, b'*' | b'+' | b',' | b'=' | b':' | b'@')
}

fn encode_canonical(segment: &[u8], out: &mut String) {
    for &b in segment {
        if is_plain(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
    }
}

/// The upper-case hex digit for a nibble (0 to 15).
fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).map_or('0', |c| c.to_ascii_uppercase())
}

pub mod explain;

#[cfg(test)]
mod tests;
