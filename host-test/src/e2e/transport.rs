//! Client connections to Envoy: TCP from a chosen 127.0.0.0/8 source address, optionally TLS
//! (rustls: version, SNI, client certificate, ALPN) with the test CA from `target/certs/`.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// How long a request may take end to end.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// TLS settings for one connection.
#[derive(Debug, Clone)]
pub struct TlsParams {
    /// `TLSv1.2` or `TLSv1.3`.
    pub version: String,
    /// SNI; `None` sends none.
    pub sni: Option<String>,
    /// Client certificate name under the certs folder (`<name>.crt` + `<name>.key`).
    pub client_cert: Option<String>,
    /// ALPN protocol (`h2` or `http/1.1`).
    pub alpn: &'static [u8],
}

/// A plaintext or TLS connection.
pub enum Conn {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

/// Connects to `addr` from `source` (an address in 127.0.0.0/8, port chosen by the system)
/// and, with `tls`, completes a handshake. Errors say which step failed.
pub fn connect(
    addr: &str,
    source: Option<IpAddr>,
    tls: Option<&TlsParams>,
    certs: &Path,
) -> Result<Conn, String> {
    let target: SocketAddr = addr
        .parse()
        .map_err(|e| format!("listener address `{addr}`: {e}"))?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(target),
        socket2::Type::STREAM,
        None,
    )
    .map_err(|e| format!("socket: {e}"))?;
    if let Some(ip) = source {
        socket
            .bind(&SocketAddr::new(ip, 0).into())
            .map_err(|e| format!("bind client socket to {ip}: {e}"))?;
    }
    socket
        .connect_timeout(&target.into(), TIMEOUT)
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    let tcp: TcpStream = socket.into();
    tcp.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    tcp.set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let _ = tcp.set_nodelay(true);
    let Some(tls) = tls else {
        return Ok(Conn::Plain(tcp));
    };
    let config = client_config(tls, certs)?;
    let name = match &tls.sni {
        Some(sni) => ServerName::try_from(sni.clone()).map_err(|e| format!("SNI `{sni}`: {e}"))?,
        None => ServerName::IpAddress(target.ip().into()),
    };
    let conn = ClientConnection::new(Arc::new(config), name).map_err(|e| format!("TLS: {e}"))?;
    let mut stream = StreamOwned::new(conn, tcp);
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .map_err(|e| format!("TLS handshake with {addr}: {e}"))?;
    }
    Ok(Conn::Tls(Box::new(stream)))
}

fn client_config(tls: &TlsParams, certs: &Path) -> Result<ClientConfig, String> {
    let version = match tls.version.as_str() {
        "TLSv1.2" => &rustls::version::TLS12,
        "TLSv1.3" => &rustls::version::TLS13,
        v => return Err(format!("unsupported TLS version `{v}`")),
    };
    let mut roots = RootCertStore::empty();
    let ca = ["ca.crt", "ca.pem", "ca-cert.pem"]
        .iter()
        .map(|n| certs.join(n))
        .find(|p| p.exists())
        .ok_or_else(|| format!("no test CA (ca.crt) under {}", certs.display()))?;
    for cert in CertificateDer::pem_file_iter(&ca).map_err(|e| format!("{}: {e}", ca.display()))? {
        let cert = cert.map_err(|e| format!("{}: {e}", ca.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", ca.display()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_root_certificates(roots);
    let mut config = match &tls.client_cert {
        Some(name) => {
            let crt = certs.join(format!("{name}.crt"));
            let key = certs.join(format!("{name}.key"));
            let chain = CertificateDer::pem_file_iter(&crt)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("client certificate {}: {e}", crt.display()))?;
            let key = PrivateKeyDer::from_pem_file(&key)
                .map_err(|e| format!("client key {}: {e}", key.display()))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| format!("client certificate: {e}"))?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![tls.alpn.to_vec()];
    Ok(config)
}

/// An I/O error as a sentence: a read timeout (`WouldBlock` or `TimedOut` on a socket with
/// [`TIMEOUT`]) says that no response came in time.
pub fn io_error(what: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => format!(
            "{what}: no response within {} s (the request is stuck at the gateway)",
            TIMEOUT.as_secs()
        ),
        _ => format!("{what}: {e}"),
    }
}
