//! A minimal HTTP/2 client for one request: the HEADERS frame is written here with HPACK
//! literal encodings (no Huffman, no indexing), so `:path` carries exactly the scenario's
//! bytes (a client library would reject or normalise some of them); the response header
//! block is decoded with loona-hpack.

use std::io::{Read, Write};

use crate::e2e::http1::WireResponse;

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const DATA: u8 = 0;
const HEADERS: u8 = 1;
const RST_STREAM: u8 = 3;
const SETTINGS: u8 = 4;
const PING: u8 = 6;
const GOAWAY: u8 = 7;
const WINDOW_UPDATE: u8 = 8;
const CONTINUATION: u8 = 9;
const END_STREAM: u8 = 1;
const END_HEADERS: u8 = 4;
const ACK: u8 = 1;
const MAX_FRAME: usize = 16_384;

fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap_or(0).to_be_bytes();
    let mut out = vec![len[1], len[2], len[3], kind, flags];
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// HPACK integer with an `n`-bit prefix (RFC 7541 §5.1); `first` holds the high bits.
fn int(out: &mut Vec<u8>, first: u8, n: u32, mut value: usize) {
    let max = (1usize << n) - 1;
    if value < max {
        out.push(first | u8::try_from(value).unwrap_or(0));
        return;
    }
    out.push(first | u8::try_from(max).unwrap_or(0));
    value -= max;
    while value >= 128 {
        out.push(u8::try_from(value % 128).unwrap_or(0) | 0x80);
        value /= 128;
    }
    out.push(u8::try_from(value).unwrap_or(0));
}

/// One header as "literal without indexing, new name" (RFC 7541 §6.2.2), raw strings.
fn literal(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.push(0);
    int(out, 0, 7, name.len());
    out.extend_from_slice(name);
    int(out, 0, 7, value.len());
    out.extend_from_slice(value);
}

/// Headers HTTP/2 forbids (RFC 9113 §8.2.2); they are left out.
fn connection_specific(name: &str) -> bool {
    matches!(
        name,
        "connection" | "host" | "keep-alive" | "proxy-connection" | "transfer-encoding" | "upgrade"
    )
}

/// Sends one request on stream 1 of a fresh connection (prior knowledge, or after ALPN
/// `h2`) and reads the response. `headers` are regular headers; names are lower-cased.
pub fn request<S: Read + Write>(
    conn: &mut S,
    pseudo: &[(&str, &[u8])],
    headers: &[(String, String)],
    body: &[u8],
) -> Result<WireResponse, String> {
    let io = |e: std::io::Error| crate::e2e::transport::io_error("HTTP/2", &e);
    let mut block = Vec::new();
    for (n, v) in pseudo {
        literal(&mut block, n.as_bytes(), v);
    }
    for (n, v) in headers {
        let n = n.to_ascii_lowercase();
        if !connection_specific(&n) {
            literal(&mut block, n.as_bytes(), v.as_bytes());
        }
    }
    let mut out = PREFACE.to_vec();
    out.extend(frame(SETTINGS, 0, 0, &[]));
    let chunks: Vec<&[u8]> = block.chunks(MAX_FRAME).collect();
    let last = chunks.len().saturating_sub(1);
    for (i, chunk) in chunks.iter().enumerate() {
        let kind = if i == 0 { HEADERS } else { CONTINUATION };
        let mut flags = if i == last { END_HEADERS } else { 0 };
        if i == 0 && body.is_empty() {
            flags |= END_STREAM;
        }
        out.extend(frame(kind, flags, 1, chunk));
    }
    let parts: Vec<&[u8]> = body.chunks(MAX_FRAME).collect();
    for (i, chunk) in parts.iter().enumerate() {
        let flags = if i + 1 == parts.len() { END_STREAM } else { 0 };
        out.extend(frame(DATA, flags, 1, chunk));
    }
    conn.write_all(&out).map_err(io)?;
    conn.flush().map_err(io)?;
    read_response(conn)
}

fn read_response<S: Read + Write>(conn: &mut S) -> Result<WireResponse, String> {
    let io = |e: std::io::Error| crate::e2e::transport::io_error("HTTP/2", &e);
    let mut decoder = loona_hpack::Decoder::new();
    let mut block = Vec::new();
    let mut resp = WireResponse::default();
    let mut got_headers = false;
    loop {
        let mut head = [0u8; 9];
        conn.read_exact(&mut head).map_err(io)?;
        let [l0, l1, l2, kind, flags, s0, s1, s2, s3] = head;
        let len = usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2);
        let stream = u32::from_be_bytes([s0 & 0x7f, s1, s2, s3]);
        let mut payload = vec![0u8; len];
        conn.read_exact(&mut payload).map_err(io)?;
        match kind {
            SETTINGS if flags & ACK == 0 => {
                conn.write_all(&frame(SETTINGS, ACK, 0, &[])).map_err(io)?
            }
            PING if flags & ACK == 0 => {
                conn.write_all(&frame(PING, ACK, 0, &payload)).map_err(io)?
            }
            GOAWAY if !got_headers => {
                let code = be32(payload.get(4..8));
                return Err(format!(
                    "HTTP/2: Envoy sent GOAWAY (error code {code}) before a response"
                ));
            }
            RST_STREAM if stream == 1 => {
                let code = be32(payload.get(..4));
                return Err(format!(
                    "HTTP/2: Envoy reset the stream (error code {code})"
                ));
            }
            HEADERS | CONTINUATION if stream == 1 => {
                let mut frag: &[u8] = &payload;
                if kind == HEADERS {
                    frag = strip_headers_padding(frag, flags);
                }
                block.extend_from_slice(frag);
                if flags & END_HEADERS != 0 {
                    let decoded = decoder
                        .decode(&block)
                        .map_err(|e| format!("HPACK: {e:?}"))?;
                    block.clear();
                    if !got_headers {
                        for (n, v) in decoded {
                            if n == b":status" {
                                resp.status = String::from_utf8_lossy(&v).parse().unwrap_or(0);
                            } else {
                                resp.headers.add(&n, &v);
                            }
                        }
                        got_headers = resp.status >= 200;
                    }
                }
                if flags & END_STREAM != 0 && got_headers {
                    return Ok(resp);
                }
            }
            DATA if stream == 1 => {
                let data = strip_padding(&payload, flags);
                resp.body.extend_from_slice(data);
                if !payload.is_empty() {
                    let inc = u32::try_from(payload.len()).unwrap_or(0).to_be_bytes();
                    conn.write_all(&frame(WINDOW_UPDATE, 0, 0, &inc))
                        .map_err(io)?;
                    conn.write_all(&frame(WINDOW_UPDATE, 0, 1, &inc))
                        .map_err(io)?;
                }
                if flags & END_STREAM != 0 {
                    return Ok(resp);
                }
            }
            _ => {}
        }
    }
}

fn strip_padding(payload: &[u8], flags: u8) -> &[u8] {
    if flags & 0x8 == 0 {
        return payload;
    }
    let pad = usize::from(payload.first().copied().unwrap_or(0));
    payload
        .get(1..payload.len().saturating_sub(pad))
        .unwrap_or_default()
}

fn strip_headers_padding(payload: &[u8], flags: u8) -> &[u8] {
    let p = strip_padding(payload, flags);
    if flags & 0x20 != 0 {
        p.get(5..).unwrap_or_default()
    } else {
        p
    }
}

fn be32(bytes: Option<&[u8]>) -> u32 {
    bytes
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, u32::from_be_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_roundtrips_through_the_decoder() {
        let mut block = Vec::new();
        literal(&mut block, b":path", b"/a/%2e%2e/\x7fcarbon");
        let long = "x".repeat(300);
        literal(&mut block, b"x-long", long.as_bytes());
        let decoded = loona_hpack::Decoder::new().decode(&block).unwrap();
        assert_eq!(
            decoded[0],
            (b":path".to_vec(), b"/a/%2e%2e/\x7fcarbon".to_vec())
        );
        assert_eq!(decoded[1].1.len(), 300);
    }
}
