//! Stand-ins and mutants in a filter's place (`run --stand-in`, `run --mutant`), and the kill
//! matrix's verdicts, against WAT filters of our own: `guard` denies `/c…` with 403 and the log
//! line `denied /carbon`, and refuses a plugin configuration holding `_` (as a shipped module
//! refuses `_mutant`); its "mutant" lets everything through and logs its plugin configuration.
// Test helpers: a folder or file that cannot be written is a failed test.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};

use host_test::kill::{MutantMap, Options, kill_matrix};
use host_test::runner::{Module, run_file_as};
use host_test::scenario::{Kind, load};
use host_test::stand_in::StandIn;

/// A fresh folder for one test (tests run in parallel: each gets its own).
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("host-test-kill-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Keeps the plugin configuration (pointer and length) for the request callbacks.
const KEEP_CONFIG: &str = r#"
  (global $cfg (mut i32) (i32.const 0))
  (global $cfg_len (mut i32) (i32.const 0))
  (func $read_config (param $size i32)
    (drop (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 0) (i32.const 4)))
    (global.set $cfg (i32.load (i32.const 0)))
    (global.set $cfg_len (i32.load (i32.const 4))))
"#;

/// The "shipped" filter.
fn guard() -> Vec<u8> {
    common::wat(&format!(
        r#"{KEEP_CONFIG}
  (data (i32.const 16) ":path")
  (data (i32.const 32) "denied /carbon")
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (local $i i32)
    (call $read_config (local.get $size))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (global.get $cfg_len)))
        (if (i32.eq (i32.load8_u (i32.add (global.get $cfg) (local.get $i))) (i32.const 95))
          (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scan)))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $proxy_get_header_map_value (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 0) (i32.const 4)))
    (if (i32.eq (i32.load8_u (i32.add (i32.load (i32.const 0)) (i32.const 1))) (i32.const 99))
      (then
        (drop (call $proxy_log (i32.const 2) (i32.const 32) (i32.const 14)))
        (drop (call $proxy_send_local_response (i32.const 403) (i32.const 0) (i32.const 0)
          (i32.const 32) (i32.const 6) (i32.const 0) (i32.const 0) (i32.const -1)))
        (return (i32.const 1))))
    (i32.const 0))
"#
    ))
}

/// The "mutant" build: its rule is off (everything goes through); logs its configuration.
fn mutant() -> Vec<u8> {
    common::wat(&format!(
        r#"{KEEP_CONFIG}
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (call $read_config (local.get $size))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $proxy_log (i32.const 2) (global.get $cfg) (global.get $cfg_len)))
    (i32.const 0))
"#
    ))
}

/// `<d>/filters/guard.wasm` (the guard) and `<d>/mutants/guard.wasm` (`mutant_module`).
fn modules(d: &Path, mutant_module: &[u8]) -> (PathBuf, PathBuf) {
    let (filters, mutants) = (d.join("filters"), d.join("mutants"));
    std::fs::create_dir_all(&filters).unwrap();
    std::fs::create_dir_all(&mutants).unwrap();
    std::fs::write(filters.join("guard.wasm"), guard()).unwrap();
    std::fs::write(mutants.join("guard.wasm"), mutant_module).unwrap();
    (filters, mutants)
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

/// Passes against the guard only when the request reaches the upstream.
const THROUGH: &str = r#"
meta: { filter: guard, config: { rules: 1 } }
tests:
  - id: through
    request: { path: /oauth2/token }
    expect: { status: 200, reached_upstream: true }
"#;

#[test]
fn stand_ins_replace_the_filter() {
    let d = dir("stand-ins");
    let (filters, _) = modules(&d, &mutant());
    let file = write(&d.join("through.yaml"), THROUGH);
    for (module, want) in [
        (Module::Filter, vec![]),
        (Module::StandIn(StandIn::AllowAll), vec![]),
        (
            Module::StandIn(StandIn::DenyAll),
            vec![
                "status: expected 200, got 403".to_owned(),
                "expected the request to reach the upstream; it did not".to_owned(),
            ],
        ),
        (
            Module::StandIn(StandIn::RefuseAll),
            vec![
                "status: expected 200, got 400".to_owned(),
                "expected the request to reach the upstream; it did not".to_owned(),
            ],
        ),
    ] {
        let results = run_file_as(&file, &filters, &module);
        assert_eq!(results.len(), 1, "row `{}`: {results:?}", module.label());
        assert_eq!(
            results[0].verdict.failures,
            want,
            "row `{}`",
            module.label()
        );
    }
}

#[test]
fn stand_in_names_parse() {
    for s in StandIn::ALL {
        assert_eq!(s.name().parse::<StandIn>(), Ok(s), "row `{s}`");
    }
    assert_eq!(
        "allow".parse::<StandIn>(),
        Err("no stand-in `allow` (allow-all, deny-all, refuse-all)".to_owned())
    );
}

#[test]
fn mutant_gets_its_name_in_the_plugin_configuration() {
    let d = dir("mutant-config");
    let (filters, mutants) = modules(&d, &mutant());
    let file = write(
        &d.join("m.yaml"),
        r#"
meta: { filter: guard, config: { rules: 1 } }
tests:
  - id: sees-the-mutant
    request: { path: /x }
    expect: { log: { contains: ['"_mutant":"rule_off"', '"rules":1'] } }
"#,
    );
    let module = Module::Mutant {
        dir: mutants.clone(),
        name: "rule_off".to_owned(),
    };
    let results = run_file_as(&file, &filters, &module);
    assert!(results[0].verdict.passed(), "{results:?}");
    // The shipped guard refuses `_`: a mutant name sent to it is an error, never a test result.
    let shipped = Module::Mutant {
        dir: filters.clone(),
        name: "rule_off".to_owned(),
    };
    let results = run_file_as(&file, &filters, &shipped);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].id, "");
    let failure = results[0].verdict.failures.join("; ");
    assert!(
        failure.starts_with("mutant rule_off: ") && failure.contains("proxy_on_configure"),
        "{failure}"
    );
    // A plugin configuration that is not an object cannot carry `_mutant`.
    let list = write(
        &d.join("list.yaml"),
        "meta: { filter: guard, config: [1] }\ntests:\n  - { id: a, expect: { status: 200 } }\n",
    );
    let results = run_file_as(&list, &filters, &module);
    assert_eq!(
        results[0].verdict.failures,
        vec![
            "mutant rule_off: a mutant needs a plugin configuration that is a JSON object"
                .to_owned()
        ]
    );
}

#[test]
fn kind_comes_from_meta_or_the_bypass_folder() {
    let d = dir("kinds");
    for (name, path, meta_kind, want) in [
        ("bypass folder", "bypass/a.yaml", "", Kind::Attacks),
        ("elsewhere", "other/a.yaml", "", Kind::Mixed),
        (
            "meta wins",
            "bypass/b.yaml",
            ", kind: legitimate",
            Kind::Legitimate,
        ),
        ("meta attacks", "c.yaml", ", kind: attacks", Kind::Attacks),
    ] {
        let file = write(
            &d.join(path),
            &format!(
                "meta: {{ filter: guard, config: {{}}{meta_kind} }}\ntests:\n  - {{ id: a, expect: {{ status: 200 }} }}\n"
            ),
        );
        let loaded = load(&file).unwrap();
        assert_eq!(Kind::of(&loaded.meta, &file), want, "row `{name}`");
    }
    let bad = write(
        &d.join("bad.yaml"),
        "meta: { filter: guard, config: {}, kind: benign }\ntests:\n  - { id: a, expect: { status: 200 } }\n",
    );
    let err = load(&bad).unwrap_err();
    assert_eq!(err.field, "meta.kind", "{err}");
}

#[test]
fn mutant_map_names_existing_files_only() {
    let d = dir("map");
    write(&d.join("a/x.yaml"), THROUGH);
    let map = MutantMap::parse("mutants:\n  a/x.yaml: [one, two]\n", &d).unwrap();
    assert_eq!(map.required(&d.join("a/../a/x.yaml")), ["one", "two"]);
    assert!(map.required(&d.join("other.yaml")).is_empty());
    for (name, text, want) in [
        (
            "missing file",
            "mutants:\n  a/y.yaml: [one]\n",
            "`a/y.yaml`: not a scenario file",
        ),
        (
            "no mutant",
            "mutants:\n  a/x.yaml: []\n",
            "`a/x.yaml`: no mutant named",
        ),
        ("unknown key", "mutants: {}\nextra: 1\n", "unknown field"),
    ] {
        let err = MutantMap::parse(text, &d).unwrap_err();
        assert!(err.contains(want), "row `{name}`: {err}");
    }
}

/// Attacks that assert the filter's reason (in a `bypass` folder, so `attacks`), plus one test
/// that needs no filter at all.
const ATTACKS: &str = r#"
meta: { filter: guard, config: { rules: 1 } }
tests:
  - id: carbon-denied-with-reason
    request: { path: /carbon/admin }
    expect: { status: 403, reached_upstream: false, log: { contains: ["denied /carbon"] } }
  - id: lands-nowhere
    request: { path: /x }
    expect: { admin_reached: false }
"#;

/// Attacks that check a status only.
const STATUS_ONLY: &str = r#"
meta: { filter: guard, kind: attacks, config: { rules: 1 } }
tests:
  - id: carbon-denied
    request: { path: /carbon }
    expect: { status: 403 }
"#;

/// Requests the filter must let through.
const LEGITIMATE: &str = r#"
meta: { filter: guard, kind: legitimate, config: { rules: 1 } }
tests:
  - id: token
    request: { path: /oauth2/token }
    expect: { status: 200, reached_upstream: true }
"#;

const MAP: &str = "mutants:\n  bypass/attacks.yaml: [rule_off]\n  status-only.yaml: [rule_off]\n";

/// The matrix of the three files above with `mutant_module` as the guard's mutant build.
fn matrix_of(name: &str, mutant_module: &[u8]) -> (PathBuf, host_test::kill::Matrix) {
    let d = dir(name);
    let (filters, mutants) = modules(&d, mutant_module);
    let scenarios = d.join("scenarios");
    let files = vec![
        write(&scenarios.join("bypass/attacks.yaml"), ATTACKS),
        write(&scenarios.join("legitimate.yaml"), LEGITIMATE),
        write(&scenarios.join("status-only.yaml"), STATUS_ONLY),
    ];
    let options = Options {
        wasm_dir: filters,
        mutants_dir: mutants,
        map: MutantMap::parse(MAP, &scenarios).unwrap(),
        every_cell: true,
    };
    (scenarios.clone(), kill_matrix(&files, &options))
}

fn failed(verdicts: &[(String, bool)]) -> Vec<&str> {
    verdicts
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(l, _)| l.as_str())
        .collect()
}

#[test]
fn kill_matrix_fails_on_files_that_escape_what_must_catch_them() {
    let (root, matrix) = matrix_of("matrix", &mutant());
    let verdicts = matrix.verdicts();
    let escapes: Vec<&str> = failed(&verdicts);
    assert_eq!(escapes.len(), 1, "{verdicts:#?}");
    assert!(
        escapes[0]
            .ends_with("status-only.yaml (attacks) escapes deny-all: all 1 tests pass against it"),
        "{}",
        escapes[0]
    );
    for ok in [
        "guard: the shipped module refuses `_mutant`",
        "attacks.yaml (attacks) caught by deny-all (1 of 2 tests fail)",
        "status-only.yaml (attacks) caught by refuse-all (1 of 1 tests fail)",
        "attacks.yaml (attacks) caught by mutant rule_off (1 of 2 tests fail)",
        "legitimate.yaml (legitimate) caught by refuse-all (1 of 1 tests fail)",
        "legitimate.yaml passes against its filter",
    ] {
        assert!(
            verdicts
                .iter()
                .any(|(l, passed)| *passed && l.ends_with(ok)),
            "row `{ok}`: {verdicts:#?}"
        );
    }
    // A legitimate file need not fail against allow-all: no requirement, no verdict.
    assert!(
        !verdicts
            .iter()
            .any(|(l, _)| l.contains("legitimate.yaml") && l.contains("allow-all")),
        "{verdicts:#?}"
    );
    let text = matrix.render(&root);
    let line = |file: &str| {
        text.lines()
            .find(|l| l.starts_with(file))
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        text.starts_with("file") && text.contains("allow-all") && text.contains("rule_off"),
        "{text}"
    );
    assert_eq!(
        line("bypass/attacks.yaml"),
        "bypass/attacks.yaml attacks ok 2 caught 1/2 caught 1/2 caught 1/2 caught"
    );
    assert_eq!(
        line("legitimate.yaml"),
        "legitimate.yaml legitimate ok 1 (passed) 0/1 caught 1/1 caught 1/1 (passed)"
    );
    assert_eq!(
        line("status-only.yaml"),
        "status-only.yaml attacks ok 1 caught 1/1 PASSED 0/1 caught 1/1 caught"
    );
    assert!(
        text.contains("  bypass/attacks.yaml: lands-nowhere"),
        "the attack test that passes without the filter is listed: {text}"
    );
}

#[test]
fn kill_matrix_counts_a_module_that_cannot_run_as_an_error_not_a_catch() {
    // The "mutant" is the shipped guard, which refuses `_mutant`: every mutant cell is an error.
    let (_, matrix) = matrix_of("matrix-error", &guard());
    let verdicts = matrix.verdicts();
    let errors: Vec<&str> = failed(&verdicts)
        .into_iter()
        .filter(|l| l.contains("mutant rule_off could not run it"))
        .collect();
    assert_eq!(errors.len(), 3, "{verdicts:#?}");
    assert!(
        !verdicts
            .iter()
            .any(|(l, _)| l.contains("caught by mutant rule_off")),
        "{verdicts:#?}"
    );
}

#[test]
fn kill_matrix_fails_when_the_shipped_module_accepts_mutant() {
    let d = dir("matrix-shipped");
    // The "shipped" guard is the mutant build here: it takes `_mutant`.
    let (filters, mutants) = modules(&d, &mutant());
    std::fs::write(filters.join("guard.wasm"), mutant()).unwrap();
    let file = write(&d.join("s/status-only.yaml"), STATUS_ONLY);
    let options = Options {
        wasm_dir: filters,
        mutants_dir: mutants,
        map: MutantMap::parse("mutants:\n  status-only.yaml: [rule_off]\n", &d.join("s")).unwrap(),
        every_cell: false,
    };
    let verdicts = kill_matrix(&[file], &options).verdicts();
    assert!(
        verdicts.iter().any(|(l, ok)| !ok
            && l.starts_with("guard: the shipped module refuses `_mutant`: it accepted")),
        "{verdicts:#?}"
    );
}

#[test]
fn kill_matrix_checks_known_survivors() {
    let d = dir("survivors");
    let (filters, mutants) = modules(&d, &mutant());
    let s = d.join("s");
    let legit = write(&s.join("legitimate.yaml"), LEGITIMATE);
    let attacks = write(&s.join("bypass/attacks.yaml"), ATTACKS);
    let map = "mutants: {}\nsurvivors:\n  guard:\n    rule_off: nothing asks for it\n";
    let options = Options {
        wasm_dir: filters,
        mutants_dir: mutants,
        map: MutantMap::parse(map, &s).unwrap(),
        every_cell: false,
    };
    // Only legitimate traffic: the mutant (which lets everything through) survives, as listed.
    let verdicts = kill_matrix(std::slice::from_ref(&legit), &options).verdicts();
    assert!(
        verdicts.contains(&(
            "guard: mutant rule_off survives every file (kill-matrix.yaml: nothing asks for it)"
                .to_owned(),
            true
        )),
        "{verdicts:#?}"
    );
    // A file of attacks catches it: the survivor entry is stale.
    let verdicts = kill_matrix(&[legit, attacks], &options).verdicts();
    assert!(
        verdicts.iter().any(|(l, ok)| !ok
            && l.starts_with("guard: mutant rule_off is listed as a survivor, but ")
            && l.ends_with("attacks.yaml catches it: name the file under `mutants` instead")),
        "{verdicts:#?}"
    );
    assert!(
        MutantMap::parse("mutants: {}\nsurvivors:\n  guard:\n    rule_off: ''\n", &s)
            .unwrap_err()
            .contains("survivors.guard.rule_off: say why")
    );
}
