//! The decision for one request.

use super::body;
use super::credentials;
use super::decision::{AllowReason, Decision, DenyReason};
use super::explain::Explanation;
use super::host::request_host;
use super::methods::{self, OverridePolicy};
use super::plan::{AllowlistPlan, HostPlan, OverrideStrip};
use super::tails::tail_is_clean;
use crate::attributes::{self, Attributes};
use crate::mutant::Mutant;
use crate::path::normalize_target_with;
use crate::peer::{PeerCertificate, Side};
use crate::request::RequestHead;
use crate::routing::{Landing, Layer};

impl AllowlistPlan {
    /// Decides about one request from its head and the connection's attributes (read only when a
    /// rule needs them: `source.address`, and the peer certificate for `internal_clients`).
    ///
    /// In order: default credentials in `Authorization` (401, every path); a method that is not
    /// upper case (400); the request target (400 or 414 when it cannot be normalised); the host
    /// (400 when missing, repeated or invalid, RFC 9112 §3.2); method overrides (400 with
    /// `method_override: refuse`); default credentials in the query (401); the virtual host
    /// (unknown: deny); then every landing of the product's routing model
    /// ([`crate::routing::RoutingModel::landings`]; 400 when one cannot be computed): a `deny`
    /// rule on any landing denies (lifted for internal sources and clients), and every landing
    /// must match an `allow` rule, with its method, whose `**` tail is clean. A login form body
    /// to inspect gives [`Decision::InspectBody`] (413 when its `Content-Length` is over the
    /// bound).
    pub fn decide(&self, request: &RequestHead<'_>, attrs: &dyn Attributes) -> Decision {
        self.judge(request, attrs, None)
    }

    /// [`AllowlistPlan::decide`], and why: every landing and the one that decided.
    pub fn explain(
        &self,
        request: &RequestHead<'_>,
        attrs: &dyn Attributes,
    ) -> (Decision, Explanation) {
        let mut explanation = Explanation::default();
        let decision = self.judge(request, attrs, Some(&mut explanation));
        (decision, explanation)
    }

    /// Decides about a login form body after [`Decision::InspectBody`]: `target` is the raw
    /// request target (`:path`, whose query the product merges with the body's parameters),
    /// `body` what was buffered (the whole body, or the first bytes past the bound). 413 when it
    /// is longer than the bound, 400 when its escapes are malformed, 401 when the query and the
    /// body together carry a default credential pair (`username`/`password`), otherwise allowed.
    pub fn decide_body(&self, target: &[u8], body: &[u8]) -> Decision {
        if body.len() > self.credential_bodies.max_bytes {
            return Decision::Deny {
                status: 413,
                reason: DenyReason::BodyTooLarge,
            };
        }
        let query = target
            .iter()
            .position(|&b| b == b'?')
            .and_then(|q| target.get(q + 1..))
            .unwrap_or_default();
        match credentials::in_parameters(&[query, body], &self.default_credentials) {
            Err(_) => Decision::Deny {
                status: 400,
                reason: DenyReason::MalformedParameters,
            },
            Ok(true) => Decision::Deny {
                status: 401,
                reason: DenyReason::DefaultCredentials,
            },
            Ok(false) => Decision::Allow(AllowReason::Allowlisted),
        }
    }

    /// With `method_override: strip`, what to remove from an allowed request (`None` when
    /// nothing, or when the policy is `refuse`).
    pub fn override_strip(&self, request: &RequestHead<'_>) -> Option<OverrideStrip> {
        if self.method_override != OverridePolicy::Strip
            || self.mutation.disables(Mutant::MethodOverride)
        {
            return None;
        }
        let target = String::from_utf8_lossy(request.target());
        let path = target.split_once('?').and_then(|(path, query)| {
            methods::strip_override(query).map(|q| {
                if q.is_empty() {
                    path.to_owned()
                } else {
                    format!("{path}?{q}")
                }
            })
        });
        let strip = OverrideStrip {
            headers: methods::override_headers(request),
            path,
        };
        (strip != OverrideStrip::default()).then_some(strip)
    }

    fn judge(
        &self,
        request: &RequestHead<'_>,
        attrs: &dyn Attributes,
        mut trace: Option<&mut Explanation>,
    ) -> Decision {
        let deny = |reason| Decision::Deny {
            status: self.deny_status,
            reason,
        };
        let refuse = |reason| Decision::Deny {
            status: 400,
            reason,
        };
        let default_credentials = Decision::Deny {
            status: 401,
            reason: DenyReason::DefaultCredentials,
        };
        if credentials::in_authorization(
            request.get_all("authorization"),
            &self.default_credentials,
        ) {
            return default_credentials;
        }
        let method = request.method();
        let m = self.mutation;
        if methods::is_not_upper_case(method) && !m.disables(Mutant::MethodCase) {
            return refuse(DenyReason::InvalidMethod);
        }
        let target = match normalize_target_with(request.target(), self.max_target_bytes, m) {
            Ok(t) => t,
            Err(e) => {
                return Decision::Deny {
                    status: e.status(),
                    reason: DenyReason::MalformedPath(e),
                };
            }
        };
        let absolute = target
            .authority
            .as_deref()
            .filter(|_| !m.disables(Mutant::AbsoluteForm));
        let Some(host) = request_host(request, absolute) else {
            return refuse(DenyReason::InvalidHost);
        };
        if self.method_override == OverridePolicy::Refuse
            && !m.disables(Mutant::MethodOverride)
            && (!methods::override_headers(request).is_empty()
                || target
                    .query
                    .as_deref()
                    .is_some_and(methods::query_has_override))
        {
            return refuse(DenyReason::MethodOverride);
        }
        if let Some(query) = &target.query {
            match credentials::in_parameters(&[query.as_bytes()], &self.default_credentials) {
                Err(_) => return refuse(DenyReason::MalformedParameters),
                Ok(true) => return default_credentials,
                Ok(false) => {}
            }
        }
        if let Some(t) = trace.as_deref_mut() {
            t.host = Some(host.as_str().to_owned());
        }
        let Some(rules) = self.hosts.select(&host) else {
            return deny(DenyReason::UnknownHost);
        };
        if let Some(t) = trace.as_deref_mut() {
            t.virtual_host = Some(rules.field.clone());
        }
        let mut landings = match rules.routing.landings(&target) {
            Ok(l) => l,
            Err(e) => return refuse(DenyReason::AmbiguousRoute(e)),
        };
        landings.retain(|l| match l.layer {
            Layer::Tomcat => true,
            Layer::TenantValve => !m.disables(Mutant::TenantValve),
            Layer::Raw => !m.disables(Mutant::RawLayer),
        });
        if let Some(t) = trace.as_deref_mut() {
            t.landings = landings.clone();
        }
        for landing in &landings {
            let Some(&i) = rules.deny.matching(&landing.path).first() else {
                continue;
            };
            if let Some(reason) = internal_reason(rules, attrs) {
                return Decision::Allow(reason);
            }
            if let Some(t) = trace.as_deref_mut() {
                decided(
                    t,
                    landing,
                    format!("{}.deny[{i}]", rules.field),
                    &rules.deny_patterns,
                    i,
                );
            }
            return deny(DenyReason::DenyRule);
        }
        for landing in &landings {
            let tails = !m.disables(Mutant::TailRule);
            let by = allowed(rules, &landing.path, method, tails);
            if let Err((reason, rule)) = by {
                if let Some(t) = trace.as_deref_mut() {
                    t.decided_by = Some(landing.layer);
                    t.landed = Some(landing.path.clone());
                    t.rule = rule.map(|i| {
                        format!(
                            "{}.allow[{i}] {}",
                            rules.field,
                            rules.allow_patterns.get(i).map_or("", String::as_str)
                        )
                    });
                }
                return deny(reason);
            }
            if let Some(t) = trace.as_deref_mut()
                && let Ok(i) = by
            {
                t.allowed_by.push(format!(
                    "{}.allow[{i}] {}",
                    rules.field,
                    rules.allow_patterns.get(i).map_or("", String::as_str)
                ));
            }
        }
        if !self.default_credentials.is_empty()
            && body::is_form(request)
            && landings
                .iter()
                .any(|l| self.credential_bodies.paths.is_match(&l.path))
        {
            if !body::form_charset_readable(request) {
                return refuse(DenyReason::MalformedParameters);
            }
            if body::content_length(request).is_some_and(|n| n > self.credential_bodies.max_bytes) {
                return Decision::Deny {
                    status: 413,
                    reason: DenyReason::BodyTooLarge,
                };
            }
            return Decision::InspectBody {
                max_bytes: self.credential_bodies.max_bytes,
            };
        }
        Decision::Allow(AllowReason::Allowlisted)
    }
}

fn decided(t: &mut Explanation, landing: &Landing, field: String, patterns: &[String], i: usize) {
    t.decided_by = Some(landing.layer);
    t.landed = Some(landing.path.clone());
    t.rule = Some(format!(
        "{field} {}",
        patterns.get(i).map_or("", String::as_str)
    ));
}

/// Whether `path` is allowed for `method`: some allow rule matches it, with a clean `**` tail,
/// and admits the method; `Ok` is the first such rule's index. The error is the reason and, for
/// a method refusal, the rule.
/// `tails: false` (the `tail_rule` mutant) lets a `**` tail reach anywhere.
fn allowed(
    rules: &HostPlan,
    path: &str,
    method: &[u8],
    tails: bool,
) -> Result<usize, (DenyReason, Option<usize>)> {
    let shaped: Vec<usize> = rules
        .allow
        .matching(path)
        .into_iter()
        .filter(|&i| {
            rules
                .allow_tails
                .get(i)
                .is_some_and(|&tail| !tails || tail_is_clean(path, tail, &rules.roots))
        })
        .collect();
    let Some(&first) = shaped.first() else {
        return Err((DenyReason::NotAllowlisted, None));
    };
    let admitted = shaped.iter().find(|&&i| match rules.allow_methods.get(i) {
        Some(Some(methods)) => methods.iter().any(|m| m.as_bytes() == method),
        _ => true,
    });
    admitted
        .copied()
        .ok_or((DenyReason::MethodNotAllowed, Some(first)))
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
