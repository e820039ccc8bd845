//! # playground: the policies in the browser
//!
//! The `policies` crate, the same code the Proxy-Wasm filters run, compiled to
//! `wasm32-unknown-unknown` and exposed to the page (`web/`) through `wasm-bindgen`. Everything
//! crosses the boundary as JSON text, so the page and the host tests read the same shapes:
//!
//! - [`presets`]: the shipped plugin configurations, one per module and product.
//! - [`compile`]: a module's plugin configuration to a [`Compiled`] module, or the error with
//!   its field path, line and column (1-based), as the filter's `on_configure` would refuse it.
//! - [`Compiled::run`]: one exchange (`policies::exchange::Exchange`: the request, the
//!   connection's properties, the upstream's answer) to its outcome
//!   (`policies::exchange::ExchangeOutcome`: the status, the local response, each policy's
//!   decision with its trace, the answer's headers before and after hardening).
//!
//! `cargo xtask playground` builds the page into `target/playground/` and serves it on loopback.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use policies::ConfigError;
use policies::combined::{MODULE, SECTIONS};
use policies::exchange::{Exchange, Module};

/// An error as the page shows it: the message, and where (a configuration field path, a
/// 1-based line and column) when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageError {
    /// What is wrong.
    pub message: String,
    /// The configuration field (`virtual_hosts[0].allow[1]`), for a configuration error.
    pub path: Option<String>,
    /// The line (1-based) in the text that was read.
    pub line: Option<usize>,
    /// The column (1-based).
    pub column: Option<usize>,
}

impl PageError {
    fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| format!("{:?}", self.message))
    }

    fn config(e: &ConfigError) -> Self {
        let (line, column) = e
            .location()
            .map_or((None, None), |(l, c)| (Some(l), Some(c)));
        Self {
            message: e.to_string(),
            path: Some(e.path().to_string()),
            line,
            column,
        }
    }

    fn exchange(e: &serde_json::Error) -> Self {
        Self {
            message: format!("exchange: {e}"),
            path: None,
            line: Some(e.line()),
            column: Some(e.column()),
        }
    }
}

/// One shipped preset as the page lists it.
#[derive(Debug, Clone, Serialize)]
struct PagePreset {
    module: &'static str,
    product: &'static str,
    config: String,
}

/// The shipped presets as JSON: `[{"module", "product", "config"}]`, each single filter's
/// (`policies::presets::ALL`) and, per product, the combined module's (a section per policy).
#[wasm_bindgen]
pub fn presets() -> String {
    let mut out: Vec<PagePreset> = policies::presets::ALL
        .iter()
        .map(|p| PagePreset {
            module: p.filter,
            product: p.product,
            config: p.json.to_owned(),
        })
        .collect();
    let mut products: Vec<&str> = policies::presets::ALL.iter().map(|p| p.product).collect();
    products.sort_unstable();
    products.dedup();
    for product in products {
        let sections: Vec<String> = SECTIONS
            .iter()
            .filter_map(|s| {
                let preset = policies::presets::find(s.filter, product)?;
                Some(format!("  \"{}\": {}", s.key, indent(preset.json.trim())))
            })
            .collect();
        out.push(PagePreset {
            module: MODULE,
            product,
            config: format!("{{\n{}\n}}\n", sections.join(",\n")),
        });
    }
    serde_json::to_string(&out).unwrap_or_default()
}

/// `json` with every line but the first indented by two spaces (a section in the combined
/// configuration).
fn indent(json: &str) -> String {
    json.lines().collect::<Vec<_>>().join("\n  ")
}

/// A compiled module, kept by the page while its configuration is unchanged.
#[wasm_bindgen]
pub struct Compiled {
    module: Module,
}

/// Compiles `config` (JSON text) as the plugin configuration of `module` (`context-allowlist`,
/// `header-hardening`, `tls-guard` or `gateway-hardening`).
///
/// # Errors
/// A [`PageError`] as JSON text: the refused field's path, line and column.
#[wasm_bindgen]
pub fn compile(module: &str, config: &str) -> Result<Compiled, String> {
    Module::compile(module, config.as_bytes())
        .map(|module| Compiled { module })
        .map_err(|e| PageError::config(&e).json())
}

#[wasm_bindgen]
impl Compiled {
    /// The module's policies in request order, as a JSON list of filter names.
    pub fn policies(&self) -> String {
        let names: Vec<&str> = self.module.policies.iter().map(|p| p.filter()).collect();
        serde_json::to_string(&names).unwrap_or_default()
    }

    /// Runs `exchange` (JSON text, `policies::exchange::Exchange`) through the module and
    /// returns its outcome as JSON text (`policies::exchange::ExchangeOutcome`).
    ///
    /// # Errors
    /// A [`PageError`] as JSON text: the exchange's JSON error with its line and column, or a
    /// value that is not valid base64.
    pub fn run(&self, exchange: &str) -> Result<String, String> {
        let exchange: Exchange =
            serde_json::from_str(exchange).map_err(|e| PageError::exchange(&e).json())?;
        let outcome = self.module.run(&exchange).map_err(|message| {
            PageError {
                message,
                path: None,
                line: None,
                column: None,
            }
            .json()
        })?;
        serde_json::to_string(&outcome).map_err(|e| {
            PageError {
                message: e.to_string(),
                path: None,
                line: None,
                column: None,
            }
            .json()
        })
    }
}

#[cfg(test)]
mod tests;
