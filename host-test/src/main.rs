//! `host-test`: run scenario files in the wasmtime host (`run`), in real Envoy (`e2e`), or in
//! both, failing on any disagreement (`diff`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use host_test::check::{Verdict, check};
use host_test::differences::{self, ExpectedDifferences};
use host_test::e2e::{EnvoyRunner, Outcome, targets};
use host_test::runner::{CaseResult, collect, observe, run_file, start_plugin};
use host_test::scenario::{ScenarioFile, load};

#[derive(Parser)]
#[command(
    name = "host-test",
    about = "Proxy-Wasm scenario runner (wasmtime host and real Envoy)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct EnvoyArgs {
    /// Scenario files or folders.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The state file `cargo xtask up` wrote (default target/run/state.json).
    #[arg(long)]
    state: Option<PathBuf>,
    /// The expected differences (default host-test/scenarios/expected-differences.yaml).
    #[arg(long)]
    expected: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files (or folders of them) in the wasmtime host.
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Send the tests to the Envoy that `cargo xtask up` started (sequentially).
    E2e(EnvoyArgs),
    /// Run every test in both hosts; a test that passes in one and fails in the other fails.
    Diff(EnvoyArgs),
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Tally {
    fn ok(&mut self, line: String) {
        self.passed += 1;
        println!("ok   {line}");
    }
    fn fail(&mut self, line: String) {
        self.failed += 1;
        println!("FAIL {line}");
    }
    fn skip(&mut self, line: String) {
        self.skipped += 1;
        println!("skip {line}");
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut t = Tally::default();
    match cli.command {
        Command::Run { paths } => run(&paths, &mut t),
        Command::E2e(args) => envoy(&args, false, &mut t),
        Command::Diff(args) => envoy(&args, true, &mut t),
    }
    if t.skipped > 0 {
        println!(
            "{} passed, {} failed, {} skipped",
            t.passed, t.failed, t.skipped
        );
    } else {
        println!("{} passed, {} failed", t.passed, t.failed);
    }
    if t.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn files(paths: &[PathBuf], t: &mut Tally) -> Vec<PathBuf> {
    let files = collect(paths);
    if files.is_empty() {
        t.fail("no scenario files under the given paths".to_string());
    }
    files
}

fn print_result(r: &CaseResult, t: &mut Tally) {
    if r.id.is_empty() {
        t.fail(r.verdict.failures.join("; "));
    } else if r.verdict.passed() {
        t.ok(format!("{} {}", r.file.display(), r.id));
    } else {
        t.fail(format!(
            "{} {}: {}",
            r.file.display(),
            r.id,
            r.verdict.failures.join("; ")
        ));
    }
}

fn run(paths: &[PathBuf], t: &mut Tally) {
    for file in files(paths, t) {
        for r in run_file(&file) {
            print_result(&r, t);
        }
    }
}

fn envoy(args: &EnvoyArgs, both: bool, t: &mut Tally) {
    let mut runner = match EnvoyRunner::new(args.state.as_deref()) {
        Ok(r) => r,
        Err(e) => return t.fail(e),
    };
    let expected_path = args
        .expected
        .clone()
        .unwrap_or_else(differences::default_path);
    let expected = match ExpectedDifferences::load(&expected_path) {
        Ok(e) => e,
        Err(e) => return t.fail(e),
    };
    for path in files(&args.paths, t) {
        let file = match load(&path) {
            Ok(f) => f,
            Err(e) => {
                t.fail(e.to_string());
                continue;
            }
        };
        envoy_file(&mut runner, &expected, &path, &file, both, t);
    }
}

fn envoy_file(
    runner: &mut EnvoyRunner,
    expected: &ExpectedDifferences,
    path: &Path,
    file: &ScenarioFile,
    both: bool,
    t: &mut Tally,
) {
    let mut plugin = None;
    if both {
        match start_plugin(file, path) {
            Ok(p) => plugin = Some(p),
            Err(e) => return t.fail(format!("{}: {e}", path.display())),
        }
    }
    for case in &file.tests {
        let name = format!("{} {}", path.display(), case.id);
        let wasm: Option<Verdict> = plugin.as_mut().map(|p| match observe(p, case) {
            Ok(obs) => check(&case.expect, &obs),
            Err(e) => {
                if let Ok(fresh) = start_plugin(file, path) {
                    *p = fresh;
                }
                Verdict {
                    failures: vec![e],
                    unobservable: Vec::new(),
                }
            }
        });
        let targets = match targets(file, case) {
            Ok(ts) => ts,
            Err(reason) => {
                report_wasm_only(
                    &name,
                    wasm.as_ref(),
                    &format!("not sent to Envoy: {reason}"),
                    t,
                );
                continue;
            }
        };
        if targets.is_empty() {
            report_wasm_only(
                &name,
                wasm.as_ref(),
                "no envoy.listeners: wasmtime host only",
                t,
            );
            continue;
        }
        for target in targets {
            let label = format!(
                "{}/{}",
                target.listener,
                if target.protocol == host_test::scenario::Protocol::Http1 {
                    "http1"
                } else {
                    "http2"
                }
            );
            let line = format!("{name} [{target}]");
            let envoy = match runner.observe(file, path, case, &target) {
                Outcome::Skipped(reason) => {
                    t.skip(format!("{line}: {reason}"));
                    continue;
                }
                Outcome::Error(e) => Verdict {
                    failures: vec![e],
                    unobservable: Vec::new(),
                },
                Outcome::Observed(obs) => check(&case.expect, &obs),
            };
            let excused = expected.reason(path, &case.id, &label);
            match (&wasm, envoy.passed()) {
                (None, true) => t.ok(line),
                (None, false) => match excused {
                    Some(r) => t.ok(format!("{line} (expected difference: {r})")),
                    None => t.fail(format!("{line}: {}", envoy.failures.join("; "))),
                },
                (Some(w), true) if w.passed() => t.ok(format!("{line} agrees with wasmtime")),
                (Some(w), true) => t.fail(format!(
                    "{line}: wasmtime disagreed: {}",
                    w.failures.join("; ")
                )),
                (Some(w), false) if w.passed() => match excused {
                    Some(r) => t.ok(format!("{line} (expected difference: {r})")),
                    None => t.fail(format!(
                        "{line}: {target} disagreed: {}",
                        envoy.failures.join("; ")
                    )),
                },
                (Some(w), false) => t.fail(format!(
                    "{line}: fails in both hosts: wasmtime: {}; envoy: {}",
                    w.failures.join("; "),
                    envoy.failures.join("; ")
                )),
            }
        }
    }
}

fn report_wasm_only(name: &str, wasm: Option<&Verdict>, note: &str, t: &mut Tally) {
    match wasm {
        None => t.skip(format!("{name}: {note}")),
        Some(w) if w.passed() => t.ok(format!("{name} [wasmtime; {note}]")),
        Some(w) => t.fail(format!("{name} [wasmtime]: {}", w.failures.join("; "))),
    }
}
