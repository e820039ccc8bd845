//! The process-wide wasmtime `Engine`, `Linker` and compiled-module cache.
//!
//! None of this is host state: every plugin gets its own `Store`, so tests run in parallel.
//! Compiling a filter takes about a second; the cache compiles each `.wasm` once per process,
//! keyed by path, modification time and size.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use wasmtime::{Config, Engine, Linker, Module, Store};

use crate::error::{Error, Result};
use crate::host::HostState;

/// The shared engine (fuel metering on, so a looping guest traps instead of hanging).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.consume_fuel(true);
        // `HOST_TEST_PERFMAP=1`: write /tmp/perf-<pid>.map, so that `perf record` / `perf
        // report` name the module's own functions (build it unstripped:
        // `CARGO_PROFILE_RELEASE_STRIP=false`).
        if std::env::var_os("HOST_TEST_PERFMAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        Engine::new(&config).unwrap_or_else(|_| Engine::default())
    })
}

/// The shared linker with WASI preview 1 as Envoy offers it and every Proxy-Wasm host function.
pub fn linker() -> Result<&'static Linker<HostState>> {
    static LINKER: OnceLock<std::result::Result<Linker<HostState>, String>> = OnceLock::new();
    LINKER
        .get_or_init(|| {
            let mut linker = Linker::new(engine());
            crate::abi::add_to_linker(&mut linker).map_err(|e| format!("{e:#}"))?;
            Ok(linker)
        })
        .as_ref()
        .map_err(|e| Error::Other(e.clone()))
}

/// Compiles `bytes` (binary or WAT text); `name` appears in errors.
pub fn compile(bytes: &[u8], name: &str) -> Result<Module> {
    Module::new(engine(), bytes).map_err(|e| Error::Compile {
        name: name.to_string(),
        message: format!("{e:#}"),
    })
}

type Key = (PathBuf, Option<SystemTime>, u64);

/// Compiles the module at `path`, once per process for a given modification time and size.
///
/// Errors: the file cannot be read ([`Error::ModuleMissing`] when absent), or does not compile.
pub fn compile_path(path: &Path) -> Result<Module> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Module>>> = OnceLock::new();
    let meta = std::fs::metadata(path).map_err(|_| Error::ModuleMissing {
        path: path.to_path_buf(),
        build: "cargo build --release --target wasm32-wasip1 -p <filter>".to_string(),
    })?;
    let key = (path.to_path_buf(), meta.modified().ok(), meta.len());
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(m) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(m);
    }
    let bytes =
        std::fs::read(path).map_err(|e| Error::Other(format!("{}: {e}", path.display())))?;
    let module = compile(&bytes, &path.display().to_string())?;
    if let Ok(mut c) = cache.lock() {
        c.insert(key, module.clone());
    }
    Ok(module)
}

/// True when the linker defines the import `module::name`.
pub fn provides(module: &str, name: &str) -> bool {
    static NAMES: OnceLock<HashSet<(String, String)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let Ok(linker) = linker() else {
            return HashSet::new();
        };
        let mut store = Store::new(
            engine(),
            HostState::new(crate::state::AbiState::new(Default::default())),
        );
        linker
            .iter(&mut store)
            .map(|(m, n, _)| (m.to_string(), n.to_string()))
            .collect()
    });
    names.contains(&(module.to_string(), name.to_string()))
}
