//! Local responses (`proxy_send_local_response`): a short body, the request id in a header, and
//! `cache-control: no-store` so that no cache keeps a denial.

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

/// Sends a local response of `status` with `x-request-id: <request_id>` and `extra` headers.
/// A host that refuses the call is logged; the caller still stops the request.
pub fn send(status: u16, request_id: &str, extra: &[(&str, &str)]) {
    let mut headers = vec![
        ("content-type", "text/plain"),
        ("cache-control", "no-store"),
        ("x-request-id", request_id),
    ];
    headers.extend_from_slice(extra);
    if let Err(status_code) = hostcalls::send_http_response(
        u32::from(status),
        headers,
        Some(body_for(status).as_bytes()),
    ) {
        crate::log::error(&format!(
            "cannot send local response {status}: {status_code:?}"
        ));
    }
}
