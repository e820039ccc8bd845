//! HTTP requests for the end-to-end checks: the target sent exactly as written, the response
//! head kept as raw bytes (non-UTF-8 values included). Plaintext HTTP/1.1 goes through the CLI's
//! client ([`fetch`]); every [`Transport`] (HTTP/2, TLS, client certificates) through `curl`.

use std::process::Command;
use std::time::Duration;

use gateway_hardening_cli::http;

use anyhow::{Context, Result, ensure};

/// A response as the client saw it.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
}

impl Response {
    /// Every value of `name`, raw.
    pub(crate) fn get(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    }
}

/// How a request reaches Envoy: the listener's address, TLS (with the SNI and `Host` of
/// `host`, trusting the test CA) or plaintext, HTTP/1.1 or HTTP/2 (`h2c` with prior knowledge
/// on plaintext, ALPN `h2` on TLS), and an optional client certificate (a name in
/// `target/certs`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Transport {
    pub(crate) label: &'static str,
    pub(crate) port: u16,
    pub(crate) tls: bool,
    pub(crate) http2: bool,
    pub(crate) host: &'static str,
    pub(crate) cert: Option<&'static str>,
}

/// One plaintext HTTP/1.1 request to `addr` (`IP:PORT`) with the CLI's client
/// ([`gateway_hardening_cli::http`]): the target sent as written, `Host: addr` as curl sends it
/// unless `extra` has a `host`, 10 s for the whole exchange; the response head parsed with raw
/// values.
pub(crate) fn fetch(
    addr: &str,
    method: &str,
    target: &str,
    extra: &[(&str, &str)],
) -> Result<Response> {
    let to = http::Target {
        tls: false,
        connect: addr.to_owned(),
        host: addr.to_owned(),
        ca: None,
        insecure: false,
        client_cert: None,
        timeout: Duration::from_secs(10),
    };
    let r = http::send(&to, method, target, extra)
        .with_context(|| format!("{method} {addr}{target}"))?;
    Ok(Response {
        status: r.status,
        headers: r.headers,
    })
}

/// One request over `t`: the target sent as written (`--path-as-is`), `extra` headers (a
/// `host` among them replaces curl's), `body` from a file when given; the response head parsed
/// with raw values.
pub(crate) fn send(
    t: &Transport,
    method: &str,
    target: &str,
    extra: &[(&str, &str)],
    body: Option<&std::path::Path>,
) -> Result<Response> {
    let mut cmd = Command::new("curl");
    cmd.args([
        "-sS",
        "--path-as-is",
        "--max-time",
        "10",
        "-o",
        "/dev/null",
        "-D",
        "-",
        "-X",
        method,
    ]);
    cmd.arg(match (t.http2, t.tls) {
        (false, _) => "--http1.1",
        (true, false) => "--http2-prior-knowledge",
        (true, true) => "--http2",
    });
    for (n, v) in extra {
        cmd.arg("-H").arg(format!("{n}: {v}"));
    }
    if let Some(file) = body {
        cmd.arg("--data-binary").arg(format!("@{}", file.display()));
    }
    if let Some(name) = t.cert {
        cmd.arg("--cert")
            .arg(crate::certs::file(name, "crt"))
            .arg("--key")
            .arg(crate::certs::file(name, "key"));
    }
    let url = if t.tls {
        cmd.arg("--cacert")
            .arg(crate::certs::file("ca", "crt"))
            .arg("--resolve")
            .arg(format!("{}:{}:127.0.0.1", t.host, t.port));
        format!("https://{}:{}{target}", t.host, t.port)
    } else {
        format!("http://127.0.0.1:{}{target}", t.port)
    };
    let out = cmd.arg(&url).output().context("cannot run curl")?;
    ensure!(
        out.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = out
        .stdout
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("{url}: no status in {status_line:?}"))?;
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let colon = l.iter().position(|&b| b == b':')?;
            let name = String::from_utf8_lossy(l.get(..colon)?).to_ascii_lowercase();
            let value = l.get(colon + 1..)?.trim_ascii().to_vec();
            Some((name, value))
        })
        .collect();
    Ok(Response { status, headers })
}

/// Values as text, for messages.
pub(crate) fn lossy(values: &[&[u8]]) -> Vec<String> {
    values
        .iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

/// Base64url without padding (the mock accepts it), so that the xtask needs no base64 crate.
pub(crate) fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let [b0, b1, b2] =
            [chunk.first(), chunk.get(1), chunk.get(2)].map(|b| u32::from(b.copied().unwrap_or(0)));
        let n = (b0 << 16) | (b1 << 8) | b2;
        for i in 0..=chunk.len() {
            let index = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(
                ALPHABET.get(index as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}
