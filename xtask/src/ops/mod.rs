//! The operations checks of issue 16 against the running dmz-gateway (guidelines N1, N2, P20):
//! failover under load ([`failover`]), a listener update over LDS under load ([`reload`]),
//! access log rotation without a lost line ([`rotation`]), the Prometheus rules and a real alert
//! ([`alerts`]); and `cargo xtask soak` ([`soak`]), not in CI.

pub(crate) mod alerts;
pub(crate) mod failover;
pub(crate) mod load;
pub(crate) mod reload;
pub(crate) mod rotation;
pub(crate) mod soak;

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::http;
use crate::up::ADMIN;

/// The health flags Envoy shows for `host` (`127.0.0.1:18081`) in `cluster` on the admin
/// `/clusters` page: `healthy`, or flags such as `/failed_active_hc/failed_outlier_check`.
pub(crate) fn host_flags(cluster: &str, host: &str) -> Result<String> {
    let (status, body) = http::get(ADMIN, "/clusters")?;
    if status != 200 {
        bail!("admin /clusters answered {status}");
    }
    let prefix = format!("{cluster}::{host}::health_flags::");
    body.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(str::to_owned)
        .with_context(|| format!("no {host} in cluster {cluster}"))
}

/// Polls [`host_flags`] every 20 ms until `done` accepts them, for at most `limit`; returns the
/// flags that did.
pub(crate) fn wait_flags(
    cluster: &str,
    host: &str,
    limit: Duration,
    done: impl Fn(&str) -> bool,
) -> Result<String> {
    let deadline = Instant::now() + limit;
    let mut last = String::new();
    while Instant::now() < deadline {
        last = host_flags(cluster, host)?;
        if done(&last) {
            return Ok(last);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!(
        "{host} in {cluster} still {last} after {} s",
        limit.as_secs()
    )
}

/// Switches the mock node whose control listener is `control` to `mode` (`storm503`, `normal`).
pub(crate) fn set_mode(control: &str, mode: &str) -> Result<()> {
    let (mut target, _) =
        gateway_hardening_cli::http::Target::from_url(&format!("http://{control}/"))?;
    target.timeout = Duration::from_secs(5);
    let len = mode.len();
    let answer = gateway_hardening_cli::http::send_raw(
        &target,
        format!(
            "POST /__mock/mode HTTP/1.1\r\nHost: {control}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n{mode}"
        )
        .as_bytes(),
    )?;
    if answer.status != 200 {
        bail!(
            "mock control {control} answered {} to mode {mode}",
            answer.status
        );
    }
    Ok(())
}
