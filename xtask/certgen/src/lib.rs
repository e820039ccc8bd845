//! # certgen: the Envoy example's test certificates
//!
//! Writes, for each certificate below, `<name>.crt` and `<name>.key` (PEM; ECDSA P-256 keys,
//! ECDSA-with-SHA-256 signatures) and `<name>.json`: what Envoy reports for it as a peer
//! certificate (`subject_peer_certificate` in RFC 2253 form, the first DNS and URI SANs,
//! `sha256_peer_certificate_digest`), so that scenarios for the wasmtime host can set the same
//! properties Envoy would.
//!
//! | name | issuer | subject / SANs | used by |
//! | --- | --- | --- | --- |
//! | `ca` | itself | `CN=gateway-hardening test CA` | trust anchor of the listener's client certificates and of the upstream |
//! | `server` | `ca` | `CN=is.gateway.test`; DNS `localhost`, `is.gateway.test`, `legacy.gateway.test`, IP `127.0.0.1` | the HTTPS listener 10443 |
//! | `admin-client` | `ca` | `CN=admin`; DNS `admin.gateway.test`, URI `spiffe://gateway.test/admin` | the client certificate the example allows on admin paths |
//! | `other-client` | `ca` | `CN=user`; DNS `user.gateway.test`, URI `spiffe://gateway.test/user` | a valid client certificate that no allowlist names |
//! | `upstream` | `ca` | `CN=mock-wso2`; DNS `localhost`, IP `127.0.0.1` | the mock upstream's HTTPS listener 18443 |
//! | `wso2-default-like` | itself | `CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US`; DNS `localhost` | a mock upstream imitating WSO2's default keystore certificate (18444) |
//!
//! The certificates are valid from yesterday for [`VALID_DAYS`] days. Nothing here is ever
//! committed (`*.key` and `*.pem` are ignored; everything lands under `target/`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};

/// How long the certificates are valid, in days from today.
pub const VALID_DAYS: i64 = 30;

/// One certificate to write: its file name and how to build it.
struct Spec {
    name: &'static str,
    /// `(type, value)` in DER order (least specific first, as `openssl -subj /C=../CN=..`).
    subject: &'static [(DnType, &'static str)],
    dns: &'static [&'static str],
    uris: &'static [&'static str],
    ips: &'static [IpAddr],
    usage: Usage,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Usage {
    Server,
    Client,
    /// Self-signed, like the certificates in WSO2's default keystore.
    SelfSignedServer,
}

const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const ORG: &str = "gateway-hardening test";

const LEAVES: &[Spec] = &[
    Spec {
        name: "server",
        subject: &[
            (DnType::OrganizationName, ORG),
            (DnType::CommonName, "is.gateway.test"),
        ],
        dns: &["localhost", "is.gateway.test", "legacy.gateway.test"],
        uris: &[],
        ips: &[LOCALHOST],
        usage: Usage::Server,
    },
    Spec {
        name: "admin-client",
        subject: &[
            (DnType::OrganizationName, ORG),
            (DnType::OrganizationalUnitName, "admins"),
            (DnType::CommonName, "admin"),
        ],
        dns: &["admin.gateway.test"],
        uris: &["spiffe://gateway.test/admin"],
        ips: &[],
        usage: Usage::Client,
    },
    Spec {
        name: "other-client",
        subject: &[
            (DnType::OrganizationName, ORG),
            (DnType::CommonName, "user"),
        ],
        dns: &["user.gateway.test"],
        uris: &["spiffe://gateway.test/user"],
        ips: &[],
        usage: Usage::Client,
    },
    Spec {
        name: "upstream",
        subject: &[
            (DnType::OrganizationName, ORG),
            (DnType::CommonName, "mock-wso2"),
        ],
        dns: &["localhost"],
        uris: &[],
        ips: &[LOCALHOST],
        usage: Usage::Server,
    },
    Spec {
        name: "wso2-default-like",
        // The DER order of the certificate in WSO2's default keystore (keytool prints it
        // reversed: `CN=localhost, O=WSO2, L=Mountain View, ST=CA, C=US`).
        subject: &[
            (DnType::CountryName, "US"),
            (DnType::StateOrProvinceName, "CA"),
            (DnType::LocalityName, "Mountain View"),
            (DnType::OrganizationName, "WSO2"),
            (DnType::CommonName, "localhost"),
        ],
        dns: &["localhost"],
        uris: &[],
        ips: &[],
        usage: Usage::SelfSignedServer,
    },
];

/// Generates the CA and every certificate into `dir` (created if missing), replacing what is
/// there. Returns the certificate files written.
///
/// # Errors
/// When a key or certificate cannot be generated or a file cannot be written.
pub fn generate(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let (not_before, not_after) = validity();
    let ca_key = KeyPair::generate().context("CA key")?;
    let mut ca = CertificateParams::default();
    ca.distinguished_name = dn(&[
        (DnType::OrganizationName, "gateway-hardening"),
        (DnType::CommonName, "gateway-hardening test CA"),
    ]);
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
    ca.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let ca_cert = ca.self_signed(&ca_key).context("CA certificate")?;
    let mut written = vec![write(
        dir,
        "ca",
        &ca_cert.pem(),
        ca_cert.der(),
        &ca_key,
        &[
            (DnType::OrganizationName, "gateway-hardening"),
            (DnType::CommonName, "gateway-hardening test CA"),
        ],
        &[],
        &[],
        not_after,
    )?];
    let issuer = Issuer::new(ca, ca_key);
    for spec in LEAVES {
        let key = KeyPair::generate().with_context(|| format!("{} key", spec.name))?;
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(spec.subject);
        params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        params.subject_alt_names = sans(spec)?;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![match spec.usage {
            Usage::Client => ExtendedKeyUsagePurpose::ClientAuth,
            Usage::Server | Usage::SelfSignedServer => ExtendedKeyUsagePurpose::ServerAuth,
        }];
        let cert = if spec.usage == Usage::SelfSignedServer {
            params.self_signed(&key)
        } else {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&key, &issuer)
        }
        .with_context(|| format!("{} certificate", spec.name))?;
        written.push(write(
            dir,
            spec.name,
            &cert.pem(),
            cert.der(),
            &key,
            spec.subject,
            spec.dns,
            spec.uris,
            not_after,
        )?);
    }
    Ok(written)
}

fn dn(entries: &[(DnType, &str)]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (ty, value) in entries {
        dn.push(ty.clone(), *value);
    }
    dn
}

fn sans(spec: &Spec) -> Result<Vec<SanType>> {
    let mut out = Vec::new();
    for d in spec.dns {
        out.push(SanType::DnsName((*d).try_into()?));
    }
    for u in spec.uris {
        out.push(SanType::URI((*u).try_into()?));
    }
    out.extend(spec.ips.iter().map(|ip| SanType::IpAddress(*ip)));
    Ok(out)
}

/// Writes `<name>.crt`, `<name>.key` (mode 0600) and `<name>.json`; returns the `.crt` path.
#[allow(clippy::too_many_arguments)]
fn write(
    dir: &Path,
    name: &str,
    pem: &str,
    der: &[u8],
    key: &KeyPair,
    subject: &[(DnType, &str)],
    dns: &[&str],
    uris: &[&str],
    not_after: (i32, u8, u8),
) -> Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let crt = dir.join(format!("{name}.crt"));
    std::fs::write(&crt, pem)?;
    let key_path = dir.join(format!("{name}.key"));
    let _ = std::fs::remove_file(&key_path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&key_path)?;
    std::io::Write::write_all(&mut f, key.serialize_pem().as_bytes())?;
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let json = serde_json::json!({
        "certificate": format!("{name}.crt"),
        "subject_peer_certificate": rfc2253(subject),
        "dns_san_peer_certificate": dns.first(),
        "uri_san_peer_certificate": uris.first(),
        "sha256_peer_certificate_digest": hex,
        "not_after": format!("{:04}-{:02}-{:02}", not_after.0, not_after.1, not_after.2),
    });
    std::fs::write(
        dir.join(format!("{name}.json")),
        serde_json::to_string_pretty(&json)? + "\n",
    )?;
    Ok(crt)
}

/// The subject as Envoy reports it (BoringSSL's `X509_NAME_print_ex` with
/// `XN_FLAG_RFC2253`): most specific RDN first, `,` between, RFC 2253 specials escaped.
pub fn rfc2253_of(entries: &[(&str, &str)]) -> String {
    entries
        .iter()
        .rev()
        .map(|(ty, value)| format!("{ty}={}", escape_2253(value)))
        .collect::<Vec<_>>()
        .join(",")
}

fn rfc2253(subject: &[(DnType, &str)]) -> String {
    let named: Vec<(&str, &str)> = subject
        .iter()
        .map(|(ty, v)| {
            let short = match ty {
                DnType::CountryName => "C",
                DnType::StateOrProvinceName => "ST",
                DnType::LocalityName => "L",
                DnType::OrganizationName => "O",
                DnType::OrganizationalUnitName => "OU",
                _ => "CN",
            };
            (short, *v)
        })
        .collect();
    rfc2253_of(&named)
}

fn escape_2253(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `(yesterday, yesterday + VALID_DAYS + 1)` as `(year, month, day)` in UTC.
fn validity() -> ((i32, u8, u8), (i32, u8, u8)) {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs() / 86_400).unwrap_or(0));
    (civil(days - 1), civil(days + VALID_DAYS))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(1970),
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_723), (2024, 1, 1));
        assert_eq!(civil(19_782), (2024, 2, 29));
    }

    #[test]
    fn subject_is_written_as_envoy_reports_it() {
        // Seen on Envoy 1.40 for WSO2's default certificate and for a CN with a comma and
        // quotes.
        assert_eq!(
            rfc2253_of(&[
                ("C", "US"),
                ("ST", "CA"),
                ("L", "Mountain View"),
                ("O", "WSO2"),
                ("CN", "localhost")
            ]),
            "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US"
        );
        assert_eq!(
            rfc2253_of(&[("O", "x"), ("CN", "admin, the \"first\"")]),
            "CN=admin\\, the \\\"first\\\",O=x"
        );
    }

    #[test]
    fn generate_writes_every_certificate_with_its_facts() {
        let dir = std::env::temp_dir().join(format!("certgen-test-{}", std::process::id()));
        let written = generate(&dir).unwrap();
        assert_eq!(written.len(), 1 + LEAVES.len());
        let admin: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("admin-client.json")).unwrap())
                .unwrap();
        assert_eq!(
            admin["subject_peer_certificate"],
            "CN=admin,OU=admins,O=gateway-hardening test"
        );
        assert_eq!(admin["dns_san_peer_certificate"], "admin.gateway.test");
        assert_eq!(
            admin["sha256_peer_certificate_digest"]
                .as_str()
                .unwrap()
                .len(),
            64
        );
        let wso2: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("wso2-default-like.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            wso2["subject_peer_certificate"],
            "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("server.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
