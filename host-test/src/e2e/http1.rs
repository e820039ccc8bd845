//! HTTP/1.1 on the wire: build request bytes (or use the scenario's raw bytes) and parse the
//! response. No client library: the bytes are exactly the scenario's.

use std::io::{Read, Write};

use crate::map::HeaderMap;

/// A response as read from the wire.
#[derive(Debug, Clone, Default)]
pub struct WireResponse {
    /// Status code.
    pub status: u32,
    /// Headers in order (names lower-cased).
    pub headers: HeaderMap,
    /// Body (de-chunked).
    pub body: Vec<u8>,
}

/// Request bytes: request line, `Host`, the headers, `extra` headers, `Content-Length` (or a
/// chunked body with trailers), `Connection: close`, the body.
pub fn build(
    method: &str,
    path: &str,
    authority: &str,
    headers: &[(String, String)],
    extra: &[(String, String)],
    body: &[u8],
    trailers: &[(String, String)],
) -> Vec<u8> {
    let mut out = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\n").into_bytes();
    for (n, v) in headers.iter().chain(extra) {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    if trailers.is_empty() {
        if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
            out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        out.extend_from_slice(b"Connection: close\r\n\r\n");
        out.extend_from_slice(body);
    } else {
        out.extend_from_slice(b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        if !body.is_empty() {
            out.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n");
        for (n, v) in trailers {
            out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Inserts header lines right after the request line of raw request bytes.
pub fn insert_headers(raw: &[u8], extra: &[(String, String)]) -> Vec<u8> {
    let Some(eol) = raw.iter().position(|b| *b == b'\n') else {
        return raw.to_vec();
    };
    let crlf = raw.get(eol.wrapping_sub(1)) == Some(&b'\r');
    let mut out = raw.get(..=eol).unwrap_or_default().to_vec();
    for (n, v) in extra {
        out.extend_from_slice(format!("{n}: {v}").as_bytes());
        out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
    }
    out.extend_from_slice(raw.get(eol + 1..).unwrap_or_default());
    out
}

/// Parses a complete HTTP/1.x response (read until the server closed).
pub fn parse_response(buf: &[u8]) -> Result<WireResponse, String> {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no complete HTTP/1 response ({} bytes)", buf.len()))?;
    let head = String::from_utf8_lossy(buf.get(..end).unwrap_or_default()).into_owned();
    let rest = buf.get(end + 4..).unwrap_or_default();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line `{status_line}`"))?;
    let mut headers = HeaderMap::new();
    for l in lines {
        if let Some((n, v)) = l.split_once(':') {
            headers.add(n.trim().as_bytes(), v.trim().as_bytes());
        }
    }
    let chunked = headers
        .get_str("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else if let Some(n) = headers
        .get_str("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        rest.get(..n.min(rest.len())).unwrap_or_default().to_vec()
    } else {
        rest.to_vec()
    };
    Ok(WireResponse {
        status,
        headers,
        body,
    })
}

/// True once `buf` holds a whole response: headers and a body of the announced
/// `Content-Length`, or a chunked body up to its last chunk, or a status that has no body.
/// A response with neither length ends when the server closes (returns false).
pub fn response_complete(buf: &[u8], head_request: bool) -> bool {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let Ok(r) = parse_response(buf) else {
        return false;
    };
    let rest = buf.get(end + 4..).unwrap_or_default();
    if head_request || r.status < 200 || r.status == 204 || r.status == 304 {
        return true;
    }
    if r.headers
        .get_str("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        return rest.ends_with(b"0\r\n\r\n");
    }
    match r
        .headers
        .get_str("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        Some(n) => rest.len() >= n,
        None => false,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let line = String::from_utf8_lossy(data.get(..eol).unwrap_or_default()).into_owned();
        let Ok(size) = usize::from_str_radix(line.split(';').next().unwrap_or_default().trim(), 16)
        else {
            break;
        };
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(
            data.get(start..start.saturating_add(size))
                .unwrap_or_default(),
        );
        data = data
            .get(start.saturating_add(size).saturating_add(2)..)
            .unwrap_or_default();
    }
    out
}

/// Writes `bytes` and reads one response (up to its length, or the server's close).
pub fn send<S: Read + Write>(conn: &mut S, bytes: &[u8]) -> Result<WireResponse, String> {
    conn.write_all(bytes)
        .map_err(|e| format!("HTTP/1 write: {e}"))?;
    conn.flush().map_err(|e| format!("HTTP/1 write: {e}"))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16_384];
    loop {
        match conn.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                if response_complete(&buf, bytes.starts_with(b"HEAD ")) {
                    break;
                }
            }
            Err(e) if buf.is_empty() => {
                return Err(crate::e2e::transport::io_error("HTTP/1 read", &e));
            }
            Err(_) => break,
        }
    }
    parse_response(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_response_decodes_chunked_body() {
        let r = parse_response(b"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n2\r\nno\r\n0\r\n\r\n").unwrap();
        assert_eq!((r.status, r.body.as_slice()), (403, &b"no"[..]));
        assert_eq!(r.headers.get_str("x-a").as_deref(), Some("b"));
    }

    #[test]
    fn insert_headers_goes_after_request_line() {
        let out = insert_headers(
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            &[("x-b".into(), "1".into())],
        );
        assert_eq!(out, b"GET / HTTP/1.1\r\nx-b: 1\r\nHost: a\r\n\r\n");
    }
}
