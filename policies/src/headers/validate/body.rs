//! Login form bodies (`form_bodies`): the product's request parameters merge the query string
//! and an `application/x-www-form-urlencoded` body (`request.getParameter`; its `XSSValve`
//! checks them all), so a payload posted in the body is checked like one in the query. The
//! filter lets the headers go on and holds the body (up to `max_body_bytes`) until it is whole;
//! a pause at the headers would be StopAllIteration in Envoy, and no body would ever reach the
//! filter (proxy-wasm-cpp-host #95).

use crate::request::RequestHead;

/// Smallest `max_body_bytes`.
pub const MIN_BODY_BYTES: usize = 64;
/// Largest `max_body_bytes` (1 MiB, Envoy's default per-connection buffer limit).
pub const MAX_BODY_BYTES: usize = 1_048_576;
/// Default `max_body_bytes`: the allowlist's bound for login forms.
pub const DEFAULT_MAX_BODY_BYTES: usize = 8192;

/// `max_body_bytes`' default (serde).
pub(in crate::headers) fn default_max_body_bytes() -> usize {
    DEFAULT_MAX_BODY_BYTES
}

/// What the request's body needs, decided with its headers and kept in
/// [`RequestFacts::body_check`](crate::headers::RequestFacts::body_check) for the body
/// callbacks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BodyCheck {
    /// Nothing: the body goes on unread.
    #[default]
    None,
    /// A form body to hold until it is whole and then judge with
    /// [`HeaderPlan::on_request_body`](crate::headers::HeaderPlan::on_request_body); a body
    /// longer than `max_bytes` is refused (413) without waiting for the rest.
    Inspect {
        /// `max_body_bytes`, in bytes.
        max_bytes: usize,
    },
    /// A form body the filter cannot read as the product does (a charset other than UTF-8,
    /// US-ASCII or ISO-8859-1, or a `Content-Encoding`): refused when its first bytes come.
    Unreadable,
}

/// What `request`'s headers say about its body, for a check with `form_bodies` on.
pub(super) fn body_check(request: &RequestHead<'_>, max_bytes: usize) -> BodyCheck {
    let form = request.get_all("content-type").any(|v| {
        let media = v.split(|&b| b == b';').next().unwrap_or_default();
        media
            .trim_ascii()
            .eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
    });
    if !form {
        return BodyCheck::None;
    }
    if !charset_readable(request) || encoded(request) {
        return BodyCheck::Unreadable;
    }
    BodyCheck::Inspect { max_bytes }
}

/// False when a `Content-Type` names a charset in which ASCII is not itself (anything but
/// UTF-8, US-ASCII and ISO-8859-1): Tomcat decodes parameters in the declared charset, so
/// `charset=UTF-16` or `UTF-7` would hide `<script` from a byte-level reading. The same rule as
/// the allowlist's credential bodies.
fn charset_readable(request: &RequestHead<'_>) -> bool {
    request.get_all("content-type").all(|v| {
        let text = String::from_utf8_lossy(v).to_ascii_lowercase();
        text.split(';').skip(1).all(|param| {
            let Some((name, value)) = param.split_once('=') else {
                return true;
            };
            name.trim() != "charset"
                || matches!(
                    value.trim().trim_matches('"'),
                    "utf-8" | "utf8" | "us-ascii" | "ascii" | "iso-8859-1" | "latin1"
                )
        })
    })
}

/// True when the body carries a content coding other than `identity` (RFC 9110 §8.4): its
/// bytes are not the form's.
fn encoded(request: &RequestHead<'_>) -> bool {
    request.get_all("content-encoding").any(|v| {
        v.split(|&b| b == b',')
            .map(<[u8]>::trim_ascii)
            .any(|c| !c.is_empty() && !c.eq_ignore_ascii_case(b"identity"))
    })
}
