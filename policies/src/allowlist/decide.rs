//! The decision for one request.

use super::credentials::carries_default_credential;
use super::decision::{AllowReason, Decision, DenyReason};
use super::plan::{AllowlistPlan, HostPlan};
use crate::attributes::{self, Attributes};
use crate::authority::parse_authority;
use crate::path::normalize_target;
use crate::peer::{PeerCertificate, Side};
use crate::request::RequestHead;

impl AllowlistPlan {
    /// Decides about one request from its head and the connection's attributes (read only when a
    /// rule needs them: `source.address`, and the peer certificate for `internal_clients`).
    ///
    /// In order: default credentials (401, on every path); the request target (400 or 414 when
    /// it cannot be normalised; an absolute-form target's authority replaces `:authority`); the
    /// virtual host (unknown: deny); `deny` rules, lifted for internal sources and internal
    /// clients; then `allow` rules and their methods; anything else is denied.
    pub fn decide(&self, request: &RequestHead<'_>, attrs: &dyn Attributes) -> Decision {
        let deny = |reason| Decision::Deny {
            status: self.deny_status,
            reason,
        };
        if carries_default_credential(request.get_all("authorization"), &self.default_credentials) {
            return Decision::Deny {
                status: 401,
                reason: DenyReason::DefaultCredentials,
            };
        }
        let target = match normalize_target(request.target(), self.max_target_bytes) {
            Ok(t) => t,
            Err(e) => {
                return Decision::Deny {
                    status: e.status(),
                    reason: DenyReason::MalformedPath(e),
                };
            }
        };
        let authority = target
            .authority
            .as_deref()
            .map_or(request.authority(), str::as_bytes);
        let Ok((host, _port)) = parse_authority(authority) else {
            return deny(DenyReason::UnknownHost);
        };
        let Some(rules) = self.hosts.select(&host) else {
            return deny(DenyReason::UnknownHost);
        };
        if rules.deny.is_match(&target.path) {
            return match internal_reason(rules, attrs) {
                Some(reason) => Decision::Allow(reason),
                None => deny(DenyReason::DenyRule),
            };
        }
        if !rules.any_method_limits {
            return if rules.allow.is_match(&target.path) {
                Decision::Allow(AllowReason::Allowlisted)
            } else {
                deny(DenyReason::NotAllowlisted)
            };
        }
        let hits = rules.allow.matching(&target.path);
        if hits.is_empty() {
            return deny(DenyReason::NotAllowlisted);
        }
        let method = request.method();
        let admitted = hits.iter().any(|&i| match rules.allow_methods.get(i) {
            Some(Some(methods)) => methods.iter().any(|m| m.as_bytes() == method),
            _ => true,
        });
        if admitted {
            Decision::Allow(AllowReason::Allowlisted)
        } else {
            deny(DenyReason::MethodNotAllowed)
        }
    }
}

fn internal_reason(rules: &HostPlan, attrs: &dyn Attributes) -> Option<AllowReason> {
    if !rules.internal_sources.is_empty()
        && let Some(ip) = attributes::source_ip(attrs)
        && rules.internal_sources.iter().any(|net| net.contains(&ip))
    {
        return Some(AllowReason::InternalSource);
    }
    let clients = rules.internal_clients.as_ref().filter(|c| !c.is_empty())?;
    // A certificate counts only on a connection the host reports as mutual TLS.
    if attributes::boolean(attrs, &["connection", "mtls"]) != Some(true) {
        return None;
    }
    clients
        .matches(&PeerCertificate::read(attrs, Side::Downstream))
        .then_some(AllowReason::InternalClient)
}
