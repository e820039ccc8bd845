//! HTTP requests through `curl` for the end-to-end checks: the target sent exactly as written,
//! the response head kept as raw bytes (non-UTF-8 values included).

use std::process::Command;

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

/// One request with curl (HTTP/1.1, the target sent as written); the response head parsed.
pub(crate) fn fetch(
    addr: &str,
    method: &str,
    target: &str,
    extra: &[(&str, &str)],
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
    for (n, v) in extra {
        cmd.arg("-H").arg(format!("{n}: {v}"));
    }
    let out = cmd
        .arg(format!("http://{addr}{target}"))
        .output()
        .context("cannot run curl")?;
    ensure!(
        out.status.success(),
        "curl {addr}{target}: {}",
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
        .with_context(|| format!("{addr}{target}: no status in {status_line:?}"))?;
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
