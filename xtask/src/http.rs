//! HTTP/1.1 GETs for readiness checks and the admin API, with the CLI's client
//! ([`gateway_hardening_cli::http`]; the xtask needs no HTTP client crate of its own).

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use gateway_hardening_cli::http;

use anyhow::{Context, Result, bail};

/// `GET path` on `addr` with `Connection: close`; returns the status and the body as text.
pub(crate) fn get(addr: &str, path: &str) -> Result<(u16, String)> {
    let (status, _head, body) = get_with(addr, path, "")?;
    Ok((status, body))
}

/// `GET target` on `addr`, the target sent byte for byte (no normalisation), with `extra`
/// header lines (each ending in `\r\n`) and `Connection: close`, through the CLI's HTTP/1.1
/// client ([`gateway_hardening_cli::http`], 5 s for the whole exchange); returns the status, the
/// response head (status line and headers, as `name: value` lines with lower-case names) and
/// the body, as text.
pub(crate) fn get_with(addr: &str, target: &str, extra: &str) -> Result<(u16, String, String)> {
    let to = http::Target {
        tls: false,
        connect: addr.to_owned(),
        host: "localhost".to_owned(),
        ca: None,
        insecure: false,
        client_cert: None,
        timeout: Duration::from_secs(5),
    };
    let raw =
        format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n");
    let r = http::send_raw(&to, raw.as_bytes()).with_context(|| format!("GET {addr}{target}"))?;
    let mut head = format!("HTTP/1.1 {}", r.status);
    for (name, value) in &r.headers {
        head.push_str(&format!("\r\n{name}: {}", String::from_utf8_lossy(value)));
    }
    Ok((
        r.status,
        head,
        String::from_utf8_lossy(&r.body).into_owned(),
    ))
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

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    #[test]
    fn get_with_sends_the_request_as_before_and_keeps_the_head() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nX-Mock-Upstream: is-1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
                .unwrap();
            head
        });
        let (status, head, body) = super::get_with(&addr, "/%2e%2e;/carbon", "X-A: 1\r\n").unwrap();
        let sent = server.join().unwrap();
        assert_eq!(
            sent,
            b"GET /%2e%2e;/carbon HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\nConnection: close\r\n\r\n"
        );
        assert_eq!((status, body.as_str()), (200, "ok"));
        assert!(
            head.to_ascii_lowercase().contains("\r\nx-mock-upstream:"),
            "{head}"
        );
    }
}
