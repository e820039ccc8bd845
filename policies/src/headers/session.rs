//! Session-id strength: how many bits a session cookie's value can carry at most, from its length
//! and the smallest alphabet its characters fit in.
//!
//! This is an upper bound (a gateway cannot see how the id was generated): an id below the
//! configured minimum is surely too short; one above it may still be predictable. Tomcat writes
//! `sessionIdLength` random bytes as upper-case hex (16 bytes, 32 characters, 128 bits by
//! default, seed guideline "Increase JSESSIONID length") and may append `.<jvmRoute>`, which
//! carries no randomness and is not counted.

/// Alphabets from the smallest, with the bits each character carries, in thousandths
/// (log2 of the alphabet's size).
/// Whether a byte belongs to an alphabet.
type Fits = fn(u8) -> bool;

const ALPHABETS: &[(Fits, u32)] = &[
    (|b| b.is_ascii_digit(), 3_321),
    (|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'), 4_000),
    (|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'), 4_000),
    (|b| matches!(b, b'0'..=b'9' | b'a'..=b'z'), 5_169),
    (|b| matches!(b, b'0'..=b'9' | b'A'..=b'Z'), 5_169),
    (|b| b.is_ascii_alphanumeric(), 5_954),
    (
        |b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'),
        6_000,
    ),
];

/// Bits per character of printable ASCII other than the alphabets above (94 characters).
const PRINTABLE_MILLIBITS: u32 = 6_554;

/// The most bits `value` can carry as a session id: the part before the first `.` (Tomcat's
/// jvmRoute suffix), without `-` separators (UUIDs) and `=` padding (base64), times the bits per
/// character of the smallest alphabet that holds every remaining character.
pub fn estimate_bits(value: &str) -> u32 {
    let id = value.split('.').next().unwrap_or_default();
    let chars: Vec<u8> = id
        .bytes()
        .filter(|&b| b != b'=')
        .filter(|&b| b != b'-' || !is_hex_with_dashes(id))
        .collect();
    if chars.is_empty() {
        return 0;
    }
    let per_char = ALPHABETS
        .iter()
        .find(|(fits, _)| chars.iter().all(|&b| fits(b)))
        .map_or(PRINTABLE_MILLIBITS, |(_, bits)| *bits);
    let len = u32::try_from(chars.len()).unwrap_or(u32::MAX);
    len.saturating_mul(per_char) / 1000
}

/// A UUID-like value: hex digits and dashes only.
fn is_hex_with_dashes(id: &str) -> bool {
    id.contains('-') && id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_bits_by_alphabet_and_length() {
        let cases: &[(&str, u32)] = &[
            ("", 0),
            ("0123456789ABCDEF", 64), // Tomcat, sessionIdLength 8
            ("E9421E4E2DD0FF260A43D1AA84322332", 128), // Tomcat default, 16 bytes
            ("E9421E4E2DD0FF260A43D1AA84322332.node1", 128), // jvmRoute not counted
            ("fde63c20-7ef2-4ac1-b8a0-32e59250d8be", 128), // UUID: 32 hex digits
            ("12345678", 26),         // digits
            ("abcdefghijklmnopqrstuvwxyz", 134), // base36
            ("aB3dE6gH9jK2mN5pQ8sT", 119), // alphanumeric, 20 chars
            ("q83vEjR1c0Rc+8AAAC2t/g==", 132), // base64 of 16 bytes, 22 chars
            ("a!b@c#d$", 52),         // printable ASCII
        ];
        for (value, bits) in cases {
            assert_eq!(estimate_bits(value), *bits, "{value}");
        }
    }
}
