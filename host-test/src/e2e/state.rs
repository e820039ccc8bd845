//! `target/run/state.json`, written by `cargo xtask up`: where Envoy's admin, logs and
//! listeners are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::scenario::resolve::workspace_root;

/// What the differential run needs from the state file.
#[derive(Debug, Clone)]
pub struct RunState {
    /// Envoy admin `ip:port`.
    pub admin: String,
    /// Envoy's own log (wasm log lines).
    pub envoy_log: Option<PathBuf>,
    /// Envoy's access log (JSON lines with `request_id` and `details`).
    pub access_log: Option<PathBuf>,
    /// Listener name → `ip:port`.
    pub listeners: BTreeMap<String, String>,
    /// The folder with the test CA and client certificates.
    pub certs: PathBuf,
}

/// The default state file: `<workspace>/target/run/state.json`.
pub fn default_path() -> PathBuf {
    workspace_root()
        .join("target")
        .join("run")
        .join("state.json")
}

fn abs(p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() {
        p
    } else {
        workspace_root().join(p)
    }
}

impl RunState {
    /// Reads `path`. Errors: missing (with the hint to run `cargo xtask up`), not JSON, no
    /// Envoy in it.
    pub fn load(path: &Path) -> Result<RunState, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{}: {e}; start Envoy and the mock upstream with `cargo xtask up`",
                path.display()
            )
        })?;
        let v: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let envoy = v.get("envoy").filter(|e| !e.is_null()).ok_or_else(|| {
            format!(
                "{}: no Envoy recorded; run `cargo xtask up`",
                path.display()
            )
        })?;
        let s =
            |o: &serde_json::Value, k: &str| o.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let listeners = v
            .get("listeners")
            .and_then(|l| l.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, a)| Some((k.clone(), a.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Ok(RunState {
            admin: s(envoy, "admin").unwrap_or_else(|| "127.0.0.1:9901".to_string()),
            envoy_log: s(envoy, "log").map(|p| abs(&p)),
            access_log: s(envoy, "access_log").map(|p| abs(&p)),
            listeners,
            certs: s(&v, "certs")
                .map(|p| abs(&p))
                .unwrap_or_else(|| workspace_root().join("target/certs")),
        })
    }
}
