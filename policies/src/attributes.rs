//! The one thing the policies ask of a host: connection and request attributes by path
//! (Proxy-Wasm `get_property`, Envoy's attribute names), decoded here from either host's
//! encoding.
//!
//! Envoy encodes strings raw, integers as 8 bytes little-endian and booleans as one byte; Kong's
//! ngx_wasm_module returns every value as a string (`"true"`, `"443"`). The typed readers below
//! accept both, so a policy never depends on which gateway runs it.

use std::net::IpAddr;

/// A source of attributes: the filter's Proxy-Wasm host, or a table in tests.
pub trait Attributes {
    /// The raw value of the property at `path` (for example `["source", "address"]`), or `None`
    /// when the host does not provide it.
    fn property(&self, path: &[&str]) -> Option<Vec<u8>>;
}

/// Reads a string attribute (`connection.tls_version`, `connection.requested_server_name`).
/// `None` when missing or not UTF-8.
pub fn string(attrs: &dyn Attributes, path: &[&str]) -> Option<String> {
    String::from_utf8(attrs.property(path)?).ok()
}

/// Reads a boolean attribute (`connection.mtls`): Envoy's one byte `0`/`1`, or Kong's
/// `"true"`/`"false"`. `None` when missing or neither encoding.
pub fn boolean(attrs: &dyn Attributes, path: &[&str]) -> Option<bool> {
    decode_bool(&attrs.property(path)?)
}

/// Reads an integer attribute (`source.port`, `response.code`): Envoy's 8 bytes little-endian,
/// or Kong's decimal string. `None` when missing or neither encoding.
pub fn integer(attrs: &dyn Attributes, path: &[&str]) -> Option<u64> {
    decode_u64(&attrs.property(path)?)
}

/// The downstream client's IP address, from `source.address` (`10.0.0.5:55532`, `[::1]:80`, or
/// a bare address), with IPv4-mapped IPv6 addresses (`::ffff:10.0.0.5`) turned into IPv4.
pub fn source_ip(attrs: &dyn Attributes) -> Option<IpAddr> {
    parse_ip(&string(attrs, &["source", "address"])?)
}

/// Parses `ip`, `ip:port`, `[ipv6]:port` or `ipv6`, normalising IPv4-mapped addresses.
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    let ip = text
        .parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    })
}

/// Decodes a boolean property value in either host's encoding.
pub fn decode_bool(raw: &[u8]) -> Option<bool> {
    match raw {
        [0] | b"false" => Some(false),
        [1] | b"true" => Some(true),
        _ => None,
    }
}

/// Decodes an integer property value in either host's encoding. A value of ASCII digits is read
/// as decimal (no real 8-byte little-endian port, code or timestamp is all digits).
pub fn decode_u64(raw: &[u8]) -> Option<u64> {
    if !raw.is_empty() && raw.iter().all(u8::is_ascii_digit) {
        return std::str::from_utf8(raw).ok()?.parse().ok();
    }
    let bytes: [u8; 8] = raw.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// An [`Attributes`] table, for tests and tools: `(path joined with '.', value)`.
#[derive(Debug, Clone, Default)]
pub struct AttributeTable(pub Vec<(String, Vec<u8>)>);

impl AttributeTable {
    /// Adds or replaces the value at `dotted_path` (`"source.address"`).
    pub fn with(mut self, dotted_path: &str, value: impl Into<Vec<u8>>) -> Self {
        self.0.retain(|(k, _)| k != dotted_path);
        self.0.push((dotted_path.to_owned(), value.into()));
        self
    }
}

impl Attributes for AttributeTable {
    fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        let key = path.join(".");
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_hosts_encodings() {
        assert_eq!(decode_bool(&[1]), Some(true));
        assert_eq!(decode_bool(b"false"), Some(false));
        assert_eq!(decode_bool(b"1"), None);
        assert_eq!(decode_u64(&443u64.to_le_bytes()), Some(443));
        assert_eq!(decode_u64(b"443"), Some(443));
        assert_eq!(
            decode_u64(&1_764_000_000_000_000_000u64.to_le_bytes()),
            Some(1_764_000_000_000_000_000)
        );
        assert_eq!(decode_u64(b"12x"), None);
        assert_eq!(decode_u64(b""), None);
    }

    #[test]
    fn source_ip_reads_address_with_or_without_port() {
        let t = AttributeTable::default().with("source.address", "10.1.2.3:55532");
        assert_eq!(source_ip(&t), "10.1.2.3".parse().ok());
        let t = AttributeTable::default().with("source.address", "[::ffff:10.1.2.3]:80");
        assert_eq!(source_ip(&t), "10.1.2.3".parse().ok());
        let t = AttributeTable::default().with("source.address", "::1");
        assert_eq!(source_ip(&t), "::1".parse().ok());
        assert_eq!(source_ip(&AttributeTable::default()), None);
        let t = AttributeTable::default().with("source.address", "pipe:/x");
        assert_eq!(source_ip(&t), None);
    }
}
