//! What `tls-guard` decides about one request or response, and why.

use crate::path::PathError;

/// The outcome of [`super::TlsGuardPlan::decide_request`] or
/// [`super::TlsGuardPlan::decide_response`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Let the request (or response) through.
    Allow(AllowReason),
    /// Answer with a local response of `status` (at response time: replace the upstream's).
    Deny {
        /// HTTP status of the local response.
        status: u16,
        /// Why.
        reason: DenyReason,
    },
    /// A plaintext request: answer 308 Permanent Redirect to `location`.
    Redirect {
        /// `https://host[:port]` + the request's path and query, unchanged.
        location: String,
    },
}

/// A property that a check needed and the host did not report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    /// `connection.tls_version` (and `connection.mtls`, which tells plaintext apart).
    TlsVersion,
    /// `connection.mtls` on a TLS connection, when no client certificate is reported either.
    Mtls,
    /// `filter_state.<cipher_filter_state_key>`: no `set_filter_state` before the filter.
    Cipher,
    /// The client certificate's SANs, subject and digest on a mutual-TLS connection.
    PeerCertificate,
    /// `upstream.address` on a response that `response.code_details` does not mark as a local
    /// one (`via_upstream`, or no details either, so that an upstream's answer cannot be told
    /// from a local response).
    UpstreamAddress,
    /// The upstream certificate's subject and digest on a TLS upstream connection.
    UpstreamCertificate,
    /// `xds.cluster_name`, needed by `upstream.require_tls`.
    ClusterName,
}

impl Property {
    /// Every property, for the "logged once per VM" flags.
    pub const ALL: [Self; 7] = [
        Self::TlsVersion,
        Self::Mtls,
        Self::Cipher,
        Self::PeerCertificate,
        Self::UpstreamAddress,
        Self::UpstreamCertificate,
        Self::ClusterName,
    ];

    /// The attribute names, for the log.
    pub fn attribute(self) -> &'static str {
        match self {
            Self::TlsVersion => "connection.tls_version",
            Self::Mtls => "connection.mtls",
            Self::Cipher => "filter_state.<cipher_filter_state_key>",
            Self::PeerCertificate => "connection.*_peer_certificate",
            Self::UpstreamAddress => "upstream.address",
            Self::UpstreamCertificate => "upstream.*_peer_certificate",
            Self::ClusterName => "xds.cluster_name",
        }
    }

    /// Position in [`Property::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Why a request or response was let through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowReason {
    /// TLS, and every check the request's rules ask for passed.
    TlsVerified,
    /// Plaintext, and the rules allow plaintext.
    PlaintextAllowed,
    /// A check could not run for want of a property, and `missing_properties` is `allow`.
    MissingProperty(Property),
    /// The upstream connection passed every upstream check.
    UpstreamVerified,
    /// The response did not come from an upstream (a local response): nothing to check.
    NoUpstream,
}

impl AllowReason {
    /// snake_case name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TlsVerified => "tls_verified",
            Self::PlaintextAllowed => "plaintext_allowed",
            Self::MissingProperty(_) => "missing_property",
            Self::UpstreamVerified => "upstream_verified",
            Self::NoUpstream => "no_upstream",
        }
    }

    /// Every reason's name, for defining one metric per reason up front.
    pub const ALL: [&'static str; 5] = [
        "tls_verified",
        "plaintext_allowed",
        "missing_property",
        "upstream_verified",
        "no_upstream",
    ];
}

/// Why a request or response was refused. Each is a metric tag and a log `reason=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// `:authority` (or `Host`) is not `host[:port]` (400).
    MalformedAuthority,
    /// No virtual host names the request's host (421).
    UnknownHost,
    /// The request target cannot be normalised unambiguously (400, 414).
    MalformedPath(PathError),
    /// Plaintext where the rules say `deny` (403).
    Plaintext,
    /// The connection's TLS version is older than the rules' minimum, or unknown (403).
    TlsVersionTooLow,
    /// No SNI, for a DNS name, where the rules require one (421).
    SniMissing,
    /// The SNI names another host than `:authority` or `Host` (421): domain fronting, or an
    /// HTTP/2 connection reused for another host.
    SniMismatch,
    /// The SNI is an IP literal, which RFC 6066 §3 does not permit (421).
    SniIpLiteral,
    /// The SNI is not a host name (421).
    SniMalformed,
    /// The SNI ends in a dot, which RFC 6066 §3 does not permit ("without a trailing dot")
    /// (421). A `:authority` or `Host` ending in a dot names the same host as without it.
    SniTrailingDot,
    /// The negotiated cipher suite is not in the allowlist (403).
    CipherNotAllowed,
    /// A path that needs mutual TLS, and no client certificate (403).
    ClientCertificateMissing,
    /// A client certificate that no entry of the path's allowlist matches (403).
    ClientCertificateNotAllowed,
    /// A check could not run for want of a property, and `missing_properties` is `deny` (403 at
    /// request time, 502 at response time).
    MissingProperty(Property),
    /// The upstream presented a refused certificate: a default one (502).
    UpstreamCertificateRefused,
    /// The upstream connection of a cluster that requires TLS was plaintext (502).
    UpstreamNotTls,
    /// The upstream connection's TLS version is older than the minimum, or unknown (502).
    UpstreamTlsVersionTooLow,
}

impl DenyReason {
    /// snake_case name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedAuthority => "malformed_authority",
            Self::UnknownHost => "unknown_host",
            Self::MalformedPath(_) => "malformed_path",
            Self::Plaintext => "plaintext",
            Self::TlsVersionTooLow => "tls_version_too_low",
            Self::SniMissing => "sni_missing",
            Self::SniMismatch => "sni_mismatch",
            Self::SniIpLiteral => "sni_ip_literal",
            Self::SniMalformed => "sni_malformed",
            Self::SniTrailingDot => "sni_trailing_dot",
            Self::CipherNotAllowed => "cipher_not_allowed",
            Self::ClientCertificateMissing => "client_certificate_missing",
            Self::ClientCertificateNotAllowed => "client_certificate_not_allowed",
            Self::MissingProperty(_) => "missing_property",
            Self::UpstreamCertificateRefused => "upstream_certificate_refused",
            Self::UpstreamNotTls => "upstream_not_tls",
            Self::UpstreamTlsVersionTooLow => "upstream_tls_version_too_low",
        }
    }

    /// Every reason's name, for defining one metric per reason up front.
    pub const ALL: [&'static str; 17] = [
        "malformed_authority",
        "unknown_host",
        "malformed_path",
        "plaintext",
        "tls_version_too_low",
        "sni_missing",
        "sni_mismatch",
        "sni_ip_literal",
        "sni_malformed",
        "sni_trailing_dot",
        "cipher_not_allowed",
        "client_certificate_missing",
        "client_certificate_not_allowed",
        "missing_property",
        "upstream_certificate_refused",
        "upstream_not_tls",
        "upstream_tls_version_too_low",
    ];
}

impl crate::reason::Reason for AllowReason {
    const NAMES: &'static [&'static str] = &Self::ALL;

    fn index(self) -> usize {
        match self {
            Self::TlsVerified => 0,
            Self::PlaintextAllowed => 1,
            Self::MissingProperty(_) => 2,
            Self::UpstreamVerified => 3,
            Self::NoUpstream => 4,
        }
    }
}

impl crate::reason::Reason for DenyReason {
    const NAMES: &'static [&'static str] = &Self::ALL;

    fn index(self) -> usize {
        match self {
            Self::MalformedAuthority => 0,
            Self::UnknownHost => 1,
            Self::MalformedPath(_) => 2,
            Self::Plaintext => 3,
            Self::TlsVersionTooLow => 4,
            Self::SniMissing => 5,
            Self::SniMismatch => 6,
            Self::SniIpLiteral => 7,
            Self::SniMalformed => 8,
            Self::SniTrailingDot => 9,
            Self::CipherNotAllowed => 10,
            Self::ClientCertificateMissing => 11,
            Self::ClientCertificateNotAllowed => 12,
            Self::MissingProperty(_) => 13,
            Self::UpstreamCertificateRefused => 14,
            Self::UpstreamNotTls => 15,
            Self::UpstreamTlsVersionTooLow => 16,
        }
    }
}

impl Decision {
    /// This decision in the one shape every policy shares, under `mode` (shadow mode turns a
    /// denial or the plaintext redirect into [`Verdict::ShadowDeny`]). The redirect's reason is
    /// [`DenyReason::Plaintext`].
    pub fn verdict(
        self,
        mode: crate::mode::Mode,
    ) -> crate::verdict::Verdict<AllowReason, DenyReason> {
        use crate::verdict::Verdict;
        match self {
            Self::Allow(reason) => Verdict::Allow(reason),
            Self::Deny { status, reason } => Verdict::Deny { status, reason }.in_mode(mode),
            Self::Redirect { location } => Verdict::Redirect {
                location,
                reason: DenyReason::Plaintext,
            }
            .in_mode(mode),
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
        let p = Property::Cipher;
        assert_positions(
            &[
                AllowReason::TlsVerified,
                AllowReason::PlaintextAllowed,
                AllowReason::MissingProperty(p),
                AllowReason::UpstreamVerified,
                AllowReason::NoUpstream,
            ],
            AllowReason::as_str,
        );
        assert_positions(
            &[
                DenyReason::MalformedAuthority,
                DenyReason::UnknownHost,
                DenyReason::MalformedPath(PathError::TooLong),
                DenyReason::Plaintext,
                DenyReason::TlsVersionTooLow,
                DenyReason::SniMissing,
                DenyReason::SniMismatch,
                DenyReason::SniIpLiteral,
                DenyReason::SniMalformed,
                DenyReason::SniTrailingDot,
                DenyReason::CipherNotAllowed,
                DenyReason::ClientCertificateMissing,
                DenyReason::ClientCertificateNotAllowed,
                DenyReason::MissingProperty(p),
                DenyReason::UpstreamCertificateRefused,
                DenyReason::UpstreamNotTls,
                DenyReason::UpstreamTlsVersionTooLow,
            ],
            DenyReason::as_str,
        );
    }
}
