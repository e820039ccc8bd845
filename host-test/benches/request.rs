//! Time per request in the wasmtime host (each module instantiated once), for the empty filter
//! (`benches/empty-filter`, the floor), each single filter with the dmz-gateway example's plugin
//! configuration, and the combined module (`gateway_hardening.wasm`) with the same three as its
//! sections; on a public path (`/oauth2/jwks`, let through and hardened) and an admin path
//! (`/carbon/admin/login.jsp`, refused with a local response). Also the time to instantiate and
//! configure the combined module. A module that is not built is left out, and the bench says so
//! (build them with `cargo xtask build` and `cargo build --release --target wasm32-wasip1 -p
//! empty-filter`).

use criterion::{Criterion, criterion_group, criterion_main};
use host_test::scenario::resolve::{module_path, workspace_root};
use host_test::{Connection, LogLevel, ModuleSource, Plugin, PluginBuilder, Request, Response};

/// The example's plugin configuration of `filter` (`plugin-config/<file>`).
fn example(file: &str) -> Option<Vec<u8>> {
    std::fs::read(
        workspace_root()
            .join("envoy-examples/dmz-gateway/plugin-config")
            .join(file),
    )
    .ok()
}

/// tls-guard's example configuration with plaintext allowed (the bench connection is
/// plaintext, as behind a TLS-terminating load balancer) and no upstream checks (the bench
/// upstream is plaintext, as `cargo xtask bench`'s `direct_response`).
fn tls_plaintext(json: &[u8]) -> Option<serde_json::Value> {
    let mut v: serde_json::Value = serde_json::from_slice(json).ok()?;
    v.as_object_mut()?.remove("upstream");
    for host in v.get_mut("virtual_hosts")?.as_array_mut()? {
        host["plaintext"] = "allow".into();
    }
    Some(v)
}

/// (label, module, plugin configuration) of every variant whose module and configuration exist.
fn variants() -> Vec<(&'static str, PluginBuilder)> {
    let tls = example("tls-guard.json").and_then(|j| tls_plaintext(&j));
    let headers = example("header-hardening.json");
    let allowlist = example("context-allowlist.json");
    let combined = match (&headers, &tls, &allowlist) {
        (Some(h), Some(t), Some(a)) => serde_json::from_slice::<serde_json::Value>(h)
            .ok()
            .zip(serde_json::from_slice::<serde_json::Value>(a).ok())
            .map(|(h, a)| {
                serde_json::json!({"header_hardening": h, "tls_guard": t, "context_allowlist": a})
                    .to_string()
                    .into_bytes()
            }),
        _ => None,
    };
    let rows: [(&str, &str, Option<Vec<u8>>); 5] = [
        ("empty filter", "empty-filter", Some(b"{}".to_vec())),
        ("context-allowlist", "context-allowlist", allowlist),
        ("header-hardening", "header-hardening", headers),
        (
            "tls-guard (plaintext allowed)",
            "tls-guard",
            tls.map(|t| t.to_string().into_bytes()),
        ),
        ("combined module", "gateway-hardening", combined),
    ];
    let mut out = Vec::new();
    for (label, filter, config) in rows {
        match (module_path(filter), config) {
            (Ok(path), Some(config)) => out.push((
                label,
                // As Envoy logs by default (info): the allowed requests' debug lines are not made.
                Plugin::builder(ModuleSource::Path(path))
                    .configuration(config)
                    .log_level(LogLevel::Info),
            )),
            (Err(e), _) => eprintln!("note: {label} left out: {e}"),
            (_, None) => eprintln!("note: {label} left out: no example configuration"),
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let conn = Connection::new();
    let public = Request::get("/oauth2/jwks")
        .authority("localhost")
        .header("x-request-id", "0d8f5c1e-7f6b-4b8e-9a57-3c2a1d0e9f11");
    let admin = Request::get("/carbon/admin/login.jsp")
        .authority("localhost")
        .header("x-request-id", "0d8f5c1e-7f6b-4b8e-9a57-3c2a1d0e9f12");
    let upstream = Response::ok()
        .header("server", "WSO2 Carbon Server")
        .header("content-type", "application/json");
    for (label, builder) in variants() {
        let Ok(mut plugin) = builder.clone().start() else {
            eprintln!("note: {label} does not start; left out");
            continue;
        };
        for (path, request) in [("public", &public), ("admin", &admin)] {
            let status = plugin
                .exchange(&conn, request, &upstream)
                .map(|e| e.status());
            eprintln!(
                "note: {label}, {path} path: answer {status:?}, linear memory {:.1} MiB",
                plugin.memory_bytes() as f64 / 1_048_576.0
            );
            c.bench_function(&format!("{label}, {path} path"), |b| {
                b.iter(|| {
                    plugin
                        .exchange(&conn, request, &upstream)
                        .map(|e| e.status())
                })
            });
        }
        if label == "combined module" {
            c.bench_function("instantiate and configure, combined module", |b| {
                b.iter(|| builder.clone().start().map(|p| p.logs().len()))
            });
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
