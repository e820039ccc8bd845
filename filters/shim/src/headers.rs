//! Header maps, read whole in one host call (each host call costs more than the policy itself:
//! see the performance facts in design.md) and edited one header at a time.

use proxy_wasm::hostcalls;
use proxy_wasm::types::{MapType, Status};

/// A header map as the policies take it: `(name, raw value)` pairs in order.
pub type HeaderPairs = Vec<(String, Vec<u8>)>;

/// The request headers, pseudo-headers included (`:method`, `:path`, `:authority`).
///
/// # Errors
/// The host's status when it refuses the call.
pub fn request() -> Result<HeaderPairs, Status> {
    hostcalls::get_map_bytes(MapType::HttpRequestHeaders)
}

/// The response headers, `:status` included.
///
/// # Errors
/// The host's status when it refuses the call.
pub fn response() -> Result<HeaderPairs, Status> {
    hostcalls::get_map_bytes(MapType::HttpResponseHeaders)
}

/// Sets response header `name` to `value`, replacing every existing value.
///
/// # Errors
/// The host's status when it refuses the call.
pub fn set_response(name: &str, value: &[u8]) -> Result<(), Status> {
    hostcalls::set_map_value_bytes(MapType::HttpResponseHeaders, name, Some(value))
}

/// Adds one more value of response header `name` (for repeated headers such as `Set-Cookie`).
///
/// # Errors
/// The host's status when it refuses the call.
pub fn add_response(name: &str, value: &[u8]) -> Result<(), Status> {
    hostcalls::add_map_value_bytes(MapType::HttpResponseHeaders, name, value)
}

/// Removes every value of response header `name`.
///
/// # Errors
/// The host's status when it refuses the call.
pub fn remove_response(name: &str) -> Result<(), Status> {
    hostcalls::remove_map_value(MapType::HttpResponseHeaders, name)
}

/// Replaces the whole response header map (when many headers change at once, one call).
///
/// # Errors
/// The host's status when it refuses the call.
pub fn replace_response(pairs: &[(String, Vec<u8>)]) -> Result<(), Status> {
    let map: Vec<(&str, &[u8])> = pairs
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect();
    hostcalls::set_map_bytes(MapType::HttpResponseHeaders, map)
}

/// Removes request header `name` (Proxy-Wasm `remove_header_map_value`), for a filter that
/// strips what a back end must not see.
///
/// # Errors
/// The host's status when it refuses the call.
pub fn remove_request(name: &str) -> Result<(), Status> {
    hostcalls::remove_map_value(MapType::HttpRequestHeaders, name)
}

/// Replaces request header `name` (or pseudo-header, such as `:path`) with `value`.
///
/// # Errors
/// The host's status when it refuses the call.
pub fn set_request(name: &str, value: &[u8]) -> Result<(), Status> {
    hostcalls::set_map_value_bytes(MapType::HttpRequestHeaders, name, Some(value))
}

/// The first `max` bytes of the request body the host has buffered so far (Proxy-Wasm
/// `get_buffer_bytes(HttpRequestBody)`); empty when there is none.
///
/// # Errors
/// The host's status when it refuses the call.
pub fn request_body(max: usize) -> Result<Vec<u8>, Status> {
    Ok(
        hostcalls::get_buffer(proxy_wasm::types::BufferType::HttpRequestBody, 0, max)?
            .unwrap_or_default(),
    )
}

/// A header map in the Proxy-Wasm ABI's serialised form (what `proxy_send_local_response` and
/// `proxy_set_header_map_pairs` take): the pair count as a little-endian u32, each pair's name
/// and value lengths as little-endian u32s, then each name and value followed by a NUL byte.
pub fn serialize_map(pairs: &[(String, Vec<u8>)]) -> Vec<u8> {
    let len = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes();
    let mut out = Vec::with_capacity(
        4 + pairs
            .iter()
            .map(|(n, v)| 10 + n.len() + v.len())
            .sum::<usize>(),
    );
    out.extend_from_slice(&len(pairs.len()));
    for (n, v) in pairs {
        out.extend_from_slice(&len(n.len()));
        out.extend_from_slice(&len(v.len()));
    }
    for (n, v) in pairs {
        out.extend_from_slice(n.as_bytes());
        out.push(0);
        out.extend_from_slice(v);
        out.push(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::serialize_map;

    /// (row, pairs, the serialised bytes)
    type Row<'a> = (&'a str, &'a [(&'a str, &'a [u8])], &'a [u8]);

    #[test]
    fn maps_serialise_as_the_abi_reads_them() {
        let rows: &[Row<'_>] = &[
            ("empty", &[], &[0, 0, 0, 0]),
            (
                "one pair",
                &[("ab", b"c")],
                &[1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, b'a', b'b', 0, b'c', 0],
            ),
            (
                "empty value, raw bytes",
                &[("x", b""), ("y", b"\xff")],
                &[
                    2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, b'x', 0, 0, b'y',
                    0, 0xff, 0,
                ],
            ),
        ];
        for (row, pairs, bytes) in rows {
            let pairs: Vec<(String, Vec<u8>)> = pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.to_vec()))
                .collect();
            assert_eq!(serialize_map(&pairs), *bytes, "{row}");
        }
    }
}
