//! `cargo xtask soak`: the whole hardening set (the dmz-gateway example) under steady load for a
//! bounded time, Envoy's resident memory and the filters' counters sampled every 5 s; after the
//! warm-up (the first fifth), the memory slope is fitted by least squares against the requests
//! served and must stay under a threshold (MiB per million requests). Not in CI: it takes minutes.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};

use super::load;
use crate::state::RunState;

/// One sample: when, requests sent so far, Envoy's VmRSS.
struct Sample {
    at: Duration,
    requests: u64,
    rss_kib: u64,
}

/// Brings the example up, loads it for `minutes`, prints the samples and the slope, brings it
/// down; fails when the slope is above `threshold` MiB per million requests.
pub(crate) fn soak(minutes: u64, threshold: f64) -> Result<()> {
    crate::up::up()?;
    let result = run(minutes, threshold);
    let _ = crate::down::down();
    result
}

fn run(minutes: u64, threshold: f64) -> Result<()> {
    let state = RunState::load()?.context("nothing is up")?;
    let pid = state.envoy.context("no Envoy in the run state")?.proc.pid;
    let limit = Duration::from_secs(minutes * 60);
    // Allowed and denied requests both: the allow path and every refusal's local reply.
    let allowed = load::start("127.0.0.1:10000", "/oauth2/jwks", 3, u64::MAX, limit)?;
    let denied = load::start(
        "127.0.0.1:10001",
        "/oauth2/../carbon/admin/login.jsp",
        1,
        u64::MAX,
        limit,
    )?;
    let start = Instant::now();
    let mut samples = Vec::new();
    println!("{:>8} {:>12} {:>10}", "seconds", "requests", "RSS MiB");
    while start.elapsed() < limit {
        std::thread::sleep(Duration::from_secs(5));
        let sample = Sample {
            at: start.elapsed(),
            requests: allowed.sent() + denied.sent(),
            rss_kib: rss_kib(pid)?,
        };
        println!(
            "{:>8.0} {:>12} {:>10.1}",
            sample.at.as_secs_f64(),
            sample.requests,
            sample.rss_kib as f64 / 1024.0
        );
        samples.push(sample);
    }
    let outcomes: Vec<load::Outcome> = allowed.finish().into_iter().collect();
    let refused = denied.finish();
    let failed = outcomes.iter().filter(|o| !o.ok()).count();
    let not_refused = refused
        .iter()
        .filter(|o| !matches!(o.status, Ok(403)))
        .count();
    let warm: Vec<&Sample> = samples.iter().filter(|s| s.at >= limit / 5).collect();
    ensure!(warm.len() >= 3, "too few samples after the warm-up");
    let slope = slope_mib_per_million(&warm);
    let counters = crate::http::get(crate::up::ADMIN, "/stats?filter=gateway_hardening")?.1;
    let denials: u64 = counters
        .lines()
        .filter(|l| l.contains(".denied."))
        .filter_map(|l| {
            l.rsplit_once(": ")
                .and_then(|(_, v)| v.trim().parse::<u64>().ok())
        })
        .sum();
    println!(
        "soak {minutes} min: {} allowed requests ({failed} failed), {} denied requests ({not_refused} not answered 403; the filters counted {denials} denials); RSS {:.1} -> {:.1} MiB; slope after warm-up {slope:.3} MiB per million requests (threshold {threshold})",
        outcomes.len(),
        refused.len(),
        warm.first().map_or(0.0, |s| s.rss_kib as f64 / 1024.0),
        warm.last().map_or(0.0, |s| s.rss_kib as f64 / 1024.0),
    );
    ensure!(failed == 0, "{failed} allowed requests failed");
    ensure!(
        not_refused == 0,
        "{not_refused} admin requests were not refused"
    );
    ensure!(
        slope <= threshold,
        "Envoy's memory grows {slope:.3} MiB per million requests, above {threshold}"
    );
    Ok(())
}

/// Least-squares slope of RSS (MiB) over requests (millions).
fn slope_mib_per_million(samples: &[&Sample]) -> f64 {
    let n = samples.len() as f64;
    let xs: Vec<f64> = samples.iter().map(|s| s.requests as f64 / 1e6).collect();
    let ys: Vec<f64> = samples.iter().map(|s| s.rss_kib as f64 / 1024.0).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let cov: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let var: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    if var == 0.0 { 0.0 } else { cov / var }
}

/// `VmRSS` of `pid`, in KiB (`/proc/<pid>/status`).
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("Envoy (pid {pid}) is gone"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("no VmRSS")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_and_of_a_flat_series() {
        let line: Vec<Sample> = (0..5)
            .map(|i| Sample {
                at: Duration::from_secs(i),
                requests: i * 1_000_000,
                rss_kib: 100 * 1024 + i * 2 * 1024,
            })
            .collect();
        let refs: Vec<&Sample> = line.iter().collect();
        assert!((slope_mib_per_million(&refs) - 2.0).abs() < 1e-9);
        let flat: Vec<Sample> = (0..5)
            .map(|i| Sample {
                at: Duration::from_secs(i),
                requests: i * 1000,
                rss_kib: 1024,
            })
            .collect();
        let refs: Vec<&Sample> = flat.iter().collect();
        assert_eq!(slope_mib_per_million(&refs), 0.0);
    }
}
