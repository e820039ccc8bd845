//! The test override: a request header `x-mock-reply` that says exactly what to answer.
//!
//! Its value is base64url (padding optional) of JSON:
//! `{"status": 200, "headers": [["name", "value"], ...], "headers_b64": [["name", "<base64>"]],
//! "body": "..."}`. Only `status` is required. `headers_b64` values are standard base64 (padding
//! optional) of arbitrary bytes, for values that are not UTF-8. Headers keep their order and
//! duplicates, `headers` first, then `headers_b64` (HTTP/1.1 output groups the values of one name
//! together, at the place of its first appearance).

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, HeaderName, HeaderValue, TRANSFER_ENCODING};
use serde::Deserialize;

use crate::reply::Reply;

/// The request header that carries the override.
pub(crate) const X_MOCK_REPLY: &str = "x-mock-reply";

const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    headers_b64: Vec<(String, String)>,
    #[serde(default)]
    body: String,
}

/// Decodes an `x-mock-reply` value into the reply it asks for, or a one-line reason why not.
pub(crate) fn decode(value: &[u8]) -> Result<Reply, String> {
    let json = URL_SAFE
        .decode(value)
        .map_err(|e| format!("x-mock-reply is not base64url: {e}"))?;
    let spec: Spec = serde_json::from_slice(&json)
        .map_err(|e| format!("x-mock-reply is not the expected JSON: {e}"))?;
    let status = StatusCode::from_u16(spec.status)
        .ok()
        .filter(|s| !s.is_informational())
        .ok_or_else(|| format!("x-mock-reply status {} is not 200..=999", spec.status))?;
    let mut headers = Vec::with_capacity(spec.headers.len() + spec.headers_b64.len());
    for (name, value) in &spec.headers {
        headers.push(header(name, value.as_bytes().to_vec())?);
    }
    for (name, value) in &spec.headers_b64 {
        let bytes = STANDARD
            .decode(value)
            .map_err(|e| format!("x-mock-reply headers_b64 {name:?} is not base64: {e}"))?;
        headers.push(header(name, bytes)?);
    }
    Ok(Reply {
        status,
        headers,
        body: Bytes::from(spec.body),
    })
}

fn header(name: &str, value: Vec<u8>) -> Result<(HeaderName, HeaderValue), String> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("x-mock-reply header name {name:?} is not a valid name"))?;
    if name == CONTENT_LENGTH || name == TRANSFER_ENCODING {
        return Err(format!(
            "x-mock-reply header {name} is not allowed: the mock frames the body itself"
        ));
    }
    let value = HeaderValue::from_bytes(&value).map_err(|_| {
        format!("x-mock-reply header {name} has a byte no header value may hold (CR, LF, NUL..)")
    })?;
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};

    use super::*;

    fn enc(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn full_spec_keeps_order_and_duplicates() {
        let raw = [0xffu8, b'a', 0x80];
        let json = format!(
            r#"{{"status":418,"headers":[["Set-Cookie","a=1"],["x-b","2"],["set-cookie","c=3"]],
               "headers_b64":[["x-raw","{}"]],"body":"short and stout"}}"#,
            B64.encode(raw)
        );
        let r = decode(enc(&json).as_bytes()).unwrap();
        assert_eq!(r.status, StatusCode::IM_A_TEAPOT);
        let got: Vec<(&str, &[u8])> = r
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        assert_eq!(
            got,
            [
                ("set-cookie", &b"a=1"[..]),
                ("x-b", b"2"),
                ("set-cookie", b"c=3"),
                ("x-raw", &raw),
            ]
        );
        assert_eq!(&r.body[..], b"short and stout");
    }

    #[test]
    fn minimal_spec_and_padding_either_way() {
        let padded = base64::engine::general_purpose::URL_SAFE.encode(r#"{"status":204}"#);
        assert!(padded.ends_with('='));
        for value in [padded, enc(r#"{"status":204}"#)] {
            let r = decode(value.as_bytes()).unwrap();
            assert_eq!(r.status, StatusCode::NO_CONTENT);
            assert!(r.headers.is_empty() && r.body.is_empty());
        }
    }

    #[test]
    fn malformed_values_give_one_line_reasons() {
        let cases = [
            ("!!!".to_owned(), "not base64url"),
            (enc("not json"), "not the expected JSON"),
            (enc(r#"{"headers":[]}"#), "missing field `status`"),
            (enc(r#"{"status":200,"bogus":1}"#), "unknown field `bogus`"),
            (enc(r#"{"status":99}"#), "status 99"),
            (enc(r#"{"status":101}"#), "status 101"),
            (enc(r#"{"status":70000}"#), "not the expected JSON"),
            (
                enc(r#"{"status":200,"headers":[["a b","x"]]}"#),
                "not a valid name",
            ),
            (
                enc(r#"{"status":200,"headers":[["x","a\r\nb"]]}"#),
                "no header value",
            ),
            (
                enc(r#"{"status":200,"headers":[["Content-Length","3"]]}"#),
                "frames the body",
            ),
            (
                enc(r#"{"status":200,"headers_b64":[["x","@@"]]}"#),
                "is not base64",
            ),
            (
                enc(r#"{"status":200,"headers":[["x"]]}"#),
                "not the expected JSON",
            ),
        ];
        for (value, want) in cases {
            let err = decode(value.as_bytes()).unwrap_err();
            assert!(err.contains(want), "{value}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }
}
