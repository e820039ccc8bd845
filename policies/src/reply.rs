//! Local responses (`proxy_send_local_response`): what a filter answers itself, in one place for
//! the filters (`filter_shim::reply` sends it) and the native exchange ([`crate::exchange`]):
//! a short body, the request id in a header, the hardened header set of
//! [`crate::headers::owasp::LOCAL_REPLY`] (plus HSTS on a TLS connection), and response code
//! details naming the filter and the reason (`gateway_hardening.<filter>.<reason>`): Envoy logs
//! them as `%RESPONSE_CODE_DETAILS%` and gives them to later filters as
//! `response.code_details`, where tls-guard tells a local response from an upstream's answer.

use crate::headers::owasp::{LOCAL_REPLY, LOCAL_REPLY_HSTS};

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
/// `strict-transport-security` when `tls` (the downstream connection is TLS: the property
/// `connection.tls_version` is not empty), then `extra`, each replacing a header of the same
/// name (any case) or added.
pub fn headers(request_id: &str, tls: bool, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn hsts_only_on_tls_and_extra_replaces() {
        let plain = headers("r1", false, &[("Location", "https://h/")]);
        assert!(!plain.iter().any(|(n, _)| n == "strict-transport-security"));
        assert!(
            plain
                .iter()
                .any(|(n, v)| n == "Location" && v == b"https://h/")
        );
        let tls = headers("r1", true, &[("content-type", "x")]);
        assert!(tls.iter().any(|(n, _)| n == "strict-transport-security"));
        assert_eq!(tls.iter().filter(|(n, _)| n == "content-type").count(), 1);
    }
}
