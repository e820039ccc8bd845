//! Local responses (`proxy_send_local_response`): a short body, the request id in a header, and
//! the hardened header set of `policies::headers::owasp::LOCAL_REPLY` (plus HSTS on a TLS
//! connection), so that an answer the gateway makes itself is hardened by the filter that makes
//! it, whatever the filter order (issue 13).

use policies::headers::owasp::{LOCAL_REPLY, LOCAL_REPLY_HSTS};
use proxy_wasm::hostcalls;

/// A short, stable body for `status` (no product or policy detail, so that nothing is
/// fingerprinted).
pub fn body_for(status: u16) -> &'static str {
    match status {
        308 => "Permanent Redirect\n",
        400 => "Bad Request\n",
        401 => "Unauthorized\n",
        403 => "Forbidden\n",
        404 => "Not Found\n",
        405 => "Method Not Allowed\n",
        413 => "Content Too Large\n",
        414 => "URI Too Long\n",
        421 => "Misdirected Request\n",
        500 => "Internal Server Error\n",
        502 => "Bad Gateway\n",
        _ => "Request refused\n",
    }
}

/// The headers of a local response: [`LOCAL_REPLY`], `x-request-id: <request_id>`,
/// `strict-transport-security` when the downstream connection is TLS (the property
/// `connection.tls_version` is not empty; one property read, on the denial path only), then
/// `extra`, each replacing a header of the same name (any case) or added.
pub fn headers(request_id: &str, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let tls = hostcalls::get_property(vec!["connection", "tls_version"])
        .ok()
        .flatten()
        .is_some_and(|v| !v.is_empty());
    let mut out: Vec<(String, Vec<u8>)> = LOCAL_REPLY
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
        .collect();
    out.push(("x-request-id".to_owned(), request_id.as_bytes().to_vec()));
    if tls {
        out.push((
            "strict-transport-security".to_owned(),
            LOCAL_REPLY_HSTS.as_bytes().to_vec(),
        ));
    }
    for (name, value) in extra {
        match out.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(slot) => slot.1 = value.as_bytes().to_vec(),
            None => out.push(((*name).to_owned(), value.as_bytes().to_vec())),
        }
    }
    out
}

/// Sends a local response of `status` with [`headers`]`(request_id, extra)`. A host that
/// refuses the call is logged; the caller still stops the request.
pub fn send(status: u16, request_id: &str, extra: &[(&str, &str)]) {
    send_headers(status, &headers(request_id, extra));
}

/// Sends a local response of `status` with exactly `headers` (a filter that hardened them
/// itself, as `header-hardening` does with its configured set) and [`body_for`]`(status)`.
/// The SDK's call takes text values: a value that is not UTF-8 (none of the hardened set is) is
/// left out.
pub fn send_headers(status: u16, headers: &[(String, Vec<u8>)]) {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), std::str::from_utf8(v).ok()?)))
        .collect();
    if let Err(status_code) =
        hostcalls::send_http_response(u32::from(status), pairs, Some(body_for(status).as_bytes()))
    {
        crate::log::error(&format!(
            "cannot send local response {status}: {status_code:?}"
        ));
    }
}
