//! The header scan against local servers answering a weak and a hardened header set.

use std::io::Write;
use std::net::TcpListener;
use std::time::Duration;

use super::*;
use crate::http::tests::{TempDir, tls_serve_once};

/// A plaintext server for one connection answering `answer` after the request head.
fn serve_once(answer: Vec<u8>) -> (String, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let thread = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            match std::io::Read::read(&mut s, &mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => break,
            }
        }
        let _ = s.write_all(&answer);
    });
    (addr, thread)
}

/// An answer with `headers` and an empty body.
fn answer(headers: &[(String, String)]) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
    for (n, v) in headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    out
}

/// OWASP's own values (the add list, the deprecated headers' values), without HSTS over
/// plaintext and without Clear-Site-Data (not a logout).
fn hardened(tls: bool) -> Vec<(String, String)> {
    let lists = crate::grade::lists().unwrap();
    let mut h: Vec<(String, String)> = lists
        .add
        .iter()
        .filter(|r| tls || !r.name.eq_ignore_ascii_case("strict-transport-security"))
        .filter(|r| !r.name.eq_ignore_ascii_case("clear-site-data"))
        .map(|r| (r.name.clone(), r.value.clone()))
        .collect();
    h.extend(
        lists
            .deprecated
            .iter()
            .map(|d| (d.name.clone(), d.value.clone())),
    );
    h
}

/// What WSO2 Carbon answers without a gateway: its Server header, a session cookie without
/// attributes, nothing of OWASP's list.
fn weak() -> Vec<(String, String)> {
    vec![
        ("Server".into(), "WSO2 Carbon Server".into()),
        ("Set-Cookie".into(), "JSESSIONID=0A1B; Path=/".into()),
        ("Content-Type".into(), "text/html".into()),
    ]
}

fn request(target: Target) -> Request {
    Request {
        target,
        request_target: "/carbon/admin/login.jsp".into(),
        exchange: Exchange::sensitive(false),
    }
}

fn plain(addr: &str) -> Target {
    let (mut t, _) = Target::from_url(&format!("http://{addr}/")).unwrap();
    t.timeout = Duration::from_secs(5);
    t
}

fn tls(addr: &str, dir: &TempDir) -> Target {
    Target {
        tls: true,
        connect: addr.to_owned(),
        host: "localhost".into(),
        ca: Some(dir.0.join("ca.pem")),
        insecure: false,
        client_cert: None,
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn weak_answers_break_the_header_guidelines() {
    let dir = TempDir::new("headers-weak");
    let raw: &'static [u8] = Box::leak(answer(&weak()).into_boxed_slice());
    let (addr, server) = tls_serve_once(&dir, raw);
    let results = scan(&[request(tls(&addr, &dir))]);
    server.join().unwrap();
    let [result] = results.as_slice() else {
        panic!("{results:?}")
    };
    assert_eq!(result.status, Some(200));
    assert_eq!(result.grade, Some(Grade::F));
    // (guideline, rule) that must be among the findings, each an error.
    let wanted = [
        ("P10", "header-fingerprint"),
        ("P11", "header-hsts"),
        ("P12", "header-cache-control"),
        ("P16", "header-csp"),
        ("P16", "header-frame-options"),
        ("P17", "header-cookie-attributes"),
    ];
    for (guideline, rule) in wanted {
        let f = result
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("{rule}: not among {:#?}", result.findings));
        assert_eq!(f.guideline, guideline, "{rule}");
        assert_eq!(f.severity, Severity::Error, "{rule}");
        assert_eq!(
            f.location, "https://localhost/carbon/admin/login.jsp",
            "{rule}"
        );
    }
    let server = result
        .findings
        .iter()
        .find(|f| f.rule == "header-fingerprint");
    assert!(
        server.is_some_and(|f| f.message.contains("WSO2 Carbon Server")),
        "{server:?}"
    );
}

#[test]
fn hardened_answers_make_no_finding() {
    // (case, over TLS)
    for (case, over_tls) in [("plaintext", false), ("TLS", true)] {
        let dir = TempDir::new(&format!("headers-hardened-{over_tls}"));
        let raw = answer(&hardened(over_tls));
        let (target, server) = if over_tls {
            let (addr, server) = tls_serve_once(&dir, Box::leak(raw.into_boxed_slice()));
            (tls(&addr, &dir), server)
        } else {
            let (addr, server) = serve_once(raw);
            (plain(&addr), server)
        };
        let results = scan(&[request(target)]);
        server.join().unwrap();
        let [result] = results.as_slice() else {
            panic!("{case}: {results:?}")
        };
        assert_eq!(
            result.grade,
            Some(Grade::APlus),
            "{case}: {:#?}",
            result.findings
        );
        assert!(result.findings.is_empty(), "{case}: {:#?}", result.findings);
    }
}

#[test]
fn an_unreachable_url_is_a_finding() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let results = scan(&[request(plain(&format!("127.0.0.1:{port}")))]);
    let [result] = results.as_slice() else {
        panic!("{results:?}")
    };
    assert_eq!((result.status, result.grade), (None, None));
    let ids: Vec<&str> = result.findings.iter().map(|f| f.guideline).collect();
    assert_eq!(ids, COVERS, "one finding per header guideline");
    for finding in &result.findings {
        assert_eq!(finding.rule, "header-scan-failed");
        assert_eq!(finding.severity, Severity::Warning);
        assert!(
            finding.message.contains("cannot connect"),
            "{}",
            finding.message
        );
    }
}

#[test]
fn every_header_of_the_lists_has_a_rule() {
    let lists = crate::grade::lists().unwrap();
    let names = lists
        .add
        .iter()
        .map(|r| r.name.as_str())
        .chain(lists.deprecated.iter().map(|d| d.name.as_str()))
        .chain(["remove list", "Set-Cookie"]);
    for name in names {
        let (rule, guideline, _) = rule_of(name);
        assert_ne!(rule, "header-unknown", "{name}");
        assert!(
            crate::guidelines::find(guideline).is_some(),
            "{name}: {guideline}"
        );
    }
}
