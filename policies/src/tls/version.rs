//! TLS protocol versions, named as Envoy reports them in `connection.tls_version` and
//! `upstream.tls_version` (BoringSSL's `SSL_get_version`: `TLSv1`, `TLSv1.1`, `TLSv1.2`,
//! `TLSv1.3`), in their order of strength.

use std::fmt;

use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// A TLS protocol version. `Ord` follows the protocol's age: `Tls1_0 < Tls1_3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// TLS 1.0 (RFC 2246), deprecated by RFC 8996.
    Tls1_0,
    /// TLS 1.1 (RFC 4346), deprecated by RFC 8996.
    Tls1_1,
    /// TLS 1.2 (RFC 5246): the minimum the seed guidelines accept.
    Tls1_2,
    /// TLS 1.3 (RFC 8446).
    Tls1_3,
}

impl TlsVersion {
    /// Every version, oldest first.
    pub const ALL: [Self; 4] = [Self::Tls1_0, Self::Tls1_1, Self::Tls1_2, Self::Tls1_3];

    /// The name Envoy reports and the configuration uses: `TLSv1`, `TLSv1.1`, `TLSv1.2`,
    /// `TLSv1.3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tls1_0 => "TLSv1",
            Self::Tls1_1 => "TLSv1.1",
            Self::Tls1_2 => "TLSv1.2",
            Self::Tls1_3 => "TLSv1.3",
        }
    }

    /// Reads a version as a host reports it; `None` for anything else (`SSLv3`, `unknown`, an
    /// empty value), which every check treats as below any minimum.
    pub fn from_reported(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }

    /// Reads a version from the configuration at `path`.
    ///
    /// # Errors
    /// [`ConfigErrorKind::InvalidTlsVersion`] for any other name (`TLSv1.0`, `tls1.2`, `SSLv3`).
    pub fn from_config(path: &FieldPath, text: &str) -> Result<Self, ConfigError> {
        Self::from_reported(text).ok_or_else(|| {
            ConfigError::at(
                path.clone(),
                ConfigErrorKind::InvalidTlsVersion(text.to_owned()),
            )
        })
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_by_strength_and_round_trip() {
        assert!(TlsVersion::Tls1_0 < TlsVersion::Tls1_1);
        assert!(TlsVersion::Tls1_2 < TlsVersion::Tls1_3);
        for v in TlsVersion::ALL {
            assert_eq!(TlsVersion::from_reported(v.as_str()), Some(v));
        }
    }

    #[test]
    fn from_config_fails_on_names_envoy_never_reports() {
        for bad in ["TLSv1.0", "tlsv1.2", "SSLv3", "TLSv1.4", "", "1.2"] {
            let err = TlsVersion::from_config(&FieldPath::root().key("min_tls_version"), bad)
                .unwrap_err();
            assert_eq!(err.path().to_string(), "min_tls_version", "{bad}");
            assert_eq!(
                err.kind(),
                &ConfigErrorKind::InvalidTlsVersion(bad.to_owned())
            );
        }
    }
}
