//! One HTTP/1.1 exchange over TCP or TLS, with the request target sent byte for byte (the
//! bypass probes send raw encodings such as `/%2e%2e;/carbon`, `/CARBON`, `//carbon/` that a
//! URL library would normalise).
//!
//! Every request asks `Connection: close`; the answer is read to the end of the connection
//! (1 MiB at most, [`MAX_RESPONSE`]) within [`Target::timeout`], then framed as RFC 9112 §6.3
//! says: no body for `HEAD`, 1xx, 204 and 304; a chunked body decoded (§7.1); else
//! `Content-Length` bytes; else everything up to the close. Interim 1xx answers are skipped.
//!
//! TLS is rustls with the ring provider. There is no system trust store: a TLS target either
//! names PEM trust anchors ([`Target::ca`]) or says [`Target::insecure`] (no verification at
//! all, for scanning a listener whose certificate is not the point).

mod framing;
#[cfg(test)]
pub(crate) mod tests;
mod tls;

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The most bytes read from one connection (head and body as sent): 1 MiB.
pub const MAX_RESPONSE: usize = 1 << 20;

/// The default of [`Target::timeout`] in [`Target::from_url`]: 10 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how to send a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Speak TLS.
    pub tls: bool,
    /// The address to connect to, `HOST:PORT` (a name is resolved; every address is tried).
    pub connect: String,
    /// The `Host` header as sent (`a.test` or `a.test:8443`); without its port, the SNI name and
    /// the name the certificate must match.
    pub host: String,
    /// PEM trust anchors for TLS (every certificate of the file). `None` with `insecure` unset
    /// makes a TLS exchange fail ([`HttpError::NoTrustAnchors`]): there is no system store.
    pub ca: Option<PathBuf>,
    /// Accept any server certificate (TLS only): a scan of the listener, not of its identity.
    pub insecure: bool,
    /// A client certificate chain and its key, both PEM.
    pub client_cert: Option<(PathBuf, PathBuf)>,
    /// The limit for the whole exchange: connect, handshake, request and answer.
    pub timeout: Duration,
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code (`200`).
    pub status: u16,
    /// The header fields in order, names lower-cased, values raw (non-UTF-8 kept).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body, chunked coding removed.
    pub body: Vec<u8>,
    /// The TLS version negotiated (`TLSv1.3`), `None` over plaintext.
    pub tls_version: Option<String>,
}

impl Response {
    /// Every value of `name` (any case), raw.
    pub fn get(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    }
}

/// Why an exchange failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The URL is not `http://` or `https://` with a host.
    #[error("bad URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `connect` did not resolve.
    #[error("cannot resolve {addr}: {reason}")]
    Resolve {
        /// [`Target::connect`].
        addr: String,
        /// The resolver's message.
        reason: String,
    },
    /// No address of `connect` accepted a connection.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// [`Target::connect`].
        addr: String,
        /// The last connect error (refused, timed out).
        source: io::Error,
    },
    /// A TLS target with neither [`Target::ca`] nor [`Target::insecure`].
    #[error(
        "TLS to {0} needs trust anchors (a CA file) or insecure mode: there is no system store"
    )]
    NoTrustAnchors(String),
    /// A PEM file that cannot be read or holds no certificate or key.
    #[error("{path}: {reason}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The TLS configuration or handshake failed (certificate not trusted, no common version).
    #[error("TLS: {0}")]
    Tls(String),
    /// The exchange took longer than [`Target::timeout`].
    #[error("no complete answer within {0:?}")]
    Timeout(Duration),
    /// Reading or writing failed.
    #[error("I/O: {0}")]
    Io(#[from] io::Error),
    /// More than [`MAX_RESPONSE`] bytes came.
    #[error("answer larger than {MAX_RESPONSE} bytes")]
    TooLarge,
    /// The answer is not HTTP/1.x as RFC 9112 frames it.
    #[error("bad answer: {0}")]
    BadResponse(String),
}

impl Target {
    /// The target of `url` (`http://` or `https://`, an authority, an optional path and query)
    /// and its request target as written (`/` when the URL has no path). The connection goes to
    /// the authority (port 80 or 443 when absent); no CA, not insecure, no client certificate,
    /// [`DEFAULT_TIMEOUT`]. The path is kept byte for byte: no normalisation.
    ///
    /// # Errors
    /// [`HttpError::BadUrl`] for another scheme, an empty host, userinfo, a fragment, or a bad
    /// port.
    pub fn from_url(url: &str) -> Result<(Target, String), HttpError> {
        let bad = |reason| HttpError::BadUrl {
            url: url.to_owned(),
            reason,
        };
        let (tls, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(bad("not http:// or https://"));
        };
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        if authority.contains('@') {
            return Err(bad("userinfo is not sent"));
        }
        if path.contains('#') {
            return Err(bad("a fragment is never sent"));
        }
        let (name, port) = split_port(authority).ok_or_else(|| bad("bad port"))?;
        if name.is_empty() || name == "[]" {
            return Err(bad("no host"));
        }
        let port = port.unwrap_or(if tls { 443 } else { 80 });
        let request_target = match path {
            "" => "/".to_owned(),
            p if p.starts_with('?') => format!("/{p}"),
            p => p.to_owned(),
        };
        let target = Target {
            tls,
            connect: format!("{name}:{port}"),
            host: authority.to_owned(),
            ca: None,
            insecure: false,
            client_cert: None,
            timeout: DEFAULT_TIMEOUT,
        };
        Ok((target, request_target))
    }

    /// [`Target::host`] without its port and brackets: the SNI and certificate name.
    pub fn server_name(&self) -> &str {
        let name = split_port(&self.host).map_or(self.host.as_str(), |(n, _)| n);
        name.trim_start_matches('[').trim_end_matches(']')
    }
}

/// `host[:port]` (the host maybe `[v6]`) into the host as written and the port, if any; `None`
/// when the port is not a number.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let colon = match authority.rfind(':') {
        Some(i) if !authority.get(i..).unwrap_or_default().contains(']') => i,
        _ => return Some((authority, None)),
    };
    let (name, port) = authority.split_at(colon);
    let port = port.get(1..).unwrap_or_default();
    if port.is_empty() {
        return Some((name, None));
    }
    Some((name, Some(port.parse().ok()?)))
}

/// Sends `method request_target HTTP/1.1` to `target` with `Host: target.host` (unless
/// `headers` holds a `host`), the `headers` in order, and `Connection: close`; the request
/// target is sent exactly as given.
///
/// # Errors
/// See [`send_raw`].
pub fn send(
    target: &Target,
    method: &str,
    request_target: &str,
    headers: &[(&str, &str)],
) -> Result<Response, HttpError> {
    let mut raw = format!("{method} {request_target} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        raw.push_str(&format!("Host: {}\r\n", target.host));
    }
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    raw.push_str("Connection: close\r\n\r\n");
    send_raw(target, raw.as_bytes())
}

/// Sends `raw` (a whole request, head and body, as bytes) to `target` and reads the answer to
/// the end of the connection; a `raw` that starts with `HEAD ` expects no body.
///
/// # Errors
/// [`HttpError::Resolve`], [`HttpError::Connect`] (refused, or no connection in time), TLS
/// errors ([`HttpError::NoTrustAnchors`], [`HttpError::Pem`], [`HttpError::Tls`]),
/// [`HttpError::Timeout`] when the whole exchange takes longer than [`Target::timeout`],
/// [`HttpError::TooLarge`], [`HttpError::BadResponse`], [`HttpError::Io`].
pub fn send_raw(target: &Target, raw: &[u8]) -> Result<Response, HttpError> {
    let deadline = Instant::now() + target.timeout;
    let head_only = raw.starts_with(b"HEAD ");
    let tcp = connect(target)?;
    let (bytes, tls_version) = if target.tls {
        tls::exchange(target, tcp, raw, deadline, head_only)?
    } else {
        (&tcp).write_all(raw).map_err(|e| timeout_or(e, target))?;
        (
            read_all(&mut &tcp, &tcp, deadline, target.timeout, head_only)?,
            None,
        )
    };
    let mut response = framing::parse(&bytes, head_only)?;
    response.tls_version = tls_version;
    Ok(response)
}

/// A TCP connection to the first address of `target.connect` that accepts one within the
/// timeout, with read and write timeouts set.
fn connect(target: &Target) -> Result<TcpStream, HttpError> {
    let addrs = target
        .connect
        .to_socket_addrs()
        .map_err(|e| HttpError::Resolve {
            addr: target.connect.clone(),
            reason: e.to_string(),
        })?;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, target.timeout) {
            Ok(s) => {
                s.set_read_timeout(Some(target.timeout))?;
                s.set_write_timeout(Some(target.timeout))?;
                return Ok(s);
            }
            Err(e) => last = e,
        }
    }
    Err(HttpError::Connect {
        addr: target.connect.clone(),
        source: last,
    })
}

/// A read or write timeout as [`HttpError::Timeout`], other errors as [`HttpError::Io`].
fn timeout_or(e: io::Error, target: &Target) -> HttpError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HttpError::Timeout(target.timeout),
        _ => HttpError::Io(e),
    }
}

/// Reads `stream` until the answer is complete as its framing says (`head_only`: the answer to
/// a HEAD request) or the stream ends, at most [`MAX_RESPONSE`] bytes, until `deadline` (each
/// read's timeout shortened to what is left of it, on `tcp`). A TLS peer that closes without
/// `close_notify` (an unexpected EOF) ends the answer too.
fn read_all(
    stream: &mut impl Read,
    tcp: &TcpStream,
    deadline: Instant,
    limit: Duration,
    head_only: bool,
) -> Result<Vec<u8>, HttpError> {
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HttpError::Timeout(limit));
        }
        tcp.set_read_timeout(Some(left))?;
        match stream.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => {
                out.extend_from_slice(buf.get(..n).unwrap_or_default());
                if out.len() > MAX_RESPONSE {
                    return Err(HttpError::TooLarge);
                }
                if framing::complete(&out, head_only) {
                    return Ok(out);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(out),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(HttpError::Timeout(limit));
            }
            Err(e) => return Err(HttpError::Io(e)),
        }
    }
}
