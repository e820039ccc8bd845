//! Values of an exchange as JSON: bytes (text, or base64 when not UTF-8) and property values
//! (typed, encoded as the host kind encodes them).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Bytes in JSON: a string (UTF-8), or `{"base64": "..."}` for anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Bytes {
    /// UTF-8 text.
    Text(String),
    /// Any bytes, base64 (RFC 4648 §4, padded).
    Base64 {
        /// The encoded bytes.
        base64: String,
    },
}

impl Bytes {
    /// `bytes` as text when they are UTF-8, as base64 otherwise.
    pub fn of(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(t) => Self::Text(t.to_owned()),
            Err(_) => Self::Base64 {
                base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            },
        }
    }

    /// The bytes; invalid base64 is an error naming it.
    ///
    /// # Errors
    /// The base64 decoder's message.
    pub fn to_vec(&self) -> Result<Vec<u8>, String> {
        match self {
            Self::Text(t) => Ok(t.as_bytes().to_vec()),
            Self::Base64 { base64 } => base64::engine::general_purpose::STANDARD
                .decode(base64.trim())
                .map_err(|e| format!("base64: {e}")),
        }
    }
}

/// Which host's property encodings an exchange uses (`policies::peer`, `policies::attributes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostKind {
    /// Envoy (and Istio): integers 8 bytes little-endian, bools one byte.
    #[default]
    Envoy,
    /// Kong's ngx_wasm_module: every value as text.
    Kong,
}

/// A property value as the host holds it before encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PropertyValue {
    /// A bool (`connection.mtls`).
    Bool(bool),
    /// An integer (`source.port`).
    Int(i64),
    /// Text or bytes, given raw.
    Bytes(Bytes),
}

impl PropertyValue {
    /// The bytes `host` hands the guest: Envoy encodes an integer as 8 bytes little-endian and a
    /// bool as one byte, Kong both as text.
    ///
    /// # Errors
    /// Invalid base64.
    pub fn encode(&self, host: HostKind) -> Result<Vec<u8>, String> {
        Ok(match (self, host) {
            (Self::Bool(b), HostKind::Envoy) => vec![u8::from(*b)],
            (Self::Bool(b), HostKind::Kong) => b.to_string().into_bytes(),
            (Self::Int(i), HostKind::Envoy) => i.to_le_bytes().to_vec(),
            (Self::Int(i), HostKind::Kong) => i.to_string().into_bytes(),
            (Self::Bytes(b), _) => b.to_vec()?,
        })
    }
}
