//! `cargo xtask test`: the project's one test command. Each step prints its own summary; the
//! last lines are a table of every step with its result and time. The end-to-end steps run
//! against the real Envoy that `up` starts, and `down` runs whatever happens.

use std::time::Instant;

use anyhow::{Result, bail};

use crate::project::{FILTERS, cargo, cargo_linted, run};

type StepFn = fn() -> Result<()>;

/// Steps that need no Envoy.
const OFFLINE: &[(&str, StepFn)] = &[
    ("fmt", fmt),
    ("examples in sync", || crate::examples::examples(true)),
    ("clippy and test build (host)", clippy_and_build_host),
    ("clippy (wasm32-wasip1)", clippy_wasm),
    ("unit tests", unit_tests),
    ("build filters and mock", crate::build::build),
    (
        "kill matrix (scenario files against stand-ins and mutants)",
        crate::kill_matrix::kill_matrix,
    ),
    (
        "scenario files against the combined module (wasmtime)",
        scenarios_combined,
    ),
    (
        "modules and oci images reproducible, istio manifests in sync",
        crate::oci::reproducible_and_in_sync,
    ),
    (
        "prometheus rules (promtool check and test)",
        crate::ops::alerts::promtool_checks,
    ),
];

/// Steps against the real Envoy, between `up` and `down`.
const E2E: &[(&str, StepFn)] = &[
    (
        "scenario files in both hosts (wasmtime and Envoy)",
        scenarios_in_both_hosts,
    ),
    (
        "combined module answers as the chain of single filters (Envoy)",
        combined_answers_as_chain,
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
    (
        "gateway-hardening audit (gateway passes, raw upstream fails)",
        crate::audit_e2e::run,
    ),
    (
        "failover under load (node killed, restarted, gone bad; active-passive)",
        crate::ops::failover::failover,
    ),
    (
        "plugin configuration update over LDS under load",
        crate::ops::reload::reload_under_load,
    ),
    (
        "access log rotation under load loses no line",
        crate::ops::rotation::rotation_loses_no_line,
    ),
    (
        "alert fires on an admin-context scan (prometheus)",
        crate::ops::alerts::scan_fires_alert,
    ),
];

/// Steps that need no Envoy but run last: their tools (wasm-bindgen-cli, Chromium, the
/// WebDriver checker) are installed and built in the background while the Envoy steps run
/// (`playground::prepare_in_background`).
const LAST: &[(&str, StepFn)] = &[(
    "playground in headless Chromium (page against the wasmtime host, every scenario test)",
    crate::playground::chromium_check,
)];

/// Runs every step (or those whose name contains `only`); fails when any failed, and when
/// `only` selects no step (a run that tested nothing is not green). A failing offline step does
/// not stop the other offline steps, but the end-to-end group runs only when every offline step
/// passed (it needs their build). The summary lists every step: its result and time, or why it
/// was skipped (`--only`, `--no-e2e`, an offline failure).
pub(crate) fn test(no_e2e: bool, only: Option<&str>) -> Result<()> {
    crate::project::set_in_test();
    let selected = |name: &str| only.is_none_or(|o| name.contains(o));
    let all: Vec<&str> = OFFLINE
        .iter()
        .chain(E2E)
        .chain(LAST)
        .map(|(n, _)| *n)
        .collect();
    if !all.iter().any(|n| selected(n)) {
        bail!(
            "--only {:?} selects no step; the steps are:\n  {}",
            only.unwrap_or_default(),
            all.join("\n  ")
        );
    }
    let mut results: Vec<(String, Outcome, f64)> = Vec::new();
    let mut step = |name: &str, f: &dyn Fn() -> Result<()>| {
        println!("\n==> {name}");
        let t = Instant::now();
        let res = f();
        if let Err(e) = &res {
            eprintln!("FAILED {name}: {e:#}");
        }
        let outcome = if res.is_ok() {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        results.push((name.to_owned(), outcome, t.elapsed().as_secs_f64()));
        res.is_ok()
    };
    let mut skipped: Vec<(&str, &str)> = Vec::new();
    let mut offline_ok = true;
    for (name, f) in OFFLINE {
        if selected(name) {
            offline_ok = step(name, f) && offline_ok;
        } else {
            skipped.push((name, "not selected by --only"));
        }
    }
    if offline_ok && LAST.iter().any(|(n, _)| selected(n)) {
        // After the offline group, whose compilations it would slow: the Envoy steps leave the
        // CPU idle much of the time.
        crate::playground::prepare_in_background();
    }
    let mut e2e = Vec::new();
    for (name, f) in E2E {
        if !selected(name) {
            skipped.push((name, "not selected by --only"));
        } else if no_e2e {
            skipped.push((name, "--no-e2e"));
        } else if !offline_ok {
            skipped.push((name, "an offline step failed"));
        } else {
            e2e.push((name, f));
        }
    }
    if !e2e.is_empty() {
        if step("up", &crate::up::up) {
            for (name, f) in &e2e {
                step(name, f);
            }
        } else {
            skipped.extend(e2e.iter().map(|(name, _)| (**name, "`up` failed")));
        }
        step("down", &crate::down::down);
    }
    for (name, f) in LAST {
        if !selected(name) {
            skipped.push((name, "not selected by --only"));
        } else if !offline_ok {
            skipped.push((name, "an offline step failed"));
        } else {
            step(name, f);
        }
    }
    println!("\n==> summary");
    for (name, outcome, secs) in &results {
        let label = match outcome {
            Outcome::Passed => "ok",
            Outcome::Failed => "FAILED",
        };
        println!("{label:<8} {name:<55} {secs:>7.1} s");
    }
    for (name, why) in &skipped {
        println!("{:<8} {name:<55} ({why})", "skipped");
    }
    let failed = results.iter().filter(|r| r.1 == Outcome::Failed).count();
    println!(
        "{} steps passed, {failed} failed, {} skipped",
        results.len() - failed,
        skipped.len()
    );
    if failed > 0 {
        bail!("{failed} step(s) failed")
    } else {
        Ok(())
    }
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed,
}

fn fmt() -> Result<()> {
    run(cargo().args(["fmt", "--all", "--", "--check"]))
}

/// Builds every host target of the workspace (tests, benches, examples) with clippy as the
/// compiler wrapper and `-D warnings` (`project::cargo_linted`): the lints of
/// `cargo clippy --workspace --all-targets` and the build the unit tests then run, in one
/// compilation.
fn clippy_and_build_host() -> Result<()> {
    run(cargo_linted()
        .args(["test", "--workspace", "--all-targets", "--no-run"])
        .args(crate::project::APART))
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
    run(cargo_linted()
        .args(["test", "--workspace"])
        .args(crate::project::APART))
}

/// Every scenario file against `gateway_hardening.wasm` in the wasmtime host, each file's
/// configuration as its policy's section (`host-test run --combined`), with the expectations
/// written for the single filter. (In Envoy the example's listeners run the combined module, so
/// `scenarios_in_both_hosts` runs the files against it there.)
fn scenarios_combined() -> Result<()> {
    run(crate::project::workspace_bin("host-test").args([
        "run",
        "--combined",
        "host-test/scenarios",
    ]))
}

/// Every scenario file through the wasmtime host and the running Envoy (`host-test diff`):
/// a test that passes in one host and fails in the other fails. Envoy's answers (the example
/// runs the combined module) are kept for [`combined_answers_as_chain`].
fn scenarios_in_both_hosts() -> Result<()> {
    let answers = combined_answers();
    let _ = std::fs::remove_file(&answers);
    run(crate::project::workspace_bin("host-test")
        .args(["diff", "host-test/scenarios", "--answers"])
        .arg(&answers))
}

/// Where [`scenarios_in_both_hosts`] keeps the combined module's answers in Envoy.
fn combined_answers() -> std::path::PathBuf {
    crate::project::run_dir().join("answers-combined.jsonl")
}

/// The differential run in Envoy: the example with each combined filter replaced by the chain
/// of single filters (`chain_example`), every scenario file sent to it, and each answer
/// compared with the combined module's (`host-test same-answers`: status, headers, body, the
/// upstream's path, response code details). The example's Envoy is started again afterwards.
fn combined_answers_as_chain() -> Result<()> {
    let combined = combined_answers();
    if !combined.is_file() {
        bail!(
            "no answers from the combined module: the step `scenario files in both hosts` records them"
        );
    }
    let example = std::fs::read_to_string(crate::project::root().join(crate::up::CONFIG))?;
    let chain = crate::project::run_dir().join("envoy-chain.yaml");
    std::fs::write(&chain, crate::chain_example::chain_yaml(&example)?)?;
    crate::up::validate(&chain)?;
    let answers = crate::project::run_dir().join("answers-chain.jsonl");
    crate::up::restart_envoy(&chain.display().to_string())?;
    let host_test = || crate::project::workspace_bin("host-test");
    let result = run(host_test()
        .args(["e2e", "host-test/scenarios", "--answers"])
        .arg(&answers))
    .and_then(|()| run(host_test().arg("same-answers").arg(&combined).arg(&answers)));
    let _ = std::fs::remove_file(&combined);
    crate::up::restart_envoy(crate::up::CONFIG)?;
    result
}
