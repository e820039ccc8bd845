//! `cargo xtask build`: the filters for wasm32-wasip1 (release profile: the modules that ship)
//! and the mock upstream.

use std::path::Path;

use anyhow::Result;

use crate::project::{FILTERS, cargo, run, wasm_path};
use crate::tools::ensure_wasm_target;

/// `cargo build --release --target wasm32-wasip1` of `filters`, into `target_dir` (`None`: the
/// workspace's `target/`), with `features` (`filter/feature`); installs the target when missing.
pub(crate) fn wasm_release(
    filters: &[&str],
    target_dir: Option<&Path>,
    features: &[String],
) -> Result<()> {
    ensure_wasm_target()?;
    let mut wasm = cargo();
    wasm.args(["build", "--release", "--target", "wasm32-wasip1"]);
    if let Some(dir) = target_dir {
        wasm.arg("--target-dir").arg(dir);
    }
    for f in filters {
        wasm.args(["-p", f]);
    }
    if !features.is_empty() {
        wasm.args(["--features", &features.join(",")]);
    }
    run(&mut wasm)
}

/// Builds every filter's release `.wasm` and the release mock-wso2 binary (inside `cargo xtask
/// test`, the filters only: see [`crate::project::mock_binary`]).
pub(crate) fn build() -> Result<()> {
    wasm_release(FILTERS, None, &[])?;
    for f in FILTERS {
        let size = std::fs::metadata(wasm_path(f))
            .map(|m| m.len())
            .unwrap_or(0);
        println!("build: {} ({size} bytes)", wasm_path(f).display());
    }
    if crate::project::in_test() {
        // The suite runs the mock that its unit-test build made (`project::mock_binary`).
        return Ok(());
    }
    run(cargo().args(["build", "--release", "-p", "mock-wso2"]))
}
