//! `gateway-hardening audit` end to end (issue 15): against the running dmz-gateway's front door
//! every guideline a gateway can take passes, and against the raw mock upstream (18080, no
//! gateway) the guidelines the gateway exists for fail. Both reports are read back from their
//! JSON and kept in `target/run/audit-{gateway,raw}/`.

use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use crate::project::{package_bin, root, run_dir, target_dir};

/// The part of the report's JSON this check reads.
#[derive(serde::Deserialize)]
struct Report {
    rows: Vec<Row>,
}

#[derive(serde::Deserialize)]
struct Row {
    guideline: Guideline,
    verdict: String,
    reason: String,
}

#[derive(serde::Deserialize)]
struct Guideline {
    id: String,
    part: String,
}

/// The ports `cargo xtask up` opens on 127.0.0.1: Envoy's listeners and admin, the mock nodes.
const EXPECTED_PORTS: &str =
    "9901,10000,10001,10002,10080,10443,18080,18081,18180,18181,18443,18444";

/// What the raw upstream must fail over plaintext (18080): TLS, the `Server` header, caching,
/// the OWASP headers, the admin contexts, the default credentials. (HSTS is not judged on a
/// plaintext answer, RFC 6797 §7.2: the plaintext audit fails P8 instead.)
const RAW_MUST_FAIL: &[&str] = &["P8", "P10", "P12", "P16", "P18", "P19", "N6", "N7"];

/// What node-a's own HTTPS listener (18443, no gateway) must fail: no HSTS over TLS, the
/// `Server` header, the admin contexts, the default credentials.
const RAW_TLS_MUST_FAIL: &[&str] = &["P10", "P11", "P18", "P19", "N6", "N7"];

/// Runs both audits and checks their reports.
pub(crate) fn run() -> Result<()> {
    // The audit's TLS scan runs the `openssl` command.
    crate::tls_scan::ensure_openssl()?;
    let ca = target_dir().join("certs/ca.crt");
    let gateway = audit("gateway", |cmd| {
        cmd.args(["--gateway", "https://is.gateway.test:10443"])
            .args(["--connect", "127.0.0.1:10443"])
            .arg("--ca")
            .arg(&ca)
            .args(["--config", "envoy-examples/dmz-gateway/envoy.yaml"])
            .arg("--cert-root")
            .arg(root());
    })?;
    let (status, rows) = gateway;
    let failed = ids(&rows, "fail");
    ensure!(
        failed.is_empty(),
        "the dmz-gateway fails {failed:?} (target/run/audit-gateway/audit.md)"
    );
    let unchecked: Vec<String> = rows
        .iter()
        .filter(|r| r.guideline.part != "operator" && r.verdict != "pass")
        .map(|r| format!("{} ({})", r.guideline.id, r.reason))
        .collect();
    ensure!(
        unchecked.is_empty(),
        "guidelines a gateway can take that the audit did not pass: {unchecked:?}"
    );
    ensure!(status == Some(0), "audit of the gateway exited {status:?}");
    println!(
        "audit of the dmz-gateway: {} pass, {} operator, 0 fail",
        ids(&rows, "pass").len(),
        ids(&rows, "operator").len()
    );

    raw_fails("raw", "http://127.0.0.1:18080", RAW_MUST_FAIL, |_| {})?;
    raw_fails(
        "raw-tls",
        "https://localhost:18443",
        RAW_TLS_MUST_FAIL,
        |cmd| {
            cmd.arg("--ca").arg(&ca);
        },
    )
}

/// The audit of a mock node reached without the gateway fails at least `must_fail` and exits 1.
fn raw_fails(
    name: &str,
    url: &str,
    must_fail: &[&str],
    args: impl FnOnce(&mut Command),
) -> Result<()> {
    let (status, rows) = audit(name, |cmd| {
        cmd.args(["--gateway", url]);
        args(cmd);
    })?;
    let failed = ids(&rows, "fail");
    let missing: Vec<&&str> = must_fail
        .iter()
        .filter(|id| !failed.iter().any(|f| f == *id))
        .collect();
    ensure!(
        missing.is_empty(),
        "{url} without the gateway should fail {missing:?} but the report says otherwise (failed: {failed:?}; target/run/audit-{name}/audit.md)"
    );
    ensure!(
        status == Some(1),
        "audit of {url} exited {status:?}, want 1"
    );
    println!(
        "audit of the mock node without the gateway, {url}: fails {} as it must ({} fail in all)",
        must_fail.join(" "),
        failed.len()
    );
    Ok(())
}

/// Runs `gateway-hardening audit` with the common arguments and `args`; returns its exit code
/// and the report's rows.
fn audit(name: &str, args: impl FnOnce(&mut Command)) -> Result<(Option<i32>, Vec<Row>)> {
    let out = run_dir().join(format!("audit-{name}"));
    let mut cmd = package_bin("gateway-hardening-cli", "gateway-hardening");
    cmd.arg("audit")
        .args(["--expect-ports", EXPECTED_PORTS])
        .arg("--out")
        .arg(&out);
    args(&mut cmd);
    let status = cmd.status().context("running gateway-hardening audit")?;
    let path = out.join("audit.json");
    let report: Report = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?,
    )
    .with_context(|| format!("reading {}", path.display()))?;
    let rows = report.rows;
    if rows.len() != 38 {
        bail!("{} rows in {}, want 38", rows.len(), path.display());
    }
    for ext in ["md", "html"] {
        let p = out.join(format!("audit.{ext}"));
        ensure!(p.is_file(), "no {}", p.display());
    }
    Ok((status.code(), rows))
}

fn ids(rows: &[Row], verdict: &str) -> Vec<String> {
    rows.iter()
        .filter(|r| r.verdict == verdict)
        .map(|r| r.guideline.id.clone())
        .collect()
}
