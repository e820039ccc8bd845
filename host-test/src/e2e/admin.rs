//! Envoy's admin interface: `/config_dump` (the plugin configuration each listener runs) and
//! `/stats?filter=wasmcustom` (metric values).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::e2e::http1::parse_response;

/// GETs `path` from the admin at `addr`; returns the body of a 200.
pub fn get(addr: &str, path: &str) -> Result<Vec<u8>, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("Envoy admin {addr}: {e}"))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes())
        .map_err(|e| format!("Envoy admin {addr}: {e}"))?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)
        .map_err(|e| format!("Envoy admin {addr}{path}: {e}"))?;
    let r = parse_response(&buf)?;
    if r.status != 200 {
        return Err(format!("Envoy admin {addr}{path}: status {}", r.status));
    }
    Ok(r.body)
}

/// `wasmcustom.*` counters and gauges, by the name the module defined (prefix removed).
pub fn wasm_stats(addr: &str) -> Result<BTreeMap<String, i64>, String> {
    let body = get(addr, "/stats?filter=%5Ewasmcustom%5C.")?;
    let mut out = BTreeMap::new();
    for line in String::from_utf8_lossy(&body).lines() {
        let Some((name, value)) = line.split_once(": ") else {
            continue;
        };
        if let (Some(name), Ok(v)) = (
            name.strip_prefix("wasmcustom."),
            value.trim().parse::<i64>(),
        ) {
            out.insert(name.to_string(), v);
        }
    }
    Ok(out)
}

/// The `configuration` of every Wasm HTTP filter on listener `listener` whose module file
/// is `module_file` (e.g. `context_allowlist.wasm`) or whose name is `filter`.
pub fn plugin_configurations(
    dump: &serde_json::Value,
    listener: &str,
    filter: &str,
    module_file: &str,
) -> Vec<String> {
    wasm_plugins(dump, listener, filter, module_file)
        .into_iter()
        .map(|p| p.configuration)
        .collect()
}

/// One Wasm HTTP filter as a listener runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmPlugin {
    /// Its plugin configuration (`configuration.value`).
    pub configuration: String,
    /// `allow_on_headers_stop_iteration` (absent: false).
    pub allow_on_headers_stop_iteration: bool,
}

/// The combined module's file: it runs each policy as a section of its configuration.
const COMBINED_MODULE: &str = "gateway_hardening.wasm";

/// Every Wasm HTTP filter on `listener` whose module file is `module_file` or whose name is
/// `filter`, and every combined module (`gateway_hardening.wasm`) with a section for `filter`
/// (its configuration is then that section's).
pub fn wasm_plugins(
    dump: &serde_json::Value,
    listener: &str,
    filter: &str,
    module_file: &str,
) -> Vec<WasmPlugin> {
    let mut out = Vec::new();
    for l in listeners(dump) {
        if l.get("name").and_then(|n| n.as_str()) != Some(listener) {
            continue;
        }
        walk(l, &mut |v| {
            let Some(cfg) = v.get("config") else { return };
            let is_wasm = v
                .get("@type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| t.ends_with("filters.http.wasm.v3.Wasm"));
            if !is_wasm {
                return;
            }
            let name = cfg.get("name").and_then(|n| n.as_str()).unwrap_or_default();
            let file = cfg
                .pointer("/vm_config/code/local/filename")
                .and_then(|f| f.as_str())
                .unwrap_or_default();
            let value = cfg
                .pointer("/configuration/value")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            // The combined module runs `filter` as its section (`context_allowlist`).
            let section = (file.ends_with(COMBINED_MODULE)
                && !module_file.ends_with(COMBINED_MODULE))
            .then(|| serde_json::from_str::<serde_json::Value>(value).ok())
            .flatten()
            .and_then(|all| all.get(filter.replace('-', "_")).cloned())
            .filter(|s| !s.is_null());
            let configuration = match section {
                Some(section) => section.to_string(),
                None if name == filter || file.ends_with(module_file) => value.to_string(),
                None => return,
            };
            {
                out.push(WasmPlugin {
                    configuration,
                    allow_on_headers_stop_iteration: cfg
                        .get("allow_on_headers_stop_iteration")
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false),
                });
            }
        });
    }
    out
}

fn listeners(dump: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut out = Vec::new();
    for c in dump
        .get("configs")
        .and_then(|c| c.as_array())
        .into_iter()
        .flatten()
    {
        for l in c
            .get("static_listeners")
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
        {
            out.extend(l.get("listener"));
        }
        for l in c
            .get("dynamic_listeners")
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
        {
            out.extend(l.pointer("/active_state/listener"));
        }
    }
    out
}

fn walk<'a>(v: &'a serde_json::Value, f: &mut dyn FnMut(&'a serde_json::Value)) {
    f(v);
    match v {
        serde_json::Value::Object(m) => m.values().for_each(|x| walk(x, f)),
        serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
        _ => {}
    }
}

/// The first place where `a` and `b` differ, as a field path, or `None` when equal.
pub fn json_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value as J;
    match (a, b) {
        (J::Object(x), J::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                let here = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = json_difference(p, q, &here) {
                            return Some(d);
                        }
                    }
                    _ => return Some(here),
                }
            }
            None
        }
        (J::Array(x), J::Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at} (length {} vs {})", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| json_difference(p, q, &format!("{at}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(if at.is_empty() {
            "(the whole value)".to_string()
        } else {
            at.to_string()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dump() -> serde_json::Value {
        json!({"configs": [{"@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
          "static_listeners": [{"listener": {"name": "plain_raw", "filter_chains": [{"filters": [{
            "typed_config": {"http_filters": [{"name": "context-allowlist", "typed_config": {
              "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
              "config": {"name": "context-allowlist",
                "vm_config": {"code": {"local": {"filename": "target/wasm32-wasip1/release/context_allowlist.wasm"}}},
                "configuration": {"@type": "type.googleapis.com/google.protobuf.StringValue",
                  "value": "{\"mode\":\"enforce\",\"rules\":[1,2]}"}}}}]}}]}]}}]}]})
    }

    #[test]
    fn plugin_configuration_is_found_by_listener_and_module() {
        let d = dump();
        let found = plugin_configurations(&d, "plain_raw", "other-name", "context_allowlist.wasm");
        assert_eq!(
            found,
            vec![r#"{"mode":"enforce","rules":[1,2]}"#.to_string()]
        );
        assert!(
            plugin_configurations(&d, "plain_normalized", "context-allowlist", "x.wasm").is_empty()
        );
    }

    #[test]
    fn allow_on_headers_stop_iteration_is_read_absent_as_false() {
        let mut d = dump();
        let found = wasm_plugins(&d, "plain_raw", "context-allowlist", "x.wasm");
        assert!(!found[0].allow_on_headers_stop_iteration);
        let cfg = d
            .pointer_mut("/configs/0/static_listeners/0/listener/filter_chains/0/filters/0/typed_config/http_filters/0/typed_config/config")
            .unwrap();
        cfg["allow_on_headers_stop_iteration"] = json!(true);
        let found = wasm_plugins(&d, "plain_raw", "context-allowlist", "x.wasm");
        assert!(found[0].allow_on_headers_stop_iteration);
    }

    #[test]
    fn json_difference_names_the_first_differing_field() {
        let a = json!({"mode": "enforce", "rules": [1, 2]});
        assert_eq!(json_difference(&a, &a, ""), None);
        let b = json!({"mode": "shadow", "rules": [1, 2]});
        assert_eq!(json_difference(&a, &b, "").as_deref(), Some("mode"));
        let c = json!({"mode": "enforce", "rules": [1, 3]});
        assert_eq!(json_difference(&a, &c, "").as_deref(), Some("rules[1]"));
    }
}
