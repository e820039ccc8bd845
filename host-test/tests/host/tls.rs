//! The differential runner's TLS client against an in-process rustls server: version, SNI,
//! ALPN and client certificate reach the server as the scenario asked, from a chosen
//! loopback source address.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use host_test::e2e::transport::{TlsParams, connect};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

struct Pki {
    dir: PathBuf,
    server: ServerConfig,
}

/// A CA, a server certificate for `gateway.test` and a client certificate `admin`, written as
/// `ca.crt`, `admin.crt`, `admin.key` into a folder of this test's own.
#[allow(clippy::unwrap_used)]
fn pki(name: &str) -> Pki {
    let dir = std::env::temp_dir().join(format!("host-test-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["gateway.test".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client_params = CertificateParams::new(vec!["admin.test".to_string()]).unwrap();
    client_params
        .distinguished_name
        .push(DnType::CommonName, "admin");
    let client_cert = client_params.signed_by(&client_key, &ca).unwrap();
    std::fs::write(dir.join("ca.crt"), ca.pem()).unwrap();
    std::fs::write(dir.join("admin.crt"), client_cert.pem()).unwrap();
    std::fs::write(dir.join("admin.key"), client_key.serialize_pem()).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .allow_unauthenticated()
        .build()
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let mut server = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12, &rustls::version::TLS13])
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(server_cert.der().to_vec())], key)
        .unwrap();
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Pki { dir, server }
}

/// Accepts one connection and writes what it negotiated: `version sni alpn client peer-ip`.
#[allow(clippy::unwrap_used)]
fn serve_once(config: ServerConfig) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = std::thread::spawn(move || {
        let (tcp, peer) = listener.accept().unwrap();
        let conn = ServerConnection::new(Arc::new(config)).unwrap();
        let mut s = StreamOwned::new(conn, tcp);
        while s.conn.is_handshaking() {
            s.conn.complete_io(&mut s.sock).unwrap();
        }
        let report = format!(
            "{:?} {} {} {} {}",
            s.conn.protocol_version().unwrap(),
            s.conn.server_name().unwrap_or("-"),
            String::from_utf8_lossy(s.conn.alpn_protocol().unwrap_or(b"-")),
            if s.conn.peer_certificates().is_some() {
                "client-cert"
            } else {
                "no-client-cert"
            },
            peer.ip(),
        );
        s.write_all(report.as_bytes()).unwrap();
        s.conn.send_close_notify();
        let _ = s.flush();
    });
    (addr, handle)
}

fn read_all(mut conn: impl Read) -> String {
    let mut out = Vec::new();
    let _ = conn.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn tls13_with_sni_alpn_h2_and_client_certificate() {
    let pki = pki("13");
    let (addr, server) = serve_once(pki.server);
    let params = TlsParams {
        version: "TLSv1.3".to_string(),
        sni: Some("gateway.test".to_string()),
        client_cert: Some("admin".to_string()),
        alpn: b"h2",
    };
    let conn = connect(
        &addr,
        Some("127.0.0.7".parse().unwrap()),
        Some(&params),
        &pki.dir,
    )
    .unwrap();
    assert_eq!(
        read_all(conn),
        "TLSv1_3 gateway.test h2 client-cert 127.0.0.7"
    );
    server.join().unwrap();
}

#[test]
fn tls12_without_client_certificate() {
    let pki = pki("12");
    let (addr, server) = serve_once(pki.server);
    let params = TlsParams {
        version: "TLSv1.2".to_string(),
        sni: Some("gateway.test".to_string()),
        client_cert: None,
        alpn: b"http/1.1",
    };
    let conn = connect(&addr, None, Some(&params), &pki.dir).unwrap();
    assert_eq!(
        read_all(conn),
        "TLSv1_2 gateway.test http/1.1 no-client-cert 127.0.0.1"
    );
    server.join().unwrap();
}

#[test]
fn missing_ca_is_named() {
    let dir = std::env::temp_dir().join(format!("host-test-tls-{}-none", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let params = TlsParams {
        version: "TLSv1.3".to_string(),
        sni: None,
        client_cert: None,
        alpn: b"h2",
    };
    let err = connect(&addr, None, Some(&params), &dir).err().unwrap();
    assert!(err.contains("no test CA"), "{err}");
}
