//! Request time: what the response side will need (captured once, so that the response callback
//! reads no request header and no property), and the input validation verdict.
//!
//! ## How HSTS decides that a connection is TLS
//! RFC 6797 §7.2: a host must not send `Strict-Transport-Security` over plaintext. The filter
//! counts a request as TLS when the host reports a non-empty `connection.tls_version` (Envoy:
//! the downstream connection's negotiated version; no client can set it). It never trusts
//! `request.scheme` or `:scheme`, which an HTTP/2 client sends itself, nor
//! `x-forwarded-proto`, unless the configuration sets `trust_forwarded_proto` (for a gateway
//! behind a TLS-terminating load balancer): then exactly one `x-forwarded-proto` value equal to
//! `https` counts too. Envoy overwrites that header with the connection's own scheme unless
//! `xff_num_trusted_hops` is at least 1, so with Envoy the option follows Envoy's own trust
//! setting.

use super::plan::HeaderPlan;
use super::validate::InputMatch;
use crate::attributes::{self, Attributes};
use crate::authority::parse_authority;
use crate::path::{DEFAULT_MAX_TARGET_BYTES, normalize_target};
use crate::request::RequestHead;

/// What the response side needs to know about the request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// Index of the virtual host that answers, or `None` for an unknown or malformed host.
    pub host: Option<usize>,
    /// The normalised path, or `None` when the target could not be normalised.
    pub path: Option<String>,
    /// Whether the request carried `Authorization`.
    pub authorization: bool,
    /// Whether the client's connection was TLS (see the module docs).
    pub tls: bool,
    /// The request's host (`:authority`, or the absolute-form target's): lower-case, without
    /// port or trailing dot, an IPv6 address without brackets; `None` when unreadable. The
    /// session cookies' `Domain` check compares with it.
    pub request_host: Option<String>,
}

/// What the filter does with the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestVerdict {
    /// Let it through.
    Continue,
    /// Answer with a local response of `status`: an input matched a pattern.
    Reject {
        /// 400 or 403, from the configuration.
        status: u16,
        /// What matched.
        matched: InputMatch,
    },
    /// An input matched, but the check runs in shadow mode: log, count, let through.
    ShadowReject {
        /// What matched.
        matched: InputMatch,
    },
}

impl HeaderPlan {
    /// Captures the request facts and runs the input validation. Reads the property
    /// `connection.tls_version` once; nothing else from the host.
    pub fn on_request(
        &self,
        request: &RequestHead<'_>,
        attrs: &dyn Attributes,
    ) -> (RequestFacts, RequestVerdict) {
        let target = normalize_target(request.target(), DEFAULT_MAX_TARGET_BYTES).ok();
        let authority = target
            .as_ref()
            .and_then(|t| t.authority.as_deref())
            .map_or(request.authority(), str::as_bytes);
        let request_host = parse_authority(authority).ok().map(|(h, _)| h);
        let host = request_host.as_ref().and_then(|h| self.hosts.select(h));
        let facts = RequestFacts {
            host: host.map(|h| h.index),
            path: target.map(|t| t.path),
            authorization: request.get("authorization").is_some(),
            tls: self.is_tls(request, attrs),
            request_host: request_host.map(|h| h.as_str().to_owned()),
        };
        let input = host
            .and_then(|h| h.input.as_ref())
            .filter(|i| i.applies_to(facts.path.as_deref()));
        let Some(input) = input else {
            return (facts, RequestVerdict::Continue);
        };
        let raw = request.target();
        let query = raw
            .iter()
            .position(|&b| b == b'?')
            .and_then(|q| raw.get(q + 1..));
        let verdict = match input.check(query, request.headers()) {
            None => RequestVerdict::Continue,
            Some(matched) if input.mode == super::config::Mode::Shadow => {
                RequestVerdict::ShadowReject { matched }
            }
            Some(matched) => RequestVerdict::Reject {
                status: input.status,
                matched,
            },
        };
        (facts, verdict)
    }

    fn is_tls(&self, request: &RequestHead<'_>, attrs: &dyn Attributes) -> bool {
        if attributes::string(attrs, &["connection", "tls_version"]).is_some_and(|v| !v.is_empty())
        {
            return true;
        }
        if !self.trust_forwarded_proto {
            return false;
        }
        let mut values = request.get_all("x-forwarded-proto");
        match (values.next(), values.next()) {
            (Some(v), None) => v.trim_ascii().eq_ignore_ascii_case(b"https"),
            _ => false,
        }
    }
}
