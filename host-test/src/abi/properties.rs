//! Properties: `proxy_get_property`, `proxy_set_property`.
//!
//! A property path is its segments joined by NUL (`request\0path`). Values are encoded as the
//! host kind does: Envoy gives strings raw, integers as 8-byte little-endian, bools as one
//! byte and maps as serialised header maps; Kong gives every value as a string (bools
//! `true`/`false`). A property the host does not have answers `NotFound`.

use std::net::SocketAddr;

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read, return_bytes};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;
use crate::map::{HeaderMap, serialize};
use crate::state::AbiState;
use crate::traffic::{Connection, HostKind};

/// A property value before encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text, given raw.
    Str(String),
    /// Bytes, given raw (`filter_state.*`).
    Bytes(Vec<u8>),
    /// An integer: 8 bytes little-endian in Envoy, decimal text in Kong.
    Int(i64),
    /// A bool: one byte in Envoy, `true`/`false` in Kong.
    Bool(bool),
    /// A map: serialised pairs in Envoy; Kong has no map values (`NotFound`).
    Map(HeaderMap),
}

impl Value {
    /// The bytes `host` hands the guest, `None` when it has no encoding for this value.
    pub fn encode(&self, host: HostKind) -> Option<Vec<u8>> {
        Some(match (self, host) {
            (Value::Str(s), _) => s.as_bytes().to_vec(),
            (Value::Bytes(b), _) => b.clone(),
            (Value::Int(i), HostKind::Envoy) => i.to_le_bytes().to_vec(),
            (Value::Int(i), HostKind::Kong) => i.to_string().into_bytes(),
            (Value::Bool(b), HostKind::Envoy) => vec![u8::from(*b)],
            (Value::Bool(b), HostKind::Kong) => b.to_string().into_bytes(),
            (Value::Map(m), HostKind::Envoy) => serialize(m),
            (Value::Map(_), HostKind::Kong) => return None,
        })
    }
}

fn text(bytes: &[u8]) -> Value {
    Value::Str(String::from_utf8_lossy(bytes).into_owned())
}

fn addr(a: Option<SocketAddr>, default: &str, field: &str) -> Option<Value> {
    let a = a.or_else(|| default.parse().ok())?;
    match field {
        "address" => Some(Value::Str(a.to_string())),
        "port" => Some(Value::Int(i64::from(a.port()))),
        _ => None,
    }
}

fn tls_field(c: &Connection, field: &str) -> Option<Value> {
    let s = |v: &Option<String>| v.clone().map(Value::Str);
    match field {
        "tls_version" => s(&c.tls_version),
        "requested_server_name" => s(&c.sni),
        "subject_peer_certificate" => s(&c.peer_subject),
        "dns_san_peer_certificate" => s(&c.peer_dns_san),
        "uri_san_peer_certificate" => s(&c.peer_uri_san),
        "sha256_peer_certificate_digest" => s(&c.peer_sha256),
        "subject_local_certificate" => s(&c.local_subject),
        "mtls" => Some(Value::Bool(c.tls_version.is_some() && c.mtls())),
        _ => None,
    }
}

fn headers_value(map: &HeaderMap, rest: &[&[u8]]) -> Option<Value> {
    match rest {
        [] => Some(Value::Map(map.clone())),
        [name] => map.get(name).map(text),
        _ => None,
    }
}

/// The connection fields a host reports as `connection.<field>` (`tls_field`).
const TLS_FIELDS: [&str; 8] = [
    "tls_version",
    "requested_server_name",
    "subject_peer_certificate",
    "dns_san_peer_certificate",
    "uri_san_peer_certificate",
    "sha256_peer_certificate_digest",
    "subject_local_certificate",
    "mtls",
];

/// Every property this host reports for the downstream connection `c`, by dotted path, as
/// `proxy_get_property` would answer it (before encoding): `source.*`, `destination.*`,
/// `connection.*`, `filter_state.*`. For the playground's export (`crate::playground`).
pub fn connection_properties(c: &Connection) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (name, a, default) in [
        ("source", c.source, "127.0.0.1:40000"),
        ("destination", c.destination, "127.0.0.1:10000"),
    ] {
        for field in ["address", "port"] {
            if let Some(v) = addr(a, default, field) {
                out.push((format!("{name}.{field}"), v));
            }
        }
    }
    out.push(("connection.id".to_owned(), Value::Int(1)));
    for field in TLS_FIELDS {
        if let Some(v) = tls_field(c, field) {
            out.push((format!("connection.{field}"), v));
        }
    }
    for (k, v) in &c.filter_state {
        out.push((format!("filter_state.{k}"), Value::Bytes(v.clone())));
    }
    out
}

/// Every property this host reports about the upstream connection `u` while an upstream's
/// answer passes: `upstream.address`, `upstream.port` and `upstream.<tls field>`.
pub fn upstream_properties(u: &Connection) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for field in ["address", "port"] {
        if let Some(v) = addr(u.destination, "127.0.0.1:18080", field) {
            out.push((format!("upstream.{field}"), v));
        }
    }
    for field in TLS_FIELDS {
        if let Some(v) = tls_field(u, field) {
            out.push((format!("upstream.{field}"), v));
        }
    }
    out
}

/// Resolves a well-known property from the plugin, connection, request and response state.
fn well_known(st: &AbiState, segs: &[&[u8]]) -> Option<Value> {
    let name = |i: usize| segs.get(i).map(|s| String::from_utf8_lossy(s).into_owned());
    let first = name(0)?;
    let second = name(1).unwrap_or_default();
    let stream = st.stream.as_ref();
    match first.as_str() {
        "source" => addr(st.connection.source, "127.0.0.1:40000", &second),
        "destination" => addr(st.connection.destination, "127.0.0.1:10000", &second),
        "connection" if second == "id" => Some(Value::Int(1)),
        "connection" => tls_field(&st.connection, &second),
        "filter_state" => st
            .connection
            .filter_state
            .get(&second)
            .cloned()
            .map(Value::Bytes),
        "request" => {
            let s = stream?;
            let h = &s.request_headers;
            let path = h.get(b":path").unwrap_or_default();
            let (url_path, query) = match path.iter().position(|b| *b == b'?') {
                Some(i) => (path.get(..i)?, path.get(i + 1..)?),
                None => (path, &b""[..]),
            };
            match second.as_str() {
                "path" => Some(text(path)),
                "url_path" => Some(text(url_path)),
                "query" => Some(text(query)),
                "host" => h.get(b":authority").map(text),
                "method" => h.get(b":method").map(text),
                "scheme" => h.get(b":scheme").map(text),
                "id" => Some(Value::Str(s.request_id.clone())),
                "protocol" => Some(Value::Str(s.protocol.clone())),
                "useragent" => h.get(b"user-agent").map(text),
                "referer" => h.get(b"referer").map(text),
                "time" => Some(Value::Int(i64::try_from(st.now_ns).ok()?)),
                "headers" => headers_value(h, segs.get(2..)?),
                "trailers" => headers_value(&s.request_trailers, segs.get(2..)?),
                _ => None,
            }
        }
        "response" => {
            let s = stream?;
            let h = s.response_headers.as_ref()?;
            match second.as_str() {
                "code" => {
                    let code = String::from_utf8_lossy(h.get(b":status")?)
                        .parse::<i64>()
                        .ok()?;
                    Some(Value::Int(code))
                }
                "code_details" => Some(Value::Str(match &s.local_response {
                    Some(l) => l.details.clone(),
                    None => "via_upstream".to_string(),
                })),
                "headers" => headers_value(h, segs.get(2..)?),
                "trailers" => headers_value(&s.response_trailers, segs.get(2..)?),
                _ => None,
            }
        }
        "upstream" => {
            let s = stream?;
            s.response_headers.as_ref()?;
            if s.local_response.is_some() {
                return None;
            }
            match second.as_str() {
                "address" | "port" => addr(s.upstream.destination, "127.0.0.1:18080", &second),
                _ => tls_field(&s.upstream, &second),
            }
        }
        _ => None,
    }
}

/// The encoded value of the property at NUL-joined `path`, `None` when it does not exist.
/// Properties set by the guest and extra properties from the test come first.
pub(crate) fn lookup(st: &AbiState, path: &[u8]) -> Option<Vec<u8>> {
    if let Some(v) = st.stream.as_ref().and_then(|s| s.set_properties.get(path)) {
        return Some(v.clone());
    }
    if let Some(v) = st
        .extra_properties
        .get(path)
        .or_else(|| st.plugin_properties.get(path))
    {
        return Some(v.clone());
    }
    let segs: Vec<&[u8]> = path.split(|b| *b == 0).collect();
    well_known(st, &segs)?.encode(st.host)
}

fn get_property(
    caller: &mut Caller<'_, HostState>,
    path: (u32, u32),
    out: (u32, u32),
) -> HostResult {
    let path = read(caller, path.0, path.1, "property path")?;
    let Some(value) = lookup(state(caller), &path) else {
        return ok(Status::NotFound);
    };
    return_bytes(caller, &value, out.0, out.1)?;
    ok(Status::Ok)
}

fn set_property(
    caller: &mut Caller<'_, HostState>,
    path: (u32, u32),
    value: (u32, u32),
) -> HostResult {
    let path = read(caller, path.0, path.1, "property path")?;
    let value = read(caller, value.0, value.1, "property value")?;
    let st = state(caller);
    match st.stream.as_mut() {
        Some(s) => {
            s.set_properties.insert(path, value);
        }
        None => {
            st.plugin_properties.insert(path, value);
        }
    }
    ok(Status::Ok)
}

type C<'a> = Caller<'a, HostState>;

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_get_property",
        |mut c: C<'_>, pp: u32, pn: u32, op: u32, os: u32| {
            named(
                "proxy_get_property",
                get_property(&mut c, (pp, pn), (op, os)),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_property",
        |mut c: C<'_>, pp: u32, pn: u32, vp: u32, vn: u32| {
            named(
                "proxy_set_property",
                set_property(&mut c, (pp, pn), (vp, vn)),
            )
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envoy_encodes_int_as_le_bytes_and_kong_as_text() {
        assert_eq!(
            Value::Int(443).encode(HostKind::Envoy),
            Some(443i64.to_le_bytes().to_vec())
        );
        assert_eq!(
            Value::Int(443).encode(HostKind::Kong),
            Some(b"443".to_vec())
        );
        assert_eq!(Value::Bool(true).encode(HostKind::Envoy), Some(vec![1]));
        assert_eq!(
            Value::Bool(false).encode(HostKind::Kong),
            Some(b"false".to_vec())
        );
    }
}
