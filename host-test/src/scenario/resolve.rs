//! Finding what a scenario file names: the filter's `.wasm` (missing or stale modules fail
//! with the build command) and its plugin configuration (inline, file or preset).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::Meta;
use crate::error::{Error, Result};

/// The workspace root (the parent of this crate's manifest directory).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where the filters' modules are: `$GATEWAY_WASM_DIR`, else
/// `$CARGO_TARGET_DIR/wasm32-wasip1/release`, else `<workspace>/target/wasm32-wasip1/release`.
pub fn wasm_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GATEWAY_WASM_DIR") {
        return PathBuf::from(dir);
    }
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    target.join("wasm32-wasip1").join("release")
}

/// The build command for `filter`.
pub fn build_command(filter: &str) -> String {
    format!("cargo build --release --target wasm32-wasip1 -p {filter}")
}

/// The module of `filter`, checked to exist and to be newer than its sources: the workspace
/// files of cargo's dep-info beside it, or without one every file of `filters/<filter>/src`,
/// `filters/shim/src`, `policies/src` and their `Cargo.toml`.
///
/// Errors: [`Error::ModuleMissing`], [`Error::ModuleStale`], both naming the build command.
pub fn module_path(filter: &str) -> Result<PathBuf> {
    module_path_in(&wasm_dir(), filter)
}

/// Like [`module_path`], looking in `dir` instead of [`wasm_dir`].
pub fn module_path_in(dir: &Path, filter: &str) -> Result<PathBuf> {
    let path = dir.join(format!("{}.wasm", filter.replace('-', "_")));
    let build = build_command(filter);
    let built = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .map_err(|_| Error::ModuleMissing {
            path: path.clone(),
            build: build.clone(),
        })?;
    // cargo's dep-info next to the module lists the files that build really read (a file of
    // a feature the build left out, such as a mutant module, does not count).
    if let Some(files) = dep_info(&path) {
        let newest = files
            .iter()
            .filter_map(|f| Some((f.clone(), std::fs::metadata(f).ok()?.modified().ok()?)))
            .max_by_key(|(_, t)| *t);
        return match newest {
            Some((newer, when)) if when > built => Err(Error::ModuleStale { path, newer, build }),
            _ => Ok(path),
        };
    }
    let root = workspace_root();
    let sources = [
        root.join("filters").join(filter),
        root.join("filters").join("shim"),
        root.join("policies"),
    ];
    for dir in sources {
        if let Some((newer, when)) = newest(&dir.join("src"))
            .into_iter()
            .chain(newest(&dir.join("Cargo.toml")))
            .max_by_key(|(_, t)| *t)
            && when > built
        {
            return Err(Error::ModuleStale { path, newer, build });
        }
    }
    Ok(path)
}

/// The workspace files cargo's dep-info file (`<module>.d`, Makefile syntax: `out: in in ...`)
/// says the module was built from; `None` when there is no such file.
fn dep_info(module: &Path) -> Option<Vec<PathBuf>> {
    let text = std::fs::read_to_string(module.with_extension("d")).ok()?;
    let (_, inputs) = text.lines().next()?.split_once(": ")?;
    let root = workspace_root();
    Some(
        inputs
            .split_whitespace()
            .map(PathBuf::from)
            .filter(|p| p.starts_with(&root))
            .collect(),
    )
}

/// The newest file under `path` (or `path` itself) and its modification time.
fn newest(path: &Path) -> Option<(PathBuf, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return Some((path.to_path_buf(), meta.modified().ok()?));
    }
    let mut best: Option<(PathBuf, SystemTime)> = None;
    for entry in std::fs::read_dir(path).ok()?.flatten() {
        if let Some(found) = newest(&entry.path())
            && best.as_ref().is_none_or(|(_, t)| found.1 > *t)
        {
            best = Some(found);
        }
    }
    best
}

/// The plugin configuration bytes `meta` names; `scenario` is the scenario file (for
/// `config_file`, relative to it).
///
/// Errors: a missing file or preset (`Error::Other` naming the path), none of the three given.
pub fn plugin_configuration(meta: &Meta, scenario: &Path) -> Result<Vec<u8>> {
    if let Some(value) = &meta.config {
        return serde_json::to_vec(value).map_err(|e| Error::Other(e.to_string()));
    }
    let path = if let Some(file) = &meta.config_file {
        scenario.parent().unwrap_or(Path::new(".")).join(file)
    } else if let Some(preset) = &meta.preset {
        let presets = workspace_root().join("policies").join("presets");
        let per_filter = presets.join(&meta.filter).join(format!("{preset}.json"));
        if per_filter.exists() {
            per_filter
        } else {
            presets.join(format!("{preset}.json"))
        }
    } else {
        return Err(Error::Other(
            "meta: give one of config, config_file, preset".to_string(),
        ));
    };
    std::fs::read(&path)
        .map_err(|e| Error::Other(format!("plugin configuration {}: {e}", path.display())))
}
