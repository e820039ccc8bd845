//! The TLS side of an exchange: rustls with the ring provider, trust anchors from a PEM file
//! or no verification at all (insecure), an optional client certificate.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, StreamOwned};

use super::{HttpError, Target, read_all, timeout_or};

/// Sends `raw` over TLS on `tcp` and reads the answer to its end before `deadline`; returns the
/// bytes and the version negotiated (`TLSv1.3`).
pub(super) fn exchange(
    target: &Target,
    tcp: TcpStream,
    raw: &[u8],
    deadline: Instant,
    head_only: bool,
) -> Result<(Vec<u8>, Option<String>), HttpError> {
    let config = Arc::new(config(target)?);
    let name = ServerName::try_from(target.server_name().to_owned())
        .map_err(|e| HttpError::Tls(format!("{:?} as a server name: {e}", target.server_name())))?;
    let conn = ClientConnection::new(config, name).map_err(|e| HttpError::Tls(e.to_string()))?;
    let mut stream = StreamOwned::new(conn, tcp);
    stream.write_all(raw).map_err(|e| tls_error(e, target))?;
    stream.flush().map_err(|e| tls_error(e, target))?;
    let version = stream.conn.protocol_version().map(|v| match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
        other => format!("{other:?}"),
    });
    let tcp = stream.sock.try_clone()?;
    let bytes = read_all(&mut stream, &tcp, deadline, target.timeout, head_only)?;
    Ok((bytes, version))
}

/// A handshake failure (rustls reports it as `InvalidData`) as [`HttpError::Tls`].
fn tls_error(e: std::io::Error, target: &Target) -> HttpError {
    if e.kind() == std::io::ErrorKind::InvalidData {
        HttpError::Tls(e.to_string())
    } else {
        timeout_or(e, target)
    }
}

/// The client configuration of `target`.
fn config(target: &Target) -> Result<ClientConfig, HttpError> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpError::Tls(e.to_string()))?;
    let builder = if target.insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
    } else {
        let Some(ca) = &target.ca else {
            return Err(HttpError::NoTrustAnchors(target.connect.clone()));
        };
        let mut roots = RootCertStore::empty();
        for cert in certs(ca)? {
            roots.add(cert).map_err(|e| pem_error(ca, e))?;
        }
        builder.with_root_certificates(roots)
    };
    match &target.client_cert {
        None => Ok(builder.with_no_client_auth()),
        Some((chain, key)) => {
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_error(key, e))?;
            builder
                .with_client_auth_cert(certs(chain)?, key)
                .map_err(|e| HttpError::Tls(e.to_string()))
        }
    }
}

/// Every certificate of a PEM file (at least one).
fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, HttpError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e))?;
    if certs.is_empty() {
        return Err(pem_error(path, "no certificate"));
    }
    Ok(certs)
}

fn pem_error(path: &Path, e: impl std::fmt::Display) -> HttpError {
    HttpError::Pem {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Accepts every server certificate ([`Target::insecure`]); signatures are still checked
/// against the certificate presented, so the handshake itself stays sound.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
