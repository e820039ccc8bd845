//! The kill matrix step of `cargo xtask test`: every scenario file against the stand-ins
//! (allow-all, deny-all, refuse-all) and against its filter's mutants (`host-test kill-matrix`,
//! host-test/README.md "The kill matrix").
//!
//! The mutants are the filters built with their `mutants` feature, in their own target folder
//! (`target/mutants`): a `.wasm` of a `cdylib` carries no hash in its name, so a build with other
//! features in `target/` would overwrite the shipped module.

use std::path::PathBuf;

use anyhow::Result;

use crate::project::{run, target_dir, workspace_bin};

/// The filters whose mutants the kill matrix builds: the single filters (the scenario files name
/// them; the combined module runs the same stages).
const MUTANT_FILTERS: [&str; 3] = ["context-allowlist", "header-hardening", "tls-guard"];

/// `target/mutants`: the mutant builds' own target folder.
fn mutants_target() -> PathBuf {
    target_dir().join("mutants")
}

/// Builds the mutant modules (one release build for all of them), runs the policy's mutant unit
/// table, then the kill matrix over `host-test/scenarios`; fails when a file escapes a module
/// that must catch it.
pub(crate) fn kill_matrix() -> Result<()> {
    let features: Vec<String> = MUTANT_FILTERS
        .iter()
        .map(|f| format!("{f}/mutants"))
        .collect();
    crate::build::wasm_release(&MUTANT_FILTERS, Some(&mutants_target()), &features)?;
    // The unit tables of the mutants' own code: what each context-allowlist mutant switches,
    // how a filter reads `_mutant`, what tls-guard's and header-hardening's mutants
    // leave out (filter_shim::policy; off in `cargo test --workspace`, which never enables the
    // features).
    run(crate::project::cargo_linted().args([
        "test",
        "-p",
        "policies",
        "-p",
        "filter-shim",
        "--features",
        "policies/mutants,filter-shim/mutants",
        "--lib",
        "mutant",
    ]))?;
    run(workspace_bin("host-test")
        .args(["kill-matrix", "host-test/scenarios", "--mutants-dir"])
        .arg(mutants_target().join("wasm32-wasip1").join("release")))
}
