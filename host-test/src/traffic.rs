//! Values a test describes traffic with: the connection, the request, the upstream response,
//! and the local response a module sends.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::map::HeaderMap;

/// Which host's property encodings the module sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostKind {
    /// Envoy: strings raw, integers 8-byte little-endian, bools one byte.
    #[default]
    Envoy,
    /// Kong's ngx_wasm_module: every value a string, bools `true`/`false`.
    Kong,
}

/// A downstream (or, for [`Response::upstream`], upstream) connection and its properties.
///
/// Every field is optional; a missing one is a missing property (`NotFound`), except the
/// source and destination, which default to `127.0.0.1:40000` and `127.0.0.1:10000`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    /// `source.address` / `source.port` (for an upstream: unused).
    pub source: Option<SocketAddr>,
    /// `destination.address` / `destination.port` (for an upstream: `upstream.address`).
    pub destination: Option<SocketAddr>,
    /// `connection.tls_version`, e.g. `TLSv1.3`; `None` for plaintext.
    pub tls_version: Option<String>,
    /// `connection.requested_server_name` (SNI).
    pub sni: Option<String>,
    /// `connection.subject_peer_certificate`.
    pub peer_subject: Option<String>,
    /// `connection.dns_san_peer_certificate` (Envoy gives the first SAN only).
    pub peer_dns_san: Option<String>,
    /// `connection.uri_san_peer_certificate`.
    pub peer_uri_san: Option<String>,
    /// `connection.sha256_peer_certificate_digest`, lower-case hex.
    pub peer_sha256: Option<String>,
    /// `connection.subject_local_certificate`.
    pub local_subject: Option<String>,
    /// `filter_state.<key>`: raw bytes.
    pub filter_state: BTreeMap<String, Vec<u8>>,
}

impl Connection {
    /// A plaintext connection from the default source.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the client address (`source.address`, `source.port`).
    pub fn source(mut self, addr: SocketAddr) -> Self {
        self.source = Some(addr);
        self
    }
    /// Sets the listener address (`destination.address`, `destination.port`).
    pub fn destination(mut self, addr: SocketAddr) -> Self {
        self.destination = Some(addr);
        self
    }
    /// Makes the connection TLS with `version` (`TLSv1.2`, `TLSv1.3`).
    pub fn tls(mut self, version: &str) -> Self {
        self.tls_version = Some(version.to_string());
        self
    }
    /// Sets the SNI the client sent.
    pub fn sni(mut self, name: &str) -> Self {
        self.sni = Some(name.to_string());
        self
    }
    /// Sets the client certificate's subject (which makes `connection.mtls` true).
    pub fn peer_subject(mut self, subject: &str) -> Self {
        self.peer_subject = Some(subject.to_string());
        self
    }
    /// Sets the client certificate's first DNS SAN.
    pub fn peer_dns_san(mut self, san: &str) -> Self {
        self.peer_dns_san = Some(san.to_string());
        self
    }
    /// Sets the client certificate's first URI SAN.
    pub fn peer_uri_san(mut self, san: &str) -> Self {
        self.peer_uri_san = Some(san.to_string());
        self
    }
    /// Sets the client certificate's SHA-256 digest (hex).
    pub fn peer_sha256(mut self, digest: &str) -> Self {
        self.peer_sha256 = Some(digest.to_string());
        self
    }
    /// Sets a `filter_state.<key>` value.
    pub fn filter_state(mut self, key: &str, value: &[u8]) -> Self {
        self.filter_state.insert(key.to_string(), value.to_vec());
        self
    }
    /// True when a client certificate was presented.
    pub fn mtls(&self) -> bool {
        self.peer_subject.is_some()
            || self.peer_dns_san.is_some()
            || self.peer_uri_san.is_some()
            || self.peer_sha256.is_some()
    }
}

/// A request as the client sends it (before any filter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `:method`.
    pub method: Vec<u8>,
    /// `:path`: the raw request target, never normalised by the host.
    pub path: Vec<u8>,
    /// `:authority`.
    pub authority: Vec<u8>,
    /// `:scheme` (`http` or `https`).
    pub scheme: Vec<u8>,
    /// Regular headers, in order.
    pub headers: HeaderMap,
    /// The body (sent in one `proxy_on_request_body` call when not empty).
    pub body: Vec<u8>,
    /// Trailers (sent with `proxy_on_request_trailers` when not empty).
    pub trailers: HeaderMap,
    /// `request.protocol`: `HTTP/1.1` or `HTTP/2`.
    pub protocol: String,
}

impl Request {
    /// A request with `method` and raw target `path`, authority `localhost`, scheme `http`.
    pub fn new(method: &str, path: impl AsRef<[u8]>) -> Self {
        Request {
            method: method.as_bytes().to_vec(),
            path: path.as_ref().to_vec(),
            authority: b"localhost".to_vec(),
            scheme: b"http".to_vec(),
            headers: HeaderMap::new(),
            body: Vec::new(),
            trailers: HeaderMap::new(),
            protocol: "HTTP/1.1".to_string(),
        }
    }
    /// A `GET` of `path`.
    pub fn get(path: impl AsRef<[u8]>) -> Self {
        Self::new("GET", path)
    }
    /// A `POST` to `path`.
    pub fn post(path: impl AsRef<[u8]>) -> Self {
        Self::new("POST", path)
    }
    /// Sets `:authority`.
    pub fn authority(mut self, authority: &str) -> Self {
        self.authority = authority.as_bytes().to_vec();
        self
    }
    /// Sets `:scheme`.
    pub fn scheme(mut self, scheme: &str) -> Self {
        self.scheme = scheme.as_bytes().to_vec();
        self
    }
    /// Appends a header.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers.add(name.as_bytes(), value.as_ref());
        self
    }
    /// Sets the body.
    pub fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }
    /// Appends a trailer.
    pub fn trailer(mut self, name: &str, value: &str) -> Self {
        self.trailers.add(name.as_bytes(), value.as_bytes());
        self
    }
    /// Sets `request.protocol` (`HTTP/1.1`, `HTTP/2`).
    pub fn protocol(mut self, protocol: &str) -> Self {
        self.protocol = protocol.to_string();
        self
    }
}

/// The upstream's answer, used when the request reaches the upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `:status`.
    pub status: u16,
    /// Regular headers, in order.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
    /// Trailers.
    pub trailers: HeaderMap,
    /// The upstream connection (`upstream.*` properties, visible from the response on).
    pub upstream: Connection,
}

impl Response {
    /// A `200` with no headers and an empty body.
    pub fn ok() -> Self {
        Self::status(200)
    }
    /// A response with `status`.
    pub fn status(status: u16) -> Self {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Vec::new(),
            trailers: HeaderMap::new(),
            upstream: Connection::default(),
        }
    }
    /// Appends a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.add(name.as_bytes(), value.as_bytes());
        self
    }
    /// Sets the body.
    pub fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }
    /// Sets the upstream connection's properties.
    pub fn upstream(mut self, upstream: Connection) -> Self {
        self.upstream = upstream;
        self
    }
}

/// A response the module sent with `proxy_send_local_response`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalResponse {
    /// HTTP status code.
    pub status: u32,
    /// Envoy's response code details (`response.code_details`).
    pub details: String,
    /// Headers the module asked for.
    pub headers: HeaderMap,
    /// Body.
    pub body: Vec<u8>,
    /// gRPC status, `-1` for none.
    pub grpc_status: i32,
}
