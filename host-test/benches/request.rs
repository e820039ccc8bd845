//! Time per request through one filter in the wasmtime host (module instantiated once), and
//! the time to instantiate and configure a plugin.
//!
//! Uses `context_allowlist.wasm` with the `wso2-is` preset when it is built (see
//! `GATEWAY_WASM_DIR`); otherwise a small WAT filter, and says so.

use criterion::{Criterion, criterion_group, criterion_main};
use host_test::scenario::resolve::{module_path, workspace_root};
use host_test::{Connection, ModuleSource, Plugin, PluginBuilder, Request, Response};

const FALLBACK_WAT: &str = r#"(module
  (import "env" "proxy_get_header_map_value" (func $get (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_send_local_response" (func $send (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 16) ":path")
  (global $heap (mut i32) (i32.const 65536))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (global.get $heap))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $get (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 0) (i32.const 4)))
    (if (i32.eq (i32.load8_u (i32.add (i32.load (i32.const 0)) (i32.const 1))) (i32.const 99))
      (then (drop (call $send (i32.const 403) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const -1))) (return (i32.const 1))))
    (i32.const 0)))"#;

fn builder() -> (PluginBuilder, &'static str) {
    let preset = workspace_root().join("policies/presets/context-allowlist/wso2-is.json");
    match (module_path("context-allowlist"), std::fs::read(&preset)) {
        (Ok(path), Ok(config)) => (
            Plugin::builder(ModuleSource::Path(path)).configuration(config),
            "context_allowlist.wasm (wso2-is)",
        ),
        (Err(e), _) => {
            eprintln!("note: {e}; benchmarking a WAT stand-in filter");
            (
                Plugin::builder(ModuleSource::Bytes(FALLBACK_WAT.as_bytes().to_vec())),
                "WAT stand-in",
            )
        }
        (_, Err(e)) => {
            eprintln!(
                "note: {}: {e}; benchmarking a WAT stand-in filter",
                preset.display()
            );
            (
                Plugin::builder(ModuleSource::Bytes(FALLBACK_WAT.as_bytes().to_vec())),
                "WAT stand-in",
            )
        }
    }
}

fn bench(c: &mut Criterion) {
    let (b, what) = builder();
    let Ok(mut plugin) = b.clone().start() else {
        eprintln!("the plugin does not start; nothing to benchmark");
        return;
    };
    let conn = Connection::new();
    let allowed = Request::get("/oauth2/token").authority("localhost");
    let denied = Request::get("/carbon/admin/login.jsp").authority("localhost");
    let upstream = Response::ok().header("server", "WSO2 Carbon Server");
    c.bench_function(&format!("request allowed, {what}"), |bench| {
        bench.iter(|| {
            plugin
                .exchange(&conn, &allowed, &upstream)
                .map(|e| e.status())
        })
    });
    c.bench_function(&format!("request denied, {what}"), |bench| {
        bench.iter(|| {
            plugin
                .exchange(&conn, &denied, &upstream)
                .map(|e| e.status())
        })
    });
    c.bench_function(&format!("instantiate and configure, {what}"), |bench| {
        bench.iter(|| b.clone().start().map(|p| p.logs().len()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
