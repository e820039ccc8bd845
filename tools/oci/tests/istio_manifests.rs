//! The manifests in `envoy-examples/istio/` against the CRD schemas of Istio 1.30.3 (vendored in
//! `tests/data/istio-api-1.30.3/`, source in its SOURCE.md), validated as `kubectl apply` with
//! strict field validation would: the `openAPIV3Schema`, with unknown fields refused wherever the
//! schema does not preserve them. The two CEL rules that concern these manifests are checked by
//! hand. Also: each WasmPlugin pins a digest, fails closed, and carries its preset, which the
//! filter's own configuration check accepts.

// An integration test crate: clippy.toml's allow-*-in-tests covers `#[test]` functions, not
// the helpers beside them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn istio_dir() -> PathBuf {
    manifest_dir().join("../../envoy-examples/istio")
}

/// `(apiVersion, kind) -> schema file`.
const SCHEMAS: &[(&str, &str, &str)] = &[
    (
        "extensions.istio.io/v1alpha1",
        "WasmPlugin",
        "wasmplugin.v1alpha1.json",
    ),
    ("networking.istio.io/v1", "Gateway", "gateway.v1.json"),
    (
        "networking.istio.io/v1",
        "VirtualService",
        "virtualservice.v1.json",
    ),
    (
        "networking.istio.io/v1",
        "DestinationRule",
        "destinationrule.v1.json",
    ),
];

/// Adds `additionalProperties: false` to every object schema with `properties`, unless it keeps
/// unknown fields (`x-kubernetes-preserve-unknown-fields`) or already says what extra fields are.
fn strict(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let preserve = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if obj.contains_key("properties") && !preserve && !obj.contains_key("additionalProperties") {
        obj.insert("additionalProperties".into(), Value::Bool(false));
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.values_mut().for_each(strict);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = obj.get_mut(key) {
            strict(v);
        }
    }
}

/// The object schema of `kind`: the CRD's `openAPIV3Schema` plus what the API server checks
/// itself (`apiVersion`, `kind`, `metadata.name` as a DNS-1123 subdomain).
fn validator(api_version: &str, kind: &str) -> Option<jsonschema::Validator> {
    let (_, _, file) = SCHEMAS
        .iter()
        .find(|(a, k, _)| *a == api_version && *k == kind)?;
    let path = manifest_dir()
        .join("tests/data/istio-api-1.30.3")
        .join(file);
    let mut schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let props = schema["properties"].as_object_mut().unwrap();
    props.insert("apiVersion".into(), json!({"const": api_version}));
    props.insert("kind".into(), json!({"const": kind}));
    props.insert(
        "metadata".into(),
        json!({
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "maxLength": 253,
                         "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"},
                "namespace": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        }),
    );
    let obj = schema.as_object_mut().unwrap();
    let required = obj.entry("required").or_insert_with(|| json!([]));
    let required = required.as_array_mut().unwrap();
    required.extend([json!("apiVersion"), json!("kind"), json!("metadata")]);
    strict(&mut schema);
    Some(jsonschema::validator_for(&schema).unwrap())
}

/// Schema errors of one document, plus the hand-checked CEL rules of WasmPlugin.
fn errors(doc: &Value) -> Vec<String> {
    let api = doc["apiVersion"].as_str().unwrap_or_default();
    let kind = doc["kind"].as_str().unwrap_or_default();
    let Some(validator) = validator(api, kind) else {
        return vec![format!("no CRD for apiVersion {api}, kind {kind}")];
    };
    let mut out: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if kind == "WasmPlugin" {
        let spec = &doc["spec"];
        // "url must have schema one of [http, https, file, oci]"
        let url = spec["url"].as_str().unwrap_or_default();
        let scheme_ok = ["oci://", "http://", "https://", "file://"]
            .iter()
            .any(|s| url.starts_with(s))
            || !url.contains("://");
        if !scheme_ok {
            out.push(format!(
                "/spec/url: scheme of {url} is not http, https, file or oci"
            ));
        }
        // "only one of targetRefs or selector can be set"
        if spec.get("selector").is_some() && spec.get("targetRefs").is_some() {
            out.push("/spec: only one of targetRefs or selector can be set".into());
        }
    }
    out
}

fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_multiple::<Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

fn all_documents() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(istio_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            documents(f).into_iter().map(move |d| (name.clone(), d))
        })
        .collect()
}

fn wasmplugins() -> Vec<(String, Value)> {
    all_documents()
        .into_iter()
        .filter(|(_, d)| d["kind"] == "WasmPlugin")
        .collect()
}

#[test]
fn every_manifest_validates_against_the_istio_crd_schema() {
    let docs = all_documents();
    let mut kinds: Vec<&str> = docs
        .iter()
        .map(|(_, d)| d["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "DestinationRule",
            "Gateway",
            "VirtualService",
            "WasmPlugin",
            "WasmPlugin",
            "WasmPlugin",
            "WasmPlugin"
        ]
    );
    for (file, doc) in &docs {
        let errs = errors(doc);
        assert!(errs.is_empty(), "{file} ({}): {errs:#?}", doc["kind"]);
    }
}

#[test]
fn wasmplugins_pin_the_image_digest_and_fail_closed() {
    let plugins = wasmplugins();
    // The three single modules and the combined one.
    assert_eq!(plugins.len(), 4);
    for (file, doc) in &plugins {
        let spec = &doc["spec"];
        let name = doc["metadata"]["name"].as_str().unwrap();
        assert_eq!(file, &format!("wasmplugin-{name}.yaml"));
        let url = spec["url"].as_str().unwrap();
        assert!(
            url.starts_with("oci://") && url.contains(&format!("/{name}:")),
            "{url}"
        );
        let sha = spec["sha256"].as_str().unwrap();
        assert!(
            sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{sha}"
        );
        assert!(
            matches!(
                spec["failStrategy"].as_str(),
                Some("FAIL_RELOAD" | "FAIL_CLOSE")
            ),
            "{file}: {}",
            spec["failStrategy"]
        );
        assert_eq!(spec["pluginName"], name);
        assert_eq!(spec["imagePullPolicy"], "IfNotPresent");
        assert_eq!(spec["type"], "HTTP");
        assert_eq!(spec["selector"]["matchLabels"]["istio"], "ingressgateway");
    }
}

#[test]
fn plugin_config_is_the_wso2_is_preset_and_the_filter_accepts_it() {
    let mut with_config = 0;
    for (file, doc) in wasmplugins() {
        let name = doc["metadata"]["name"].as_str().unwrap();
        let preset = manifest_dir().join(format!("../../policies/presets/{name}/wso2-is.json"));
        let Some(config) = doc["spec"].get("pluginConfig") else {
            assert_ne!(
                name, "gateway-hardening",
                "{file}: the combined module has no pluginConfig"
            );
            assert!(
                !preset.exists(),
                "{file}: no pluginConfig, but {} exists",
                preset.display()
            );
            continue;
        };
        let read = |p: &std::path::Path| -> Value {
            serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
        };
        let want: Value = if name == "gateway-hardening" {
            // The combined module: each single filter's preset as its section.
            let section = |f: &str| {
                read(&manifest_dir().join(format!("../../policies/presets/{f}/wso2-is.json")))
            };
            serde_json::json!({
                "header_hardening": section("header-hardening"),
                "tls_guard": section("tls-guard"),
                "context_allowlist": section("context-allowlist"),
            })
        } else {
            read(&preset)
        };
        assert_eq!(
            config,
            &want,
            "{file}: pluginConfig differs from {}",
            preset.display()
        );
        // Istio hands pluginConfig to the filter as JSON; check it as on_configure does.
        let bytes = serde_json::to_vec(config).unwrap();
        if policies::check::FILTERS.contains(&name) {
            assert_eq!(policies::check::check(name, &bytes), Ok(()), "{file}");
        }
        with_config += 1;
    }
    assert!(with_config >= 1, "no WasmPlugin carries a preset");
}

#[test]
fn schema_validation_refuses_broken_wasmplugins() {
    let (_, good) = wasmplugins().into_iter().next().unwrap();
    assert!(errors(&good).is_empty());
    type Mutation = fn(&mut Value);
    let broken: &[(&str, Mutation)] = &[
        ("unknown failStrategy", |d| {
            d["spec"]["failStrategy"] = json!("FAIL_SOMETIMES")
        }),
        ("uppercase sha256", |d| {
            d["spec"]["sha256"] = json!("AB".repeat(32))
        }),
        ("short sha256", |d| d["spec"]["sha256"] = json!("abc")),
        ("misspelt field", |d| {
            d["spec"]["failStrateg"] = json!("FAIL_CLOSE")
        }),
        ("missing url", |d| {
            d["spec"].as_object_mut().unwrap().remove("url");
        }),
        ("priority as text", |d| {
            d["spec"]["priority"] = json!("high")
        }),
        ("unknown phase", |d| d["spec"]["phase"] = json!("EARLY")),
        ("wrong apiVersion", |d| {
            d["apiVersion"] = json!("extensions.istio.io/v1")
        }),
        ("url scheme", |d| {
            d["spec"]["url"] = json!("ftp://example.com/x.wasm")
        }),
        ("selector and targetRefs", |d| {
            d["spec"]["targetRefs"] =
                json!([{"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "x"}]);
        }),
        ("bad name", |d| {
            d["metadata"]["name"] = json!("Context_Allowlist")
        }),
    ];
    for (what, mutate) in broken {
        let mut doc = good.clone();
        mutate(&mut doc);
        assert!(!errors(&doc).is_empty(), "{what}: accepted");
    }
}

#[test]
fn fail_reload_is_refused_by_an_older_enum() {
    // FAIL_RELOAD exists from Istio 1.27 (SOURCE.md); the same check against the enum without it
    // refuses the manifests, so they really depend on the vendored version.
    let (_, doc) = wasmplugins().into_iter().next().unwrap();
    if doc["spec"]["failStrategy"] != "FAIL_RELOAD" {
        return;
    }
    let path = manifest_dir().join("tests/data/istio-api-1.30.3/wasmplugin.v1alpha1.json");
    let mut schema: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    schema["properties"]["spec"]["properties"]["failStrategy"]["enum"] =
        json!(["FAIL_CLOSE", "FAIL_OPEN"]);
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(!v.is_valid(&doc));
}
