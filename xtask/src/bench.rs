//! `cargo xtask bench`: the criterion benchmarks, then the load benchmark of the filters in real
//! Envoy. Envoy runs with one worker and a `direct_response` route (no upstream: Envoy's own cost
//! is the floor), once without any filter, with Envoy's native filters and with Lua doing a
//! similar job (`bench_native`), with an empty Rust Proxy-Wasm filter (the V8 floor), once per
//! filter, with the three chained as in the dmz-gateway example, and with the combined module
//! (`gateway_hardening.wasm`, the same three configurations as its sections); wrk loads it from
//! the other core. Two requests: a public endpoint
//! (`/oauth2/jwks`, which every filter lets through) and an admin context
//! (`/carbon/admin/login.jsp`: context-allowlist answers 403, tls-guard 308 because a path with a
//! client-certificate rule is never served over plaintext, header-hardening hardens the answer).
//! Rounds alternate the variants (A B A B …) and the table gives medians: requests per second,
//! latency, Envoy CPU per request (from /proc/<pid>/stat, with min and max over the rounds) and
//! what the filters add to Envoy alone and to Envoy's native filters doing a similar job (RBAC and
//! header_mutation; Lua), Envoy's resident memory, and the CPU other processes used during each
//! window (noise: the machine's busy time from /proc/stat less Envoy's and wrk's).

use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::project::{cargo, root, run, run_dir, wasm_path};
use crate::{envoy_yaml, tools};

const LISTEN_PORT: u16 = 10100;
const LISTEN: &str = "127.0.0.1:10100";
const ADMIN_PORT: u16 = 9911;
const ADMIN: &str = "127.0.0.1:9911";

/// A filter variant: a name and the http_filters YAML placed before the router.
struct Variant {
    name: &'static str,
    filters: String,
}

/// Runs criterion (unless `envoy_only`) and the Envoy load bench: `rounds` rounds of `seconds`
/// seconds per variant and path.
pub(crate) fn bench(envoy_only: bool, rounds: usize, seconds: u64) -> Result<()> {
    if !envoy_only {
        run(cargo().args(["bench", "-p", "benches"]))?;
    }
    tools::ensure_envoy()?;
    if !tools::on_path("wrk") {
        tools::apt_install(&["wrk"])?;
    }
    crate::build::build()?;
    crate::build::wasm_release(&["empty-filter"], None, &[])?;
    let empty = example_filter("empty-filter", "{}".to_owned());
    let combined = example_filter("gateway-hardening", combined_config()?);
    let allowlist = example_filter("context-allowlist", example_config("context-allowlist")?);
    let headers = example_filter("header-hardening", example_config("header-hardening")?);
    let tls = example_filter("tls-guard", tls_guard_plaintext_config()?);
    let variants = [
        Variant {
            name: "no Wasm filter",
            filters: String::new(),
        },
        Variant {
            name: "native RBAC+headers",
            filters: crate::bench_native::native()?,
        },
        Variant {
            name: "Lua",
            filters: crate::bench_native::lua()?,
        },
        Variant {
            name: "empty filter",
            filters: empty,
        },
        Variant {
            name: "context-allowlist",
            filters: allowlist.clone(),
        },
        Variant {
            name: "header-hardening",
            filters: headers.clone(),
        },
        Variant {
            name: "tls-guard",
            filters: tls.clone(),
        },
        Variant {
            name: "all three",
            filters: format!("{headers}{tls}{allowlist}"),
        },
        Variant {
            name: "combined module",
            filters: combined,
        },
    ];
    let paths = [
        ("public", "/oauth2/jwks"),
        ("admin", "/carbon/admin/login.jsp"),
    ];
    let mut samples: Vec<(String, Sample)> = Vec::new();
    for round in 1..=rounds {
        for v in &variants {
            let mut envoy = start(v)?;
            let result = paths.iter().try_for_each(|(label, path)| {
                load(&envoy, path, 2).context("warm-up")?;
                let s = load(&envoy, path, seconds)?;
                println!(
                    "bench: round {round} {:<18} {label:<6} {:>8.0} req/s {:>6.1} µs CPU/req",
                    v.name, s.rps, s.cpu_us
                );
                samples.push((format!("{}|{label}", v.name), s));
                Ok::<(), anyhow::Error>(())
            });
            let _ = envoy.kill();
            let _ = envoy.wait();
            result?;
        }
    }
    print_table(&samples, &variants, &paths);
    Ok(())
}

/// The plugin configuration the dmz-gateway example gives `filter` on its plain listeners.
fn example_config(filter: &str) -> Result<String> {
    let path = root().join(format!(
        "envoy-examples/dmz-gateway/plugin-config/{filter}.json"
    ));
    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
}

/// The example's tls-guard configuration with `"plaintext": "allow"`, as behind a TLS-terminating
/// load balancer: the bench listener is plaintext, so the front door's configuration would
/// redirect every request.
fn tls_guard_plaintext_config() -> Result<String> {
    let mut config: serde_json::Value = serde_json::from_str(&example_config("tls-guard")?)?;
    let hosts = config
        .get_mut("virtual_hosts")
        .and_then(|v| v.as_array_mut())
        .context("tls-guard.json has no virtual_hosts")?;
    for host in hosts {
        host["plaintext"] = "allow".into();
    }
    Ok(config.to_string())
}

/// The combined module's configuration doing what "all three" do: the same three
/// configurations as its sections.
fn combined_config() -> Result<String> {
    let section = |json: &str| serde_json::from_str::<serde_json::Value>(json);
    Ok(serde_json::json!({
        "header_hardening": section(&example_config("header-hardening")?)?,
        "tls_guard": section(&tls_guard_plaintext_config()?)?,
        "context_allowlist": section(&example_config("context-allowlist")?)?,
    })
    .to_string())
}

fn example_filter(name: &str, config: String) -> String {
    envoy_yaml::wasm_filter(name, &wasm_path(name), &config)
}

fn config_yaml(v: &Variant) -> String {
    envoy_yaml::static_bootstrap(
        ADMIN_PORT,
        &envoy_yaml::direct_response_listener("bench", LISTEN_PORT, &v.filters),
    )
}

fn start(v: &Variant) -> Result<Child> {
    std::fs::create_dir_all(run_dir())?;
    let path = run_dir().join("bench-envoy.yaml");
    std::fs::write(&path, config_yaml(v))?;
    let child = Command::new(tools::envoy())
        .current_dir(root())
        .args([
            "--concurrency",
            "1",
            "--use-dynamic-base-id",
            "-l",
            "warning",
            "-c",
        ])
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(run_dir().join("bench-envoy.log"))?)
        .spawn()
        .context("cannot start envoy")?;
    crate::http::wait_for(ADMIN, "/ready", 30, |s, _| s == 200)?;
    Ok(child)
}

/// One wrk run's figures.
#[derive(Clone, Copy)]
struct Sample {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    cpu_us: f64,
    rss_mib: f64,
    /// CPU that processes other than Envoy and wrk used during the window, in percent of the
    /// machine (every core).
    noise_pct: f64,
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

/// CPU jiffies of this process's waited-for children (wrk, once it has exited).
fn children_ticks() -> Result<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("bad /proc stat")?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // cutime and cstime are fields 16 and 17.
    let cu: u64 = f
        .get(13)
        .and_then(|v| v.parse().ok())
        .context("no cutime")?;
    let cs: u64 = f
        .get(14)
        .and_then(|v| v.parse().ok())
        .context("no cstime")?;
    Ok(cu + cs)
}

fn load(envoy: &Child, path: &str, seconds: u64) -> Result<Sample> {
    let before = cpu_ticks(envoy.id())?;
    let (machine_before, cores) = machine_ticks()?;
    let children_before = children_ticks()?;
    let out = Command::new("wrk")
        .args(["-t1", "-c16", "--latency", &format!("-d{seconds}s")])
        .arg(format!("http://{LISTEN}{path}"))
        .output()
        .context("cannot run wrk")?;
    let after = cpu_ticks(envoy.id())?;
    let (machine_after, _) = machine_ticks()?;
    let wrk = children_ticks()?.saturating_sub(children_before);
    let other = (machine_after - machine_before)
        .saturating_sub(after - before)
        .saturating_sub(wrk);
    let text = String::from_utf8_lossy(&out.stdout);
    let requests = field(&text, " requests in").context("no request count from wrk")?;
    if requests <= 0.0 {
        bail!("wrk made no requests:\n{text}");
    }
    let ticks_per_s = 100.0; // Linux USER_HZ
    Ok(Sample {
        rps: field(&text, "Requests/sec:").unwrap_or(0.0),
        p50_ms: latency(&text, "50%").unwrap_or(0.0),
        p99_ms: latency(&text, "99%").unwrap_or(0.0),
        cpu_us: (after - before) as f64 / ticks_per_s * 1e6 / requests,
        rss_mib: rss_kib(envoy.id()).unwrap_or(0) as f64 / 1024.0,
        noise_pct: other as f64 / (seconds as f64 * 100.0 * cores.max(1) as f64) * 100.0,
    })
}

/// The number next to `label` in wrk's output (before it for " requests in", after it otherwise).
fn field(text: &str, label: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.contains(label))?;
    if label == " requests in" {
        return line.split_whitespace().next()?.parse().ok();
    }
    line.split_whitespace().last()?.parse().ok()
}

/// A latency percentile in milliseconds (wrk prints `us`, `ms` or `s`).
fn latency(text: &str, pct: &str) -> Option<f64> {
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

fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("bad /proc stat")?;
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After the command name: state is field 3; utime and stime are fields 14 and 15.
    let utime: u64 = f.get(11).and_then(|v| v.parse().ok()).context("no utime")?;
    let stime: u64 = f.get(12).and_then(|v| v.parse().ok()).context("no stime")?;
    Ok(utime + stime)
}

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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn print_table(samples: &[(String, Sample)], variants: &[Variant], paths: &[(&str, &str)]) {
    println!(
        "\nEnvoy load bench (one worker, direct_response, wrk -t1 -c16; medians of {} rounds, [min-max] of the CPU)",
        samples.len() / (variants.len() * paths.len()).max(1)
    );
    println!(
        "{:<20} {:<7} {:>8} {:>7} {:>7} {:>21} {:>9} {:>9} {:>8} {:>7}",
        "variant",
        "request",
        "req/s",
        "p50 ms",
        "p99 ms",
        "CPU µs/req [min-max]",
        "added µs",
        "vs native",
        "RSS MiB",
        "noise %"
    );
    for (label, _) in paths {
        let median_of = |name: &str| median(pick(samples, name, label, |s| s.cpu_us));
        let base = median_of(variants.first().map_or("", |v| v.name));
        let native = median_of("native RBAC+headers");
        for v in variants {
            let all = pick(samples, v.name, label, |s| s.cpu_us);
            let (lo, hi) = all
                .iter()
                .fold((f64::MAX, 0.0_f64), |(lo, hi), c| (lo.min(*c), hi.max(*c)));
            let m = |f: fn(&Sample) -> f64| median(pick(samples, v.name, label, f));
            let cpu = m(|s| s.cpu_us);
            println!(
                "{:<20} {:<7} {:>8.0} {:>7.2} {:>7.2} {:>7.1} [{:>5.1}-{:>5.1}] {:>9.1} {:>9.1} {:>8.1} {:>7.1}",
                v.name,
                label,
                m(|s| s.rps),
                m(|s| s.p50_ms),
                m(|s| s.p99_ms),
                cpu,
                lo,
                hi,
                cpu - base,
                cpu - native,
                m(|s| s.rss_mib),
                m(|s| s.noise_pct)
            );
        }
    }
}

fn pick(
    samples: &[(String, Sample)],
    variant: &str,
    label: &str,
    f: fn(&Sample) -> f64,
) -> Vec<f64> {
    let key = format!("{variant}|{label}");
    samples
        .iter()
        .filter(|(k, _)| *k == key)
        .map(|(_, s)| f(s))
        .collect()
}
