//! Scenario files: "this module with this plugin configuration, this request on this
//! connection, this upstream response → this outcome", in the spirit of go-ftw test files.
//!
//! [`load`] reads a YAML file, validates it against `host-test/scenario.schema.json` (errors
//! name the file, line and field) and returns a [`ScenarioFile`]; [`resolve`] finds the module
//! and the plugin configuration it names.

pub mod combined;
pub mod convert;
mod files;
pub mod load;
pub mod node;
pub mod resolve;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

pub use files::collect;
pub use load::{LoadError, load};

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// What every test in the file runs against.
    pub meta: Meta,
    /// The tests, run in order.
    pub tests: Vec<Case>,
}

/// File-level settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Filter crate name, e.g. `context-allowlist` (module `<name with _>.wasm`).
    pub filter: String,
    /// What the file covers.
    #[serde(default)]
    pub description: Option<String>,
    /// Inline plugin configuration (any JSON value; sent as JSON text).
    #[serde(default)]
    pub config: Option<serde_json::Value>,
    /// Plugin configuration file, relative to the scenario file.
    #[serde(default)]
    pub config_file: Option<String>,
    /// Preset name, e.g. `wso2-is` → `policies/presets/<filter>/wso2-is.json`.
    #[serde(default)]
    pub preset: Option<String>,
    /// Property encodings: `envoy` (default) or `kong`.
    #[serde(default)]
    pub host: HostName,
    /// Where the differential run sends these tests (a test may override).
    #[serde(default)]
    pub envoy: Option<EnvoyTarget>,
    /// Envoy's `PluginConfig.allow_on_headers_stop_iteration` for this filter. The wasmtime host
    /// runs the module this way (absent: false, Envoy's default: a pause on the headers stops
    /// the whole stream, body included); when set, the differential run checks that Envoy runs
    /// the filter with the same value. It matters only to a module that pauses on the headers
    /// of a request with a body.
    #[serde(default)]
    pub allow_on_headers_stop_iteration: Option<bool>,
    /// What the tests are, for the kill matrix; absent: [`Kind::of`] derives it from the folder.
    #[serde(default)]
    pub kind: Option<Kind>,
}

/// `meta.kind`: what a file's tests are, which decides the stand-ins that must catch it in the
/// kill matrix (`host-test kill-matrix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Every test is a request the filter must stop: the file must fail against allow-all,
    /// deny-all and refuse-all.
    Attacks,
    /// Every test is a request the filter must let through (or answer as the upstream would):
    /// the file must fail against deny-all and refuse-all.
    Legitimate,
    /// Both, or what the filter adds to answers: the file must fail against all three.
    Mixed,
}

impl Kind {
    /// The kind of the scenario file at `path`: `meta.kind` when given, else `attacks` for a file
    /// in a folder named `bypass`, else `mixed`.
    pub fn of(meta: &Meta, path: &std::path::Path) -> Self {
        if let Some(kind) = meta.kind {
            return kind;
        }
        let in_bypass = path
            .parent()
            .and_then(std::path::Path::file_name)
            .is_some_and(|n| n == "bypass");
        if in_bypass {
            Self::Attacks
        } else {
            Self::Mixed
        }
    }

    /// `attacks`, `legitimate` or `mixed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Attacks => "attacks",
            Self::Legitimate => "legitimate",
            Self::Mixed => "mixed",
        }
    }
}

/// `meta.host`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HostName {
    /// Envoy encodings.
    #[default]
    Envoy,
    /// Kong ngx_wasm_module encodings.
    Kong,
}

/// `envoy:` — where a test runs in the differential run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvoyTarget {
    /// Envoy listener names from `target/run/state.json` (`plain_normalized`, `plain_raw`,
    /// `https`).
    #[serde(default)]
    pub listeners: Vec<String>,
    /// `http1`, `http2` (default both).
    #[serde(default)]
    pub protocols: Vec<Protocol>,
    /// When set, the test is not sent to Envoy, for this reason.
    #[serde(default)]
    pub skip: Option<String>,
}

/// An HTTP version for the differential run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// HTTP/1.1, raw bytes over TCP or TLS.
    Http1,
    /// HTTP/2: h2c prior knowledge on plaintext listeners, ALPN `h2` on TLS.
    Http2,
}

/// One test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique within the file.
    pub id: String,
    /// What it shows.
    #[serde(default)]
    pub desc: Option<String>,
    /// CVE ids, RFC sections, guideline names.
    #[serde(default)]
    pub refs: Vec<String>,
    /// The connection; default plaintext from `127.0.0.1`.
    #[serde(default)]
    pub connection: ConnectionSpec,
    /// The request.
    #[serde(default)]
    pub request: RequestSpec,
    /// The upstream's answer when the request reaches it (default `200`, empty).
    #[serde(default)]
    pub upstream: Option<UpstreamSpec>,
    /// Overrides `meta.envoy` for this test.
    #[serde(default)]
    pub envoy: Option<EnvoyTarget>,
    /// What must come out.
    pub expect: Expect,
}

/// `connection:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionSpec {
    /// Client `ip:port` (`source.address`); in Envoy runs a 127.0.0.0/8 address is bound.
    #[serde(default)]
    pub source: Option<String>,
    /// Listener `ip:port` (`destination.address`).
    #[serde(default)]
    pub destination: Option<String>,
    /// TLS; absent for plaintext.
    #[serde(default)]
    pub tls: Option<TlsSpec>,
    /// `filter_state.<key>` values.
    #[serde(default)]
    pub filter_state: BTreeMap<String, String>,
}

/// `connection.tls:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSpec {
    /// `TLSv1.2` or `TLSv1.3`.
    pub version: String,
    /// SNI (`connection.requested_server_name`).
    #[serde(default)]
    pub sni: Option<String>,
    /// Client certificate name under `target/certs/` (`<name>.crt`, `<name>.key`), used by
    /// the Envoy run; describe the same certificate in `peer` for this host.
    #[serde(default)]
    pub client_cert: Option<String>,
    /// Client certificate properties for this host.
    #[serde(default)]
    pub peer: Option<PeerSpec>,
}

/// `connection.tls.peer:` and `upstream.tls:` certificate fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSpec {
    /// Subject DN.
    #[serde(default)]
    pub subject: Option<String>,
    /// First DNS SAN.
    #[serde(default)]
    pub dns_san: Option<String>,
    /// First URI SAN.
    #[serde(default)]
    pub uri_san: Option<String>,
    /// SHA-256 digest, hex.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// `request:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// Method (default `GET`).
    #[serde(default = "default_method")]
    pub method: String,
    /// Raw request target, sent as is (default `/`).
    #[serde(default = "default_path")]
    pub path: String,
    /// `:authority` / `Host` (default `localhost`).
    #[serde(default = "default_authority")]
    pub authority: String,
    /// Headers: `name: value` or `name: [value, value]`, in order.
    #[serde(default)]
    pub headers: Headers,
    /// Body text.
    #[serde(default)]
    pub body: Option<String>,
    /// Trailers.
    #[serde(default)]
    pub trailers: Headers,
    /// An HTTP/1.1 request as raw text (YAML escapes such as `\r\n` allowed); replaces the
    /// fields above. For bytes a client would normalise.
    #[serde(default)]
    pub raw: Option<String>,
    /// The same as base64.
    #[serde(default)]
    pub raw_base64: Option<String>,
}

impl Default for RequestSpec {
    fn default() -> Self {
        RequestSpec {
            method: default_method(),
            path: default_path(),
            authority: default_authority(),
            headers: Headers::default(),
            body: None,
            trailers: Headers::default(),
            raw: None,
            raw_base64: None,
        }
    }
}

fn default_method() -> String {
    "GET".to_string()
}
fn default_path() -> String {
    "/".to_string()
}
fn default_authority() -> String {
    "localhost".to_string()
}
fn default_status() -> u16 {
    200
}

/// `upstream:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamSpec {
    /// Status (default 200).
    #[serde(default = "default_status")]
    pub status: u16,
    /// Headers.
    #[serde(default)]
    pub headers: Headers,
    /// Body text.
    #[serde(default)]
    pub body: Option<String>,
    /// Upstream TLS (`upstream.tls_version` and certificate properties).
    #[serde(default)]
    pub tls: Option<UpstreamTls>,
}

/// `upstream.tls:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamTls {
    /// `upstream.tls_version`.
    pub version: String,
    /// The upstream certificate.
    #[serde(default)]
    pub peer: Option<PeerSpec>,
}

/// `expect:`. Every field is optional; each present one is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status the client got.
    #[serde(default)]
    pub status: Option<u32>,
    /// Whether the request reached the upstream.
    #[serde(default)]
    pub reached_upstream: Option<bool>,
    /// Whether the request landed on an administrative surface of the product (judged by where
    /// WSO2 Identity Server would route what the upstream received; a request that never reached
    /// the upstream landed nowhere). A failure of `false` is never an expected difference.
    #[serde(default)]
    pub admin_reached: Option<bool>,
    /// The module sent a local response like this (implies `reached_upstream: false`).
    #[serde(default)]
    pub local_response: Option<LocalExpect>,
    /// Response headers as the client saw them.
    #[serde(default)]
    pub response_headers: HeaderExpect,
    /// Substrings of the response body the client saw.
    #[serde(default)]
    pub response_body_contains: Vec<String>,
    /// The request as the upstream saw it (implies `reached_upstream: true`).
    #[serde(default)]
    pub upstream_request: Option<UpstreamExpect>,
    /// Log lines of the module.
    #[serde(default)]
    pub log: LogExpect,
    /// Metric deltas over this test, by name as the module defines it (Envoy shows
    /// `wasmcustom.<name>`).
    #[serde(default)]
    pub metrics: BTreeMap<String, i64>,
}

/// `expect.local_response:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalExpect {
    /// Its status.
    #[serde(default)]
    pub status: Option<u32>,
    /// Its response code details (this host only).
    #[serde(default)]
    pub details: Option<String>,
    /// Its headers.
    #[serde(default)]
    pub headers: HeaderExpect,
    /// Substrings of its body.
    #[serde(default)]
    pub body_contains: Vec<String>,
}

/// Checks on a header map. Names are case-insensitive; values exact or substring.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderExpect {
    /// Names that must be present.
    #[serde(default)]
    pub present: Vec<String>,
    /// Names that must be absent.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Name → exact value (of the first occurrence).
    #[serde(default)]
    pub equal: BTreeMap<String, String>,
    /// Name → substring of the value.
    #[serde(default)]
    pub contains: BTreeMap<String, String>,
}

/// `expect.upstream_request:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamExpect {
    /// The `:path` the upstream received.
    #[serde(default)]
    pub path: Option<String>,
    /// Its headers (this host only: the mock upstream does not echo headers).
    #[serde(default)]
    pub headers: HeaderExpect,
}

/// `expect.log:`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogExpect {
    /// Each must be a substring of some line.
    #[serde(default)]
    pub contains: Vec<String>,
    /// None may be a substring of any line.
    #[serde(default)]
    pub not_contains: Vec<String>,
}

/// Headers as `name: value` or `name: [values]`, order kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        impl<'de> Visitor<'de> for V {
            type Value = Headers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of header name to a value or a list of values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, OneOrMany>()? {
                    match v {
                        OneOrMany::One(v) => out.push((k, v)),
                        OneOrMany::Many(vs) => out.extend(vs.into_iter().map(|v| (k.clone(), v))),
                    }
                }
                Ok(Headers(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Headers, E> {
                Ok(Headers::default())
            }
        }
        d.deserialize_map(V)
    }
}
