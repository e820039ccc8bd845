//! A minimal HTTP/1.1 GET over `std::net`, for readiness checks and the admin API (the xtask
//! stays free of HTTP client crates so that it compiles fast).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// `GET path` on `addr` with `Connection: close`; returns the status and the body as text.
pub(crate) fn get(addr: &str, path: &str) -> Result<(u16, String)> {
    let (status, _head, body) = get_with(addr, path, "")?;
    Ok((status, body))
}

/// `GET target` on `addr`, the target sent byte for byte (no normalisation), with `extra`
/// header lines (each ending in `\r\n`) and `Connection: close`; returns the status, the
/// response head (status line and headers) and the body, as text.
pub(crate) fn get_with(addr: &str, target: &str, extra: &str) -> Result<(u16, String, String)> {
    let sock: SocketAddr = addr
        .parse()
        .with_context(|| format!("bad address {addr}"))?;
    let mut s = TcpStream::connect_timeout(&sock, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {target} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("no HTTP status from {addr}{target}"))?;
    Ok((status, head.to_owned(), body.to_owned()))
}

/// Polls `GET path` on `addr` until `ready` accepts the answer, for at most `secs` seconds.
pub(crate) fn wait_for(
    addr: &str,
    path: &str,
    secs: u64,
    ready: impl Fn(u16, &str) -> bool,
) -> Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    let mut last = String::from("no answer");
    while std::time::Instant::now() < deadline {
        match get(addr, path) {
            Ok((status, body)) if ready(status, &body) => return Ok(()),
            Ok((status, _)) => last = format!("status {status}"),
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("{addr}{path} not ready after {secs} s: {last}")
}

/// Polls until `addr` accepts a TCP connection, for at most `secs` seconds (an HTTPS listener,
/// which the plain GET above cannot speak to).
pub(crate) fn wait_for_port(addr: &str, secs: u64) -> Result<()> {
    let sock: SocketAddr = addr
        .parse()
        .with_context(|| format!("bad address {addr}"))?;
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if TcpStream::connect_timeout(&sock, Duration::from_millis(500)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("{addr} does not accept connections after {secs} s")
}

/// A counter of one of the filters (`wasmcustom.gateway_hardening.<filter>.<name>`, `filter` in
/// snake case) in the running example's admin `/stats`; 0 when absent or unreadable.
pub(crate) fn filter_counter(filter: &str, name: &str) -> u64 {
    let key = format!("wasmcustom.gateway_hardening.{filter}.{name}: ");
    get(crate::up::ADMIN, &format!("/stats?filter={filter}"))
        .map(|(_, stats)| {
            stats
                .lines()
                .find_map(|l| l.strip_prefix(&key))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0)
        })
        .unwrap_or(0)
}
