//! `target/run/state.json`: what `up` started, so that `down` stops exactly that and the e2e
//! runners find the listeners.

use serde::{Deserialize, Serialize};

use anyhow::{Context, Result};

/// One process `up` started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Proc {
    pub(crate) pid: u32,
    /// The executable's path, checked against `/proc/<pid>/exe` before a signal is sent.
    pub(crate) exe: String,
}

/// Envoy as started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct EnvoyState {
    #[serde(flatten)]
    pub(crate) proc: Proc,
    pub(crate) admin: String,
    pub(crate) log: String,
    pub(crate) access_log: String,
    pub(crate) config: String,
}

/// One mock node as started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MockState {
    #[serde(flatten)]
    pub(crate) proc: Proc,
    pub(crate) node: String,
    /// The plain HTTP listener (empty for an HTTPS-only node).
    pub(crate) addr: String,
    /// The HTTPS listener, if any.
    #[serde(default)]
    pub(crate) https: Option<String>,
    pub(crate) log: String,
}

/// The whole file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunState {
    pub(crate) envoy: Option<EnvoyState>,
    pub(crate) mock: Vec<MockState>,
    pub(crate) listeners: std::collections::BTreeMap<String, String>,
    pub(crate) certs: String,
}

fn path() -> std::path::PathBuf {
    crate::project::run_dir().join("state.json")
}

impl RunState {
    /// Reads the state file; `None` when there is none.
    pub(crate) fn load() -> Result<Option<Self>> {
        let p = path();
        if !p.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&p)?;
        Ok(Some(
            serde_json::from_str(&text).with_context(|| format!("bad {}", p.display()))?,
        ))
    }

    /// Writes the state file.
    pub(crate) fn save(&self) -> Result<()> {
        std::fs::create_dir_all(crate::project::run_dir())?;
        std::fs::write(path(), serde_json::to_string_pretty(self)?)?;
        Ok(())
    }

    /// Removes the state file.
    pub(crate) fn remove() -> Result<()> {
        let p = path();
        if p.exists() {
            std::fs::remove_file(p)?;
        }
        Ok(())
    }
}
