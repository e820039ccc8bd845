//! `host-test`: run scenario files in the wasmtime host (`run`), in real Envoy (`e2e`), or in
//! both, failing on any disagreement (`diff`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use host_test::answers::{self, Answer};
use host_test::check::{Verdict, check};
use host_test::differences::{self, ExpectedDifferences, Judgement};
use host_test::e2e::{EnvoyRunner, Outcome, targets};
#[cfg(feature = "wasmtime-host")]
use host_test::runner::{CaseResult, Module, run_file_as};
use host_test::scenario::{ScenarioFile, collect, load};

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
    /// One table row per request sent to Envoy (listener, protocol, request, what came back,
    /// what the scenario expects) instead of one line per test.
    #[arg(long)]
    table: bool,
    /// Run every file against the combined module (`gateway_hardening.wasm`, the file's
    /// configuration as its policy's section) instead of its filter's own.
    #[arg(long)]
    combined: bool,
    /// Also write every answer Envoy gave (one JSON object per line) to this file, for
    /// `same-answers`.
    #[arg(long)]
    answers: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files (or folders of them) in the wasmtime host.
    #[cfg(feature = "wasmtime-host")]
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Run this stand-in in every file's filter's place: allow-all, deny-all, refuse-all.
        #[arg(long, conflicts_with = "mutant")]
        stand_in: Option<host_test::stand_in::StandIn>,
        /// Run each file's filter's mutant build with `"_mutant": NAME` (the build in
        /// `$GATEWAY_MUTANTS_DIR`, default `target/mutants/wasm32-wasip1/release`).
        #[arg(long)]
        mutant: Option<String>,
        /// Run every file against the combined module (`gateway_hardening.wasm`, the file's
        /// configuration as its policy's section) instead of its filter's own.
        #[arg(long, conflicts_with_all = ["mutant", "stand_in"])]
        combined: bool,
    },
    /// The kill matrix: every file against its filter, the stand-ins and its filter's mutants;
    /// fails when a file passes against a module that must catch it (README: "The kill matrix").
    #[cfg(feature = "wasmtime-host")]
    KillMatrix {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The mutants each file must be caught by (default
        /// host-test/scenarios/kill-matrix.yaml).
        #[arg(long)]
        map: Option<PathBuf>,
        /// Where the mutant builds are (default `$GATEWAY_MUTANTS_DIR`, else
        /// `target/mutants/wasm32-wasip1/release`).
        #[arg(long)]
        mutants_dir: Option<PathBuf>,
        /// Also run each mutant against the files that need not catch it (slower; the matrix
        /// then shows which other files would catch it).
        #[arg(long)]
        every_cell: bool,
    },
    /// Export every test of the scenario files for the playground (`scenarios.json`: module,
    /// plugin configuration, exchange, and what the `.wasm` module answered in this host), and
    /// check that the policies run natively (`policies::exchange`, what the page runs) give
    /// the same status and local response for each.
    #[cfg(feature = "wasmtime-host")]
    Playground {
        /// The folder of scenario files (default host-test/scenarios).
        #[arg(long, default_value = "host-test/scenarios")]
        scenarios: PathBuf,
        /// Where to write the export.
        #[arg(long)]
        out: PathBuf,
    },
    /// Send the tests to the Envoy that `cargo xtask up` started (sequentially).
    E2e(EnvoyArgs),
    /// Run every test in both hosts; a test that passes in one and fails in the other fails.
    #[cfg(feature = "wasmtime-host")]
    Diff(EnvoyArgs),
    /// Compare two runs' answers (`e2e --answers`): one failure per test and target whose
    /// answers differ or that only one run has.
    SameAnswers {
        /// The first run's answers.
        first: PathBuf,
        /// The second run's answers.
        second: PathBuf,
    },
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
}

impl Tally {
    fn ok_raw(&mut self, row: String) {
        self.passed += 1;
        println!("{row}");
    }
    fn fail_raw(&mut self, row: String) {
        self.failed += 1;
        println!("{row}");
    }
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
        #[cfg(feature = "wasmtime-host")]
        Command::Run {
            paths,
            stand_in,
            mutant,
            combined,
        } => {
            if combined {
                host_test::scenario::combined::run_combined();
            }
            let module = match (stand_in, mutant) {
                (Some(s), _) => Module::StandIn(s),
                (None, Some(name)) => Module::Mutant {
                    dir: host_test::kill::default_mutants_dir(),
                    name,
                },
                (None, None) => Module::Filter,
            };
            run(&paths, &module, &mut t)
        }
        #[cfg(feature = "wasmtime-host")]
        Command::KillMatrix {
            paths,
            map,
            mutants_dir,
            every_cell,
        } => kill_matrix(&paths, map, mutants_dir, every_cell, &mut t),
        #[cfg(feature = "wasmtime-host")]
        Command::Playground { scenarios, out } => playground(&scenarios, &out, &mut t),
        Command::E2e(args) => envoy(&args, false, &mut t),
        #[cfg(feature = "wasmtime-host")]
        Command::Diff(args) => envoy(&args, true, &mut t),
        Command::SameAnswers { first, second } => same_answers(&first, &second, &mut t),
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

#[cfg(feature = "wasmtime-host")]
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
        if let Some(trace) = &r.trace {
            print!("{trace}");
        }
    }
}

#[cfg(feature = "wasmtime-host")]
fn run(paths: &[PathBuf], module: &Module, t: &mut Tally) {
    let wasm_dir = host_test::scenario::resolve::wasm_dir();
    for file in files(paths, t) {
        for r in run_file_as(&file, &wasm_dir, module) {
            print_result(&r, t);
        }
    }
}

/// `playground`: the export, then one line per test: the native policies against the module.
#[cfg(feature = "wasmtime-host")]
fn playground(scenarios: &Path, out: &Path, t: &mut Tally) {
    let (export, errors) = host_test::playground::export(scenarios);
    for e in errors {
        t.fail(e);
    }
    for case in &export.cases {
        let line = format!("{} {}", case.file, case.id);
        match host_test::playground::agree(case) {
            Ok(()) => t.ok(line),
            Err(e) => t.fail(format!("{line}: {e}")),
        }
    }
    let written = serde_json::to_vec(&export)
        .map_err(|e| e.to_string())
        .and_then(|json| std::fs::write(out, json).map_err(|e| e.to_string()));
    match written {
        Ok(()) => println!("{} tests exported to {}", export.cases.len(), out.display()),
        Err(e) => t.fail(format!("{}: {e}", out.display())),
    }
}

/// `kill-matrix`: the matrix, then one line per requirement (`ok` / `FAIL`).
#[cfg(feature = "wasmtime-host")]
fn kill_matrix(
    paths: &[PathBuf],
    map: Option<PathBuf>,
    mutants_dir: Option<PathBuf>,
    every_cell: bool,
    t: &mut Tally,
) {
    use host_test::kill::{self, MutantMap, Options};
    let map_path = map.unwrap_or_else(kill::default_map_path);
    let map = match MutantMap::load(&map_path) {
        Ok(m) => m,
        Err(e) => return t.fail(e),
    };
    let options = Options {
        wasm_dir: host_test::scenario::resolve::wasm_dir(),
        mutants_dir: mutants_dir.unwrap_or_else(kill::default_mutants_dir),
        map,
        every_cell,
    };
    let matrix = kill::kill_matrix(&files(paths, t), &options);
    let root = match paths {
        [one] if one.is_dir() => one.as_path(),
        _ => Path::new(""),
    };
    print!("{}", matrix.render(root));
    for (line, ok) in matrix.verdicts() {
        if ok { t.ok(line) } else { t.fail(line) }
    }
}

fn envoy(args: &EnvoyArgs, both: bool, t: &mut Tally) {
    if args.combined {
        host_test::scenario::combined::run_combined();
    }
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
    if args.table {
        println!("{}", table::header());
    }
    let ran = files(&args.paths, t);
    let mut answers = Vec::new();
    for path in &ran {
        let file = match load(path) {
            Ok(f) => f,
            Err(e) => {
                t.fail(e.to_string());
                continue;
            }
        };
        let how = How {
            both,
            table: args.table,
        };
        envoy_file(&mut runner, &expected, path, &file, how, &mut answers, t);
    }
    if let Some(out) = &args.answers
        && let Err(e) = answers::write(out, &answers)
    {
        t.fail(e);
    }
    // The run covered the folder of the list: every entry must have matched a test.
    let whole_suite = expected_path
        .parent()
        .is_some_and(|dir| args.paths.iter().any(|p| same_dir(p, dir)));
    for msg in expected.unmatched(&ran, whole_suite) {
        t.fail(msg);
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// How a file is sent to Envoy.
#[derive(Clone, Copy)]
struct How {
    /// Also through the wasmtime host (`diff`).
    both: bool,
    /// One table row per request (`--table`).
    table: bool,
}

fn envoy_file(
    runner: &mut EnvoyRunner,
    expected: &ExpectedDifferences,
    path: &Path,
    file: &ScenarioFile,
    How { both, table }: How,
    answers: &mut Vec<Answer>,
    t: &mut Tally,
) {
    let mut offline = match offline::start(both, file, path) {
        Ok(o) => o,
        Err(e) => return t.fail(format!("{}: {e}", path.display())),
    };
    for case in &file.tests {
        let name = format!("{} {}", path.display(), case.id);
        let wasm: Option<Verdict> = offline::verdict(&mut offline, file, path, case);
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
            let mut got = None;
            let mut observed = None;
            let envoy = match runner.observe(file, path, case, &target) {
                Outcome::Skipped(reason) => {
                    t.skip(format!("{line}: {reason}"));
                    continue;
                }
                Outcome::Error(e) => Verdict {
                    failures: vec![e],
                    ..Verdict::default()
                },
                Outcome::Observed(obs) => {
                    answers.push(Answer::new(&name, &label, &obs));
                    got = Some((obs.status, obs.reached_upstream));
                    let v = check(&case.expect, &obs);
                    observed = Some(obs);
                    v
                }
            };
            // An expected difference excuses a failure only when Envoy did what its `instead`
            // says, never an admin landing; an entry Envoy no longer needs fails.
            let judgement = expected.judge(path, &case.id, &label, &envoy, observed.as_deref());
            let (excused, never) = match &judgement {
                Judgement::Excused(r) => (Some(*r), String::new()),
                Judgement::Refused(why) => (None, why.clone()),
                Judgement::NotListed | Judgement::Stale => (None, envoy.failures.join("; ")),
            };
            if judgement == Judgement::Stale {
                t.fail(format!(
                    "{line}: listed in expected-differences.yaml, but Envoy agrees: remove the entry"
                ));
                continue;
            }
            if table {
                let passed = envoy.passed() || excused.is_some();
                let row = table::row(passed, &label, case, got);
                if passed {
                    t.ok_raw(row)
                } else {
                    t.fail_raw(row)
                }
                continue;
            }
            match (&wasm, envoy.passed()) {
                (None, true) => t.ok(line),
                (None, false) => match excused {
                    Some(r) => t.ok(format!("{line} (expected difference: {r})")),
                    None => t.fail(format!("{line}: {never}")),
                },
                (Some(w), true) if w.passed() => t.ok(format!("{line} agrees with wasmtime")),
                (Some(w), true) => t.fail(format!(
                    "{line}: wasmtime disagreed: {}",
                    w.failures.join("; ")
                )),
                (Some(w), false) if w.passed() => match excused {
                    Some(r) => t.ok(format!("{line} (expected difference: {r})")),
                    None => t.fail(format!("{line}: {target} disagreed: {never}")),
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

/// `same-answers`: one `ok` line with the count, or one failure per difference.
fn same_answers(first: &Path, second: &Path, t: &mut Tally) {
    match answers::same(first, second) {
        Ok(alike) => t.ok(alike),
        Err(differences) => differences.into_iter().for_each(|d| t.fail(d)),
    }
}

fn report_wasm_only(name: &str, wasm: Option<&Verdict>, note: &str, t: &mut Tally) {
    match wasm {
        None => t.skip(format!("{name}: {note}")),
        Some(w) if w.passed() => t.ok(format!("{name} [wasmtime; {note}]")),
        Some(w) => t.fail(format!("{name} [wasmtime]: {}", w.failures.join("; "))),
    }
}

/// The wasmtime side of `diff`: absent when the crate is built without `wasmtime-host`.
#[cfg(feature = "wasmtime-host")]
mod offline {
    use std::path::Path;

    use host_test::Plugin;
    use host_test::check::{Verdict, check};
    use host_test::runner::{observe, start_plugin};
    use host_test::scenario::{Case, ScenarioFile};

    /// The plugin every test of a file runs through, when both hosts run.
    pub(crate) type Offline = Option<Plugin>;

    pub(crate) fn start(both: bool, file: &ScenarioFile, path: &Path) -> Result<Offline, String> {
        if !both {
            return Ok(None);
        }
        start_plugin(file, path)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    /// The test's verdict in the wasmtime host (a fresh plugin after a trap, like FAIL_RELOAD).
    pub(crate) fn verdict(
        o: &mut Offline,
        file: &ScenarioFile,
        path: &Path,
        case: &Case,
    ) -> Option<Verdict> {
        o.as_mut().map(|p| match observe(p, case) {
            Ok(obs) => check(&case.expect, &obs),
            Err(e) => {
                if let Ok(fresh) = start_plugin(file, path) {
                    *p = fresh;
                }
                Verdict {
                    failures: vec![e],
                    ..Verdict::default()
                }
            }
        })
    }
}

#[cfg(not(feature = "wasmtime-host"))]
mod offline {
    use std::path::Path;

    use host_test::check::Verdict;
    use host_test::scenario::{Case, ScenarioFile};

    /// Nothing runs offline without the wasmtime host.
    pub(crate) struct Offline;

    pub(crate) fn start(
        _both: bool,
        _file: &ScenarioFile,
        _path: &Path,
    ) -> Result<Offline, String> {
        Ok(Offline)
    }

    pub(crate) fn verdict(
        _o: &mut Offline,
        _f: &ScenarioFile,
        _p: &Path,
        _c: &Case,
    ) -> Option<Verdict> {
        None
    }
}

/// `e2e --table`: one row per request sent to Envoy.
mod table {
    use host_test::scenario::Case;

    pub(crate) fn header() -> String {
        format!(
            "{:<4} {:<23} {:<7} {:<48} {:<14} {}",
            "", "listener/protocol", "method", "request target", "got", "expected"
        )
    }

    pub(crate) fn row(
        passed: bool,
        label: &str,
        case: &Case,
        got: Option<(Option<u32>, bool)>,
    ) -> String {
        let (method, target) = request_line(case);
        let got = match got {
            Some((status, upstream)) => outcome(status, Some(upstream)),
            None => "error".to_owned(),
        };
        let expected = outcome(case.expect.status, case.expect.reached_upstream);
        format!(
            "{:<4} {label:<23} {method:<7} {:<48} {got:<14} {expected}",
            if passed { "ok" } else { "FAIL" },
            shorten(&target)
        )
    }

    fn outcome(status: Option<u32>, upstream: Option<bool>) -> String {
        let status = status.map_or(String::new(), |s| s.to_string());
        match upstream {
            Some(true) => format!("{status} upstream").trim().to_owned(),
            Some(false) => format!("{status} gateway").trim().to_owned(),
            None => status,
        }
    }

    fn request_line(case: &Case) -> (String, String) {
        let r = &case.request;
        match &r.raw {
            Some(raw) => {
                let line = raw.lines().next().unwrap_or_default();
                let mut parts = line.splitn(3, ' ');
                let m = parts.next().unwrap_or_default().to_owned();
                (m, parts.next().unwrap_or_default().to_owned())
            }
            None => (r.method.clone(), r.path.clone()),
        }
    }

    /// Printable and at most 48 columns: control bytes as `\xNN`.
    fn shorten(target: &str) -> String {
        let mut out = String::new();
        for c in target.chars() {
            if c.is_ascii_graphic() {
                out.push(c);
            } else {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
        }
        if out.chars().count() > 48 {
            out = out.chars().take(45).collect::<String>() + "...";
        }
        out
    }
}
