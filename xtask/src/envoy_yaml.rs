//! Small Envoy configurations that the bench and the Envoy checks generate: a listener with a
//! chain of Wasm filters before the router and one route, a `direct_response` (no upstream) or
//! to a static cluster.

use std::path::Path;

/// The YAML of one Wasm HTTP filter (list item, indented for [`direct_response_listener`]):
/// `name` is the filter (its `root_id` and `vm_id`), `module` the `.wasm`, `config` the plugin
/// configuration text.
pub(crate) fn wasm_filter(name: &str, module: &Path, config: &str) -> String {
    let value = serde_json::to_string(config).unwrap_or_else(|_| "\"\"".to_owned());
    format!(
        r#"
      - name: {name}
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
          config:
            root_id: {name}
            failure_policy: FAIL_RELOAD
            vm_config:
              vm_id: {name}
              runtime: envoy.wasm.runtime.v8
              code: {{ local: {{ filename: {} }} }}
            configuration:
              "@type": type.googleapis.com/google.protobuf.StringValue
              value: {value}"#,
        module.display()
    )
}

/// One listener (keys at column 0) on `127.0.0.1:port` whose every request gets
/// `direct_response` 200 `ok` after `filters` (from [`wasm_filter`]).
pub(crate) fn direct_response_listener(name: &str, port: u16, filters: &str) -> String {
    listener(
        name,
        port,
        filters,
        r#"direct_response: { status: 200, body: { inline_string: "ok" } }"#,
    )
}

/// One listener (keys at column 0) on `127.0.0.1:port` that routes every request, after
/// `filters`, to the cluster `cluster` (see [`static_cluster`]).
pub(crate) fn proxied_listener(name: &str, port: u16, filters: &str, cluster: &str) -> String {
    listener(
        name,
        port,
        filters,
        &format!("route: {{ cluster: {cluster} }}"),
    )
}

/// A listener whose one route (prefix `/`) takes `action` (a route action as flow YAML).
fn listener(name: &str, port: u16, filters: &str, action: &str) -> String {
    format!(
        r#"name: {name}
address: {{ socket_address: {{ address: 127.0.0.1, port_value: {port} }} }}
filter_chains:
- filters:
  - name: envoy.filters.network.http_connection_manager
    typed_config:
      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
      stat_prefix: {name}
      route_config:
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {{ prefix: "/" }}
            {action}
      http_filters:{filters}
      - name: envoy.filters.http.router
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
"#
    )
}

/// A static cluster (keys at column 0) named `name` of one HTTP/1.1 endpoint, `127.0.0.1:port`.
pub(crate) fn static_cluster(name: &str, port: u16) -> String {
    format!(
        r#"name: {name}
type: STATIC
connect_timeout: 1s
load_assignment:
  cluster_name: {name}
  endpoints:
  - lb_endpoints:
    - endpoint: {{ address: {{ socket_address: {{ address: 127.0.0.1, port_value: {port} }} }} }}
"#
    )
}

/// A static bootstrap: admin on `admin_port`, `listener` (from [`direct_response_listener`] or
/// [`proxied_listener`]) and the `clusters` (from [`static_cluster`]; none for a
/// `direct_response` listener).
pub(crate) fn static_bootstrap(admin_port: u16, listener: &str, clusters: &[String]) -> String {
    let mut yaml = format!(
        "{}static_resources:\n  listeners:\n{}",
        admin(admin_port),
        list_item(listener, 2, None)
    );
    if !clusters.is_empty() {
        yaml.push_str("  clusters:\n");
        for c in clusters {
            yaml.push_str(&list_item(c, 2, None));
        }
    }
    yaml
}

/// A bootstrap whose listeners come from the LDS file `lds` (watched in its directory: moving
/// a new file over it is an update), admin on `admin_port`, with static `clusters` (from
/// [`static_cluster`]).
pub(crate) fn lds_bootstrap(admin_port: u16, lds: &Path, clusters: &[String]) -> String {
    let mut yaml = format!(
        "node: {{ id: lds-test, cluster: lds-test }}\n{}",
        admin(admin_port)
    );
    if !clusters.is_empty() {
        yaml.push_str("static_resources:\n  clusters:\n");
        for c in clusters {
            yaml.push_str(&list_item(c, 2, None));
        }
    }
    let dir = lds.parent().unwrap_or(Path::new("."));
    yaml.push_str(&format!(
        "dynamic_resources:\n  lds_config:\n    resource_api_version: V3\n    path_config_source:\n      path: {}\n      watched_directory: {{ path: {} }}\n",
        lds.display(),
        dir.display()
    ));
    yaml
}

/// An LDS file (`DiscoveryResponse` as YAML) holding `listener`.
pub(crate) fn lds_file(listener: &str) -> String {
    let item = list_item(
        listener,
        0,
        Some("\"@type\": type.googleapis.com/envoy.config.listener.v3.Listener"),
    );
    format!("resources:\n{item}")
}

/// The `admin:` block on `127.0.0.1:port`.
pub(crate) fn admin(port: u16) -> String {
    format!(
        "admin:\n  address: {{ socket_address: {{ address: 127.0.0.1, port_value: {port} }} }}\n"
    )
}

/// `body` (keys at column 0) as a YAML list item at `indent`, optionally led by `first`.
fn list_item(body: &str, indent: usize, first: Option<&str>) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    let mut lead = true;
    if let Some(f) = first {
        out.push_str(&format!("{pad}- {f}\n"));
        lead = false;
    }
    for line in body.lines() {
        let prefix = if lead {
            format!("{pad}- ")
        } else {
            format!("{pad}  ")
        };
        out.push_str(&prefix);
        out.push_str(line);
        out.push('\n');
        lead = false;
    }
    out
}
