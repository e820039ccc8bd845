//! Small Envoy configurations that the bench and the Envoy checks generate: a listener with a
//! `direct_response` route (no upstream) and a chain of Wasm filters before the router.

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
            direct_response: {{ status: 200, body: {{ inline_string: "ok" }} }}
      http_filters:{filters}
      - name: envoy.filters.http.router
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
"#
    )
}

/// A static bootstrap: admin on `admin_port` and `listener` (from [`direct_response_listener`]).
pub(crate) fn static_bootstrap(admin_port: u16, listener: &str) -> String {
    format!(
        "{}static_resources:\n  listeners:\n{}",
        admin(admin_port),
        list_item(listener, 2, None)
    )
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
