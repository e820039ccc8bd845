//! The scenario tests the wasmtime host exported (`scenarios.json`, `host-test playground`) and
//! their permalinks (`#s=` + base64url of the page's state as JSON, which the page reads as a
//! user's link).

use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;
use serde::Deserialize;

/// One exported test.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Case {
    /// The scenario file.
    pub(crate) file: String,
    /// The test's id.
    pub(crate) id: String,
    /// The module.
    pub(crate) module: String,
    /// The plugin configuration (JSON text).
    pub(crate) config: String,
    /// The exchange (`policies::exchange::Exchange` as JSON).
    pub(crate) exchange: serde_json::Value,
    /// What the `.wasm` module answered in the wasmtime host.
    pub(crate) wasm: Answer,
}

/// An answer: what the page shows in `#status`, `#reached` and `#details`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct Answer {
    /// The status (`None`: the exchange stalled in the host).
    pub(crate) status: Option<u32>,
    /// Whether the request reached the upstream.
    pub(crate) reached_upstream: bool,
    /// The local response's details.
    pub(crate) local_details: Option<String>,
}

#[derive(Deserialize)]
struct Export {
    cases: Vec<Case>,
}

/// The tests in `dir/scenarios.json`.
///
/// # Errors
/// The file is missing or not an export.
pub(crate) fn load(dir: &Path) -> anyhow::Result<Vec<Case>> {
    let path = dir.join("scenarios.json");
    let text = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let export: Export =
        serde_json::from_slice(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(export.cases)
}

impl Case {
    /// The permalink fragment of this test (`#s=...`).
    pub(crate) fn fragment(&self) -> String {
        let state = serde_json::json!({
            "module": self.module,
            "config": self.config,
            "exchange": self.exchange,
        });
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("#s={}", engine.encode(state.to_string()))
    }
}
