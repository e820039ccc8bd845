//! Local responses (`proxy_send_local_response`): a short body, the request id in a header, the
//! hardened header set of `policies::headers::owasp::LOCAL_REPLY` (plus HSTS on a TLS
//! connection), so that an answer the gateway makes itself is hardened by the filter that makes
//! it, whatever the filter order (issue 13), and response code details naming the filter and the
//! reason (`gateway_hardening.<filter>.<reason>`): Envoy logs them as
//! `%RESPONSE_CODE_DETAILS%` and gives them to later filters as `response.code_details`, where
//! tls-guard tells a local response (nothing to check upstream) from an upstream's answer
//! (`via_upstream`). The SDK's `send_http_response` sends no details (and panics on an
//! unexpected status), so the call is made here through the ABI.

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

/// Sends a local response of `status` with [`headers`]`(request_id, extra)` and `details`
/// (response code details, see [`details`]). A host that refuses the call is logged; the
/// caller still stops the request.
pub fn send(status: u16, details: &str, request_id: &str, extra: &[(&str, &str)]) {
    send_headers(status, details, &headers(request_id, extra));
}

/// Response code details for a local response of `filter` (`context-allowlist`) for `reason`
/// (`deny_rule`): `gateway_hardening.context_allowlist.deny_rule`. Envoy requires details
/// without whitespace; anything but ASCII letters, digits, `.` and `_` becomes `_`.
pub fn details(filter: &str, reason: &str) -> String {
    format!("gateway_hardening.{filter}.{reason}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Sends a local response of `status` with exactly `headers` (a filter that hardened them
/// itself, as `header-hardening` does with its configured set), `details` and
/// [`body_for`]`(status)`.
pub fn send_headers(status: u16, details: &str, headers: &[(String, Vec<u8>)]) {
    let map = crate::headers::serialize_map(headers);
    let code = abi::send_local_response(
        u32::from(status),
        details.as_bytes(),
        body_for(status).as_bytes(),
        &map,
    );
    if code != 0 {
        crate::log::error(&format!(
            "cannot send local response {status}: host status {code}"
        ));
    }
}

/// The one ABI call the SDK does not offer with response code details.
#[allow(unsafe_code)]
mod abi {
    unsafe extern "C" {
        /// Proxy-Wasm ABI 0.2.1 `proxy_send_local_response`; returns the host's status (0: Ok).
        fn proxy_send_local_response(
            status_code: u32,
            status_code_details_data: *const u8,
            status_code_details_size: usize,
            body_data: *const u8,
            body_size: usize,
            headers_data: *const u8,
            headers_size: usize,
            grpc_status: i32,
        ) -> u32;
    }

    /// Sends the local response; `headers` is a serialised Proxy-Wasm map. Returns the host's
    /// status as a number (0: Ok), never trapping on one the ABI does not list.
    pub(super) fn send_local_response(
        status: u32,
        details: &[u8],
        body: &[u8],
        headers: &[u8],
    ) -> u32 {
        // SAFETY: each pointer is valid for reads of its length for the whole call (borrowed
        // slices), the host copies what it needs before returning, and -1 is the ABI's
        // "no gRPC status".
        unsafe {
            proxy_send_local_response(
                status,
                details.as_ptr(),
                details.len(),
                body.as_ptr(),
                body.len(),
                headers.as_ptr(),
                headers.len(),
                -1,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::details;

    #[test]
    fn details_name_filter_and_reason_without_whitespace() {
        // (row, filter, reason, details)
        let rows = [
            (
                "plain",
                "context_allowlist",
                "deny_rule",
                "gateway_hardening.context_allowlist.deny_rule",
            ),
            (
                "dash and space",
                "tls-guard",
                "sni mismatch",
                "gateway_hardening.tls_guard.sni_mismatch",
            ),
        ];
        for (row, filter, reason, want) in rows {
            assert_eq!(details(filter, reason), want, "{row}");
        }
    }
}
