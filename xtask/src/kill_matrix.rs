//! The kill matrix step of `cargo xtask test`: every scenario file against the stand-ins
//! (allow-all, deny-all, refuse-all) and against its filter's mutants (`host-test kill-matrix`,
//! host-test/README.md "The kill matrix").
//!
//! The mutants are the filters built with their `mutants` feature, in their own target folder
//! (`target/mutants`): a `.wasm` of a `cdylib` carries no hash in its name, so a build with other
//! features in `target/` would overwrite the shipped module.

use std::path::PathBuf;

use anyhow::Result;

use crate::project::{cargo, run, target_dir, workspace_bin};
use crate::tools::ensure_wasm_target;

/// The filters with a `mutants` feature (header-hardening has none yet).
const MUTANT_FILTERS: [&str; 2] = ["context-allowlist", "tls-guard"];

/// `target/mutants`: the mutant builds' own target folder.
fn mutants_target() -> PathBuf {
    target_dir().join("mutants")
}

/// Builds the mutant modules (one release build for all of them), runs the policy's mutant unit
/// table, then the kill matrix over `host-test/scenarios`; fails when a file escapes a module
/// that must catch it.
pub(crate) fn kill_matrix() -> Result<()> {
    ensure_wasm_target()?;
    let mut build = cargo();
    build
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip1",
            "--target-dir",
        ])
        .arg(mutants_target());
    for f in MUTANT_FILTERS {
        build.args(["-p", f]);
    }
    let features: Vec<String> = MUTANT_FILTERS
        .iter()
        .map(|f| format!("{f}/mutants"))
        .collect();
    run(build.args(["--features", &features.join(",")]))?;
    // The unit table of what each context-allowlist mutant switches (off in `cargo test
    // --workspace`, which never enables the feature).
    run(cargo().args([
        "test",
        "-p",
        "policies",
        "--features",
        "policies/mutants",
        "--lib",
        "mutant_tests",
    ]))?;
    run(workspace_bin("host-test")
        .args(["kill-matrix", "host-test/scenarios", "--mutants-dir"])
        .arg(mutants_target().join("wasm32-wasip1").join("release")))
}
