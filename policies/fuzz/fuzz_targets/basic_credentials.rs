//! `Authorization: Basic` decoded as the product decodes it (commons-codec `Base64.decodeBase64`,
//! lenient), checked against a second, bit-by-bit reading of the same rules:
//! - never panics;
//! - `decode_lenient(token, true)` equals the reference: the alphabet characters of both base64
//!   alphabets before the first `=`, 6 bits each, cut into whole bytes (a final 6-bit group
//!   dropped, the unused bits of a final 12- or 18-bit group dropped);
//! - `decode_lenient(token, false)` equals the reference with every `=` skipped;
//! - `in_authorization` finds `admin:admin` in any token whose reading is `admin:admin`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policies::allowlist::Credential;
use policies::allowlist::credentials::base64::decode_lenient;
use policies::allowlist::credentials::in_authorization;

fn reference(input: &[u8], stop_at_pad: bool) -> Vec<u8> {
    let mut bits: Vec<bool> = Vec::new();
    for &b in input {
        if b == b'=' && stop_at_pad {
            break;
        }
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let v = match b {
            b'-' => Some(62),
            b'_' => Some(63),
            _ => alphabet.iter().position(|&a| a == b),
        };
        if let Some(v) = v {
            bits.extend((0..6).rev().map(|i| (v >> i) & 1 == 1));
        }
    }
    // A final group of one character (6 bits) gives nothing; otherwise whole bytes.
    let usable = if bits.len() % 24 == 6 { bits.len() - 6 } else { bits.len() };
    bits[..usable]
        .chunks_exact(8)
        .map(|byte| byte.iter().fold(0u8, |acc, &bit| (acc << 1) | u8::from(bit)))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    assert_eq!(decode_lenient(data, true), reference(data, true));
    assert_eq!(decode_lenient(data, false), reference(data, false));
    let admin = [Credential {
        username: "admin".into(),
        password: "admin".into(),
    }];
    let mut value = b"Basic ".to_vec();
    value.extend_from_slice(data);
    let found = in_authorization(std::iter::once(value.as_slice()), &admin);
    if reference(data, true) == b"admin:admin" {
        assert!(found, "{:?}", String::from_utf8_lossy(data));
    }
});
