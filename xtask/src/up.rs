//! `cargo xtask up`: start the mock WSO2 nodes and Envoy with the dmz-gateway example, in the
//! background, and return once both answer.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::http;
use crate::project::{root, run_dir, target_dir};
use crate::state::{EnvoyState, MockState, Proc, RunState};
use crate::tools;

/// The example Envoy runs.
pub(crate) const CONFIG: &str = "envoy-examples/dmz-gateway/envoy.yaml";
/// Envoy's admin listener.
pub(crate) const ADMIN: &str = "127.0.0.1:9901";
/// The example's listeners by Envoy listener name.
pub(crate) const LISTENERS: [(&str, &str); 5] = [
    ("plain_normalized", "127.0.0.1:10000"),
    ("plain_raw", "127.0.0.1:10001"),
    ("plain_active_passive", "127.0.0.1:10002"),
    ("https", "127.0.0.1:10443"),
    ("redirect", "127.0.0.1:10080"),
];
/// `text` (the example or an edit of it) with its admin and listener ports moved up by `shift`,
/// for a second Envoy that runs beside the one `up` started (the clusters' ports stay).
pub(crate) fn shifted(text: &str, shift: u16) -> String {
    let ports = LISTENERS
        .iter()
        .map(|(_, a)| *a)
        .chain([ADMIN])
        .filter_map(|a| a.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()));
    let mut text = text.to_owned();
    for port in ports {
        text = text.replace(
            &format!("port_value: {port} "),
            &format!("port_value: {} ", port + shift),
        );
    }
    text
}

/// The mock nodes: `(node, plain address)`.
pub(crate) const MOCK_NODES: [(&str, &str); 2] =
    [("node-a", "127.0.0.1:18080"), ("node-b", "127.0.0.1:18081")];
/// The mock nodes' control listeners (`POST /__mock/mode`: slow, reset, storm503, hang,
/// garbage, normal), for the failover checks.
pub(crate) const MOCK_CONTROL: [(&str, &str); 2] =
    [("node-a", "127.0.0.1:18180"), ("node-b", "127.0.0.1:18181")];
/// HTTPS listeners of the mock: `(node, address, certificate in target/certs)`. node-a also
/// serves TLS (cluster `mock_wso2_tls`); `wso2-default-cert` serves only TLS, with a certificate
/// imitating WSO2's default one (cluster `mock_wso2_default_cert`).
pub(crate) const MOCK_HTTPS: [(&str, &str, &str); 2] = [
    ("node-a", "127.0.0.1:18443", "upstream"),
    ("wso2-default-cert", "127.0.0.1:18444", "wso2-default-like"),
];

/// Installs, builds, starts and waits. Stops what it started if anything fails.
pub(crate) fn up() -> Result<()> {
    if let Some(state) = RunState::load()? {
        if crate::down::any_alive(&state) {
            bail!("already up (target/run/state.json); run `cargo xtask down` first");
        }
        RunState::remove()?;
    }
    tools::ensure_envoy()?;
    crate::build::build()?;
    crate::certs::ensure()?;
    // Before validating: the example's access log file is target/run/access.jsonl.
    std::fs::create_dir_all(run_dir())?;
    validate(Path::new(CONFIG))?;
    let mut state = RunState {
        envoy: None,
        mock: Vec::new(),
        listeners: LISTENERS
            .iter()
            .map(|(n, a)| (n.to_string(), a.to_string()))
            .collect::<BTreeMap<_, _>>(),
        certs: target_dir().join("certs").display().to_string(),
    };
    let started = start_all(&mut state);
    state.save()?;
    if let Err(e) = started {
        print_log_tails(&state);
        let _ = crate::down::down();
        return Err(e);
    }
    println!(
        "up: Envoy admin http://{ADMIN}, listeners {}",
        LISTENERS
            .map(|(n, a)| {
                let scheme = if n == "https" { "https" } else { "http" };
                format!("{n} {scheme}://{a}")
            })
            .join(", ")
    );
    println!(
        "up: logs in {}; stop with `cargo xtask down`",
        run_dir().display()
    );
    Ok(())
}

fn start_all(state: &mut RunState) -> Result<()> {
    let plain = MOCK_NODES.iter().map(|(n, _)| *n);
    let https_only = MOCK_HTTPS
        .iter()
        .filter(|(n, _, _)| !MOCK_NODES.iter().any(|(m, _)| m == n))
        .map(|(n, _, _)| *n);
    for node in plain.chain(https_only) {
        let mock = start_mock(node)?;
        state.mock.push(mock);
        state.save()?;
    }
    for (_, addr) in MOCK_NODES {
        http::wait_for(addr, "/api/health-check/v1.0/health", 20, |s, _| s == 200)?;
    }
    for (_, addr, _) in MOCK_HTTPS {
        http::wait_for_port(addr, 20)?;
    }
    start_envoy(state, CONFIG)
}

/// Starts the mock node `node` (of [`MOCK_NODES`] or [`MOCK_HTTPS`]) with its listeners, its
/// HTTPS listener and control listener where it has them; returns what `down` needs to stop it.
/// Does not wait for it.
pub(crate) fn start_mock(node: &str) -> Result<MockState> {
    let mock = crate::project::mock_binary();
    let log = run_dir().join(format!("mock-{node}.log"));
    let mut args = vec!["--node".to_owned(), node.to_owned()];
    let addr = MOCK_NODES.iter().find(|(n, _)| *n == node).map(|(_, a)| *a);
    if let Some(addr) = addr {
        args.extend(["--listen".to_owned(), addr.to_owned()]);
    }
    if let Some((_, control)) = MOCK_CONTROL.iter().find(|(n, _)| *n == node) {
        args.extend(["--control".to_owned(), (*control).to_owned()]);
    }
    let https = MOCK_HTTPS.iter().find(|(n, _, _)| *n == node);
    if let Some((_, addr, cert)) = https {
        let spec = format!(
            "{addr},{},{}",
            crate::certs::file(cert, "crt").display(),
            crate::certs::file(cert, "key").display()
        );
        args.extend(["--https".to_owned(), spec]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let pid = spawn(&mock, &args, &log)?;
    Ok(MockState {
        proc: Proc {
            pid,
            exe: mock.display().to_string(),
        },
        node: node.to_owned(),
        addr: addr.map_or_else(String::new, str::to_owned),
        https: https.map(|(_, a, _)| (*a).to_owned()),
        log: log.display().to_string(),
    })
}

/// Starts Envoy with `config` (a path from the repository root), records it in `state`, and
/// waits until it is ready and both mock nodes are healthy in its `mock_wso2` cluster.
fn start_envoy(state: &mut RunState, config: &str) -> Result<()> {
    let envoy = tools::envoy();
    let log = run_dir().join("envoy.log");
    let access_log = run_dir().join("access.log");
    let log_path = log.display().to_string();
    let args = [
        "-c",
        config,
        "--use-dynamic-base-id",
        "--file-flush-interval-msec",
        "10",
        "--log-path",
        &log_path,
    ];
    let pid = spawn(&envoy, &args, &access_log)?;
    state.envoy = Some(EnvoyState {
        proc: Proc {
            pid,
            exe: envoy.display().to_string(),
        },
        admin: ADMIN.to_owned(),
        log: log.display().to_string(),
        access_log: access_log.display().to_string(),
        config: config.to_owned(),
    });
    state.save()?;
    http::wait_for(ADMIN, "/ready", 120, |s, _| s == 200)?;
    // Both nodes healthy: the first health checks have passed.
    http::wait_for(ADMIN, "/clusters", 30, |_, body| {
        body.lines()
            .filter(|l| l.starts_with("mock_wso2::") && l.ends_with("::health_flags::healthy"))
            .count()
            == MOCK_NODES.len()
    })?;
    Ok(())
}

/// Stops the Envoy `up` started and starts it again with `config` (a path from the repository
/// root), the mock nodes left running.
///
/// Errors: nothing is up, or the new Envoy does not get ready.
pub(crate) fn restart_envoy(config: &str) -> Result<()> {
    let mut state = RunState::load()?.context("nothing is up: run `cargo xtask up`")?;
    if let Some(e) = state.envoy.take() {
        crate::down::stop(&[&e.proc]);
    }
    start_envoy(&mut state, config)
}

/// Starts `program args` from the repository root, stdout and stderr appended to `log`, and
/// returns its pid. The process outlives us: it runs under a `sh` that only waits for it (Envoy
/// from PyPI gets SIGTERM when its parent exits, so the parent must stay), in a process group of
/// its own so that a Ctrl-C in this terminal does not reach it.
fn spawn(program: &Path, args: &[&str], log: &Path) -> Result<u32> {
    File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"log="$1"; shift; "$@" >>"$log" 2>&1 </dev/null & echo $!; exec >/dev/null; wait"#)
        .arg("sh")
        .arg(log)
        .arg(program)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .with_context(|| format!("cannot start {}", program.display()))?
        .stdout
        .take()
        .context("no stdout from sh")?;
    let mut pid = String::new();
    std::io::Read::read_to_string(&mut { out }, &mut pid)?;
    pid.trim()
        .parse()
        .with_context(|| format!("no pid for {}", program.display()))
}

/// `envoy --mode validate`: parses the config, loads the modules and runs `on_configure`.
pub(crate) fn validate(config: &Path) -> Result<()> {
    let out = Command::new(tools::envoy())
        .current_dir(root())
        .args(["--mode", "validate", "--use-dynamic-base-id", "-c"])
        .arg(config)
        .output()
        .context("cannot run envoy --mode validate")?;
    if !out.status.success() {
        let log = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        bail!(
            "envoy --mode validate -c {} failed:\n{}",
            config.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    Ok(())
}

fn print_log_tails(state: &RunState) {
    let logs = state
        .mock
        .iter()
        .map(|m| m.log.clone())
        .chain(state.envoy.iter().map(|e| e.log.clone()));
    for log in logs {
        if let Ok(text) = std::fs::read_to_string(&log) {
            eprintln!("--- last lines of {log}");
            let lines: Vec<&str> = text.lines().collect();
            for l in lines.iter().skip(lines.len().saturating_sub(15)) {
                eprintln!("{l}");
            }
        }
    }
}
