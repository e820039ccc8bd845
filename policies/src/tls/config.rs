//! Plugin configuration of the `tls-guard` filter (JSON, `deny_unknown_fields`).
//!
//! ```json
//! {
//!   "mode": "enforce",
//!   "missing_properties": "deny",
//!   "cipher_filter_state_key": "gateway_hardening.tls_cipher",
//!   "virtual_hosts": [{
//!     "name": "identity-server",
//!     "domains": ["is.example.com"],
//!     "min_tls_version": "TLSv1.2",
//!     "plaintext": "redirect",
//!     "https_port": 443,
//!     "sni": "required",
//!     "ciphers": ["ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
//!     "paths": [{
//!       "paths": ["/carbon", "/services"],
//!       "min_tls_version": "TLSv1.3",
//!       "client_certificate": { "dns_sans": ["admin.example.internal"] }
//!     }]
//!   }],
//!   "upstream": {
//!     "refused_subjects": ["CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US"],
//!     "refused_sha256": ["50f0eda5898af3a115c2c508194956e7e114fe234743e9d22f709ae7cb801bbd"],
//!     "require_tls": { "clusters": ["wso2_is"], "min_tls_version": "TLSv1.2" }
//!   }
//! }
//! ```

use serde::Deserialize;

use crate::mode::Mode;
use crate::peer::PeerAllowlistConfig;

/// The whole plugin configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsGuardConfig {
    /// Free text for people; ignored by the filter.
    #[serde(default)]
    pub description: Option<String>,
    /// `enforce` (default) answers refused requests and responses; `shadow` only logs and counts
    /// them.
    #[serde(default)]
    pub mode: Mode,
    /// What to do when the host does not report a property a check needs (another gateway, a
    /// listener without `tls_inspector` or `set_filter_state`): `deny` (default) refuses, `allow`
    /// skips only the check that needs it. Logged once per VM and property either way, counted
    /// every time.
    #[serde(default)]
    pub missing_properties: MissingProperties,
    /// The filter-state key that `envoy.filters.http.set_filter_state` fills with
    /// `%DOWNSTREAM_TLS_CIPHER%` before this filter (read as property
    /// `filter_state.<key>`). Default `gateway_hardening.tls_cipher`.
    #[serde(default = "default_cipher_key")]
    pub cipher_filter_state_key: String,
    /// The virtual hosts; a request whose host none names gets 421.
    pub virtual_hosts: Vec<TlsVirtualHostConfig>,
    /// Checks on the upstream connection, made when the response headers arrive.
    #[serde(default)]
    pub upstream: Option<UpstreamConfig>,
}

/// The default filter-state key for the negotiated cipher.
pub const DEFAULT_CIPHER_KEY: &str = "gateway_hardening.tls_cipher";

fn default_cipher_key() -> String {
    DEFAULT_CIPHER_KEY.to_owned()
}

/// The decision when a property a check needs is missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingProperties {
    /// Refuse: 403 at request time, 502 at response time (fail closed).
    #[default]
    Deny,
    /// Skip the check that cannot run; every other check still runs on the properties the
    /// host reports.
    Allow,
}

/// What happens to a request that arrived over plaintext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plaintext {
    /// Let it through (a gateway behind a TLS-terminating load balancer).
    Allow,
    /// 308 Permanent Redirect to `https://` + host + the same path and query (RFC 9110
    /// §15.4.9: the method and body are kept).
    Redirect,
    /// 403.
    Deny,
}

/// When the TLS server name (SNI) must equal the request's host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SniPolicy {
    /// A request for a DNS name needs an SNI equal to it; a request for an IP literal needs no
    /// SNI (RFC 6066 §3 forbids IP literals in SNI). Otherwise 421.
    #[default]
    Required,
    /// An SNI, when sent, must equal the host; a missing SNI is accepted.
    IfPresent,
    /// No check.
    Off,
}

/// The rules for one set of domains.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsVirtualHostConfig {
    /// A name for logs; defaults to the first domain.
    #[serde(default)]
    pub name: Option<String>,
    /// Envoy-style domains: `host`, `*.suffix`, `prefix*` or `*`; ports are ignored.
    pub domains: Vec<String>,
    /// Oldest TLS version accepted: `TLSv1`, `TLSv1.1`, `TLSv1.2` (default) or `TLSv1.3`.
    #[serde(default = "default_min_version")]
    pub min_tls_version: String,
    /// Plaintext requests: `deny` (default), `redirect` or `allow`.
    #[serde(default = "default_plaintext")]
    pub plaintext: Plaintext,
    /// The HTTPS port a redirect names; omitted from `Location` when 443 (default).
    #[serde(default = "default_https_port")]
    pub https_port: u16,
    /// SNI against `:authority`: `required` (default), `if_present` or `off`.
    #[serde(default)]
    pub sni: SniPolicy,
    /// Negotiated cipher suites accepted (names as Envoy reports them); empty: no check.
    #[serde(default)]
    pub ciphers: Vec<String>,
    /// Stricter rules for some paths; every rule whose globs match applies.
    #[serde(default)]
    pub paths: Vec<PathRuleConfig>,
}

fn default_min_version() -> String {
    "TLSv1.2".to_owned()
}

fn default_plaintext() -> Plaintext {
    Plaintext::Deny
}

fn default_https_port() -> u16 {
    443
}

/// Rules for the paths that match `paths`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRuleConfig {
    /// Path globs over the normalised path; each covers its subtree and ignores ASCII case (as
    /// `context-allowlist`'s deny rules), so `/carbon` also guards `/CARBON/admin`.
    pub paths: Vec<String>,
    /// A stricter minimum TLS version for these paths.
    #[serde(default)]
    pub min_tls_version: Option<String>,
    /// A stricter plaintext decision for these paths (`deny` for the token endpoint, say).
    #[serde(default)]
    pub plaintext: Option<Plaintext>,
    /// Mutual TLS: the client certificate must be presented and match one entry.
    #[serde(default)]
    pub client_certificate: Option<PeerAllowlistConfig>,
}

/// Checks on the upstream connection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// Subjects an upstream certificate must not have (RFC 2253 as Envoy reports it, or as
    /// keytool or OpenSSL print it). A match answers 502.
    #[serde(default)]
    pub refused_subjects: Vec<String>,
    /// SHA-256 digests (hex, colons allowed) an upstream certificate must not have. A match
    /// answers 502.
    #[serde(default)]
    pub refused_sha256: Vec<String>,
    /// Clusters whose connections must be TLS.
    #[serde(default)]
    pub require_tls: Option<RequireTlsConfig>,
}

/// "Always communicate over TLS" for some upstream clusters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequireTlsConfig {
    /// Cluster names as Envoy reports them in `xds.cluster_name`; `*` for every cluster.
    pub clusters: Vec<String>,
    /// Oldest TLS version accepted on the upstream connection (default `TLSv1.2`; Envoy's
    /// upstream TLS defaults to a 1.2 maximum, so `TLSv1.3` needs the cluster's
    /// `tls_maximum_protocol_version` raised).
    #[serde(default = "default_min_version")]
    pub min_tls_version: String,
}
