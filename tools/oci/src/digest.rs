//! SHA-256 digests in the two spellings we need: lowercase hex (Istio's `sha256` field, `sha256sum`)
//! and the OCI form `sha256:<hex>` (image-spec `descriptor.md`, "Digests").

use sha2::{Digest as _, Sha256};

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let hash = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in hash.iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The OCI digest `sha256:<hex>` of `bytes`.
pub fn oci_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", sha256_hex(bytes))
}

/// The hex part of an OCI `sha256:<hex>` digest, when it is one (64 lowercase hex digits).
pub fn hex_of(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    let ok = hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    ok.then_some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_hex_matches_known_vector() {
        // FIPS 180-2 example "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(oci_digest(b"abc"), format!("sha256:{}", sha256_hex(b"abc")));
    }

    #[test]
    fn hex_of_refuses_other_algorithms_and_bad_hex() {
        let good = oci_digest(b"x");
        assert_eq!(hex_of(&good), good.strip_prefix("sha256:"));
        assert_eq!(hex_of(&good.replace("sha256:", "sha512:")), None);
        assert_eq!(hex_of(&good.to_uppercase()), None);
        assert_eq!(hex_of("sha256:abc"), None);
        assert_eq!(hex_of("sha256:../../etc/passwd"), None);
    }
}
