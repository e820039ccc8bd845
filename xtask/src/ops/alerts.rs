//! The example's Prometheus rules (`envoy-examples/dmz-gateway/prometheus/`, guideline N2): their
//! unit tests with `promtool`, and a real Prometheus (Debian's `prometheus`, on loopback) that
//! scrapes the running gateway and raises `GatewayAdminContextScan` when an admin-context scan
//! goes through it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use crate::http;
use crate::project::{root, run_dir};

const DIR: &str = "envoy-examples/dmz-gateway/prometheus";
/// Prometheus's web listener for the end-to-end check: not Prometheus's default 9090, which
/// Debian's package starts its own service on where systemd runs.
const WEB: &str = "127.0.0.1:19090";

/// `promtool check config`, `check rules` and `test rules` on the shipped files.
pub(crate) fn promtool_checks() -> Result<()> {
    crate::tools::ensure_command("promtool", "prometheus")?;
    for args in [
        &["check", "config", "prometheus.yml"][..],
        &["check", "rules", "rules.yml"][..],
        &["test", "rules", "rules.test.yml"][..],
    ] {
        let out = Command::new("promtool")
            .args(args)
            .current_dir(root().join(DIR))
            .output()
            .context("cannot run promtool")?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ensure!(
            out.status.success(),
            "promtool {} failed:\n{text}",
            args.join(" ")
        );
        println!(
            "promtool {}: {}",
            args.join(" "),
            text.lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("ok")
        );
    }
    Ok(())
}

/// Starts Prometheus on the example's configuration, sends an admin-context scan through the
/// gateway (60 requests to denied contexts on 10000), and waits until the alert fires.
pub(crate) fn scan_fires_alert() -> Result<()> {
    crate::tools::ensure_command("promtool", "prometheus")?;
    let data = run_dir().join("prometheus-data");
    let _ = std::fs::remove_dir_all(&data);
    let log = std::fs::File::create(run_dir().join("prometheus.log"))?;
    let child = Command::new("prometheus")
        .arg(format!(
            "--config.file={}",
            root().join(DIR).join("prometheus.yml").display()
        ))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address={WEB}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .context("cannot start prometheus")?;
    let mut guard = crate::down::KillOnDrop(child);
    http::wait_for(WEB, "/-/ready", 30, |s, _| s == 200)?;
    // A first scrape before the scan, so that the counters' increase is seen.
    wait_scraped()?;
    let started = Instant::now();
    let mut denied = 0;
    for i in 0..60 {
        let target = match i % 3 {
            0 => "/carbon/admin/login.jsp",
            1 => "/services/RemoteUserStoreManagerService",
            _ => "/t/acme.com/carbon/",
        };
        if http::get("127.0.0.1:10000", target)?.0 == 403 {
            denied += 1;
        }
    }
    ensure!(
        denied == 60,
        "only {denied} of 60 scan requests were denied"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = http::get(WEB, "/api/v1/alerts")?;
        let alerts: serde_json::Value = serde_json::from_str(&body)?;
        let firing = alerts
            .pointer("/data/alerts")
            .and_then(serde_json::Value::as_array)
            .is_some_and(|a| {
                a.iter().any(|x| {
                    x.pointer("/labels/alertname")
                        .and_then(serde_json::Value::as_str)
                        == Some("GatewayAdminContextScan")
                        && x.get("state").and_then(serde_json::Value::as_str) == Some("firing")
                })
            });
        if firing {
            println!(
                "Prometheus: GatewayAdminContextScan firing {:.1} s after a scan of 60 admin-context requests (all denied 403)",
                started.elapsed().as_secs_f64()
            );
            break;
        }
        if Instant::now() > deadline {
            bail!("GatewayAdminContextScan not firing 60 s after the scan: {body}");
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    guard.stop();
    Ok(())
}

/// Waits until Prometheus has scraped the gateway three times (`increase()` needs samples on
/// both sides of the scan).
fn wait_scraped() -> Result<()> {
    http::wait_for(
        WEB,
        "/api/v1/query?query=count_over_time(up%7Bjob%3D%22envoy%22%7D%5B1m%5D)",
        60,
        |_, body| {
            serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| {
                    v.pointer("/data/result/0/value/1")
                        .and_then(serde_json::Value::as_str)
                        .and_then(|n| n.parse::<f64>().ok())
                })
                .is_some_and(|n| n >= 3.0)
        },
    )
}
