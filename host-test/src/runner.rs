//! Runs scenario files in the wasmtime host.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::{Landing, Observed, Verdict, check};
use crate::error::Error;
use crate::exchange::Callback;
use crate::plugin::{ModuleSource, Plugin};
use crate::scenario::{Case, HostName, ScenarioFile, convert, load, resolve};
use crate::stand_in::StandIn;
use crate::traffic::HostKind;

/// Which module runs a scenario file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Module {
    /// The filter the file names (`meta.filter`), from the modules folder.
    #[default]
    Filter,
    /// A stand-in instead of whatever filter the file names; it gets the file's plugin
    /// configuration (and ignores it).
    StandIn(StandIn),
    /// The filter's mutant build (`<dir>/<filter>.wasm`, built with the filter's `mutants`
    /// feature), with `"_mutant": name` added to the file's plugin configuration (a JSON
    /// object).
    Mutant {
        /// Where the mutant builds are (`cargo build --features <filter>/mutants --target-dir
        /// …`'s `wasm32-wasip1/release`).
        dir: PathBuf,
        /// The rule switched off, e.g. `dot_segments`.
        name: String,
    },
}

impl Module {
    /// `filter`, `allow-all`, `mutant dot_segments`: for messages.
    pub fn label(&self) -> String {
        match self {
            Self::Filter => "filter".to_owned(),
            Self::StandIn(s) => s.name().to_owned(),
            Self::Mutant { name, .. } => format!("mutant {name}"),
        }
    }
}

/// The outcome of one test (or of a file that could not run: `id` is then empty).
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The scenario file.
    pub file: PathBuf,
    /// The test id.
    pub id: String,
    /// The verdict.
    pub verdict: Verdict,
    /// For a failed test of the real module, every decision's trace as the policies make it
    /// natively (`crate::playground::explain`), so the failure says why.
    pub trace: Option<String>,
}

pub use crate::scenario::collect;

/// Starts the plugin a scenario file describes. Errors name the module or configuration.
pub fn start_plugin(file: &ScenarioFile, path: &Path) -> Result<Plugin, Error> {
    start_plugin_in(file, path, &resolve::wasm_dir())
}

/// Like [`start_plugin`], with the modules in `wasm_dir`.
pub fn start_plugin_in(file: &ScenarioFile, path: &Path, wasm_dir: &Path) -> Result<Plugin, Error> {
    start_plugin_as(file, path, wasm_dir, &Module::Filter)
}

/// Like [`start_plugin_in`], running `module` in the filter's place.
///
/// Errors: those of [`start_plugin`]; for a mutant, also a plugin configuration that is not a
/// JSON object, and the mutant module refusing the configuration (an unknown `_mutant`).
pub fn start_plugin_as(
    file: &ScenarioFile,
    path: &Path,
    wasm_dir: &Path,
    module: &Module,
) -> Result<Plugin, Error> {
    let mut config = resolve::plugin_configuration(&file.meta, path)?;
    let source = match module {
        Module::Filter => ModuleSource::Path(resolve::module_path_in(wasm_dir, &file.meta.filter)?),
        Module::StandIn(s) => ModuleSource::Bytes(s.wat().as_bytes().to_vec()),
        Module::Mutant { dir, name } => {
            config = with_mutant(&config, name)?;
            ModuleSource::Path(resolve::module_path_in(dir, &file.meta.filter)?)
        }
    };
    let host = match file.meta.host {
        HostName::Envoy => HostKind::Envoy,
        HostName::Kong => HostKind::Kong,
    };
    Plugin::builder(source)
        .configuration(config)
        .host(host)
        .name(&file.meta.filter)
        .root_id(&file.meta.filter)
        .allow_on_headers_stop_iteration(file.meta.allow_on_headers_stop_iteration.unwrap_or(false))
        .start()
}

/// `config` (a JSON object) with `"_mutant": name` added.
fn with_mutant(config: &[u8], name: &str) -> Result<Vec<u8>, Error> {
    let mut value: serde_json::Value = serde_json::from_slice(config)
        .map_err(|e| Error::Other(format!("plugin configuration: {e}")))?;
    let Some(object) = value.as_object_mut() else {
        return Err(Error::Other(
            "a mutant needs a plugin configuration that is a JSON object".to_owned(),
        ));
    };
    object.insert("_mutant".to_owned(), name.into());
    serde_json::to_vec(&value).map_err(|e| Error::Other(e.to_string()))
}

/// What the wasmtime host observes for `case` on `plugin`.
pub fn observe(plugin: &mut Plugin, case: &Case) -> Result<Observed, String> {
    let conn = convert::connection(case)?;
    let req = convert::request(case)?;
    let resp = convert::response(case);
    let before: BTreeMap<String, i64> = plugin
        .metrics()
        .iter()
        .map(|m| (m.name.clone(), m.value))
        .collect();
    let ex = plugin
        .exchange(&conn, &req, &resp)
        .map_err(|e| e.to_string())?;
    let deltas = plugin
        .metrics()
        .iter()
        .map(|m| {
            (
                m.name.clone(),
                m.value - before.get(&m.name).copied().unwrap_or(0),
            )
        })
        .collect();
    let client = ex.client_response.clone();
    Ok(Observed {
        status: client.as_ref().map(|c| c.status),
        response_headers: client
            .as_ref()
            .map(|c| c.headers.clone())
            .unwrap_or_default(),
        response_body: client.map(|c| c.body).unwrap_or_default(),
        reached_upstream: ex.reached_upstream(),
        local_details: ex.local_response.as_ref().map(|l| l.details.clone()),
        upstream_path: ex
            .upstream_request
            .as_ref()
            .and_then(|u| u.headers.get_str(":path")),
        upstream_headers: ex.upstream_request.as_ref().map(|u| u.headers.clone()),
        stalled_at: ex.stalled_at.map(|c| export_name(c).to_string()),
        landing: ex
            .upstream_request
            .as_ref()
            .map(|u| Landing::of_target(&u.headers.get_str(":path").unwrap_or_default())),
        logs: Some(
            ex.logs
                .iter()
                .map(|l| format!("[{}] {}", l.level.name(), l.message))
                .collect(),
        ),
        metric_deltas: Some(deltas),
    })
}

/// The export the host called for `c`.
fn export_name(c: Callback) -> &'static str {
    match c {
        Callback::RequestHeaders => "proxy_on_request_headers",
        Callback::RequestBody => "proxy_on_request_body",
        Callback::RequestTrailers => "proxy_on_request_trailers",
        Callback::ResponseHeaders => "proxy_on_response_headers",
        Callback::ResponseBody => "proxy_on_response_body",
        Callback::ResponseTrailers => "proxy_on_response_trailers",
    }
}

fn failed(file: &Path, id: &str, message: String) -> CaseResult {
    CaseResult {
        file: file.to_path_buf(),
        id: id.to_string(),
        verdict: Verdict {
            failures: vec![message],
            ..Verdict::default()
        },
        trace: None,
    }
}

/// Runs every test of the file at `path` in the wasmtime host. A file that cannot be loaded
/// or whose plugin cannot start gives one failed result with an empty id. After a trap the
/// plugin is started again (as Envoy's `FAIL_RELOAD` does) and the trapping test fails.
pub fn run_file(path: &Path) -> Vec<CaseResult> {
    run_file_in(path, &resolve::wasm_dir())
}

/// Like [`run_file`], with the modules in `wasm_dir`.
pub fn run_file_in(path: &Path, wasm_dir: &Path) -> Vec<CaseResult> {
    run_file_as(path, wasm_dir, &Module::Filter)
}

/// Like [`run_file_in`], running `module` in the filter's place. A file that cannot be loaded,
/// or whose module cannot start, gives one failed result with an empty id.
pub fn run_file_as(path: &Path, wasm_dir: &Path, module: &Module) -> Vec<CaseResult> {
    let file = match load(path) {
        Ok(f) => f,
        Err(e) => return vec![failed(path, "", e.to_string())],
    };
    run_loaded(&file, path, wasm_dir, module)
}

/// [`run_file_as`] on a file already loaded.
pub fn run_loaded(
    file: &ScenarioFile,
    path: &Path,
    wasm_dir: &Path,
    module: &Module,
) -> Vec<CaseResult> {
    let start = |what: &str| {
        start_plugin_as(file, path, wasm_dir, module).map_err(|e| match module {
            Module::Filter => format!("{what}{e}"),
            other => format!("{what}{}: {e}", other.label()),
        })
    };
    let mut plugin = match start("") {
        Ok(p) => p,
        Err(e) => return vec![failed(path, "", e)],
    };
    let mut results = Vec::new();
    for case in &file.tests {
        match observe(&mut plugin, case) {
            Ok(obs) => {
                let verdict = check(&case.expect, &obs);
                let trace = (!verdict.passed() && *module == Module::Filter)
                    .then(|| crate::playground::explain(file, path, case));
                results.push(CaseResult {
                    file: path.to_path_buf(),
                    id: case.id.clone(),
                    verdict,
                    trace,
                });
            }
            Err(e) => {
                results.push(failed(path, &case.id, e));
                match start("restarting the plugin: ") {
                    Ok(p) => plugin = p,
                    Err(e) => {
                        results.push(failed(path, "", e));
                        return results;
                    }
                }
            }
        }
    }
    results
}
