//! Pushing and pulling through the OCI Distribution API with `oci-client`. TLS by default (the
//! system's roots, plus `--ca-cert`); plain HTTP only for a loopback registry and only when asked.
//! Errors carry the registry's own message (the `errors[].code`/`message` of its JSON answer).

use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use oci_client::client::{Certificate, CertificateEncoding, ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference, RegistryOperation};

use crate::digest::oci_digest;
use crate::image::{Descriptor, Manifest, extract_module};
use crate::layout::Loaded;
use crate::spec;

/// How to reach the registry.
#[derive(Debug, Clone, Default)]
pub struct Transport {
    /// Speak plain HTTP (only accepted for loopback registries).
    pub plain_http: bool,
    /// A PEM CA certificate to trust besides the system's roots.
    pub ca_cert: Option<std::path::PathBuf>,
}

/// True for `localhost`, `127.0.0.0/8` and `::1`, with or without a port.
pub fn is_loopback(registry: &str) -> bool {
    let host = if let Some(rest) = registry.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match registry.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => registry,
        }
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A client for `registry`.
pub fn client(registry: &str, transport: &Transport) -> Result<Client> {
    if transport.plain_http && !is_loopback(registry) {
        bail!(
            "--plain-http is only for registries on loopback (localhost, 127.0.0.0/8, ::1); \
             {registry} must be reached over TLS"
        );
    }
    // reqwest is built without a crypto provider of its own: use rustls' ring, as the rest of
    // the workspace does. A second call finds it installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = ClientConfig {
        protocol: if transport.plain_http {
            ClientProtocol::HttpsExcept(vec![registry.to_owned()])
        } else {
            ClientProtocol::Https
        },
        connect_timeout: Some(Duration::from_secs(10)),
        read_timeout: Some(Duration::from_secs(60)),
        ..ClientConfig::default()
    };
    if let Some(ca) = &transport.ca_cert {
        let data = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        config.extra_root_certificates.push(Certificate {
            encoding: CertificateEncoding::Pem,
            data,
        });
    }
    Client::try_from(config).map_err(|e| explain(e, "cannot set up the registry client"))
}

/// Pushes the image in `image` to `reference` (a tag): every blob, then the manifest (the
/// registry refuses a manifest whose blobs it lacks, so a failure before it leaves no tag), then
/// reads the manifest digest back and compares it with ours.
pub async fn push(
    client: &Client,
    reference: &Reference,
    auth: &RegistryAuth,
    image: &Loaded,
) -> Result<()> {
    let at = reference.whole();
    client
        .auth(reference, auth, RegistryOperation::Push)
        .await
        .map_err(|e| {
            explain(
                e,
                &format!("cannot authenticate to {}", reference.registry()),
            )
        })?;
    for (d, bytes) in &image.blobs {
        client
            .push_blob(reference, bytes.clone(), &d.digest)
            .await
            .map_err(|e| explain(e, &format!("pushing blob {} to {at} failed", d.digest)))?;
    }
    let content_type = spec::MANIFEST.parse().context("bad media type")?;
    client
        .push_manifest_raw(reference, image.manifest_bytes.clone(), content_type)
        .await
        .map_err(|e| explain(e, &format!("pushing the manifest to {at} failed")))?;
    let stored = client
        .fetch_manifest_digest(reference, auth)
        .await
        .map_err(|e| {
            explain(
                e,
                &format!("reading back the manifest digest of {at} failed"),
            )
        })?;
    ensure!(
        stored == image.manifest_digest,
        "{at} now names manifest {stored}, not the pushed {}",
        image.manifest_digest
    );
    Ok(())
}

/// What `pull` brings back.
pub struct Pulled {
    /// The manifest digest, checked against the reference's digest when it has one.
    pub manifest_digest: String,
    /// The manifest.
    pub manifest: Manifest,
    /// The module, out of either variant.
    pub module: Vec<u8>,
}

/// Pulls the image at `reference` and extracts its module. Every blob is checked against its
/// digest; a reference by digest must match the manifest's bytes.
pub async fn pull(client: &Client, reference: &Reference, auth: &RegistryAuth) -> Result<Pulled> {
    let at = reference.whole();
    let (bytes, digest) = client
        .pull_manifest_raw(reference, auth, &[spec::MANIFEST, spec::DOCKER_MANIFEST])
        .await
        .map_err(|e| explain(e, &format!("pulling the manifest of {at} failed")))?;
    let computed = oci_digest(&bytes);
    if let Some(want) = reference.digest() {
        ensure!(
            computed == want,
            "{at}: the registry sent a manifest with digest {computed}"
        );
    }
    ensure!(
        computed == digest,
        "{at}: manifest digest {computed}, registry says {digest}"
    );
    let manifest: Manifest =
        serde_json::from_slice(&bytes).with_context(|| format!("{at}: not an image manifest"))?;
    let mut blobs: Vec<(Descriptor, Vec<u8>)> = Vec::new();
    for d in &manifest.layers {
        let mut out = Vec::new();
        client
            .pull_blob(reference, d.digest.as_str(), &mut out)
            .await
            .map_err(|e| explain(e, &format!("pulling blob {} of {at} failed", d.digest)))?;
        ensure!(
            oci_digest(&out) == d.digest,
            "blob {} does not match its digest",
            d.digest
        );
        blobs.push((d.clone(), out));
    }
    let module = extract_module(&manifest, |d| {
        blobs
            .iter()
            .find(|(b, _)| b.digest == d.digest)
            .map(|(_, bytes)| bytes.clone())
            .context("layer not pulled")
    })?;
    Ok(Pulled {
        manifest_digest: computed,
        manifest,
        module,
    })
}

/// An error that says what failed and what the registry answered.
fn explain(e: OciDistributionError, what: &str) -> anyhow::Error {
    let detail = match &e {
        OciDistributionError::ServerError { code, url, message } => {
            format!("{url} answered HTTP {code}: {}", registry_message(message))
        }
        OciDistributionError::RegistryError { envelope, url } => {
            let json = serde_json::to_string(envelope).unwrap_or_default();
            format!("{url} answered: {}", registry_message(&json))
        }
        OciDistributionError::UnauthorizedError { url } => {
            format!("{url} answered HTTP 401 (unauthorized): check the credentials")
        }
        OciDistributionError::AuthenticationFailure(m) => {
            format!("the token service refused: {}", registry_message(m))
        }
        _ => return anyhow::Error::new(e).context(what.to_owned()),
    };
    anyhow::anyhow!("{what}: {detail}")
}

/// `CODE: message` for each entry of an OCI error body (distribution-spec "Error Codes"), or the
/// body itself, trimmed, when it is not one.
pub fn registry_message(body: &str) -> String {
    let parsed: Option<Vec<String>> = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let errors = v.get("errors")?.as_array()?;
            Some(
                errors
                    .iter()
                    .map(|e| {
                        let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("?");
                        let msg = e.get("message").and_then(|m| m.as_str()).unwrap_or("");
                        format!("{code}: {msg}")
                    })
                    .collect(),
            )
        });
    match parsed {
        Some(list) if !list.is_empty() => list.join("; "),
        _ if body.trim().is_empty() => "(empty body)".to_owned(),
        _ => body.trim().to_owned(),
    }
}

/// `registry/prefix/<filter>:tag` from `registry/prefix:tag`.
pub fn filter_reference(prefix: &Reference, filter: &str) -> Reference {
    Reference::with_tag(
        prefix.registry().to_owned(),
        format!("{}/{filter}", prefix.repository()),
        prefix.tag().unwrap_or("latest").to_owned(),
    )
}

/// Parses `registry/repository[:tag][@digest]`, refusing a reference without an explicit
/// registry host (which would silently mean Docker Hub).
pub fn parse_reference(s: &str) -> Result<Reference> {
    let first = s.split('/').next().unwrap_or_default();
    ensure!(
        s.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost"),
        "`{s}`: name the registry, as in REGISTRY/REPOSITORY:TAG (e.g. 127.0.0.1:5000/gateway-hardening:0.1.0)"
    );
    s.parse::<Reference>()
        .with_context(|| format!("`{s}` is not an image reference"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_loopback_accepts_only_loopback_hosts() {
        for r in [
            "localhost:5000",
            "127.0.0.1:5000",
            "127.8.9.10",
            "[::1]:5000",
            "LOCALHOST",
        ] {
            assert!(is_loopback(r), "{r}");
        }
        for r in [
            "10.0.0.1:5000",
            "registry.example.com",
            "localhost.example.com:5000",
            "[::2]:1",
        ] {
            assert!(!is_loopback(r), "{r}");
        }
    }

    #[test]
    fn client_refuses_plain_http_to_remote_registry() {
        let t = Transport {
            plain_http: true,
            ca_cert: None,
        };
        let err = client("registry.example.com", &t)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("only for registries on loopback"), "{err}");
        assert!(client("127.0.0.1:5000", &t).is_ok());
    }

    #[test]
    fn registry_message_quotes_oci_error_codes() {
        let body = r#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":null}]}"#;
        assert_eq!(
            registry_message(body),
            "UNAUTHORIZED: authentication required"
        );
        assert_eq!(registry_message(" plain text \n"), "plain text");
        assert_eq!(registry_message(""), "(empty body)");
    }

    #[test]
    fn references_name_registry_and_filter() {
        let p = parse_reference("127.0.0.1:5000/gateway-hardening:0.1.0").unwrap();
        let r = filter_reference(&p, "tls-guard");
        assert_eq!(
            r.whole(),
            "127.0.0.1:5000/gateway-hardening/tls-guard:0.1.0"
        );
        assert!(parse_reference("gateway-hardening:0.1.0").is_err());
        assert!(parse_reference("library/busybox:1").is_err());
    }
}
