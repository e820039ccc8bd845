//! The exchange against local servers: plaintext on a `TcpListener`, TLS with rustls and an
//! rcgen certificate, both on 127.0.0.1 with an ephemeral port.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::*;

/// Reads a request head (up to the blank line) from `s`.
fn read_head(s: &mut impl Read) -> Vec<u8> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    head
}

/// A plaintext server for one connection: it reads the request head, answers `answer` and
/// closes; the thread returns the head it read.
fn serve_once(answer: &'static [u8]) -> (String, JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let thread = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let head = read_head(&mut s);
        s.write_all(answer).unwrap();
        head
    });
    (addr, thread)
}

fn plain(addr: &str) -> Target {
    Target {
        tls: false,
        connect: addr.to_owned(),
        host: "a.test".to_owned(),
        ca: None,
        insecure: false,
        client_cert: None,
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn send_keeps_the_target_byte_for_byte() {
    // (case, request target)
    let cases = [
        ("dot segments encoded, path parameter", "/%2e%2e;/carbon"),
        ("upper case", "/CARBON"),
        ("double slash", "//carbon/"),
        ("encoded NUL in the query", "/a?b=%00&c=%2F"),
        ("backslash", "/carbon\\..\\x"),
    ];
    for (case, request_target) in cases {
        let (addr, server) = serve_once(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        let answer = send(&plain(&addr), "GET", request_target, &[("X-A", "1")]).unwrap();
        let head = String::from_utf8(server.join().unwrap()).unwrap();
        assert_eq!(
            head.lines().next(),
            Some(format!("GET {request_target} HTTP/1.1").as_str()),
            "{case}"
        );
        assert!(head.contains("\r\nHost: a.test\r\n"), "{case}: {head}");
        assert!(head.contains("\r\nX-A: 1\r\n"), "{case}: {head}");
        assert!(head.contains("\r\nConnection: close\r\n"), "{case}: {head}");
        assert_eq!(answer.status, 403, "{case}");
    }
}

#[test]
fn answers_are_framed_as_rfc_9112_says() {
    // (case, raw answer, request is HEAD, status, body wanted)
    type Case = (&'static str, &'static [u8], bool, u16, &'static [u8]);
    let cases: &[Case] = &[
        (
            "content-length shorter than what came",
            b"HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 2\r\n\r\nhello",
            false,
            200,
            b"he",
        ),
        (
            "chunked, with an extension and a trailer",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nT: v\r\n\r\n",
            false,
            200,
            b"Wikipedia",
        ),
        (
            "read to the close",
            b"HTTP/1.1 200 OK\r\n\r\nall of it",
            false,
            200,
            b"all of it",
        ),
        (
            "100 Continue skipped",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx",
            false,
            201,
            b"x",
        ),
        (
            "204 has no body",
            b"HTTP/1.1 204 No Content\r\n\r\n",
            false,
            204,
            b"",
        ),
        (
            "HEAD has no body",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
            true,
            200,
            b"",
        ),
    ];
    for (case, raw, head, status, body) in cases {
        let (addr, server) = serve_once(raw);
        let method = if *head { "HEAD" } else { "GET" };
        let answer =
            send(&plain(&addr), method, "/", &[]).unwrap_or_else(|e| panic!("{case}: {e}"));
        server.join().unwrap();
        assert_eq!(answer.status, *status, "{case}");
        assert_eq!(answer.body, *body, "{case}");
        assert_eq!(answer.tls_version, None, "{case}");
    }
    let (addr, server) = serve_once(b"HTTP/1.1 200 OK\r\nServer: WSO2 Carbon Server\r\nSet-Cookie: a=1\r\nset-cookie: b=\xff\r\nContent-Length: 0\r\n\r\n");
    let answer = send(&plain(&addr), "GET", "/", &[]).unwrap();
    server.join().unwrap();
    assert_eq!(answer.get("SERVER"), vec![&b"WSO2 Carbon Server"[..]]);
    assert_eq!(answer.get("set-cookie"), vec![&b"a=1"[..], &b"b=\xff"[..]]);
    assert_eq!(answer.headers[0].0, "server");
}

#[test]
fn bad_answers_are_errors() {
    // (case, raw answer)
    let cases: &[(&str, &'static [u8])] = &[
        ("nothing", b""),
        ("head cut short", b"HTTP/1.1 200 OK\r\nA: b\r\n"),
        ("not HTTP", b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
        (
            "chunk cut short",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nab",
        ),
        (
            "body shorter than its length",
            b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab",
        ),
    ];
    for (case, raw) in cases {
        let (addr, server) = serve_once(raw);
        let got = send(&plain(&addr), "GET", "/", &[]);
        server.join().unwrap();
        assert!(
            matches!(got, Err(HttpError::BadResponse(_))),
            "{case}: {got:?}"
        );
    }
}

#[test]
fn send_times_out_on_a_silent_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (s, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        drop(s);
    });
    let mut target = plain(&addr);
    target.timeout = Duration::from_millis(300);
    let start = Instant::now();
    let got = send(&target, "GET", "/", &[]);
    assert!(matches!(got, Err(HttpError::Timeout(_))), "{got:?}");
    assert!(
        start.elapsed() < Duration::from_millis(1200),
        "{:?}",
        start.elapsed()
    );
    server.join().unwrap();
}

#[test]
fn send_fails_on_a_refused_connection() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let got = send(&plain(&format!("127.0.0.1:{port}")), "GET", "/", &[]);
    assert!(matches!(got, Err(HttpError::Connect { .. })), "{got:?}");
}

#[test]
fn from_url_splits_target_and_request_target() {
    // (url, tls, connect, host, request target)
    let cases = [
        ("http://a.test", false, "a.test:80", "a.test", "/"),
        ("https://a.test", true, "a.test:443", "a.test", "/"),
        (
            "https://a.test:9443/carbon/",
            true,
            "a.test:9443",
            "a.test:9443",
            "/carbon/",
        ),
        (
            "http://127.0.0.1:8080/%2e%2e;/x?y=1",
            false,
            "127.0.0.1:8080",
            "127.0.0.1:8080",
            "/%2e%2e;/x?y=1",
        ),
        ("http://a.test?q", false, "a.test:80", "a.test", "/?q"),
        (
            "https://[::1]:8443//x",
            true,
            "[::1]:8443",
            "[::1]:8443",
            "//x",
        ),
    ];
    for (url, tls, connect, host, request_target) in cases {
        let (t, rt) = Target::from_url(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(
            (t.tls, t.connect.as_str(), t.host.as_str(), rt.as_str()),
            (tls, connect, host, request_target),
            "{url}"
        );
    }
    assert_eq!(
        Target::from_url("https://[::1]:8443/")
            .unwrap()
            .0
            .server_name(),
        "::1"
    );
    assert_eq!(
        Target::from_url("https://a.test:1/")
            .unwrap()
            .0
            .server_name(),
        "a.test"
    );
    for url in [
        "ftp://a.test/",
        "http://",
        "http://u@a.test/",
        "http://a.test:x/",
        "http://a.test/#f",
    ] {
        assert!(
            matches!(Target::from_url(url), Err(HttpError::BadUrl { .. })),
            "{url}"
        );
    }
}

/// A temporary folder removed on drop.
pub(crate) struct TempDir(pub(crate) std::path::PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("gh-cli-http-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A TLS server for `localhost` (an rcgen self-signed certificate, written as `ca.pem` into
/// `dir`) that serves one connection with `answer`, if the handshake succeeds.
pub(crate) fn tls_serve_once(dir: &TempDir, answer: &'static [u8]) -> (String, JoinHandle<()>) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    std::fs::write(dir.0.join("ca.pem"), cert.cert.pem()).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.cert.der().clone()], key)
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let thread = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut s = rustls::StreamOwned::new(conn, tcp);
        let head = read_head(&mut s);
        if head.is_empty() {
            return;
        }
        let _ = s.write_all(answer);
        s.conn.send_close_notify();
        let _ = s.flush();
    });
    (addr, thread)
}

#[test]
fn tls_exchanges_trust_the_ca_given_or_nothing_when_insecure() {
    // (case, CA file: the server's, another one, none; insecure, Ok wanted)
    let cases = [
        ("the server's CA", "ca.pem", false, true),
        ("insecure", "", true, true),
        ("another CA", "other.pem", false, false),
        ("no CA, not insecure", "", false, false),
    ];
    let dir = TempDir::new("tls");
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    std::fs::write(dir.0.join("other.pem"), other.cert.pem()).unwrap();
    for (case, ca, insecure, ok) in cases {
        let (addr, server) = tls_serve_once(
            &dir,
            b"HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=63072000\r\nContent-Length: 2\r\n\r\nok",
        );
        let target = Target {
            tls: true,
            connect: addr,
            host: "localhost".to_owned(),
            ca: (!ca.is_empty()).then(|| dir.0.join(ca)),
            insecure,
            client_cert: None,
            timeout: Duration::from_secs(5),
        };
        let got = send(&target, "GET", "/%2e%2e;/carbon", &[]);
        server.join().unwrap();
        match got {
            Ok(answer) if ok => {
                assert_eq!(answer.status, 200, "{case}");
                assert_eq!(answer.body, b"ok", "{case}");
                assert_eq!(answer.tls_version.as_deref(), Some("TLSv1.3"), "{case}");
                assert_eq!(answer.get("strict-transport-security").len(), 1, "{case}");
            }
            Err(HttpError::Tls(_) | HttpError::NoTrustAnchors(_)) if !ok => {}
            other => panic!("{case}: {other:?}"),
        }
    }
}

/// Envoy keeps the connection open for a while after a local reply (its delayed close): an
/// answer whose framing says it is complete must not wait for the peer to close.
#[test]
fn a_framed_answer_does_not_wait_for_the_close() {
    let cases: [(&str, &'static [u8]); 3] = [
        (
            "content-length",
            b"HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno",
        ),
        (
            "chunked",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        ),
        ("no body", b"HTTP/1.1 204 No Content\r\n\r\n"),
    ];
    for (name, answer) in cases {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            read_head(&mut s);
            s.write_all(answer).unwrap();
            // Held open until the client is done (it closes): never closed by the server.
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest);
        });
        let mut target = plain(&addr);
        target.timeout = Duration::from_secs(2);
        let got = send(&target, "GET", "/", &[]);
        assert!(got.is_ok(), "{name}: {got:?}");
        server.join().unwrap();
    }
}
