//! Helpers for the tests that run the real binary: start it, read its stdout, and speak raw
//! HTTP/1.1 (plain or over a rustls client) so that odd request targets reach it byte for byte.
// An integration test crate: clippy.toml's allow-*-in-tests covers `#[test]` functions, not
// their helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};

pub const WAIT: Duration = Duration::from_secs(10);

/// The mock process; killed if a test fails before it is stopped.
pub struct Mock {
    pub child: Child,
    pub lines: mpsc::Receiver<String>,
    pub addrs: Vec<SocketAddr>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mock {
    pub fn start(args: &[&str], listeners: usize) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mock-wso2"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        let mut mock = Mock {
            child,
            lines,
            addrs: Vec::new(),
        };
        while mock.addrs.len() < listeners {
            let line = mock.next_line();
            let (_, addr) = line.split_once(" listening on ").unwrap();
            mock.addrs.push(addr.parse().unwrap());
        }
        mock
    }

    pub fn next_line(&self) -> String {
        self.lines.recv_timeout(WAIT).expect("a line from the mock")
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn all(&self, name: &str) -> Vec<&[u8]> {
        let hits = self.headers.iter().filter(|(n, _)| n == name);
        hits.map(|(_, v)| v.as_slice()).collect()
    }

    pub fn one(&self, name: &str) -> &str {
        let all = self.all(name);
        assert_eq!(all.len(), 1, "{name} in {self:?}");
        std::str::from_utf8(all[0]).unwrap()
    }

    pub fn body(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

/// Sends one request and reads one response framed by Content-Length.
pub fn exchange(stream: &mut impl ReadWrite, request: &str) -> Resp {
    stream.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed in the head: {buf:?}");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = buf[..head_end].to_vec();
    let mut body = buf[head_end + 4..].to_vec();
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = std::str::from_utf8(lines.next().unwrap()).unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, Vec<u8>)> = lines
        .map(|l| {
            let colon = l.iter().position(|&b| b == b':').unwrap();
            let name = String::from_utf8(l[..colon].to_ascii_lowercase()).unwrap();
            (name, l[colon + 1..].trim_ascii().to_vec())
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| std::str::from_utf8(v).unwrap().parse().unwrap());
    while body.len() < len {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed in the body");
        body.extend_from_slice(&chunk[..n]);
    }
    Resp {
        status,
        headers,
        body,
    }
}

pub trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream
}

pub fn get(addr: SocketAddr, target: &str, extra: &str) -> Resp {
    let req = format!("GET {target} HTTP/1.1\r\nHost: wso2\r\n{extra}Connection: close\r\n\r\n");
    exchange(&mut connect(addr), &req)
}

pub fn tls_client(ca_pem: &str, version: &'static SupportedProtocolVersion) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let mut config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// Bytes that a test expects to be UTF-8.
pub fn utf8(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}
