//! The peer certificate of a TLS connection, as Envoy's attributes describe it, and an allowlist
//! of peers by SAN or SHA-256 digest (the internal clients that may reach admin contexts, the
//! cluster's own members).
//!
//! Envoy gives the first DNS SAN and the first URI SAN only
//! (`connection.dns_san_peer_certificate`, `connection.uri_san_peer_certificate`), and the digest
//! as hex (`connection.sha256_peer_certificate_digest`).

use serde::Deserialize;

use crate::attributes::{self, Attributes};
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// Which side of the gateway a certificate was presented on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The client's certificate (`connection.*` attributes).
    Downstream,
    /// The upstream server's certificate (`upstream.*` attributes, at response time only).
    Upstream,
}

impl Side {
    fn prefix(self) -> &'static str {
        match self {
            Self::Downstream => "connection",
            Self::Upstream => "upstream",
        }
    }
}

/// A peer certificate's identity, as far as the host reports it. Every field is `None` when the
/// host does not provide it (plaintext, no client certificate, or another gateway).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerCertificate {
    /// Subject in RFC 2253 form (`CN=admin,O=Example`).
    pub subject: Option<String>,
    /// The first DNS SAN, lower-case.
    pub dns_san: Option<String>,
    /// The first URI SAN (`spiffe://…`).
    pub uri_san: Option<String>,
    /// SHA-256 of the DER certificate: 64 lower-case hex digits.
    pub sha256: Option<String>,
}

impl PeerCertificate {
    /// Reads the peer certificate of `side` from the host's attributes.
    pub fn read(attrs: &dyn Attributes, side: Side) -> Self {
        let p = side.prefix();
        Self {
            subject: attributes::string(attrs, &[p, "subject_peer_certificate"])
                .filter(|s| !s.is_empty()),
            dns_san: attributes::string(attrs, &[p, "dns_san_peer_certificate"])
                .filter(|s| !s.is_empty())
                .map(|s| s.to_ascii_lowercase()),
            uri_san: attributes::string(attrs, &[p, "uri_san_peer_certificate"])
                .filter(|s| !s.is_empty()),
            sha256: attributes::string(attrs, &[p, "sha256_peer_certificate_digest"])
                .and_then(|s| normalize_sha256(&s)),
        }
    }

    /// True when the host reported any identity at all.
    pub fn is_present(&self) -> bool {
        self.subject.is_some()
            || self.dns_san.is_some()
            || self.uri_san.is_some()
            || self.sha256.is_some()
    }
}

/// Normalises a SHA-256 digest written as hex, with or without `:` separators, in any case, to
/// 64 lower-case hex digits. `None` when it is not 32 bytes of hex.
pub fn normalize_sha256(text: &str) -> Option<String> {
    let hex: String = text
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}

/// Plugin configuration of a peer allowlist: a peer matches when any one entry matches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerAllowlistConfig {
    /// DNS SANs, compared case-insensitively with the certificate's first DNS SAN.
    #[serde(default)]
    pub dns_sans: Vec<String>,
    /// URI SANs (for example SPIFFE IDs), compared exactly with the first URI SAN.
    #[serde(default)]
    pub uri_sans: Vec<String>,
    /// SHA-256 digests of the DER certificate, hex with optional colons.
    #[serde(default)]
    pub sha256: Vec<String>,
}

/// A compiled [`PeerAllowlistConfig`].
#[derive(Debug, Clone, Default)]
pub struct PeerAllowlist {
    dns_sans: Vec<String>,
    uri_sans: Vec<String>,
    sha256: Vec<String>,
}

impl PeerAllowlist {
    /// Compiles the allowlist found at `path`.
    ///
    /// # Errors
    /// [`ConfigErrorKind::InvalidDigest`] for a digest that is not SHA-256 hex;
    /// [`ConfigErrorKind::InvalidGlob`] for an empty SAN or one with whitespace.
    pub fn compile(path: &FieldPath, config: &PeerAllowlistConfig) -> Result<Self, ConfigError> {
        let check_san = |field: &str, i: usize, san: &String| {
            if san.is_empty()
                || san
                    .bytes()
                    .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
            {
                Err(ConfigError::at(
                    path.key(field).index(i),
                    ConfigErrorKind::InvalidGlob {
                        glob: san.clone(),
                        reason: "not a SAN".into(),
                    },
                ))
            } else {
                Ok(())
            }
        };
        for (i, san) in config.dns_sans.iter().enumerate() {
            check_san("dns_sans", i, san)?;
        }
        for (i, san) in config.uri_sans.iter().enumerate() {
            check_san("uri_sans", i, san)?;
        }
        let sha256 = config
            .sha256
            .iter()
            .enumerate()
            .map(|(i, d)| {
                normalize_sha256(d).ok_or_else(|| {
                    ConfigError::at(
                        path.key("sha256").index(i),
                        ConfigErrorKind::InvalidDigest(d.clone()),
                    )
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            dns_sans: config
                .dns_sans
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            uri_sans: config.uri_sans.clone(),
            sha256,
        })
    }

    /// True when the allowlist has no entries (it then matches no peer).
    pub fn is_empty(&self) -> bool {
        self.dns_sans.is_empty() && self.uri_sans.is_empty() && self.sha256.is_empty()
    }

    /// True when `peer` matches one entry.
    pub fn matches(&self, peer: &PeerCertificate) -> bool {
        let hit =
            |list: &[String], v: &Option<String>| v.as_ref().is_some_and(|v| list.contains(v));
        hit(&self.dns_sans, &peer.dns_san)
            || hit(&self.uri_sans, &peer.uri_san)
            || hit(&self.sha256, &peer.sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::AttributeTable;

    const DIGEST: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    #[test]
    fn reads_downstream_and_upstream_certificates() {
        let t = AttributeTable::default()
            .with("connection.dns_san_peer_certificate", "Admin.Internal")
            .with(
                "connection.sha256_peer_certificate_digest",
                DIGEST.replace(':', ""),
            )
            .with("upstream.subject_peer_certificate", "CN=localhost,O=WSO2");
        let down = PeerCertificate::read(&t, Side::Downstream);
        assert_eq!(down.dns_san.as_deref(), Some("admin.internal"));
        assert_eq!(down.sha256, normalize_sha256(DIGEST));
        assert!(down.subject.is_none());
        let up = PeerCertificate::read(&t, Side::Upstream);
        assert_eq!(up.subject.as_deref(), Some("CN=localhost,O=WSO2"));
        assert!(!PeerCertificate::read(&AttributeTable::default(), Side::Downstream).is_present());
    }

    #[test]
    fn allowlist_matches_any_entry() {
        let config = PeerAllowlistConfig {
            dns_sans: vec!["ADMIN.internal".into()],
            uri_sans: vec!["spiffe://gw/admin".into()],
            sha256: vec![DIGEST.into()],
        };
        let list = PeerAllowlist::compile(&FieldPath::root(), &config).unwrap();
        let by_dns = PeerCertificate {
            dns_san: Some("admin.internal".into()),
            ..Default::default()
        };
        let by_uri = PeerCertificate {
            uri_san: Some("spiffe://gw/admin".into()),
            ..Default::default()
        };
        let by_digest = PeerCertificate {
            sha256: normalize_sha256(DIGEST),
            ..Default::default()
        };
        let other = PeerCertificate {
            dns_san: Some("user.internal".into()),
            ..Default::default()
        };
        assert!(list.matches(&by_dns) && list.matches(&by_uri) && list.matches(&by_digest));
        assert!(!list.matches(&other) && !list.matches(&PeerCertificate::default()));
    }

    #[test]
    fn compile_fails_on_bad_digest_naming_the_entry() {
        let config = PeerAllowlistConfig {
            sha256: vec!["abc".into()],
            ..Default::default()
        };
        let err = PeerAllowlist::compile(&FieldPath::root().key("internal_clients"), &config)
            .unwrap_err();
        assert_eq!(err.path().to_string(), "internal_clients.sha256[0]");
    }
}
