//! Typed views of TLS contexts (`DownstreamTlsContext`, `UpstreamTlsContext`).

use serde::Deserialize;
use serde_json::Value;

/// A TLS context (downstream or upstream).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TlsContext {
    /// `common_tls_context`.
    pub common_tls_context: CommonTlsContext,
    /// `sni` (upstream).
    pub sni: Option<String>,
}

/// `common_tls_context`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommonTlsContext {
    /// `tls_params`.
    pub tls_params: TlsParams,
    /// `tls_certificates`.
    pub tls_certificates: Vec<TlsCertificate>,
    /// `validation_context`.
    pub validation_context: Option<ValidationContext>,
    /// `combined_validation_context`.
    pub combined_validation_context: Option<CombinedValidationContext>,
    /// `validation_context_sds_secret_config` (the validation context comes from SDS).
    pub validation_context_sds_secret_config: Option<Value>,
}

/// `tls_params`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TlsParams {
    /// `tls_minimum_protocol_version`.
    pub tls_minimum_protocol_version: Option<String>,
    /// `cipher_suites`.
    pub cipher_suites: Vec<String>,
}

/// One of `tls_certificates`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TlsCertificate {
    /// `certificate_chain`.
    pub certificate_chain: Option<DataSource>,
}

/// `validation_context`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ValidationContext {
    /// `trusted_ca`.
    pub trusted_ca: Option<DataSource>,
    /// `match_typed_subject_alt_names`.
    pub match_typed_subject_alt_names: Vec<Value>,
    /// `match_subject_alt_names` (deprecated).
    pub match_subject_alt_names: Vec<Value>,
    /// `trust_chain_verification`: `VERIFY_TRUST_CHAIN` (default) or `ACCEPT_UNTRUSTED`.
    pub trust_chain_verification: Option<String>,
}

/// `combined_validation_context`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CombinedValidationContext {
    /// `default_validation_context`.
    pub default_validation_context: Option<ValidationContext>,
}

/// A `DataSource`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DataSource {
    /// `filename`.
    pub filename: Option<String>,
    /// `inline_string`.
    pub inline_string: Option<String>,
}
