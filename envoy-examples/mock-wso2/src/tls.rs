//! HTTPS listeners: the `--https ADDR,CERT,KEY` argument and the rustls server configuration
//! (ring provider, TLS 1.2 and 1.3, ALPN `http/1.1`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{ServerConfig, version};

/// One `--https` argument: where to listen and the PEM files to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpsSpec {
    /// The address to bind.
    pub(crate) addr: SocketAddr,
    /// The certificate chain, PEM, leaf first.
    pub(crate) cert: PathBuf,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub(crate) key: PathBuf,
}

impl FromStr for HttpsSpec {
    type Err = anyhow::Error;

    /// Parses `ADDR,CERT_PEM,KEY_PEM` (the key path may contain commas, the others may not).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, ',');
        let (Some(addr), Some(cert), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            bail!("expected ADDR,CERT_PEM,KEY_PEM, got {s:?}");
        };
        if cert.is_empty() || key.is_empty() {
            bail!("expected ADDR,CERT_PEM,KEY_PEM with both files named, got {s:?}");
        }
        Ok(HttpsSpec {
            addr: addr
                .parse()
                .with_context(|| format!("bad address {addr:?}"))?,
            cert: cert.into(),
            key: key.into(),
        })
    }
}

/// Loads the certificate chain and key and builds the server configuration.
pub(crate) fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("reading certificates from {}", cert.display()))?;
    if chain.is_empty() {
        bail!("no certificate in {}", cert.display());
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("reading a private key from {}", key.display()))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_protocol_versions(&[&version::TLS13, &version::TLS12])
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .context("certificate and key do not make a usable pair")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spec() {
        let spec: HttpsSpec = "127.0.0.1:18443,/a/cert.pem,/b/key,with,commas.pem"
            .parse()
            .unwrap();
        assert_eq!(spec.addr, "127.0.0.1:18443".parse().unwrap());
        assert_eq!(spec.cert, Path::new("/a/cert.pem"));
        assert_eq!(spec.key, Path::new("/b/key,with,commas.pem"));
        for bad in ["127.0.0.1:1", "127.0.0.1:1,c", "x:1,c,k", "127.0.0.1:1,,k"] {
            assert!(bad.parse::<HttpsSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn loads_a_generated_pair_and_rejects_a_mismatch() {
        let dir = std::env::temp_dir().join(format!("mock-wso2-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let b = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let (cert, key, other_key) = (dir.join("c.pem"), dir.join("k.pem"), dir.join("o.pem"));
        std::fs::write(&cert, a.cert.pem()).unwrap();
        std::fs::write(&key, a.signing_key.serialize_pem()).unwrap();
        std::fs::write(&other_key, b.signing_key.serialize_pem()).unwrap();
        let config = server_config(&cert, &key).unwrap();
        assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
        assert!(server_config(&cert, &other_key).is_err());
        assert!(server_config(&key, &key).is_err());
        assert!(server_config(&dir.join("missing.pem"), &key).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
