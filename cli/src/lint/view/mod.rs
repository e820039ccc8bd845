//! Typed views of the parts of Envoy's configuration the rules read (field names as in Envoy's
//! v3 API reference). Every struct takes `#[serde(default)]` and ignores unknown fields;
//! `typed_config` stays a [`Value`] until its `@type` says which view to read it as.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::Allow;

mod tls;
pub use tls::*;

/// `@type` of the HTTP connection manager.
pub const HCM: &str =
    "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
/// `@type` of a downstream TLS context.
pub const DOWNSTREAM_TLS: &str = "envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
/// `@type` of an upstream TLS context.
pub const UPSTREAM_TLS: &str = "envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
/// `@type` of the Wasm HTTP filter.
pub const WASM: &str = "envoy.extensions.filters.http.wasm.v3.Wasm";
/// `@type` of the RBAC HTTP filter.
pub const RBAC: &str = "envoy.extensions.filters.http.rbac.v3.RBAC";
/// `@type` of a listener (LDS).
pub const LISTENER: &str = "envoy.config.listener.v3.Listener";
/// `@type` of a cluster (CDS).
pub const CLUSTER: &str = "envoy.config.cluster.v3.Cluster";

/// `@type`s of the `TypedStruct` wrappers (`type_url` and a `value` in the JSON form of the
/// wrapped message).
pub const TYPED_STRUCTS: &[&str] = &["udpa.type.v1.TypedStruct", "xds.type.v3.TypedStruct"];
/// `@type` of a per-route `FilterConfig` (`disabled`, `is_optional`, `config`).
pub const FILTER_CONFIG: &str = "envoy.config.route.v3.FilterConfig";
/// `@type` of an xDS `Resource` wrapper (`resource` holds the listener or cluster).
pub const RESOURCE: &str = "envoy.service.discovery.v3.Resource";

/// A type URL without its `type.googleapis.com/` (or other) prefix; empty when absent.
fn short(t: Option<&Value>) -> &str {
    let t = t.and_then(Value::as_str).unwrap_or("");
    t.rsplit_once('/').map_or(t, |(_, name)| name)
}

/// The type of a `typed_config` and the value holding its fields, with the path of that value
/// relative to the `typed_config` (`value` inside a `TypedStruct`, empty otherwise).
pub fn unwrap(typed_config: &Value) -> (&str, &Value, &'static str) {
    let t = short(typed_config.get("@type"));
    if let Some(v) = typed_config
        .get("value")
        .filter(|_| TYPED_STRUCTS.contains(&t))
    {
        return (short(typed_config.get("type_url")), v, "value");
    }
    (t, typed_config, "")
}

/// The `@type` of a `typed_config` without its `type.googleapis.com/` prefix (a `TypedStruct`'s
/// `type_url`); empty when absent.
pub fn type_of(typed_config: &Value) -> &str {
    unwrap(typed_config).0
}

/// The bootstrap.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Bootstrap {
    /// `admin`.
    pub admin: Option<Admin>,
    /// `static_resources`.
    pub static_resources: StaticResources,
}

/// `admin`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Admin {
    /// `admin.address`.
    pub address: Option<Address>,
}

/// `static_resources`: listeners and clusters stay values until each is read with its path.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StaticResources {
    /// `listeners`.
    pub listeners: Vec<Value>,
    /// `clusters`.
    pub clusters: Vec<Value>,
}

/// An LDS or CDS file.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Discovery {
    /// `resources`.
    pub resources: Vec<Value>,
}

/// `config.core.v3.Address`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Address {
    /// `socket_address` (absent for pipes and internal addresses).
    pub socket_address: Option<SocketAddress>,
}

/// `config.core.v3.SocketAddress`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SocketAddress {
    /// `address`.
    pub address: String,
    /// `port_value`.
    pub port_value: Option<u32>,
}

/// `metadata`: only `filter_metadata.gateway_hardening.lint_allow` is read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Metadata {
    /// `filter_metadata`.
    pub filter_metadata: FilterMetadata,
}

/// `metadata.filter_metadata`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FilterMetadata {
    /// Our namespace.
    pub gateway_hardening: LintMetadata,
}

/// `metadata.filter_metadata.gateway_hardening`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LintMetadata {
    /// Accepted findings.
    pub lint_allow: Vec<Allow>,
}

/// A listener.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Listener {
    /// `name`.
    pub name: String,
    /// `address`.
    pub address: Option<Address>,
    /// `filter_chains`.
    pub filter_chains: Vec<FilterChain>,
    /// `default_filter_chain`.
    pub default_filter_chain: Option<FilterChain>,
    /// `metadata`.
    pub metadata: Metadata,
}

/// A filter chain.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FilterChain {
    /// `filters`.
    pub filters: Vec<Filter>,
    /// `transport_socket`.
    pub transport_socket: Option<Filter>,
}

/// A network or HTTP filter, a transport socket or an access logger: a name and a
/// `typed_config`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// `name`.
    pub name: String,
    /// `typed_config`.
    pub typed_config: Option<Value>,
    /// `disabled` (HTTP filters).
    pub disabled: bool,
}

/// The HTTP connection manager.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Hcm {
    /// `route_config` (absent with RDS).
    pub route_config: Option<RouteConfig>,
    /// `http_filters`.
    pub http_filters: Vec<Filter>,
    /// `normalize_path` (default false unless the runtime says otherwise).
    pub normalize_path: Option<bool>,
    /// `merge_slashes` (default false).
    pub merge_slashes: bool,
    /// `server_header_transformation` (default `OVERWRITE`).
    pub server_header_transformation: Option<String>,
    /// `server_name` (default `envoy`).
    pub server_name: Option<String>,
    /// `access_log`.
    pub access_log: Vec<Filter>,
}

/// A route configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RouteConfig {
    /// `virtual_hosts`.
    pub virtual_hosts: Vec<VirtualHost>,
    /// `response_headers_to_add`.
    pub response_headers_to_add: Vec<HeaderValueOption>,
    /// `response_headers_to_remove`.
    pub response_headers_to_remove: Vec<String>,
    /// `typed_per_filter_config`.
    pub typed_per_filter_config: BTreeMap<String, Value>,
}

/// A virtual host.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VirtualHost {
    /// `name`.
    pub name: String,
    /// `routes`.
    pub routes: Vec<Route>,
    /// `require_tls`: `NONE` (default), `EXTERNAL_ONLY` or `ALL`.
    pub require_tls: Option<String>,
    /// `response_headers_to_add`.
    pub response_headers_to_add: Vec<HeaderValueOption>,
    /// `response_headers_to_remove`.
    pub response_headers_to_remove: Vec<String>,
    /// `typed_per_filter_config`.
    pub typed_per_filter_config: BTreeMap<String, Value>,
}

/// A route.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Route {
    /// `match`.
    #[serde(rename = "match")]
    pub match_: RouteMatch,
    /// `route` (forwards upstream).
    pub route: Option<RouteAction>,
    /// `redirect`.
    pub redirect: Option<Redirect>,
    /// `direct_response`.
    pub direct_response: Option<Value>,
    /// `response_headers_to_add`.
    pub response_headers_to_add: Vec<HeaderValueOption>,
    /// `response_headers_to_remove`.
    pub response_headers_to_remove: Vec<String>,
    /// `typed_per_filter_config`.
    pub typed_per_filter_config: BTreeMap<String, Value>,
}

/// A route's `match`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RouteMatch {
    /// `prefix`.
    pub prefix: Option<String>,
    /// `path`.
    pub path: Option<String>,
    /// `path_separated_prefix`.
    pub path_separated_prefix: Option<String>,
    /// `safe_regex`.
    pub safe_regex: Option<Value>,
    /// `case_sensitive` (default true).
    pub case_sensitive: Option<bool>,
    /// `headers`: extra conditions.
    pub headers: Vec<Value>,
    /// `query_parameters`: extra conditions.
    pub query_parameters: Vec<Value>,
    /// `runtime_fraction`: an extra condition.
    pub runtime_fraction: Option<Value>,
    /// `grpc`: an extra condition.
    pub grpc: Option<Value>,
    /// `tls_context`: an extra condition.
    pub tls_context: Option<Value>,
    /// `dynamic_metadata`: extra conditions.
    pub dynamic_metadata: Vec<Value>,
    /// `filter_state`: extra conditions.
    pub filter_state: Vec<Value>,
}

impl RouteMatch {
    /// Whether the match has a condition beyond the path (headers, query parameters, a runtime
    /// fraction, ...): a route with one does not see every request for its path.
    pub fn has_extra_conditions(&self) -> bool {
        !self.headers.is_empty()
            || !self.query_parameters.is_empty()
            || self.runtime_fraction.is_some()
            || self.grpc.is_some()
            || self.tls_context.is_some()
            || !self.dynamic_metadata.is_empty()
            || !self.filter_state.is_empty()
    }
}

/// A route's `route` action.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RouteAction {
    /// `cluster`.
    pub cluster: Option<String>,
    /// `weighted_clusters`.
    pub weighted_clusters: Option<WeightedClusters>,
}

/// `weighted_clusters`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeightedClusters {
    /// `clusters`.
    pub clusters: Vec<WeightedCluster>,
}

/// One of `weighted_clusters.clusters`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeightedCluster {
    /// `name`.
    pub name: String,
}

/// A route's `redirect`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Redirect {
    /// `https_redirect`.
    pub https_redirect: bool,
    /// `scheme_redirect`.
    pub scheme_redirect: Option<String>,
}

/// A `HeaderValueOption`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HeaderValueOption {
    /// `header`.
    pub header: HeaderValue,
}

/// A `HeaderValue`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HeaderValue {
    /// `key`.
    pub key: String,
    /// `value`.
    pub value: String,
}

/// A cluster.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Cluster {
    /// `name`.
    pub name: String,
    /// `load_assignment`.
    pub load_assignment: Option<LoadAssignment>,
    /// `transport_socket`.
    pub transport_socket: Option<Filter>,
    /// `health_checks`.
    pub health_checks: Vec<Value>,
    /// `metadata`.
    pub metadata: Metadata,
}

/// `load_assignment`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoadAssignment {
    /// `endpoints`.
    pub endpoints: Vec<LocalityEndpoints>,
}

/// One of `load_assignment.endpoints`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LocalityEndpoints {
    /// `lb_endpoints`.
    pub lb_endpoints: Vec<LbEndpoint>,
}

/// One of `lb_endpoints`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LbEndpoint {
    /// `endpoint`.
    pub endpoint: Option<Endpoint>,
}

/// `endpoint`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Endpoint {
    /// `address`.
    pub address: Option<Address>,
}

/// The Wasm HTTP filter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Wasm {
    /// `config`.
    pub config: PluginConfig,
}

/// `envoy.extensions.wasm.v3.PluginConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PluginConfig {
    /// `name`.
    pub name: String,
    /// `root_id`.
    pub root_id: String,
    /// `vm_config`.
    pub vm_config: VmConfig,
    /// `configuration` (an `Any`, usually `google.protobuf.StringValue`).
    pub configuration: Option<Value>,
    /// `failure_policy`: `FAIL_CLOSED` (default), `FAIL_RELOAD`, `FAIL_OPEN`.
    pub failure_policy: Option<String>,
    /// `fail_open` (deprecated).
    pub fail_open: bool,
}

/// `vm_config`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VmConfig {
    /// `vm_id`.
    pub vm_id: String,
    /// `code` (local filename or remote).
    pub code: Value,
}
