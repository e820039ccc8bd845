//! Query strings and login form bodies (`application/x-www-form-urlencoded`):
//! - never panics;
//! - refuses exactly the inputs with a `%` that does not start two hex digits;
//! - when accepted, agrees with a second decoder written from the rules (pairs split at `&`,
//!   name and value at the first `=`, `+` a space, `%XX` a byte, UTF-8 with replacement), empty
//!   pairs skipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policies::allowlist::credentials::params::parse;

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn decode(part: &[u8]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => out.push(b' '),
            // Accepted input: every `%` starts two hex digits.
            b'%' => {
                out.push(hex(part[i + 1]).unwrap() << 4 | hex(part[i + 2]).unwrap());
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn well_formed(data: &[u8]) -> bool {
    data.iter().enumerate().all(|(i, &b)| {
        b != b'%' || (data.get(i + 1).copied().and_then(hex).is_some() && data.get(i + 2).copied().and_then(hex).is_some())
    })
}

fuzz_target!(|data: &[u8]| {
    let parsed = parse(data);
    assert_eq!(parsed.is_ok(), well_formed(data), "{:?}", String::from_utf8_lossy(data));
    let Ok(pairs) = parsed else { return };
    let reference: Vec<(String, String)> = data
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.iter().position(|&b| b == b'=') {
            Some(i) => (decode(&p[..i]), decode(&p[i + 1..])),
            None => (decode(p), String::new()),
        })
        .collect();
    let got: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(got, reference);
});
