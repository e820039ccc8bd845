//! Header maps and their Proxy-Wasm serialisation.
//!
//! A serialised map is: the number of pairs (u32 LE); for each pair the key length and the
//! value length (u32 LE each); then each key and value followed by a NUL byte. An empty map is
//! either no bytes or a single `0x00` byte (spec, "Serialization").

/// An ordered list of header pairs. Names are kept as given; lookups ignore ASCII case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderMap {
    pairs: Vec<(Vec<u8>, Vec<u8>)>,
}

impl HeaderMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// A map holding `pairs`, in order.
    pub fn from_pairs<N: AsRef<[u8]>, V: AsRef<[u8]>>(pairs: &[(N, V)]) -> Self {
        let mut map = Self::new();
        for (n, v) in pairs {
            map.add(n.as_ref(), v.as_ref());
        }
        map
    }

    /// The pairs in order.
    pub fn pairs(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.pairs
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The first value of `name` (ASCII case-insensitive), as Envoy answers
    /// `proxy_get_header_map_value` (it returns the first of repeated headers).
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Every value of `name`, in order.
    pub fn get_all(&self, name: &[u8]) -> Vec<&[u8]> {
        self.pairs
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// The first value of `name` as text (lossy UTF-8).
    pub fn get_str(&self, name: &str) -> Option<String> {
        self.get(name.as_bytes())
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }

    /// Appends a pair; the name is lower-cased as Envoy stores it.
    pub fn add(&mut self, name: &[u8], value: &[u8]) {
        self.pairs.push((name.to_ascii_lowercase(), value.to_vec()));
    }

    /// Removes every pair named `name`, then appends one with `value`.
    pub fn replace(&mut self, name: &[u8], value: &[u8]) {
        if let Some(pos) = self
            .pairs
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            let lower = name.to_ascii_lowercase();
            self.pairs.retain(|(n, _)| !n.eq_ignore_ascii_case(&lower));
            let at = pos.min(self.pairs.len());
            self.pairs.insert(at, (lower, value.to_vec()));
        } else {
            self.add(name, value);
        }
    }

    /// Removes every pair named `name`.
    pub fn remove(&mut self, name: &[u8]) {
        self.pairs.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// Lossy text pairs, for reports and checks.
    pub fn to_strings(&self) -> Vec<(String, String)> {
        self.pairs
            .iter()
            .map(|(n, v)| {
                (
                    String::from_utf8_lossy(n).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect()
    }
}

/// Serialises `map` in the Proxy-Wasm map format.
pub fn serialize(map: &HeaderMap) -> Vec<u8> {
    let mut size = 4;
    for (n, v) in map.pairs() {
        size += 10 + n.len() + v.len();
    }
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&len_u32(map.len()).to_le_bytes());
    for (n, v) in map.pairs() {
        out.extend_from_slice(&len_u32(n.len()).to_le_bytes());
        out.extend_from_slice(&len_u32(v.len()).to_le_bytes());
    }
    for (n, v) in map.pairs() {
        out.extend_from_slice(n);
        out.push(0);
        out.extend_from_slice(v);
        out.push(0);
    }
    out
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Why a serialised map from the guest could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// The data ends before the sizes it announces.
    #[error("serialised map is truncated: {0}")]
    Truncated(&'static str),
    /// A key or value is not followed by the NUL byte the format requires.
    #[error("serialised map: missing NUL terminator after pair {0}")]
    MissingNul(usize),
}

/// Reads a serialised map. Empty input and a single `0x00` byte are the empty map.
pub fn deserialize(bytes: &[u8]) -> Result<HeaderMap, MapError> {
    let mut map = HeaderMap::new();
    if bytes.is_empty() || bytes == [0] {
        return Ok(map);
    }
    let count = read_u32(bytes, 0).ok_or(MapError::Truncated("pair count"))? as usize;
    let sizes_end = count
        .checked_mul(8)
        .and_then(|n| n.checked_add(4))
        .filter(|end| *end <= bytes.len())
        .ok_or(MapError::Truncated("pair sizes"))?;
    let mut at = sizes_end;
    for i in 0..count {
        let key_len = read_u32(bytes, 4 + i * 8).ok_or(MapError::Truncated("key size"))? as usize;
        let value_len =
            read_u32(bytes, 8 + i * 8).ok_or(MapError::Truncated("value size"))? as usize;
        let key = take(bytes, &mut at, key_len, i)?;
        let value = take(bytes, &mut at, value_len, i)?;
        map.pairs.push((key.to_vec(), value.to_vec()));
    }
    Ok(map)
}

fn take<'a>(
    bytes: &'a [u8],
    at: &mut usize,
    len: usize,
    pair: usize,
) -> Result<&'a [u8], MapError> {
    let end = at
        .checked_add(len)
        .ok_or(MapError::Truncated("key or value"))?;
    let data = bytes
        .get(*at..end)
        .ok_or(MapError::Truncated("key or value"))?;
    if bytes.get(end) != Some(&0) {
        return Err(MapError::MissingNul(pair));
    }
    *at = end + 1;
    Ok(data)
}

/// The little-endian `u32` at `at` in `bytes`; `None` when it runs past the end.
pub(crate) fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialize_matches_spec_example() {
        let map = HeaderMap::from_pairs(&[("a", "1"), ("b", "22")]);
        let bytes = serialize(&map);
        let expected: Vec<u8> = [
            &2u32.to_le_bytes()[..],
            &1u32.to_le_bytes(),
            &1u32.to_le_bytes(),
            &1u32.to_le_bytes(),
            &2u32.to_le_bytes(),
            b"a\x001\x00b\x0022\x00",
        ]
        .concat();
        assert_eq!(bytes, expected);
        assert_eq!(deserialize(&bytes).unwrap(), map);
    }

    #[test]
    fn deserialize_fails_on_truncated_sizes() {
        let bytes = [5, 0, 0, 0, 1, 0];
        assert_eq!(deserialize(&bytes), Err(MapError::Truncated("pair sizes")));
    }

    #[test]
    fn deserialize_fails_on_missing_nul() {
        let mut bytes = serialize(&HeaderMap::from_pairs(&[("a", "1")]));
        let last = bytes.len() - 1;
        bytes[last] = b'x';
        assert_eq!(deserialize(&bytes), Err(MapError::MissingNul(0)));
    }

    #[test]
    fn replace_keeps_position_and_drops_duplicates() {
        let mut map = HeaderMap::from_pairs(&[("a", "1"), ("B", "2"), ("b", "3"), ("c", "4")]);
        map.replace(b"b", b"9");
        assert_eq!(
            map,
            HeaderMap::from_pairs(&[("a", "1"), ("b", "9"), ("c", "4")])
        );
    }
}
