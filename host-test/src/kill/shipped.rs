//! What the kill matrix checks of the shipped modules themselves: each refuses a plugin
//! configuration with `_mutant`, and the combined module refuses it inside each section (a
//! mutant build is never what ships).

use std::path::{Path, PathBuf};

use super::Options;
use crate::error::Error;
use crate::runner::{Module, start_plugin_as};
use crate::scenario::{ScenarioFile, resolve};

/// For each filter with mutant columns: its shipped module must refuse a plugin configuration
/// with `_mutant` (the first mapped file's configuration with the first mutant's name).
pub(super) fn refuse_mutants(
    loaded: &[(PathBuf, ScenarioFile)],
    options: &Options,
) -> Vec<(String, Result<(), String>)> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (path, file) in loaded {
        let Some(name) = options.map.required(path).first() else {
            continue;
        };
        if seen.contains(&file.meta.filter.as_str()) {
            continue;
        }
        seen.push(&file.meta.filter);
        let shipped = Module::Mutant {
            dir: options.wasm_dir.clone(),
            name: name.clone(),
        };
        let label = format!("{}: the shipped module refuses `_mutant`", file.meta.filter);
        let result = match start_plugin_as(file, path, &options.wasm_dir, &shipped) {
            Err(Error::ConfigureRejected { .. }) => Ok(()),
            Err(e) => Err(format!("could not run it: {e}")),
            Ok(_) => Err(format!(
                "it accepted `\"_mutant\": \"{name}\"` from {} (a module built with the `mutants` feature?)",
                path.display()
            )),
        };
        out.push((label, result));
        if crate::scenario::combined::POLICIES.contains(&file.meta.filter.as_str()) {
            out.push(combined_refuses_mutant(path, file, name, options));
        }
    }
    out
}

/// The combined module (`gateway_hardening.wasm`, shipped) must refuse `_mutant` inside the
/// section of `file`'s filter too: each section is compiled as the single filter's configuration.
fn combined_refuses_mutant(
    path: &Path,
    file: &ScenarioFile,
    name: &str,
    options: &Options,
) -> (String, Result<(), String>) {
    let label = format!(
        "gateway-hardening: the shipped module refuses `_mutant` in its `{}` section",
        file.meta.filter.replace('-', "_")
    );
    let config = resolve::plugin_configuration(&file.meta, path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let Some(serde_json::Value::Object(mut section)) = config else {
        return (
            label,
            Err(format!("{}: no JSON object configuration", path.display())),
        );
    };
    section.insert("_mutant".to_owned(), name.into());
    let mut combined = file.clone();
    crate::scenario::combined::with_section(&mut combined, serde_json::Value::Object(section));
    let result = match start_plugin_as(&combined, path, &options.wasm_dir, &Module::Filter) {
        Err(Error::ConfigureRejected { .. }) => Ok(()),
        Err(e) => Err(format!("could not run it: {e}")),
        Ok(_) => Err(format!(
            "it accepted `\"_mutant\": \"{name}\"` in a section"
        )),
    };
    (label, result)
}
