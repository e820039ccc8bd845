//! One load window against a running Envoy: wrk (HTTP/1.1) or h2load (HTTP/2 over cleartext,
//! prior knowledge), with Envoy's CPU from `/proc/<pid>/stat`, its resident memory, the CPU the
//! rest of the machine used meanwhile, and a check that every answer had the status a probe
//! request got before the window.

use std::process::{Child, Command};

use anyhow::{Context, Result, bail};

use crate::project::run_dir;

/// Linux `USER_HZ`: jiffies per second in `/proc/*/stat`.
const TICKS_PER_S: f64 = 100.0;

/// The HTTP version a window loads Envoy with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Protocol {
    /// HTTP/1.1 with keep-alive (`wrk -t1 -c16`).
    Http1,
    /// HTTP/2 over cleartext with prior knowledge (`h2load -t1 -c16 -m1`).
    Http2,
}

impl Protocol {
    /// The table's name for it.
    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Http1 => "h1",
            Self::Http2 => "h2",
        }
    }
}

/// One window's figures.
#[derive(Clone, Copy)]
pub(super) struct Sample {
    /// Requests per second.
    pub(super) rps: f64,
    /// Latency percentiles, ms.
    pub(super) p50_ms: f64,
    pub(super) p99_ms: f64,
    /// Envoy's CPU (user and system) per request, µs.
    pub(super) cpu_us: f64,
    /// Envoy's resident memory after the window, MiB.
    pub(super) rss_mib: f64,
    /// CPU that processes other than Envoy, the upstream and the load generator used during the
    /// window, in percent of the machine (every core).
    pub(super) noise_pct: f64,
    /// The status every answer had (checked against the probe).
    pub(super) status: u16,
}

/// What a load generator reported.
struct Report {
    requests: f64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Loads `envoy` on `listen` (`host:port`) with `GET path` for `seconds`, over `protocol`.
/// `upstream` is the upstream Envoy's pid when the route is proxied (its CPU is not noise).
/// Errors: the load generator failed, made no request, or an answer's status differs from the
/// probe's (`expected`: the status one request got before the window).
pub(super) fn window(
    envoy: &Child,
    upstream: Option<u32>,
    listen: &str,
    path: &str,
    protocol: Protocol,
    expected: u16,
    seconds: u64,
) -> Result<Sample> {
    let before = cpu_ticks(envoy.id())?;
    let upstream_before = upstream.map(cpu_ticks).transpose()?.unwrap_or(0);
    let (machine_before, cores) = machine_ticks()?;
    let children_before = children_ticks()?;
    let url = format!("http://{listen}{path}");
    let report = match protocol {
        Protocol::Http1 => wrk(&url, expected, seconds)?,
        Protocol::Http2 => h2load(&url, expected, seconds)?,
    };
    let after = cpu_ticks(envoy.id())?;
    let upstream_after = upstream.map(cpu_ticks).transpose()?.unwrap_or(0);
    let (machine_after, _) = machine_ticks()?;
    let client = children_ticks()?.saturating_sub(children_before);
    let other = (machine_after - machine_before)
        .saturating_sub(after - before)
        .saturating_sub(upstream_after - upstream_before)
        .saturating_sub(client);
    Ok(Sample {
        rps: report.rps,
        p50_ms: report.p50_ms,
        p99_ms: report.p99_ms,
        cpu_us: (after - before) as f64 / TICKS_PER_S * 1e6 / report.requests,
        rss_mib: rss_kib(envoy.id()).unwrap_or(0) as f64 / 1024.0,
        noise_pct: other as f64 / (seconds as f64 * TICKS_PER_S * cores.max(1) as f64) * 100.0,
        status: expected,
    })
}

/// `wrk -t1 -c16 --latency`. wrk counts answers outside 2xx and 3xx in one line: it must be
/// absent when the probe got a 2xx or 3xx, and count every request otherwise.
fn wrk(url: &str, expected: u16, seconds: u64) -> Result<Report> {
    let out = Command::new("wrk")
        .args(["-t1", "-c16", "--latency", &format!("-d{seconds}s"), url])
        .output()
        .context("cannot run wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let requests = wrk_field(&text, " requests in").context("no request count from wrk")?;
    if requests <= 0.0 {
        bail!("wrk made no requests:\n{text}");
    }
    let other = wrk_field(&text, "Non-2xx or 3xx responses:").unwrap_or(0.0);
    let want_other = if (200..400).contains(&expected) {
        0.0
    } else {
        requests
    };
    if other != want_other {
        bail!(
            "{url}: {other} of {requests} answers were not 2xx or 3xx; the probe got {expected}:\n{text}"
        );
    }
    if let Some(errors) = text.lines().find(|l| l.contains("Socket errors")) {
        bail!("{url}: wrk saw {errors}");
    }
    Ok(Report {
        requests,
        rps: wrk_field(&text, "Requests/sec:").unwrap_or(0.0),
        p50_ms: wrk_latency(&text, "50%").unwrap_or(0.0),
        p99_ms: wrk_latency(&text, "99%").unwrap_or(0.0),
    })
}

/// The number next to `label` in wrk's output (before it for " requests in", after it otherwise).
fn wrk_field(text: &str, label: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.contains(label))?;
    if label == " requests in" {
        return line.split_whitespace().next()?.parse().ok();
    }
    line.split_whitespace().last()?.parse().ok()
}

/// A latency percentile in milliseconds (wrk prints `us`, `ms` or `s`).
fn wrk_latency(text: &str, pct: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.trim_start().starts_with(pct))?;
    let v = line.split_whitespace().nth(1)?;
    let (num, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else {
        (v.strip_suffix('s')?, 1000.0)
    };
    Some(num.parse::<f64>().ok()? * scale)
}

/// `h2load -t1 -c16 -m1 -D seconds`, with its per-request log (`start µs, status, duration µs`
/// per line) for the status of every answer and the latency percentiles.
fn h2load(url: &str, expected: u16, seconds: u64) -> Result<Report> {
    let log = run_dir().join("bench-h2load.log");
    // h2load appends to its log.
    if log.exists() {
        std::fs::remove_file(&log).with_context(|| format!("cannot remove {}", log.display()))?;
    }
    let out = Command::new("h2load")
        .args([
            "-t1",
            "-c16",
            "-m1",
            "-D",
            &seconds.to_string(),
            "--log-file",
        ])
        .arg(&log)
        .arg(url)
        .output()
        .context("cannot run h2load")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find_map(|l| l.strip_prefix("finished in "))
        .and_then(|l| l.split(", ").nth(1))
        .and_then(|v| v.strip_suffix(" req/s"))
        .and_then(|v| v.parse::<f64>().ok())
        .with_context(|| format!("no req/s from h2load:\n{text}"))?;
    let rows =
        std::fs::read_to_string(&log).with_context(|| format!("cannot read {}", log.display()))?;
    let mut durations = Vec::new();
    for row in rows.lines() {
        let mut cols = row.split('\t').skip(1);
        let status = cols.next().unwrap_or_default();
        if status != expected.to_string() {
            bail!("{url}: an answer had status {status}; the probe got {expected}");
        }
        let us: f64 = cols
            .next()
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("bad h2load log row {row:?}"))?;
        durations.push(us / 1000.0);
    }
    if durations.is_empty() {
        bail!("h2load made no requests:\n{text}");
    }
    durations.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        let i = ((durations.len() - 1) as f64 * p).round() as usize;
        durations.get(i).copied().unwrap_or(0.0)
    };
    Ok(Report {
        requests: durations.len() as f64,
        rps,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    })
}

/// Busy jiffies of the whole machine (every core) and the number of cores, from /proc/stat.
fn machine_ticks() -> Result<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let line = stat.lines().next().context("empty /proc/stat")?;
    let f: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: busy is everything but idle and iowait.
    let busy = f
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4 && *i < 8)
        .map(|(_, v)| v)
        .sum();
    let cores = stat
        .lines()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .count();
    Ok((busy, cores as u64))
}

/// The sum of two adjacent jiffy fields of `/proc/<pid>/stat`, counted from the first field
/// after the command name (index 11: `utime` and `stime`; 13: `cutime` and `cstime`).
fn stat_ticks(pid: &str, first: usize) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("bad /proc stat")?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| -> Result<u64> {
        f.get(i)
            .and_then(|v| v.parse().ok())
            .with_context(|| format!("no field {} in /proc/{pid}/stat", i + 3))
    };
    Ok(field(first)? + field(first + 1)?)
}

/// CPU jiffies (user and system) of process `pid`: `/proc/<pid>/stat` fields 14 and 15.
fn cpu_ticks(pid: u32) -> Result<u64> {
    stat_ticks(&pid.to_string(), 11)
}

/// CPU jiffies of this process's waited-for children (the load generator, once it has exited):
/// `/proc/self/stat` fields 16 and 17.
fn children_ticks() -> Result<u64> {
    stat_ticks("self", 13)
}

/// `VmRSS` of `pid`, KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}
