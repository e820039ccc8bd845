//! The certificates a TLS context references (`certificate_chain`, `trusted_ca`: a `filename`
//! or an `inline_string` PEM), read with `x509-parser`: RSA keys under 2048 bits, EC keys under
//! 256, SHA-1 or MD5 signatures, and WSO2's published default keystore certificates (the
//! subjects and SHA-256 digests of tls-guard's presets, `policies/presets/tls-guard/`):
//! guideline P2. A certificate that cannot be read is a warning: it was not checked.

use std::path::Path;
use std::sync::OnceLock;

use policies::tls::subject::Subject;
use serde_json::Value;
use sha2::{Digest, Sha256};
use x509_parser::pem::Pem;
use x509_parser::public_key::PublicKey;

use super::rules;
use super::view::{CommonTlsContext, DataSource};
use super::{Allow, Ctx, join};

/// Signature algorithms the seeds refuse: MD2, MD4, MD5 and SHA-1 with RSA, DSA with SHA-1,
/// ECDSA with SHA-1 (OIDs of RFC 3279 and RFC 8017).
const WEAK_SIGNATURES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.2", "MD2 with RSA"),
    ("1.2.840.113549.1.1.3", "MD4 with RSA"),
    ("1.2.840.113549.1.1.4", "MD5 with RSA"),
    ("1.2.840.113549.1.1.5", "SHA-1 with RSA"),
    ("1.2.840.10040.4.3", "DSA with SHA-1"),
    ("1.2.840.10045.4.1", "ECDSA with SHA-1"),
];

/// WSO2's default certificates: subjects and SHA-256 digests from tls-guard's IS preset.
struct Defaults {
    subjects: Vec<Subject>,
    sha256: Vec<String>,
}

fn defaults() -> &'static Defaults {
    static D: OnceLock<Defaults> = OnceLock::new();
    D.get_or_init(|| {
        let json: Value = policies::presets::find("tls-guard", "wso2-is")
            .and_then(|p| serde_json::from_str(p.json).ok())
            .unwrap_or(Value::Null);
        let list = |key: &str| -> Vec<String> {
            json.pointer(&format!("/upstream/{key}"))
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        Defaults {
            subjects: list("refused_subjects")
                .iter()
                .filter_map(|s| Subject::parse(s))
                .collect(),
            sha256: list("refused_sha256")
                .into_iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
        }
    })
}

/// Checks every certificate `common_tls_context` (found at `path`) references.
pub fn check_context(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, c: &CommonTlsContext) {
    for (i, cert) in c.tls_certificates.iter().enumerate() {
        if let Some(ds) = &cert.certificate_chain {
            let p = join(path, &format!("tls_certificates[{i}].certificate_chain"));
            check_source(ctx, allow, &p, ds);
        }
    }
    if let Some(ds) = c
        .validation_context
        .as_ref()
        .and_then(|v| v.trusted_ca.as_ref())
    {
        check_source(ctx, allow, &join(path, "validation_context.trusted_ca"), ds);
    }
    if let Some(ds) = c
        .combined_validation_context
        .as_ref()
        .and_then(|v| v.default_validation_context.as_ref())
        .and_then(|v| v.trusted_ca.as_ref())
    {
        let p = join(
            path,
            "combined_validation_context.default_validation_context.trusted_ca",
        );
        check_source(ctx, allow, &p, ds);
    }
}

/// Checks the PEM certificates of one data source found at `path`.
pub fn check_source(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, ds: &DataSource) {
    let (bytes, what) = if let Some(f) = &ds.filename {
        let file = Path::new(f);
        let full = if file.is_relative() {
            ctx.opts.cert_root.join(file)
        } else {
            file.to_path_buf()
        };
        match read_limited(&full) {
            Ok(b) => (b, f.clone()),
            Err(e) => {
                unreadable(ctx, allow, path, &format!("{f} ({}): {e}", full.display()));
                return;
            }
        }
    } else if let Some(s) = &ds.inline_string {
        (s.as_bytes().to_vec(), "inline_string".to_owned())
    } else {
        return;
    };
    let mut seen = 0;
    for (k, pem) in Pem::iter_from_buffer(&bytes).enumerate() {
        let Ok(pem) = pem else { break };
        let Ok(cert) = pem.parse_x509() else {
            unreadable(
                ctx,
                allow,
                path,
                &format!("{what}: PEM block {k} is not an X.509 certificate"),
            );
            continue;
        };
        seen += 1;
        let name = format!("{what} (certificate {k}, subject \"{}\")", cert.subject());
        match cert.public_key().parsed() {
            Ok(PublicKey::RSA(rsa)) if rsa.key_size() < 2048 => {
                weak_key(ctx, allow, path, &name, "RSA", rsa.key_size())
            }
            Ok(PublicKey::EC(ec)) if ec.key_size() < 256 => {
                weak_key(ctx, allow, path, &name, "EC", ec.key_size())
            }
            Ok(PublicKey::DSA(_)) => weak_key(ctx, allow, path, &name, "DSA", 0),
            _ => {}
        }
        let oid = cert.signature_algorithm.algorithm.to_id_string();
        if let Some((_, alg)) = WEAK_SIGNATURES.iter().find(|(o, _)| *o == oid) {
            ctx.report(
                allow,
                rules::CERT_WEAK_SIGNATURE,
                path,
                format!("{name} is signed with {alg}"),
                "Reissue the certificate with a SHA-256 (or stronger) signature.",
            );
        }
        let digest: String = Sha256::digest(&pem.contents)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let d = defaults();
        let by_digest = d.sha256.contains(&digest);
        let by_subject = Subject::parse(&cert.subject().to_string())
            .is_some_and(|s| d.subjects.iter().any(|r| r.matches(&s)));
        if by_digest || by_subject {
            let how = if by_digest {
                format!("SHA-256 {digest}")
            } else {
                "subject".to_owned()
            };
            ctx.report(
                allow,
                rules::CERT_WSO2_DEFAULT,
                path,
                format!("{name} is a WSO2 default keystore certificate (matched by {how}); its private key is public"),
                "Replace wso2carbon with your own key pair (RSA 2048+ or EC P-256+, SHA-256) and trust only your CA.",
            );
        }
    }
    if seen == 0 {
        unreadable(
            ctx,
            allow,
            path,
            &format!("{what}: no PEM certificate in it"),
        );
    }
}

/// The largest certificate file read.
const MAX_CERT_BYTES: u64 = 1024 * 1024;

/// Reads a regular file of at most [`MAX_CERT_BYTES`]; anything else (a directory, a device, a
/// FIFO, a larger file) is refused with the reason.
fn read_limited(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_owned());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_CERT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_CERT_BYTES {
        return Err("larger than 1 MiB".to_owned());
    }
    Ok(bytes)
}

fn weak_key(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, name: &str, alg: &str, bits: usize) {
    let size = if bits == 0 {
        String::new()
    } else {
        format!(" of {bits} bits")
    };
    ctx.report(
        allow,
        rules::CERT_WEAK_KEY,
        path,
        format!("{name} has a {alg} key{size}"),
        "Use an RSA key of 2048 bits or more, or an EC key on P-256 or larger.",
    );
}

fn unreadable(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, why: &str) {
    ctx.report(
        allow,
        rules::CERT_UNREADABLE,
        path,
        format!("certificate not checked: {why}"),
        "Run the lint where the certificates are (--cert-root), or inline them.",
    );
}
