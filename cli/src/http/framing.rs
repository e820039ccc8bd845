//! An HTTP/1.1 answer read to its end (the end its framing announces, or the connection's),
//! framed as RFC 9112 says: the head
//! parsed with `httparse`, interim 1xx answers skipped (RFC 9110 §15.2), the body's length per
//! §6.3 and the chunked coding removed per §7.1.

use super::{HttpError, Response};

/// The most header fields in one answer.
const MAX_HEADERS: usize = 128;

/// The final answer's head in `bytes` (interim 1xx answers skipped, RFC 9110 §15.2): its
/// status, headers (names lower-cased, values raw) and what follows the head; `Ok(None)` while
/// the head is not complete.
fn final_head(bytes: &[u8]) -> Result<Option<FinalHead<'_>>, HttpError> {
    let mut rest = bytes;
    loop {
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut response = httparse::Response::new(&mut slots);
        let head_len = match response.parse(rest) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(bad(format!("head: {e}"))),
        };
        let status = response.code.unwrap_or_default();
        let headers: Vec<(String, Vec<u8>)> = response
            .headers
            .iter()
            .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
            .collect();
        let body = rest.get(head_len..).unwrap_or_default();
        // Interim answers (100 Continue, 103 Early Hints) carry no body; the final one follows.
        if (100..200).contains(&status) && status != 101 {
            rest = body;
            continue;
        }
        return Ok(Some((status, headers, body)));
    }
}

/// A final answer's status, headers and the bytes after its head.
type FinalHead<'a> = (u16, Vec<(String, Vec<u8>)>, &'a [u8]);

/// Whether the answer has no body whatever its headers say (RFC 9112 §6.3 rule 1).
fn bodyless(status: u16, head_only: bool) -> bool {
    head_only || status < 200 || status == 204 || status == 304
}

/// Whether `bytes` already hold the whole answer: its head and the body its `Content-Length`
/// or chunked coding delimits. An answer delimited by the connection's end is complete only at
/// that end, which the reader sees itself. Lets the reader stop without waiting for the peer to
/// close (Envoy delays its close of a connection after a local reply, by 1 s by default).
pub(super) fn complete(bytes: &[u8], head_only: bool) -> bool {
    match final_head(bytes) {
        Ok(Some((status, headers, body))) => {
            if bodyless(status, head_only) {
                true
            } else if chunked(&headers) {
                dechunk(body).is_ok()
            } else {
                matches!(content_length(&headers), Ok(Some(len)) if body.len() >= len)
            }
        }
        _ => false,
    }
}

/// Status, headers (names lower-cased, values raw) and body of the final answer in `bytes`
/// (no TLS version); `head_only` for the answer to a HEAD request (no body, RFC 9112 §6.3
/// rule 1).
pub(super) fn parse(bytes: &[u8], head_only: bool) -> Result<Response, HttpError> {
    let Some((status, headers, body)) = final_head(bytes)? else {
        return Err(bad(if bytes.is_empty() {
            "no answer".to_owned()
        } else {
            "head cut short".to_owned()
        }));
    };
    let body = if bodyless(status, head_only) {
        Vec::new()
    } else if chunked(&headers) {
        dechunk(body)?
    } else if let Some(len) = content_length(&headers)? {
        body.get(..len)
            .ok_or_else(|| {
                bad(format!(
                    "body of {} bytes, Content-Length {len}",
                    body.len()
                ))
            })?
            .to_vec()
    } else {
        body.to_vec()
    };
    Ok(Response {
        status,
        headers,
        body,
        tls_version: None,
    })
}

fn bad(message: String) -> HttpError {
    HttpError::BadResponse(message)
}

/// Whether the last transfer coding is `chunked` (RFC 9112 §6.3 rule 4).
fn chunked(headers: &[(String, Vec<u8>)]) -> bool {
    headers
        .iter()
        .filter(|(n, _)| n == "transfer-encoding")
        .flat_map(|(_, v)| v.split(|&b| b == b','))
        .next_back()
        .is_some_and(|c| c.trim_ascii().eq_ignore_ascii_case(b"chunked"))
}

/// The `Content-Length`, if any; several different values are an error (§6.3 rule 5).
fn content_length(headers: &[(String, Vec<u8>)]) -> Result<Option<usize>, HttpError> {
    let mut found = None;
    for (_, value) in headers.iter().filter(|(n, _)| n == "content-length") {
        for part in value.split(|&b| b == b',') {
            let n = std::str::from_utf8(part.trim_ascii())
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
                .ok_or_else(|| bad("Content-Length not a number".to_owned()))?;
            if found.is_some_and(|f| f != n) {
                return Err(bad("Content-Length values differ".to_owned()));
            }
            found = Some(n);
        }
    }
    Ok(found)
}

/// The data of a chunked body (RFC 9112 §7.1): `size[;ext]CRLF data CRLF` until a zero size,
/// then trailer fields (dropped) and a blank line. A body cut short is an error.
pub(super) fn dechunk(mut body: &[u8]) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::new();
    loop {
        let (skip, size) = match httparse::parse_chunk_size(body) {
            Ok(httparse::Status::Complete(sized)) => sized,
            Ok(httparse::Status::Partial) => return Err(bad("chunk size cut short".to_owned())),
            Err(_) => return Err(bad("bad chunk size".to_owned())),
        };
        let size = usize::try_from(size).map_err(|_| bad("chunk too large".to_owned()))?;
        body = body.get(skip..).unwrap_or_default();
        if size == 0 {
            return Ok(out);
        }
        let data = body
            .get(..size)
            .ok_or_else(|| bad("chunk cut short".to_owned()))?;
        out.extend_from_slice(data);
        body = body
            .get(size..)
            .and_then(|b| b.strip_prefix(b"\r\n"))
            .ok_or_else(|| bad("chunk without its CRLF".to_owned()))?;
    }
}
