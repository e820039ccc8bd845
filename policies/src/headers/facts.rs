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
use super::validate::{BodyCheck, InputCause, InputMatch, InputPlan};
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
    /// What the body callbacks do with the request's body: hold a form body for
    /// [`HeaderPlan::on_request_body`], or nothing (see [`BodyCheck`]). The filter sets it back
    /// to [`BodyCheck::None`] once the body is judged.
    pub body_check: BodyCheck,
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
    /// Let the headers go on and hold the body (Envoy: `StopIterationAndBuffer` in the body
    /// callback; a pause at the headers would be `StopAllIteration`, and no body would ever
    /// come, proxy-wasm-cpp-host #95) until it is whole or longer than `max_bytes`, then ask
    /// [`HeaderPlan::on_request_body`]. [`RequestFacts::body_check`] says the same for later
    /// callbacks.
    InspectBody {
        /// The bound, in bytes (`max_body_bytes`); 0 when the body is refused at its first
        /// bytes ([`BodyCheck::Unreadable`]).
        max_bytes: usize,
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
        let mut facts = RequestFacts {
            host: host.map(|h| h.index),
            path: target.map(|t| t.path),
            authorization: request.get("authorization").is_some(),
            tls: self.is_tls(request, attrs),
            request_host: request_host.map(|h| h.as_str().to_owned()),
            body_check: BodyCheck::None,
        };
        // The default host's rules when no virtual host answers (its input validation too).
        let input = self
            .host_for(&facts)
            .input
            .as_ref()
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
        if matches!(verdict, RequestVerdict::Reject { .. }) {
            return (facts, verdict);
        }
        facts.body_check = input.body_check(request);
        let verdict = match (verdict, facts.body_check) {
            (RequestVerdict::Continue, BodyCheck::Inspect { max_bytes }) => {
                RequestVerdict::InspectBody { max_bytes }
            }
            (RequestVerdict::Continue, BodyCheck::Unreadable) => {
                RequestVerdict::InspectBody { max_bytes: 0 }
            }
            (verdict, _) => verdict,
        };
        (facts, verdict)
    }

    /// Judges a request body after [`HeaderPlan::on_request`] asked for it
    /// ([`RequestVerdict::InspectBody`], `facts.body_check`). `body` is what the host holds so
    /// far: the whole body when `end_of_stream`, else its first bytes (the filter hands over at
    /// most `max_bytes + 1`). Gives [`RequestVerdict::InspectBody`] while the body is
    /// incomplete and within its bound (keep holding); a refusal of 413 when it is longer than
    /// the bound ([`InputCause::BodyTooLarge`]); a refusal with the configured status for an
    /// unreadable body ([`InputCause::UnreadableBody`]) or for a parameter whose name or value
    /// matches a pattern (field `form.<name>`); [`RequestVerdict::ShadowReject`] instead of a
    /// refusal in shadow mode; otherwise [`RequestVerdict::Continue`]. Reads nothing from the
    /// host.
    pub fn on_request_body(
        &self,
        facts: &RequestFacts,
        body: &[u8],
        end_of_stream: bool,
    ) -> RequestVerdict {
        let Some(input) = self.host_for(facts).input.as_ref() else {
            return RequestVerdict::Continue;
        };
        let (status, matched) = match facts.body_check {
            BodyCheck::None => return RequestVerdict::Continue,
            BodyCheck::Unreadable => (input.status, InputMatch::body(InputCause::UnreadableBody)),
            BodyCheck::Inspect { max_bytes } if body.len() > max_bytes => {
                (413, InputMatch::body(InputCause::BodyTooLarge))
            }
            BodyCheck::Inspect { max_bytes } if !end_of_stream => {
                return RequestVerdict::InspectBody { max_bytes };
            }
            BodyCheck::Inspect { .. } => match input.check_form(body) {
                None => return RequestVerdict::Continue,
                Some(matched) => (input.status, matched),
            },
        };
        refusal(input, status, matched)
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

/// A refusal of `status`, or its shadow when `input` runs in shadow mode.
fn refusal(input: &InputPlan, status: u16, matched: InputMatch) -> RequestVerdict {
    if input.mode == super::config::Mode::Shadow {
        RequestVerdict::ShadowReject { matched }
    } else {
        RequestVerdict::Reject { status, matched }
    }
}
