//! Errors in a plugin configuration: what is wrong ([`ConfigErrorKind`]) and where
//! ([`FieldPath`], plus the line and column when the JSON text is at hand).
//!
//! Display reads ``invalid plugin configuration at `virtual_hosts[0].deny[1]` (line 7, column 9): invalid glob '/carbon[': …``,
//! which is what the filter logs when `on_configure` returns false.

use std::fmt;

use crate::field_path::{FieldPath, locate};

/// A plugin configuration that cannot be used. The filter refuses it (fails closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    path: FieldPath,
    location: Option<(usize, usize)>,
    kind: ConfigErrorKind,
}

/// What is wrong with the value that a [`ConfigError`] names.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// The bytes are not JSON, or a value has the wrong type, or a field is unknown or missing
    /// (serde's message).
    Syntax(String),
    /// A list that must hold at least one entry is empty.
    Empty,
    /// A path or domain glob does not compile, or can never match a normalised path.
    InvalidGlob {
        /// The glob as written.
        glob: String,
        /// Why it was refused.
        reason: String,
    },
    /// A source range is not an IP address or CIDR block (`10.0.0.0/8`, `::1/128`).
    InvalidCidr(String),
    /// A virtual-host domain is not a host name, `*`, `*.suffix` or `prefix*`.
    InvalidDomain {
        /// The domain as written.
        domain: String,
        /// Why it was refused.
        reason: String,
    },
    /// An HTTP status code outside what the field allows.
    InvalidStatus {
        /// The status as written.
        status: u16,
        /// The statuses the field accepts.
        allowed: &'static str,
    },
    /// An HTTP method that is not a token (RFC 9110 §9.1).
    InvalidMethod(String),
    /// A header name that is not a token, or that the field may not touch (RFC 9110 §5.1).
    InvalidHeaderName(String),
    /// A header value with CR, LF, NUL or another control character (RFC 9110 §5.5).
    InvalidHeaderValue {
        /// The header the value is for.
        name: String,
        /// Why it was refused.
        reason: String,
    },
    /// A regular expression that does not compile within the size bound.
    InvalidRegex {
        /// The pattern as written.
        pattern: String,
        /// The regex crate's message.
        reason: String,
    },
    /// A TLS version name other than `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`.
    InvalidTlsVersion(String),
    /// A certificate digest that is not 32 bytes of hex (SHA-256), colons allowed.
    InvalidDigest(String),
    /// Two settings that cannot both hold (for example the same header both set and removed).
    Contradiction(String),
    /// A value out of range (a number too large, a string too long, a credential with `:`).
    OutOfRange {
        /// What the value is.
        what: &'static str,
        /// The accepted range.
        range: String,
    },
}

impl ConfigError {
    /// An error of `kind` at `path`, without a location in the text.
    pub fn at(path: FieldPath, kind: ConfigErrorKind) -> Self {
        Self {
            path,
            location: None,
            kind,
        }
    }

    /// A syntax error at the document's root from serde_json's `err` (its line and column kept,
    /// its message followed by `note`).
    pub fn json_syntax(err: &serde_json::Error, note: &str) -> Self {
        Self {
            path: FieldPath::root(),
            location: (err.line() > 0).then(|| (err.line(), err.column())),
            kind: ConfigErrorKind::Syntax(format!("{}{note}", strip_position(err))),
        }
    }

    /// Fills in the line and column of the value this error names, from the JSON it came from.
    pub fn located_in(mut self, json: &[u8]) -> Self {
        if self.location.is_none() {
            self.location = locate(json, &self.path);
        }
        self
    }

    /// The field the error is about.
    pub fn path(&self) -> &FieldPath {
        &self.path
    }

    /// `(line, column)` of the offending value, both from 1, when known.
    pub fn location(&self) -> Option<(usize, usize)> {
        self.location
    }

    /// What is wrong.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.kind
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid plugin configuration at `{}`", self.path)?;
        if let Some((line, column)) = self.location {
            write!(f, " (line {line}, column {column})")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl fmt::Display for ConfigErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(msg) => f.write_str(msg),
            Self::Empty => f.write_str("must not be empty"),
            Self::InvalidGlob { glob, reason } => write!(f, "invalid glob '{glob}': {reason}"),
            Self::InvalidCidr(v) => write!(f, "'{v}' is not an IP address or CIDR block"),
            Self::InvalidDomain { domain, reason } => {
                write!(f, "invalid domain '{domain}': {reason}")
            }
            Self::InvalidStatus { status, allowed } => {
                write!(
                    f,
                    "status {status} is not allowed here (expected {allowed})"
                )
            }
            Self::InvalidMethod(m) => write!(f, "'{m}' is not an HTTP method token"),
            Self::InvalidHeaderName(n) => {
                write!(f, "'{n}' is not a header name this field accepts")
            }
            Self::InvalidHeaderValue { name, reason } => {
                write!(f, "invalid value for header '{name}': {reason}")
            }
            Self::InvalidRegex { pattern, reason } => {
                write!(f, "invalid regex '{pattern}': {reason}")
            }
            Self::InvalidTlsVersion(v) => {
                write!(
                    f,
                    "'{v}' is not a TLS version (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)"
                )
            }
            Self::InvalidDigest(v) => write!(f, "'{v}' is not a SHA-256 digest in hex"),
            Self::Contradiction(msg) => f.write_str(msg),
            Self::OutOfRange { what, range } => write!(f, "{what} must be {range}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Parses a plugin configuration from JSON bytes into `T` (one of the `*Config` types), naming
/// the field and its line when it fails.
///
/// # Errors
/// [`ConfigErrorKind::Syntax`] for invalid JSON, wrong types, unknown fields (every config type
/// has `deny_unknown_fields`) and missing required fields.
pub fn parse_json<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<T, ConfigError> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = FieldPath::from_serde(err.path());
        let inner = err.into_inner();
        let location = (inner.line() > 0).then(|| (inner.line(), inner.column()));
        ConfigError {
            path,
            location,
            kind: ConfigErrorKind::Syntax(strip_position(&inner)),
        }
    })?;
    de.end().map_err(|inner| ConfigError {
        path: FieldPath::root(),
        location: Some((inner.line(), inner.column())),
        kind: ConfigErrorKind::Syntax(strip_position(&inner)),
    })?;
    Ok(value)
}

/// serde_json appends " at line L column C"; the location is reported separately.
fn strip_position(err: &serde_json::Error) -> String {
    let msg = err.to_string();
    match msg.rfind(" at line ") {
        Some(cut) => msg.get(..cut).unwrap_or(&msg).to_owned(),
        None => msg,
    }
}
