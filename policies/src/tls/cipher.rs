//! Cipher suites by the names Envoy reports (`%DOWNSTREAM_TLS_CIPHER%`: OpenSSL/BoringSSL names
//! such as `ECDHE-ECDSA-AES128-GCM-SHA256` for TLS 1.2, IANA names such as
//! `TLS_AES_128_GCM_SHA256` for TLS 1.3), and what the seed guidelines say of each: no
//! DES/3DES, RC4, MD5 or DSS, nothing without forward secrecy, GCM preferred over CBC.
//!
//! The classification is by name, so that the configuration, the filter and the xtask's TLS scan
//! agree on one list.

/// What the seed guidelines make of a cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherClass {
    /// Forward secret (ECDHE, DHE or TLS 1.3) with an AEAD (GCM, ChaCha20-Poly1305, CCM).
    Strong,
    /// Forward secret, but CBC with HMAC: allowed, though the seeds prefer GCM.
    Cbc,
    /// Refused by the seeds; the text says why (`3DES`, `no forward secrecy`, …).
    Weak(&'static str),
}

/// Classifies a suite by its OpenSSL/BoringSSL (TLS 1.2 and older) or IANA (TLS 1.3) name.
pub fn classify(name: &str) -> CipherClass {
    let n = name.to_ascii_uppercase();
    if let Some(tls13) = n.strip_prefix("TLS_") {
        // TLS 1.3 suites are all ephemeral and AEAD; CCM_8 has a short tag.
        return if tls13.contains("CCM_8") {
            CipherClass::Weak("short AEAD tag (CCM_8)")
        } else if tls13.contains("GCM") || tls13.contains("CHACHA20") || tls13.contains("CCM") {
            CipherClass::Strong
        } else {
            CipherClass::Weak("not a TLS 1.3 AEAD suite")
        };
    }
    let parts: Vec<&str> = n.split('-').collect();
    let has = |p: &str| parts.contains(&p);
    let weak = [
        (has("NULL") || n.contains("ENULL"), "no encryption (NULL)"),
        (n.starts_with("EXP"), "export grade"),
        (n.contains("RC4"), "RC4"),
        (n.contains("DES"), "DES or 3DES"),
        (has("MD5"), "MD5"),
        (has("DSS"), "DSS"),
        (
            n.starts_with("ADH") || n.starts_with("AECDH") || has("ANON"),
            "anonymous (no authentication)",
        ),
        (
            !(n.starts_with("ECDHE-") || n.starts_with("DHE-")),
            "no forward secrecy",
        ),
        (
            has("PSK") || has("SRP"),
            "pre-shared key or SRP (not for a public listener)",
        ),
    ];
    if let Some((_, why)) = weak.iter().find(|(hit, _)| *hit) {
        return CipherClass::Weak(why);
    }
    if n.contains("GCM") || n.contains("CHACHA20") || n.contains("CCM") {
        CipherClass::Strong
    } else {
        CipherClass::Cbc
    }
}

/// True when `name` is spelled like a suite name (`A-Z`, `0-9`, `-`, `_`), 1 to 64 bytes.
pub fn is_suite_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_follows_the_seed_guidelines() {
        let table: &[(&str, CipherClass)] = &[
            ("ECDHE-ECDSA-AES128-GCM-SHA256", CipherClass::Strong),
            ("ECDHE-RSA-AES256-GCM-SHA384", CipherClass::Strong),
            ("ECDHE-RSA-CHACHA20-POLY1305", CipherClass::Strong),
            ("DHE-RSA-AES128-GCM-SHA256", CipherClass::Strong),
            ("TLS_AES_128_GCM_SHA256", CipherClass::Strong),
            ("TLS_CHACHA20_POLY1305_SHA256", CipherClass::Strong),
            ("ECDHE-RSA-AES128-SHA", CipherClass::Cbc),
            ("ECDHE-ECDSA-AES256-SHA384", CipherClass::Cbc),
            (
                "TLS_AES_128_CCM_8_SHA256",
                CipherClass::Weak("short AEAD tag (CCM_8)"),
            ),
            ("DES-CBC3-SHA", CipherClass::Weak("DES or 3DES")),
            ("ECDHE-RSA-DES-CBC3-SHA", CipherClass::Weak("DES or 3DES")),
            ("RC4-SHA", CipherClass::Weak("RC4")),
            ("ECDHE-RSA-RC4-SHA", CipherClass::Weak("RC4")),
            ("RC4-MD5", CipherClass::Weak("RC4")),
            ("NULL-MD5", CipherClass::Weak("no encryption (NULL)")),
            ("DHE-DSS-AES128-GCM-SHA256", CipherClass::Weak("DSS")),
            ("AES128-GCM-SHA256", CipherClass::Weak("no forward secrecy")),
            ("AES256-SHA", CipherClass::Weak("no forward secrecy")),
            (
                "ECDH-RSA-AES128-GCM-SHA256",
                CipherClass::Weak("no forward secrecy"),
            ),
            (
                "ADH-AES128-GCM-SHA256",
                CipherClass::Weak("anonymous (no authentication)"),
            ),
            (
                "AECDH-AES128-SHA",
                CipherClass::Weak("anonymous (no authentication)"),
            ),
            ("EXP-RC4-MD5", CipherClass::Weak("export grade")),
            (
                "ECDHE-PSK-AES128-CBC-SHA",
                CipherClass::Weak("pre-shared key or SRP (not for a public listener)"),
            ),
        ];
        for (name, want) in table {
            assert_eq!(classify(name), *want, "{name}");
        }
    }

    #[test]
    fn suite_names_are_upper_case_tokens() {
        assert!(is_suite_name("ECDHE-ECDSA-AES128-GCM-SHA256"));
        assert!(is_suite_name("TLS_AES_128_GCM_SHA256"));
        for bad in [
            "",
            "ecdhe-rsa-aes128-gcm-sha256",
            "AES128 GCM",
            "A:B",
            "HIGH:!aNULL",
        ] {
            assert!(!is_suite_name(bad), "{bad}");
        }
    }
}
