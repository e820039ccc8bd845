use super::*;

#[derive(serde::Deserialize)]
struct Preset {
    module: String,
    product: String,
    config: String,
}

#[test]
fn every_preset_compiles_the_combined_ones_included() {
    let presets: Vec<Preset> = serde_json::from_str(&presets()).unwrap();
    assert_eq!(
        presets.iter().filter(|p| p.module == MODULE).count(),
        3,
        "one combined preset per product"
    );
    for p in &presets {
        let compiled = compile(&p.module, &p.config)
            .unwrap_or_else(|e| panic!("{} {}: {e}", p.module, p.product));
        let names: Vec<String> = serde_json::from_str(&compiled.policies()).unwrap();
        let want = if p.module == MODULE { 3 } else { 1 };
        assert_eq!(names.len(), want, "{} {}", p.module, p.product);
    }
}

#[test]
fn a_configuration_error_names_its_line_and_column() {
    let config = "{\n  \"virtual_hosts\": [{\"domains\": [\"*\"],\n    \"allow\": [\"/ok\", \"/a/../b\"]}]\n}";
    let err = compile("context-allowlist", config).err().unwrap();
    let err: serde_json::Value = serde_json::from_str(&err).unwrap();
    assert_eq!(err["path"], "virtual_hosts[0].allow[1]");
    assert_eq!(err["line"], 3);
}

#[test]
fn an_exchange_runs_and_a_bad_one_names_its_line() {
    let preset = policies::presets::find("context-allowlist", "wso2-is").unwrap();
    let compiled = compile("context-allowlist", preset.json).unwrap();
    let exchange = r#"{"request": {"headers": [[":method", "GET"], [":path", "/carbon/admin/index.jsp"],
        [":authority", "localhost"], [":scheme", "https"]]},
        "properties": {"source.address": "198.51.100.7:50000"}}"#;
    let out: serde_json::Value = serde_json::from_str(&compiled.run(exchange).unwrap()).unwrap();
    assert_eq!(out["reached_upstream"], false, "{out}");
    assert_eq!(out["answered_by"], "context-allowlist");
    assert_eq!(out["traces"][0]["outcome"]["decision"], "deny");
    let err = compiled
        .run("{\"request\": {\n\"headers\": 3}}")
        .err()
        .unwrap();
    let err: serde_json::Value = serde_json::from_str(&err).unwrap();
    assert_eq!(err["line"], 2, "{err}");
}

#[test]
fn a_combined_syntax_error_names_its_line_too() {
    let err = compile(MODULE, "{\n  \"tls_guard\": {,}\n}").err().unwrap();
    let err: serde_json::Value = serde_json::from_str(&err).unwrap();
    assert_eq!(err["line"], 2, "{err}");
}
