//! The `gateway-hardening` binary as a user runs it: exit codes, the files an audit writes, the
//! guideline table.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gateway-hardening"))
}

#[test]
fn guidelines_markdown_is_the_library_table() {
    let out = bin().args(["guidelines", "--markdown"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        gateway_hardening_cli::guidelines::markdown_table()
    );
}

#[test]
fn audit_of_an_unreachable_gateway_is_a_report_not_a_crash() {
    let dir = std::env::temp_dir().join(format!("gh-audit-{}", std::process::id()));
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let out = bin()
        .args([
            "audit",
            "--gateway",
            "https://127.0.0.1:1",
            "--timeout-ms",
            "500",
        ])
        .args(["--expect-ports", "1"])
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("audit.json")).unwrap()).unwrap();
    let verdict = |id: &str| {
        json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["guideline"]["id"] == id)
            .unwrap()["verdict"]
            .clone()
    };
    for id in ["P8", "N6", "P18", "P10"] {
        assert_eq!(
            verdict(id),
            "fail",
            "{id}: an unreachable gateway cannot pass"
        );
    }
    assert_eq!(verdict("P1"), "operator");
    assert_eq!(
        verdict("P6"),
        "not_applicable",
        "no --config: the lint did not run"
    );
    assert!(dir.join("audit.md").is_file() && dir.join("audit.html").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_exit_2() {
    let out = bin()
        .args(["ports", "127.0.0.1", "--expect", "70000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["lint", "/nonexistent/envoy.yaml"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable file is bad input"
    );
}

#[test]
fn lint_exit_codes_follow_fail_on_and_sarif_is_2_1_0() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lint/tls-weak-downstream.yaml"
    );
    let out = bin()
        .args(["lint", "--format", "sarif", fixture])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "errors fail the default --fail-on warning"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["ruleId"] == "tls-minimum-version"),
        "{results:?}"
    );
    let never = bin()
        .args(["lint", "--fail-on", "never", fixture])
        .output()
        .unwrap();
    assert_eq!(never.status.code(), Some(0));
    let clean = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/lint/clean.yaml"
    );
    let out = bin()
        .args(["lint", "--fail-on", "note", clean])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lint"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
