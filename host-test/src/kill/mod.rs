//! The kill matrix (`host-test kill-matrix`): every scenario file against its own filter, the
//! three stand-ins ([`StandIn`]) and its filter's mutants (the filter built with its `mutants`
//! feature, one rule switched off by `"_mutant"`), to show that each file can fail for the
//! reason it exists.
//!
//! A file is *caught* by a module when at least one of its tests fails against it. What must
//! catch a file:
//! - its own filter must not: every test passes (else the rest of its row proves nothing);
//! - allow-all, unless the file is `legitimate` ([`Kind`]);
//! - deny-all and refuse-all, always: a file that passes against a module answering 403 (or 400)
//!   to everything checks a status, not the filter's reason;
//! - each mutant that `kill-matrix.yaml` names for the file (the bypass family → the rule it
//!   exercises).
//!
//! A mutant that no file catches yet is listed under `survivors` in `kill-matrix.yaml` with the
//! reason; it runs against every file of its filter, and the run fails as soon as one catches it
//! (the entry is then stale).
//!
//! A module that cannot start for a file (a mutant refusing `_mutant`, a stale build) is an
//! error, never a catch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Deserialize;

use crate::runner::{CaseResult, Module, run_loaded};
use crate::scenario::{Kind, ScenarioFile, load, resolve};
use crate::stand_in::StandIn;

mod shipped;

/// The default mutant map: `host-test/scenarios/kill-matrix.yaml`.
pub fn default_map_path() -> PathBuf {
    resolve::workspace_root()
        .join("host-test")
        .join("scenarios")
        .join("kill-matrix.yaml")
}

/// Where the mutant builds are: `$GATEWAY_MUTANTS_DIR`, else
/// `<target>/mutants/wasm32-wasip1/release` (`<target>`: `$CARGO_TARGET_DIR` or the
/// workspace's `target/`), where `cargo xtask test` builds them with `--target-dir
/// <target>/mutants`.
pub fn default_mutants_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("GATEWAY_MUTANTS_DIR") {
        return PathBuf::from(dir);
    }
    let root = resolve::workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"));
    target.join("mutants").join("wasm32-wasip1").join("release")
}

/// `kill-matrix.yaml`: for each scenario file (relative to the map's folder), the mutants of its
/// filter that must catch it; and the known survivors, mutants no file catches yet, each with why.
#[derive(Debug, Clone, Default)]
pub struct MutantMap {
    /// `(file as written, canonical path, mutants)`, sorted by file.
    entries: Vec<(String, PathBuf, Vec<String>)>,
    /// `(filter, mutant, why no file catches it)`.
    survivors: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    mutants: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    survivors: BTreeMap<String, BTreeMap<String, String>>,
}

impl MutantMap {
    /// Reads the map at `path`.
    ///
    /// Errors: unreadable, not the format (`mutants: {file: [mutant, ...]}`, optionally
    /// `survivors: {filter: {mutant: why}}`, nothing else), a file that does not exist, an empty
    /// list, a survivor without its reason.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text, path.parent().unwrap_or(Path::new(".")))
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses a map whose file names are relative to `base`.
    ///
    /// Errors: as [`MutantMap::load`].
    pub fn parse(text: &str, base: &Path) -> Result<Self, String> {
        let map: MapFile = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let mut entries = Vec::new();
        for (file, mutants) in map.mutants {
            let path = std::fs::canonicalize(base.join(&file))
                .map_err(|e| format!("`{file}`: not a scenario file ({e})"))?;
            if mutants.is_empty() {
                return Err(format!("`{file}`: no mutant named"));
            }
            entries.push((file, path, mutants));
        }
        let mut survivors = Vec::new();
        for (filter, names) in map.survivors {
            for (name, why) in names {
                if why.trim().is_empty() {
                    return Err(format!(
                        "survivors.{filter}.{name}: say why no file catches it"
                    ));
                }
                survivors.push((filter.clone(), name, why));
            }
        }
        Ok(Self { entries, survivors })
    }

    /// The known survivors of `filter`: `(mutant, why)`.
    pub fn survivors(&self, filter: &str) -> impl Iterator<Item = (&str, &str)> {
        self.survivors
            .iter()
            .filter(move |(f, _, _)| f == filter)
            .map(|(_, n, w)| (n.as_str(), w.as_str()))
    }

    /// The mutants that must catch the scenario file at `file` (none when the map does not name
    /// it).
    pub fn required(&self, file: &Path) -> &[String] {
        let Ok(file) = std::fs::canonicalize(file) else {
            return &[];
        };
        self.entries
            .iter()
            .find(|(_, p, _)| *p == file)
            .map_or(&[], |(_, _, m)| m.as_slice())
    }
}

/// One column of the matrix: a module in the filter's place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The module.
    pub module: Module,
    /// For a mutant, the filter it is a build of (it runs only that filter's files).
    pub filter: Option<String>,
}

impl Column {
    /// The column's heading: the stand-in's or the mutant's name.
    pub fn heading(&self) -> &str {
        match &self.module {
            Module::Filter => "filter",
            Module::StandIn(s) => s.name(),
            Module::Mutant { name, .. } => name,
        }
    }
}

/// One file against one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// Tests in the file.
    pub total: usize,
    /// Ids of the tests that failed.
    pub failed: Vec<String>,
    /// The module could not run the file (did not start, or could not be restarted).
    pub error: Option<String>,
    /// The file must be caught by this module.
    pub required: bool,
}

impl Cell {
    fn from_results(total: usize, results: &[CaseResult], required: bool) -> Self {
        let error = results
            .iter()
            .find(|r| r.id.is_empty())
            .map(|r| r.verdict.failures.join("; "));
        let failed = results
            .iter()
            .filter(|r| !r.id.is_empty() && !r.verdict.passed())
            .map(|r| r.id.clone())
            .collect();
        Self {
            total,
            failed,
            error,
            required,
        }
    }

    /// At least one test failed (and the module ran).
    pub fn caught(&self) -> bool {
        self.error.is_none() && !self.failed.is_empty()
    }
}

/// One scenario file's row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The file.
    pub file: PathBuf,
    /// `meta.filter`; empty when the file could not be loaded.
    pub filter: String,
    /// What its tests are.
    pub kind: Kind,
    /// Against its own filter: must pass.
    pub shipped: Cell,
    /// One per column; `None` for a mutant of another filter, or one not run (see
    /// [`Options::every_cell`]).
    pub cells: Vec<Option<Cell>>,
    /// Ids of the tests that pass against allow-all in a file of attacks (each attack should
    /// need the filter; reported, not failed).
    pub harmless: Vec<String>,
}

/// The whole matrix.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// The columns: the stand-ins, then each filter's mutants.
    pub columns: Vec<Column>,
    /// One row per scenario file.
    pub rows: Vec<Row>,
    /// Files that could not be loaded, and the checks that the shipped modules refuse `_mutant`.
    pub checks: Vec<(String, Result<(), String>)>,
    /// The known survivors run: `(filter, mutant, why)`.
    pub survivors: Vec<(String, String, String)>,
}

/// Where the modules are and what must catch what.
#[derive(Debug, Clone)]
pub struct Options {
    /// The filters' modules ([`resolve::wasm_dir`]).
    pub wasm_dir: PathBuf,
    /// The mutant builds ([`default_mutants_dir`]).
    pub mutants_dir: PathBuf,
    /// The mutants each file must be caught by.
    pub map: MutantMap,
    /// Also run each mutant against the files of its filter that need not catch it (the
    /// `(caught)` / `(passed)` cells); otherwise those cells are `.`, not run.
    pub every_cell: bool,
}

/// One run: a file (index into the loaded files) against its filter (`None`) or a column.
type Job = (usize, Option<usize>);

/// Runs every file in `files` against its filter and every column, in parallel.
pub fn kill_matrix(files: &[PathBuf], options: &Options) -> Matrix {
    let mut matrix = Matrix::default();
    let mut loaded: Vec<(PathBuf, ScenarioFile)> = Vec::new();
    for path in files {
        match load(path) {
            Ok(f) => loaded.push((path.clone(), f)),
            Err(e) => matrix
                .checks
                .push((path.display().to_string(), Err(e.to_string()))),
        }
    }
    matrix.columns = StandIn::ALL
        .into_iter()
        .map(|s| Column {
            module: Module::StandIn(s),
            filter: None,
        })
        .collect();
    for (path, file) in &loaded {
        for name in options.map.required(path) {
            let column = Column {
                module: Module::Mutant {
                    dir: options.mutants_dir.clone(),
                    name: name.clone(),
                },
                filter: Some(file.meta.filter.clone()),
            };
            if !matrix.columns.contains(&column) {
                matrix.columns.push(column);
            }
        }
    }
    let filters: Vec<&str> = loaded.iter().map(|(_, f)| f.meta.filter.as_str()).collect();
    for (filter, name, _) in &options.map.survivors {
        let column = Column {
            module: Module::Mutant {
                dir: options.mutants_dir.clone(),
                name: name.clone(),
            },
            filter: Some(filter.clone()),
        };
        if filters.contains(&filter.as_str()) && !matrix.columns.contains(&column) {
            matrix.columns.push(column);
        }
    }
    matrix
        .checks
        .extend(shipped::refuse_mutants(&loaded, options));
    matrix.survivors = options.map.survivors.clone();
    precompile(&loaded, options);
    // Every (file, module) pair is independent: one plugin each.
    let mut jobs: Vec<Job> = Vec::new();
    for (i, (path, file)) in loaded.iter().enumerate() {
        jobs.push((i, None));
        for (j, c) in matrix.columns.iter().enumerate() {
            let run = match (&c.filter, &c.module) {
                (None, _) => true,
                (Some(f), Module::Mutant { name, .. }) => {
                    *f == file.meta.filter
                        && (options.every_cell
                            || options.map.required(path).contains(name)
                            || options.map.survivors(f).any(|(n, _)| n == name))
                }
                (Some(f), _) => *f == file.meta.filter,
            };
            if run {
                jobs.push((i, Some(j)));
            }
        }
    }
    let queue = Mutex::new(jobs.into_iter());
    let done: Mutex<Vec<(Job, Vec<CaseResult>)>> = Mutex::default();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.next());
                    let Some((i, j)) = next else { break };
                    let Some((path, file)) = loaded.get(i) else {
                        continue;
                    };
                    let module = match j.and_then(|j| matrix.columns.get(j)) {
                        Some(c) => c.module.clone(),
                        None => Module::Filter,
                    };
                    let results = run_loaded(file, path, &options.wasm_dir, &module);
                    if let Ok(mut d) = done.lock() {
                        d.push(((i, j), results));
                    }
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|(k, _)| *k);
    for (i, (path, file)) in loaded.iter().enumerate() {
        let kind = Kind::of(&file.meta, path);
        let total = file.tests.len();
        let results = |j: Option<usize>| {
            done.iter()
                .find(|(k, _)| *k == (i, j))
                .map(|(_, r)| r.as_slice())
        };
        let shipped = Cell::from_results(total, results(None).unwrap_or_default(), false);
        let mut harmless = Vec::new();
        let cells = matrix
            .columns
            .iter()
            .enumerate()
            .map(|(j, c)| {
                let r = results(Some(j))?;
                let required = match &c.module {
                    Module::Filter => false,
                    Module::StandIn(StandIn::AllowAll) => kind != Kind::Legitimate,
                    Module::StandIn(_) => true,
                    Module::Mutant { name, .. } => options.map.required(path).contains(name),
                };
                let cell = Cell::from_results(total, r, required);
                if c.module == Module::StandIn(StandIn::AllowAll)
                    && kind == Kind::Attacks
                    && cell.error.is_none()
                {
                    harmless = file
                        .tests
                        .iter()
                        .map(|t| t.id.clone())
                        .filter(|id| !cell.failed.contains(id))
                        .collect();
                }
                Some(cell)
            })
            .collect();
        matrix.rows.push(Row {
            file: path.clone(),
            filter: file.meta.filter.clone(),
            kind,
            shipped,
            cells,
            harmless,
        });
    }
    matrix
}

/// Compiles each filter's module and mutant build once, before the workers start (two workers
/// would otherwise compile the same module at once); a module that does not compile is left to
/// fail in its cells.
fn precompile(loaded: &[(PathBuf, ScenarioFile)], options: &Options) {
    let mut paths: Vec<PathBuf> = Vec::new();
    for (_, file) in loaded {
        for dir in [&options.wasm_dir, &options.mutants_dir] {
            if let Ok(p) = resolve::module_path_in(dir, &file.meta.filter)
                && !paths.contains(&p)
            {
                paths.push(p);
            }
        }
    }
    for p in paths {
        let _ = crate::engine::compile_path(&p);
    }
}

impl Matrix {
    /// Every requirement as a line and whether it holds: the checks, each file against its
    /// filter, and each required cell.
    pub fn verdicts(&self) -> Vec<(String, bool)> {
        let mut out: Vec<(String, bool)> = self
            .checks
            .iter()
            .map(|(label, r)| match r {
                Ok(()) => (label.clone(), true),
                Err(e) => (format!("{label}: {e}"), false),
            })
            .collect();
        for (j, c) in self.columns.iter().enumerate() {
            let (Some(filter), Module::Mutant { name, .. }) = (&c.filter, &c.module) else {
                continue;
            };
            let Some((_, _, why)) = self
                .survivors
                .iter()
                .find(|(f, n, _)| f == filter && n == name)
            else {
                continue;
            };
            let catchers: Vec<String> = self
                .rows
                .iter()
                .filter(|r| {
                    r.cells
                        .get(j)
                        .and_then(Option::as_ref)
                        .is_some_and(Cell::caught)
                })
                .map(|r| r.file.display().to_string())
                .collect();
            out.push(if catchers.is_empty() {
                (
                    format!("{filter}: mutant {name} survives every file (kill-matrix.yaml: {why})"),
                    true,
                )
            } else {
                (
                    format!(
                        "{filter}: mutant {name} is listed as a survivor, but {} catches it: name the file under `mutants` instead",
                        catchers.join(", ")
                    ),
                    false,
                )
            });
        }
        for row in &self.rows {
            let file = row.file.display();
            let s = &row.shipped;
            out.push(match (&s.error, s.failed.is_empty()) {
                (Some(e), _) => (format!("{file}: against its filter: {e}"), false),
                (None, true) => (format!("{file} passes against its filter"), true),
                (None, false) => (
                    format!(
                        "{file} fails against its filter ({}): what catches it proves nothing",
                        s.failed.join(", ")
                    ),
                    false,
                ),
            });
            for (c, cell) in self.columns.iter().zip(&row.cells) {
                let Some(cell) = cell else { continue };
                let who = c.module.label();
                if let Some(e) = &cell.error {
                    out.push((format!("{file}: {who} could not run it: {e}"), false));
                } else if cell.required {
                    out.push(if cell.caught() {
                        (
                            format!(
                                "{file} ({}) caught by {who} ({} of {} tests fail)",
                                row.kind.as_str(),
                                cell.failed.len(),
                                cell.total
                            ),
                            true,
                        )
                    } else {
                        (
                            format!(
                                "{file} ({}) escapes {who}: all {} tests pass against it",
                                row.kind.as_str(),
                                cell.total
                            ),
                            false,
                        )
                    });
                }
            }
        }
        out
    }

    /// The matrix as text: one line per file, one column per module; `caught` / `PASSED` where
    /// the module must catch the file (`PASSED` fails the run), `(caught)` / `(passed)` where it
    /// need not, `.` where it need not and was not run, `-` for a mutant of another filter,
    /// `ERROR` when the module could not run it.
    /// Stand-in cells add `failed/total` tests. Paths are shown relative to `root`.
    pub fn render(&self, root: &Path) -> String {
        let name = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
        let mut head = vec!["file".to_owned(), "kind".to_owned(), "filter".to_owned()];
        head.extend(self.columns.iter().map(|c| c.heading().to_owned()));
        let mut lines: Vec<Vec<String>> = vec![head];
        for row in &self.rows {
            let s = &row.shipped;
            let shipped = match (&s.error, s.failed.len()) {
                (Some(_), _) => "ERROR".to_owned(),
                (None, 0) => format!("ok {}", s.total),
                (None, n) => format!("FAIL {n}/{}", s.total),
            };
            let mut line = vec![name(&row.file), row.kind.as_str().to_owned(), shipped];
            for (c, cell) in self.columns.iter().zip(&row.cells) {
                line.push(match cell {
                    None if c.filter.as_ref().is_some_and(|f| *f == row.filter) => ".".to_owned(),
                    None => "-".to_owned(),
                    Some(cell) => {
                        let word = match (&cell.error, cell.caught(), cell.required) {
                            (Some(_), _, _) => "ERROR",
                            (None, true, true) => "caught",
                            (None, false, true) => "PASSED",
                            (None, true, false) => "(caught)",
                            (None, false, false) => "(passed)",
                        };
                        if matches!(c.module, Module::StandIn(_)) && cell.error.is_none() {
                            format!("{word} {}/{}", cell.failed.len(), cell.total)
                        } else {
                            word.to_owned()
                        }
                    }
                });
            }
            lines.push(line);
        }
        let columns = lines.first().map_or(0, Vec::len);
        let widths: Vec<usize> = (0..columns)
            .map(|k| {
                lines
                    .iter()
                    .map(|l| l.get(k).map_or(0, |c| c.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        for line in &lines {
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        let harmless: Vec<String> = self
            .rows
            .iter()
            .filter(|r| !r.harmless.is_empty())
            .map(|r| format!("  {}: {}", name(&r.file), r.harmless.join(", ")))
            .collect();
        if !harmless.is_empty() {
            out.push_str(
                "tests of attack files that pass against allow-all (they do not need the filter):\n",
            );
            for h in harmless {
                out.push_str(&h);
                out.push('\n');
            }
        }
        out
    }
}
