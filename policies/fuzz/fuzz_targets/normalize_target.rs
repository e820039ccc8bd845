//! Invariants of `policies::path::normalize_target` on arbitrary bytes:
//! - it never panics (a panic in the filter traps the VM);
//! - its output starts with `/` and holds no `//`, no `;`, no `\`, no `%2F`/`%2f`, no `.` or
//!   `..` segment, no byte outside printable ASCII;
//! - it is idempotent: normalising the output gives the output again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policies::path::normalize_target;

fuzz_target!(|data: &[u8]| {
    let Ok(once) = normalize_target(data, 1 << 16) else {
        return;
    };
    let path = once.path.as_str();
    assert!(path.starts_with('/'), "{path:?}");
    assert!(!path.contains("//"), "{path:?}");
    assert!(!path.contains(';') && !path.contains('\\'), "{path:?}");
    assert!(!path.to_ascii_lowercase().contains("%2f"), "{path:?}");
    assert!(path.split('/').all(|s| s != "." && s != ".."), "{path:?}");
    assert!(path.bytes().all(|b| b.is_ascii_graphic()), "{path:?}");
    let twice = normalize_target(path.as_bytes(), 1 << 16).expect("output must normalise");
    assert_eq!(twice.path, path, "not idempotent");
});
