//! What the allowlist decides about one request, and why.

use crate::path::PathError;

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
    /// snake_case name for logs and metrics: `default_credentials`, `malformed_path`,
    /// `unknown_host`, `deny_rule`, `not_allowlisted`, `method_not_allowed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DefaultCredentials => "default_credentials",
            Self::MalformedPath(_) => "malformed_path",
            Self::UnknownHost => "unknown_host",
            Self::DenyRule => "deny_rule",
            Self::NotAllowlisted => "not_allowlisted",
            Self::MethodNotAllowed => "method_not_allowed",
        }
    }

    /// Every reason's name, for defining one metric per reason up front.
    pub const ALL: [&'static str; 6] = [
        "default_credentials",
        "malformed_path",
        "unknown_host",
        "deny_rule",
        "not_allowlisted",
        "method_not_allowed",
    ];
}
