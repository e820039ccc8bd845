//! What the allowlist decides about one request, and why.

use crate::path::PathError;
use crate::verdict::Verdict;

/// The outcome of [`super::AllowlistPlan::decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Let the request through.
    Allow(AllowReason),
    /// Answer with a local response of `status`.
    Deny {
        /// HTTP status of the local response.
        status: u16,
        /// Why.
        reason: DenyReason,
    },
    /// Allowed so far, but the body is a login form that may carry default credentials:
    /// buffer it (at most `max_bytes`) and ask [`super::AllowlistPlan::decide_body`].
    InspectBody {
        /// The bound of the buffered body, in bytes; a longer body is refused (413).
        max_bytes: usize,
    },
}

/// Why a request was let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowReason {
    /// An `allow` rule matched and no `deny` rule did.
    Allowlisted,
    /// A `deny` rule matched, but the source address is in `internal_sources`.
    InternalSource,
    /// A `deny` rule matched, but the client certificate is in `internal_clients`.
    InternalClient,
}

/// Why a request was denied. Each is a metric tag and a log `reason=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// `Authorization: Basic` carried a configured default credential pair (401).
    DefaultCredentials,
    /// The request target could not be normalised unambiguously (400, 414).
    MalformedPath(PathError),
    /// No virtual host names the request's host, or the host is malformed.
    UnknownHost,
    /// A `deny` rule matched and neither an internal source nor an internal client asked.
    DenyRule,
    /// No `allow` rule matched (default deny).
    NotAllowlisted,
    /// An `allow` rule matched the path but not the method.
    MethodNotAllowed,
    /// No `Host`, several that differ, an invalid one, or an absolute-form authority that
    /// disagrees with it (400, RFC 9112 §3.2).
    InvalidHost,
    /// A method that is not upper case (400): the back end dispatches methods
    /// case-insensitively, so method rules would be walked past.
    InvalidMethod,
    /// `X-HTTP-Method-Override`, `X-HTTP-Method`, `X-Method-Override` or a `_method` query
    /// parameter, with `method_override: refuse` (400).
    MethodOverride,
    /// A routing layer of the product would land the request on a path the model cannot
    /// compute unambiguously (400); the [`PathError`] says why.
    AmbiguousRoute(PathError),
    /// A query string or login form body with a `%` that starts no valid escape (400).
    MalformedParameters,
    /// A login form body longer than `credential_bodies.max_bytes` (413).
    BodyTooLarge,
}

impl AllowReason {
    /// snake_case name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowlisted => "allowlisted",
            Self::InternalSource => "internal_source",
            Self::InternalClient => "internal_client",
        }
    }
}

impl AllowReason {
    /// Every reason's name, for defining one metric per reason up front.
    pub const ALL: [&'static str; 3] = ["allowlisted", "internal_source", "internal_client"];
}

impl DenyReason {
    /// snake_case name for logs and metrics: one of [`DenyReason::ALL`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DefaultCredentials => "default_credentials",
            Self::MalformedPath(_) => "malformed_path",
            Self::UnknownHost => "unknown_host",
            Self::DenyRule => "deny_rule",
            Self::NotAllowlisted => "not_allowlisted",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::InvalidHost => "invalid_host",
            Self::InvalidMethod => "invalid_method",
            Self::MethodOverride => "method_override",
            Self::AmbiguousRoute(_) => "ambiguous_route",
            Self::MalformedParameters => "malformed_parameters",
            Self::BodyTooLarge => "body_too_large",
        }
    }

    /// Every reason's name, for defining one metric per reason up front.
    pub const ALL: [&'static str; 12] = [
        "default_credentials",
        "malformed_path",
        "unknown_host",
        "deny_rule",
        "not_allowlisted",
        "method_not_allowed",
        "invalid_host",
        "invalid_method",
        "method_override",
        "ambiguous_route",
        "malformed_parameters",
        "body_too_large",
    ];

    /// The detail for a log line: the [`PathError`] of a malformed path or an ambiguous route.
    pub fn detail(self) -> Option<&'static str> {
        match self {
            Self::MalformedPath(e) | Self::AmbiguousRoute(e) => Some(e.as_str()),
            _ => None,
        }
    }
}

impl crate::reason::Reason for AllowReason {
    const NAMES: &'static [&'static str] = &Self::ALL;

    fn index(self) -> usize {
        match self {
            Self::Allowlisted => 0,
            Self::InternalSource => 1,
            Self::InternalClient => 2,
        }
    }
}

impl crate::reason::Reason for DenyReason {
    const NAMES: &'static [&'static str] = &Self::ALL;

    fn index(self) -> usize {
        match self {
            Self::DefaultCredentials => 0,
            Self::MalformedPath(_) => 1,
            Self::UnknownHost => 2,
            Self::DenyRule => 3,
            Self::NotAllowlisted => 4,
            Self::MethodNotAllowed => 5,
            Self::InvalidHost => 6,
            Self::InvalidMethod => 7,
            Self::MethodOverride => 8,
            Self::AmbiguousRoute(_) => 9,
            Self::MalformedParameters => 10,
            Self::BodyTooLarge => 11,
        }
    }
}

impl Decision {
    /// This decision in the one shape every policy shares, under `mode` (shadow mode turns a
    /// denial into [`Verdict::ShadowDeny`]); `None` for [`Decision::InspectBody`], which is not
    /// a verdict yet (the body decides).
    pub fn verdict(self, mode: crate::mode::Mode) -> Option<Verdict<AllowReason, DenyReason>> {
        match self {
            Self::Allow(reason) => Some(Verdict::Allow(reason)),
            Self::Deny { status, reason } => Some(Verdict::Deny { status, reason }.in_mode(mode)),
            Self::InspectBody { .. } => None,
        }
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;
    use crate::path::PathError;
    use crate::reason::assert_positions;

    #[test]
    fn every_reason_has_its_own_position() {
        assert_positions(
            &[
                AllowReason::Allowlisted,
                AllowReason::InternalSource,
                AllowReason::InternalClient,
            ],
            AllowReason::as_str,
        );
        let e = PathError::TooLong;
        assert_positions(
            &[
                DenyReason::DefaultCredentials,
                DenyReason::MalformedPath(e),
                DenyReason::UnknownHost,
                DenyReason::DenyRule,
                DenyReason::NotAllowlisted,
                DenyReason::MethodNotAllowed,
                DenyReason::InvalidHost,
                DenyReason::InvalidMethod,
                DenyReason::MethodOverride,
                DenyReason::AmbiguousRoute(e),
                DenyReason::MalformedParameters,
                DenyReason::BodyTooLarge,
            ],
            DenyReason::as_str,
        );
    }
}
