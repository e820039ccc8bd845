//! `cargo xtask down`: stop exactly the processes `up` recorded in `target/run/state.json`.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::state::{Proc, RunState};

/// Sends SIGTERM to each recorded process that is still ours, waits up to 5 s, then SIGKILL.
pub(crate) fn down() -> Result<()> {
    let Some(state) = RunState::load()? else {
        println!("down: nothing is up");
        return Ok(());
    };
    let procs: Vec<&Proc> = state
        .envoy
        .iter()
        .map(|e| &e.proc)
        .chain(state.mock.iter().map(|m| &m.proc))
        .collect();
    stop(&procs);
    RunState::remove()?;
    println!("down: stopped {} process(es)", procs.len());
    Ok(())
}

/// Sends SIGTERM to each of `procs` that is still ours, waits up to 5 s, then SIGKILL.
pub(crate) fn stop(procs: &[&Proc]) {
    for p in procs {
        if is_ours(p) {
            signal(p.pid, "TERM");
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while procs.iter().any(|p| is_ours(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    for p in procs {
        if is_ours(p) {
            signal(p.pid, "KILL");
        }
    }
}

/// Sends `SIG{sig}` (`KILL`, `TERM`) to `proc` when it is still ours (the failover checks kill
/// a mock node); waits until it is gone, at most 5 s.
pub(crate) fn kill(proc: &Proc, sig: &str) {
    if is_ours(proc) {
        signal(proc.pid, sig);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while is_ours(proc) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// True when any recorded process still runs.
pub(crate) fn any_alive(state: &RunState) -> bool {
    state
        .envoy
        .iter()
        .map(|e| &e.proc)
        .chain(state.mock.iter().map(|m| &m.proc))
        .any(is_ours)
}

/// The pid runs the executable we started (a recycled pid belongs to someone else) and is not
/// a zombie.
fn is_ours(p: &Proc) -> bool {
    let exe = std::fs::read_link(format!("/proc/{}/exe", p.pid));
    let zombie = std::fs::read_to_string(format!("/proc/{}/stat", p.pid))
        .map(|s| {
            s.rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true);
    !zombie && exe.is_ok_and(|e| same_file(&e, std::path::Path::new(&p.exe)))
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn signal(pid: u32, sig: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status();
}

/// A child process of ours (a second Envoy, Prometheus) killed and reaped when the guard is
/// dropped, or earlier by [`KillOnDrop::stop`].
pub(crate) struct KillOnDrop(pub(crate) Child);

impl KillOnDrop {
    /// Kills the process now and waits for it.
    pub(crate) fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.stop();
    }
}
