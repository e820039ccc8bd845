//! Failover under load (guideline N1), with the example's real settings: a node killed
//! (SIGKILL) and restarted while the load runs, then each way a node can go bad (the mock's
//! modes: 503 storm, resets, non-HTTP answers, hanging); the active-passive cluster the same way.
//! Every request must be answered 2xx: a failed request fails the step.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use super::load::{self, Outcome};
use super::{set_mode, wait_flags};
use crate::state::RunState;
use crate::up;

/// The route the load uses: public, cacheable metadata the filters allow on every listener.
const PATH: &str = "/oauth2/jwks";

/// The active-active cluster (listener 10000) and the active-passive one (10002).
pub(crate) fn failover() -> Result<()> {
    kill_and_restart(
        "127.0.0.1:10000",
        "mock_wso2",
        "node-b",
        "127.0.0.1:18081",
        "node-a",
    )?;
    for mode in ["storm503", "reset", "garbage", "hang"] {
        bad_node(mode)?;
    }
    kill_and_restart(
        "127.0.0.1:10002",
        "mock_wso2_active_passive",
        "node-a",
        "127.0.0.1:18080",
        "node-b",
    )
}

/// Load on `listener`; after 2 s the node `victim` (serving `victim_addr` in `cluster`) is
/// killed, restarted 3 s later; the load ends 2 s after the victim served again. Prints sent,
/// failed, how long until Envoy marked the victim (health check or outlier detection) and until
/// it served again; fails on any failed request, or when traffic did not move to `other` and
/// back.
fn kill_and_restart(
    listener: &str,
    cluster: &str,
    victim: &str,
    victim_addr: &str,
    other: &str,
) -> Result<()> {
    let state = RunState::load()?.context("nothing is up")?;
    let mock = state
        .mock
        .iter()
        .find(|m| m.node == victim)
        .with_context(|| format!("no mock node {victim} in the run state"))?;
    let load = load::start(listener, PATH, 4, 60_000, Duration::from_secs(60))?;
    std::thread::sleep(Duration::from_secs(2));
    let killed_at = load.elapsed();
    crate::down::kill(&mock.proc, "KILL");
    let marked = wait_flags(cluster, victim_addr, Duration::from_secs(15), |f| {
        f != "healthy"
    });
    let marked_after = load.elapsed().saturating_sub(killed_at);
    std::thread::sleep(Duration::from_secs(3));
    let restarted = up::start_mock(victim)?;
    let restarted_at = load.elapsed();
    replace_mock(restarted)?;
    let healthy = wait_flags(cluster, victim_addr, Duration::from_secs(20), |f| {
        f == "healthy"
    });
    // Traffic is back once requests of the load are served by the victim again: the load's own
    // answers say so at the end; wait for a request of ours to be served by it first.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !served_by(listener, victim) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    let outcomes = load.finish();
    let flags = marked.with_context(|| format!("{victim} was never marked down in {cluster}"))?;
    healthy.with_context(|| format!("{victim} did not become healthy again in {cluster}"))?;
    let after_kill: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.at > killed_at + marked_after && o.at < restarted_at)
        .collect();
    let served_back = outcomes
        .iter()
        .filter(|o| o.at > restarted_at && o.node.as_deref() == Some(victim))
        .map(|o| o.at)
        .min();
    println!(
        "{cluster} ({listener}), {victim} killed and restarted: {}; marked {flags} {} ms after the kill; {other} alone served {} requests while it was down; {victim} served again {} ms after its restart",
        load::summary(&outcomes),
        marked_after.as_millis(),
        after_kill
            .iter()
            .filter(|o| o.node.as_deref() == Some(other))
            .count(),
        served_back.map_or_else(
            || "never".to_owned(),
            |t| t.saturating_sub(restarted_at).as_millis().to_string()
        ),
    );
    let failed = outcomes.iter().filter(|o| !o.ok()).count();
    ensure!(
        failed == 0,
        "{failed} requests failed across the kill and restart"
    );
    ensure!(
        served_back.is_some(),
        "{victim} served none of the load's requests after its restart"
    );
    Ok(())
}

/// Whether one of four requests of ours through `listener` is served by `node`.
fn served_by(listener: &str, node: &str) -> bool {
    (0..4).any(|_| {
        crate::http::get_with(listener, PATH, "").is_ok_and(|(_, head, _)| {
            head.lines().any(|l| {
                l.split_once(':').is_some_and(|(n, v)| {
                    n.eq_ignore_ascii_case("x-mock-upstream") && v.trim() == node
                })
            })
        })
    })
}

/// Records `mock` (a restarted node) in the run state in place of the old one, so that `down`
/// stops it.
fn replace_mock(mock: crate::state::MockState) -> Result<()> {
    let mut state = RunState::load()?.context("nothing is up")?;
    state.mock.retain(|m| m.node != mock.node);
    state.mock.push(mock);
    state.save()
}

/// node-b goes bad in `mode` under load on 10000: it must be marked (health check or outlier
/// detection) and no request may fail; then it is set back to normal and must become healthy.
fn bad_node(mode: &str) -> Result<()> {
    let (node, addr, control) = ("node-b", "127.0.0.1:18081", "127.0.0.1:18181");
    let load = load::start("127.0.0.1:10000", PATH, 4, 30_000, Duration::from_secs(30))?;
    std::thread::sleep(Duration::from_secs(1));
    let bad_at = load.elapsed();
    set_mode(control, mode)?;
    let marked = wait_flags("mock_wso2", addr, Duration::from_secs(10), |f| {
        f != "healthy"
    });
    let marked_after = load.elapsed().saturating_sub(bad_at);
    std::thread::sleep(Duration::from_secs(2));
    let outcomes = load.finish();
    set_mode(control, "normal")?;
    let flags = marked.with_context(|| format!("{node} in mode {mode} was never marked down"))?;
    println!(
        "mock_wso2, {node} in mode {mode}: {}; marked {flags} {} ms after the switch",
        load::summary(&outcomes),
        marked_after.as_millis()
    );
    let failed = outcomes.iter().filter(|o| !o.ok()).count();
    // Healthy again before the next check (ejections last base_ejection_time, 10 s).
    wait_flags("mock_wso2", addr, Duration::from_secs(30), |f| {
        f == "healthy"
    })
    .with_context(|| format!("{node} did not recover from mode {mode}"))?;
    if failed > 0 {
        bail!("{failed} requests failed while {node} was in mode {mode}");
    }
    Ok(())
}
