//! `cargo xtask test`: the project's one test command. Each step prints its own summary; the
//! last lines are a table of every step with its result and time. The end-to-end steps run
//! against the real Envoy that `up` starts, and `down` runs whatever happens.

use std::time::Instant;

use anyhow::{Result, bail};

use crate::project::{FILTERS, cargo, run};

type StepFn = fn() -> Result<()>;

/// Steps that need no Envoy.
const OFFLINE: &[(&str, StepFn)] = &[
    ("fmt", fmt),
    ("examples in sync", || crate::examples::examples(true)),
    ("clippy (host)", clippy_host),
    ("clippy (wasm32-wasip1)", clippy_wasm),
    ("unit tests", unit_tests),
    ("build filters and mock", crate::build::build),
    (
        "oci images reproducible, istio manifests in sync",
        crate::oci::reproducible_and_in_sync,
    ),
];

/// Steps against the real Envoy, between `up` and `down`.
const E2E: &[(&str, StepFn)] = &[
    (
        "scenario files in both hosts (wasmtime and Envoy)",
        scenarios_in_both_hosts,
    ),
    (
        "envoy refuses invalid plugin configuration",
        crate::envoy_checks::invalid_config_is_refused,
    ),
    (
        "envoy keeps the old listener on a refused LDS update",
        crate::envoy_checks::lds_update_with_invalid_config_is_rejected,
    ),
    (
        "oci registry round trip, pulled module in envoy",
        crate::oci::roundtrip::registry_roundtrip,
    ),
    ("tls-scan of the https listener", crate::tls_e2e::scan_https),
    ("tls-guard end to end", crate::tls_e2e::tls_guard_end_to_end),
    (
        "header audit (A+ through Envoy, raw upstream fails)",
        crate::header_audit::run,
    ),
];

/// Runs every step (or those whose name contains `only`); fails when any failed. A failing
/// offline step does not stop the other offline steps, but the end-to-end group runs only when
/// every offline step passed (it needs their build), and the summary says it was skipped.
pub(crate) fn test(no_e2e: bool, only: Option<&str>) -> Result<()> {
    crate::project::set_in_test();
    let selected = |name: &str| only.is_none_or(|o| name.contains(o));
    let mut results: Vec<(String, bool, f64)> = Vec::new();
    let mut step = |name: &str, f: &dyn Fn() -> Result<()>| {
        println!("\n==> {name}");
        let t = Instant::now();
        let res = f();
        if let Err(e) = &res {
            eprintln!("FAILED {name}: {e:#}");
        }
        results.push((name.to_owned(), res.is_ok(), t.elapsed().as_secs_f64()));
        res.is_ok()
    };
    let offline_ok = OFFLINE
        .iter()
        .filter(|(n, _)| selected(n))
        .fold(true, |ok, (name, f)| step(name, f) && ok);
    let e2e: Vec<_> = E2E.iter().filter(|(n, _)| selected(n)).collect();
    let skipped_e2e = !offline_ok && !no_e2e && !e2e.is_empty();
    if offline_ok && !no_e2e && !e2e.is_empty() {
        if step("up", &crate::up::up) {
            for (name, f) in &e2e {
                step(name, f);
            }
        }
        step("down", &crate::down::down);
    }
    println!("\n==> summary");
    for (name, passed, secs) in &results {
        println!(
            "{:<6} {name:<50} {secs:>7.1} s",
            if *passed { "ok" } else { "FAILED" }
        );
    }
    if skipped_e2e {
        println!(
            "skipped {} end-to-end step(s): an offline step failed",
            e2e.len()
        );
    }
    let failed = results.iter().filter(|r| !r.1).count();
    println!("{} steps passed, {failed} failed", results.len() - failed);
    if failed > 0 {
        bail!("{failed} step(s) failed")
    } else {
        Ok(())
    }
}

fn fmt() -> Result<()> {
    run(cargo().args(["fmt", "--all", "--", "--check"]))
}

fn clippy_host() -> Result<()> {
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

fn clippy_wasm() -> Result<()> {
    crate::tools::ensure_wasm_target()?;
    let mut cmd = cargo();
    cmd.args([
        "clippy",
        "--target",
        "wasm32-wasip1",
        "-p",
        "policies",
        "-p",
        "filter-shim",
    ]);
    for f in FILTERS {
        cmd.args(["-p", f]);
    }
    run(cmd.args(["--", "-D", "warnings"]))
}

fn unit_tests() -> Result<()> {
    run(cargo().args(["test", "--workspace"]))
}

/// Every scenario file through the wasmtime host and the running Envoy (`host-test diff`):
/// a test that passes in one host and fails in the other fails.
fn scenarios_in_both_hosts() -> Result<()> {
    run(crate::project::workspace_bin("host-test").args(["diff", "host-test/scenarios"]))
}
