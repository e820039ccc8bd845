//! Request parameters as the product's servlet container reads them
//! (`application/x-www-form-urlencoded`: the query string, and the body of a form POST): pairs
//! split at `&`, name and value at the first `=`, `+` a space, `%XX` a byte, decoded as UTF-8.
//! Parsing is the WHATWG form decoder (`form_urlencoded`); before it, every `%` must start a
//! valid escape, because Tomcat's `Parameters.processParameters` skips a pair it cannot decode
//! while other parsers keep it raw: a gateway must not guess which one the back end runs.

use std::borrow::Cow;

/// A form body or query string with a `%` that does not start two hex digits (400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedForm;

impl std::fmt::Display for MalformedForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("malformed_form")
    }
}

impl std::error::Error for MalformedForm {}

/// Decoded `(name, value)` pairs, in order.
pub type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// The `(name, value)` pairs of `bytes`, decoded.
///
/// # Errors
/// [`MalformedForm`] for a `%` not followed by two hex digits.
pub fn parse(bytes: &[u8]) -> Result<Pairs<'_>, MalformedForm> {
    let mut i = 0;
    while let Some(p) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == b'%'))
    {
        let at = i + p;
        let ok = bytes
            .get(at + 1..at + 3)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if !ok {
            return Err(MalformedForm);
        }
        i = at + 3;
    }
    Ok(form_urlencoded::parse(bytes).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_decoded_and_bad_escapes_refused() {
        let got = parse(b"username=ad%6Din&password=a+b&x").unwrap();
        let got: Vec<(&str, &str)> = got.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
        assert_eq!(
            got,
            vec![("username", "admin"), ("password", "a b"), ("x", "")]
        );
        for bad in [&b"a=%"[..], b"a=%4", b"a=%zz", b"%u0061=1"] {
            assert_eq!(
                parse(bad),
                Err(MalformedForm),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
