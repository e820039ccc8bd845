//! The request head a policy looks at: the header map as the host hands it over, in one piece
//! (Proxy-Wasm `get_header_map_pairs`), pseudo-headers included.

/// A request's headers: `(name, value)` pairs in arrival order, names lower-case as Envoy and
/// HTTP/2 give them (compared case-insensitively anyway), values raw bytes (possibly not UTF-8).
#[derive(Debug, Clone, Copy)]
pub struct RequestHead<'a> {
    headers: &'a [(String, Vec<u8>)],
}

impl<'a> RequestHead<'a> {
    /// Wraps a header map.
    pub fn new(headers: &'a [(String, Vec<u8>)]) -> Self {
        Self { headers }
    }

    /// The first value of header `name` (case-insensitive), raw.
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// Every value of header `name` (case-insensitive), in order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// `:method`, or empty when missing.
    pub fn method(&self) -> &'a [u8] {
        self.get(":method").unwrap_or_default()
    }

    /// `:path`, the raw request target, or empty when missing.
    pub fn target(&self) -> &'a [u8] {
        self.get(":path").unwrap_or_default()
    }

    /// `:authority`, falling back to `host` (HTTP/1.1 hosts that do not map it), or empty.
    pub fn authority(&self) -> &'a [u8] {
        self.get(":authority")
            .or_else(|| self.get("host"))
            .unwrap_or_default()
    }

    /// All headers.
    pub fn headers(&self) -> &'a [(String, Vec<u8>)] {
        self.headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pseudo_headers_and_repeated_headers() {
        let h = vec![
            (":method".to_owned(), b"GET".to_vec()),
            (":path".to_owned(), b"/a".to_vec()),
            ("Host".to_owned(), b"x".to_vec()),
            ("cookie".to_owned(), b"a=1".to_vec()),
            ("cookie".to_owned(), b"b=2".to_vec()),
        ];
        let r = RequestHead::new(&h);
        assert_eq!(
            (r.method(), r.target(), r.authority()),
            (&b"GET"[..], &b"/a"[..], &b"x"[..])
        );
        assert_eq!(
            r.get_all("COOKIE").collect::<Vec<_>>(),
            vec![&b"a=1"[..], &b"b=2"[..]]
        );
        assert_eq!(RequestHead::new(&[]).target(), b"");
    }
}
