//! The scenario tests as the playground reads them, and their explanations.
//!
//! [`export`] runs every test of the scenario files in this host (the `.wasm` module) and writes,
//! per test, the module, its plugin configuration, the exchange as `policies::exchange` takes
//! it (the request headers exactly as the module's first callback sees them, the connection's
//! and the upstream's properties as this host reports them) and what the module answered:
//! `target/playground/scenarios.json`, which the page offers and its Chromium test replays.
//! [`explain`] runs one test natively through `policies::exchange` and prints every decision's
//! trace, for a failing test.

use std::path::Path;

use policies::exchange::{
    Bytes, Exchange, ExchangeOutcome, HostKind, Module as Policies, PropertyValue, RequestInput,
    UpstreamInput,
};
use serde::{Deserialize, Serialize};

use crate::abi::properties::{Value, connection_properties, upstream_properties};
use crate::exchange::request_header_map;
use crate::runner::{observe, start_plugin};
use crate::scenario::{Case, HostName, ScenarioFile, convert, load, resolve};

/// The request id every exported request carries (the host would make one up per request).
pub const REQUEST_ID: &str = "00000000-0000-4000-8000-00000000beef";

/// One exported test.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exported {
    /// The scenario file, relative to the folder exported.
    pub file: String,
    /// The file without its extension (`context-allowlist/bypass/dot-segments`): its family.
    pub family: String,
    /// The test's id.
    pub id: String,
    /// What the test shows (`desc`, else the file's description).
    pub desc: Option<String>,
    /// The module (`meta.filter`).
    pub module: String,
    /// The plugin configuration (JSON text).
    pub config: String,
    /// The exchange.
    pub exchange: Exchange,
    /// What the `.wasm` module answered in this host.
    pub wasm: WasmAnswer,
}

/// What the module answered in the wasmtime host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WasmAnswer {
    /// The status the client got (`None`: the exchange stalled).
    pub status: Option<u32>,
    /// Whether the request reached the upstream.
    pub reached_upstream: bool,
    /// The local response's details.
    pub local_details: Option<String>,
}

/// The export file: every test of the folder's scenario files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Export {
    /// The tests, file by file in path order.
    pub cases: Vec<Exported>,
}

/// The exchange of `case` (a test of `file`) as `policies::exchange` takes it.
///
/// # Errors
/// A request or connection the scenario file describes wrongly, naming the field.
pub fn exchange_of(file: &ScenarioFile, case: &Case) -> Result<Exchange, String> {
    let conn = convert::connection(case)?;
    let req = convert::request(case)?;
    let resp = convert::response(case);
    let request_id = req
        .headers
        .get_str("x-request-id")
        .unwrap_or_else(|| REQUEST_ID.to_owned());
    let headers = request_header_map(&req, &request_id);
    let pairs = |m: &crate::map::HeaderMap| -> Vec<(String, Bytes)> {
        m.pairs()
            .iter()
            .map(|(n, v)| (String::from_utf8_lossy(n).into_owned(), Bytes::of(v)))
            .collect()
    };
    Ok(Exchange {
        request: RequestInput {
            headers: pairs(&headers),
            body: (!req.body.is_empty()).then(|| Bytes::of(&req.body)),
            trailers: pairs(&req.trailers),
        },
        host: match file.meta.host {
            HostName::Envoy => HostKind::Envoy,
            HostName::Kong => HostKind::Kong,
        },
        properties: typed(connection_properties(&conn)),
        upstream: Some(UpstreamInput {
            status: resp.status,
            headers: pairs(&resp.headers),
            properties: typed(upstream_properties(&resp.upstream)),
        }),
    })
}

fn typed(values: Vec<(String, Value)>) -> std::collections::BTreeMap<String, PropertyValue> {
    values
        .into_iter()
        .filter_map(|(k, v)| {
            let v = match v {
                Value::Str(s) => PropertyValue::Bytes(Bytes::Text(s)),
                Value::Bytes(b) => PropertyValue::Bytes(Bytes::of(&b)),
                Value::Int(i) => PropertyValue::Int(i),
                Value::Bool(b) => PropertyValue::Bool(b),
                Value::Map(_) => return None,
            };
            Some((k, v))
        })
        .collect()
}

/// Runs `case` natively through the policies of `file`'s module: the outcome with every trace.
///
/// # Errors
/// The configuration or the test that cannot be read, as a sentence.
pub fn native(file: &ScenarioFile, path: &Path, case: &Case) -> Result<ExchangeOutcome, String> {
    let config = resolve::plugin_configuration(&file.meta, path).map_err(|e| e.to_string())?;
    let module = Policies::compile(&file.meta.filter, &config).map_err(|e| e.to_string())?;
    module.run(&exchange_of(file, case)?)
}

/// The traces of `case` as text (one line per step, indented), for a failing test's report.
pub fn explain(file: &ScenarioFile, path: &Path, case: &Case) -> String {
    let outcome = match native(file, path, case) {
        Ok(o) => o,
        Err(e) => return format!("    (no trace: {e})\n"),
    };
    let mut out = format!(
        "    the policies natively: status {}{}\n",
        outcome.status,
        outcome
            .local_details
            .as_deref()
            .map(|d| format!(", local response {d}"))
            .unwrap_or_default()
    );
    for trace in &outcome.traces {
        let o = &trace.outcome;
        out.push_str(&format!(
            "    {} ({:?}): {} {}{}\n",
            trace.policy,
            trace.phase,
            o.decision,
            o.reason,
            o.status.map(|s| format!(" {s}")).unwrap_or_default()
        ));
        for step in &trace.steps {
            let arrow = match (&step.before, &step.after) {
                (Some(b), Some(a)) => format!(": {b} -> {a}"),
                (None, Some(a)) => format!(": {a}"),
                (Some(b), None) => format!(": {b} -> (removed)"),
                (None, None) => String::new(),
            };
            let rule = step
                .rule
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            let mark = if step.decisive { "*" } else { "-" };
            out.push_str(&format!("      {mark} {}{arrow}{rule}\n", step.title));
        }
    }
    out
}

/// Runs every test of the scenario files under `root` in this host and exports them, with the
/// module's answers. A file that cannot be loaded, or a test that cannot run, is an error line
/// in the second list.
pub fn export(root: &Path) -> (Export, Vec<String>) {
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for path in crate::scenario::collect(&[root.to_path_buf()]) {
        if let Err(e) = export_file(root, &path, &mut cases) {
            errors.push(format!("{}: {e}", path.display()));
        }
    }
    (Export { cases }, errors)
}

fn export_file(root: &Path, path: &Path, out: &mut Vec<Exported>) -> Result<(), String> {
    let file = load(path).map_err(|e| e.to_string())?;
    let config = resolve::plugin_configuration(&file.meta, path).map_err(|e| e.to_string())?;
    let config = String::from_utf8(config).map_err(|e| format!("configuration: {e}"))?;
    let mut plugin = start_plugin(&file, path).map_err(|e| e.to_string())?;
    let relative = path.strip_prefix(root).unwrap_or(path);
    let name = relative.to_string_lossy().replace('\\', "/");
    let family = name.strip_suffix(".yaml").unwrap_or(&name).to_owned();
    for case in &file.tests {
        let exchange = exchange_of(&file, case).map_err(|e| format!("{}: {e}", case.id))?;
        let observed = observe(&mut plugin, case).map_err(|e| format!("{}: {e}", case.id))?;
        out.push(Exported {
            file: name.clone(),
            family: family.clone(),
            id: case.id.clone(),
            desc: case.desc.clone().or_else(|| file.meta.description.clone()),
            module: file.meta.filter.clone(),
            config: config.clone(),
            exchange,
            wasm: WasmAnswer {
                status: observed.status,
                reached_upstream: observed.reached_upstream,
                local_details: observed.local_details,
            },
        });
    }
    Ok(())
}

/// Whether the policies run natively on `case`'s exchange give what the module answered: the
/// same status, whether it reached the upstream, the same local response details.
///
/// # Errors
/// The difference, or why the native run could not be made.
pub fn agree(case: &Exported) -> Result<(), String> {
    let module =
        Policies::compile(&case.module, case.config.as_bytes()).map_err(|e| e.to_string())?;
    let native = module.run(&case.exchange)?;
    let got = WasmAnswer {
        status: Some(u32::from(native.status)),
        reached_upstream: native.reached_upstream,
        local_details: native.local_details,
    };
    if got == case.wasm {
        Ok(())
    } else {
        Err(format!("module {:?}, policies natively {got:?}", case.wasm))
    }
}
