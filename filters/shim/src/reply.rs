//! Local responses (`proxy_send_local_response`): a short body, the request id in a header, the
//! hardened header set of `policies::headers::owasp::LOCAL_REPLY` (plus HSTS on a TLS
//! connection), so that an answer the gateway makes itself is hardened by the filter that makes
//! it, whatever the filter order (issue 13), and response code details naming the filter and the
//! reason (`gateway_hardening.<filter>.<reason>`): Envoy logs them as
//! `%RESPONSE_CODE_DETAILS%` and gives them to later filters as `response.code_details`, where
//! tls-guard tells a local response (nothing to check upstream) from an upstream's answer
//! (`via_upstream`). The SDK's `send_http_response` sends no details (and panics on an
//! unexpected status), so the call is made here through the ABI.

use proxy_wasm::hostcalls;

pub use policies::reply::{body_for, details};

/// The headers of a local response ([`policies::reply::headers`]): the connection counts as TLS
/// when the property `connection.tls_version` is not empty (one property read, on the denial
/// path only).
pub fn headers(request_id: &str, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let tls = hostcalls::get_property(vec!["connection", "tls_version"])
        .ok()
        .flatten()
        .is_some_and(|v| !v.is_empty());
    policies::reply::headers(request_id, tls, extra)
}

/// Sends a local response of `status` with [`headers`]`(request_id, extra)` and `details`
/// (response code details, see [`details`]). A host that refuses the call is logged; the
/// caller still stops the request.
pub fn send(status: u16, details: &str, request_id: &str, extra: &[(&str, &str)]) {
    send_headers(status, details, &headers(request_id, extra));
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
