//! Base64 decoded the way the product decodes `Authorization: Basic`: Apache commons-codec's
//! `Base64.decodeBase64(byte[])` in its default (lenient) policy, as called by
//! `BasicAuthenticationHandler.doAuthenticate` (wso2-extensions/identity-carbon-auth-rest,
//! `components/org.wso2.carbon.identity.auth.service/.../handler/impl/BasicAuthenticationHandler.java`).
//!
//! commons-codec (`org.apache.commons.codec.binary.Base64.decode(byte[], int, int, Context)`):
//! - both alphabets at once: `+` and `-` are 62, `/` and `_` are 63 (RFC 4648 §4 and §5);
//! - every other byte (spaces, `.`, `*`, non-ASCII) is skipped, not an error;
//! - the first `=` ends the input: padding is optional and anything after it is ignored;
//! - a final group of 2 or 3 characters gives 1 or 2 bytes, its unused low bits dropped; a lone
//!   final character (6 bits) is dropped.
//!
//! Another decoder in the product's stack may not stop at `=` (Axiom's `Base64Utils` skips
//! padding inside the input); [`decode_variants`] gives both readings so that a credential
//! hidden behind an early `=` is seen either way.

/// The value of a base64 character in either alphabet, or `None` for a byte the decoder skips.
fn sextet(b: u8) -> Option<u32> {
    let v = match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' | b'-' => 62,
        b'/' | b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes `input` as commons-codec does (`stop_at_pad`: the first `=` ends it) or as a decoder
/// that skips `=` like any other byte outside the alphabet (`stop_at_pad == false`). Never fails:
/// the output is whatever whole bytes the input's sextets make.
pub fn decode_lenient(input: &[u8], stop_at_pad: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let mut work: u32 = 0;
    let mut count = 0u8;
    for &b in input {
        if b == b'=' {
            if stop_at_pad {
                break;
            }
            continue;
        }
        let Some(v) = sextet(b) else { continue };
        work = (work << 6) | v;
        count += 1;
        if count == 4 {
            out.extend_from_slice(&[(work >> 16) as u8, (work >> 8) as u8, work as u8]);
            work = 0;
            count = 0;
        }
    }
    match count {
        2 => out.push((work >> 4) as u8),
        3 => out.extend_from_slice(&[(work >> 10) as u8, (work >> 2) as u8]),
        _ => {}
    }
    out
}

/// Both readings of a Basic token: commons-codec's (stops at the first `=`) and, when the token
/// has an `=` before its end, the reading that skips it.
pub fn decode_variants(token: &[u8]) -> impl Iterator<Item = Vec<u8>> {
    let first = decode_lenient(token, true);
    let pad_inside = token.iter().position(|&b| b == b'=').is_some_and(|i| {
        token
            .get(i..)
            .is_some_and(|rest| rest.iter().any(|&b| b != b'='))
    });
    let second = pad_inside.then(|| decode_lenient(token, false));
    std::iter::once(first).chain(second)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, input, decoded as commons-codec decodes it)`.
    const COMMONS_CODEC: &[(&str, &str, &str)] = &[
        ("padded", "YWRtaW46YWRtaW4=", "admin:admin"),
        ("unpadded", "YWRtaW46YWRtaW4", "admin:admin"),
        ("spaces skipped", "YWRt aW46 YWRt aW4=", "admin:admin"),
        ("dots and stars skipped", "YW.Rt*aW46YWRtaW4", "admin:admin"),
        ("non-ascii skipped", "YWRt\u{e9}aW46YWRtaW4", "admin:admin"),
        (
            "trailing garbage after pad",
            "YWRtaW46YWRtaW4=!!junk",
            "admin:admin",
        ),
        (
            "unused trailing bits ignored",
            "YWRtaW46YWRtaW5",
            "admin:admin",
        ),
        (
            "lone trailing sextet dropped",
            "YWRtaW5AY2FyYm9uLnN1cGVyOmFkbWluA",
            "admin@carbon.super:admin",
        ),
        (
            "url-safe alphabet",
            "YWRtaW46YT8-YWRtaW4=",
            "admin:a?>admin",
        ),
        (
            "standard alphabet",
            "YWRtaW46YT8+YWRtaW4=",
            "admin:a?>admin",
        ),
        ("empty", "", ""),
    ];

    #[test]
    fn decodes_as_commons_codec() {
        for (name, input, want) in COMMONS_CODEC {
            let got = decode_lenient(input.as_bytes(), true);
            assert_eq!(String::from_utf8_lossy(&got), *want, "row `{name}`");
        }
    }

    #[test]
    fn an_early_pad_is_read_both_ways() {
        // "YWRt" = "adm", "aW46YWRtaW4" = "in:admin": commons-codec stops at the `=`.
        let readings: Vec<String> = decode_variants(b"YWRt=aW46YWRtaW4")
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .collect();
        assert_eq!(readings, vec!["adm".to_owned(), "admin:admin".to_owned()]);
        assert_eq!(decode_variants(b"YWRtaW46YWRtaW4=").count(), 1);
    }
}
