//! Turning a scenario test into traffic for the wasmtime host: connection, request (from the
//! fields or from raw HTTP/1 bytes) and upstream response.

use base64::Engine as _;

use super::{Case, PeerSpec, RequestSpec};
use crate::map::HeaderMap;
use crate::traffic::{Connection, Request, Response};

/// The raw HTTP/1 bytes of a test, if it gives `raw` or `raw_base64`.
pub fn raw_bytes(spec: &RequestSpec) -> Result<Option<Vec<u8>>, String> {
    if let Some(raw) = &spec.raw {
        return Ok(Some(raw.as_bytes().to_vec()));
    }
    match &spec.raw_base64 {
        Some(b) => base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .map(Some)
            .map_err(|e| format!("request.raw_base64: {e}")),
        None => Ok(None),
    }
}

fn peer(c: &mut Connection, p: &PeerSpec) {
    c.peer_subject.clone_from(&p.subject);
    c.peer_dns_san.clone_from(&p.dns_san);
    c.peer_uri_san.clone_from(&p.uri_san);
    c.peer_sha256.clone_from(&p.sha256);
}

/// The downstream connection of `case`. Errors name the field.
pub fn connection(case: &Case) -> Result<Connection, String> {
    let spec = &case.connection;
    let mut c = Connection::new();
    if let Some(s) = &spec.source {
        c.source = Some(
            s.parse()
                .map_err(|e| format!("connection.source `{s}`: {e}"))?,
        );
    }
    if let Some(d) = &spec.destination {
        c.destination = Some(
            d.parse()
                .map_err(|e| format!("connection.destination `{d}`: {e}"))?,
        );
    }
    if let Some(tls) = &spec.tls {
        c.tls_version = Some(tls.version.clone());
        c.sni.clone_from(&tls.sni);
        if let Some(p) = &tls.peer {
            peer(&mut c, p);
        }
    }
    for (k, v) in &spec.filter_state {
        c.filter_state.insert(k.clone(), v.as_bytes().to_vec());
    }
    Ok(c)
}

/// The request of `case`, from its fields or its raw HTTP/1 bytes.
pub fn request(case: &Case) -> Result<Request, String> {
    let scheme = if case.connection.tls.is_some() {
        "https"
    } else {
        "http"
    };
    if let Some(raw) = raw_bytes(&case.request)? {
        return parse_http1(&raw).map(|r| r.scheme(scheme));
    }
    let spec = &case.request;
    let mut r = Request::new(&spec.method, spec.path.as_bytes())
        .authority(&spec.authority)
        .scheme(scheme);
    for (n, v) in &spec.headers.0 {
        r = r.header(n, v);
    }
    if let Some(b) = &spec.body {
        r = r.body(b);
    }
    for (n, v) in &spec.trailers.0 {
        r = r.trailer(n, v);
    }
    Ok(r)
}

/// The upstream response of `case` (default `200`, empty).
pub fn response(case: &Case) -> Response {
    let Some(u) = &case.upstream else {
        return Response::ok();
    };
    let mut r = Response::status(u.status);
    for (n, v) in &u.headers.0 {
        r = r.header(n, v);
    }
    if let Some(b) = &u.body {
        r = r.body(b);
    }
    if let Some(tls) = &u.tls {
        let mut c = Connection::new().tls(&tls.version);
        if let Some(p) = &tls.peer {
            peer(&mut c, p);
        }
        r = r.upstream(c);
    }
    r
}

/// Parses an HTTP/1.x request leniently, as a codec would hand it to filters: the request
/// line's target is kept raw, `Host` becomes the authority, a chunked body is decoded.
///
/// Errors: no request line, or no end of headers.
pub fn parse_http1(raw: &[u8]) -> Result<Request, String> {
    let end = find(raw, b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| find(raw, b"\n\n").map(|i| (i, 2)));
    let (head_end, sep) = end.ok_or("request.raw: no blank line ends the headers")?;
    let head = raw.get(..head_end).unwrap_or_default();
    let rest = raw.get(head_end + sep..).unwrap_or_default();
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let line = lines.next().ok_or("request.raw: empty")?;
    let mut parts = line.splitn(3, |b| *b == b' ');
    let method = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let target = parts
        .next()
        .ok_or("request.raw: request line has no target")?;
    let mut req = Request::new(&method, target);
    req.authority = Vec::new();
    let mut headers = HeaderMap::new();
    for l in lines {
        let Some(colon) = l.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = l.get(..colon).unwrap_or_default();
        let value = l.get(colon + 1..).unwrap_or_default().trim_ascii();
        headers.add(name, value);
    }
    if let Some(host) = headers.get(b"host") {
        req.authority = host.to_vec();
    }
    let chunked = headers
        .get(b"transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().windows(7).any(|w| w == b"chunked"));
    req.body = if chunked {
        dechunk(rest)
    } else if let Some(n) = headers
        .get_str("content-length")
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        rest.get(..n.min(rest.len())).unwrap_or_default().to_vec()
    } else {
        rest.to_vec()
    };
    headers.remove(b"host");
    req.headers = headers;
    Ok(req)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = find(data, b"\r\n") {
        let size_text = String::from_utf8_lossy(data.get(..eol).unwrap_or_default()).into_owned();
        let size_hex = size_text
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let Ok(size) = usize::from_str_radix(&size_hex, 16) else {
            break;
        };
        if size == 0 {
            break;
        }
        let start = eol + 2;
        let Some(chunk) = data.get(start..start.saturating_add(size)) else {
            out.extend_from_slice(data.get(start..).unwrap_or_default());
            break;
        };
        out.extend_from_slice(chunk);
        data = data.get(start + size + 2..).unwrap_or_default();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_http1_keeps_raw_target_and_takes_host() {
        let r = parse_http1(b"GET /a/%2e%2e/carbon HTTP/1.1\r\nHost: is.test\r\nX-A: 1\r\n\r\n")
            .unwrap();
        assert_eq!(r.path, b"/a/%2e%2e/carbon");
        assert_eq!(r.authority, b"is.test");
        assert_eq!(r.headers.get(b"x-a"), Some(&b"1"[..]));
        assert_eq!(r.headers.get(b"host"), None);
    }

    #[test]
    fn parse_http1_decodes_chunked_body() {
        let raw = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        assert_eq!(parse_http1(raw).unwrap().body, b"abcde");
    }
}
