//! Property host functions with Envoy and Kong encodings.

use crate::common;

use host_test::{Connection, HostKind, Request, Response};

const BODY: &str = r#"
  (data (i32.const 16) "source\00port")
  (data (i32.const 32) "connection\00tls_version")
  (data (i32.const 64) "request\00url_path")
  (data (i32.const 96) "no\00such")
  (data (i32.const 112) "my\00prop")
  (data (i32.const 128) "value")
  (data (i32.const 144) "connection\00mtls")
  (data (i32.const 176) "filter_state\00cipher")
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $status (i32.const 0) (call $proxy_get_property (i32.const 16) (i32.const 11) (i32.const 0) (i32.const 4)))
    (call $status (i32.const 1) (i32.load (i32.const 4)))
    (call $status (i32.const 6) (i32.load (i32.load (i32.const 0))))
    (call $log_ret)
    (drop (call $proxy_get_property (i32.const 32) (i32.const 22) (i32.const 0) (i32.const 4)))
    (call $log_ret)
    (drop (call $proxy_get_property (i32.const 64) (i32.const 16) (i32.const 0) (i32.const 4)))
    (call $log_ret)
    (call $status (i32.const 2) (call $proxy_get_property (i32.const 96) (i32.const 7) (i32.const 0) (i32.const 4)))
    (call $status (i32.const 3) (call $proxy_set_property (i32.const 112) (i32.const 7) (i32.const 128) (i32.const 5)))
    (drop (call $proxy_get_property (i32.const 112) (i32.const 7) (i32.const 0) (i32.const 4)))
    (call $log_ret)
    (drop (call $proxy_get_property (i32.const 144) (i32.const 15) (i32.const 0) (i32.const 4)))
    (call $status (i32.const 4) (i32.load (i32.const 4)))
    (call $log_ret)
    (call $status (i32.const 5) (call $proxy_get_property (i32.const 176) (i32.const 19) (i32.const 0) (i32.const 4)))
    (call $log_ret)
    (i32.const 0))
"#;

// A helper of the tests below: a failure to start or exchange fails the test.
#[allow(clippy::unwrap_used)]
fn run(host: HostKind) -> (host_test::Plugin, Vec<String>) {
    let mut p = common::builder(BODY).host(host).start().unwrap();
    let conn = Connection::new()
        .source("10.1.2.3:40001".parse().unwrap())
        .tls("TLSv1.3")
        .peer_subject("CN=admin")
        .filter_state("cipher", b"TLS_AES_128_GCM_SHA256");
    let ex = p
        .exchange(&conn, &Request::get("/a/b?c=d"), &Response::ok())
        .unwrap();
    (p, ex.logs.iter().map(|l| l.message.clone()).collect())
}

#[test]
fn envoy_encodings() {
    let (p, logs) = run(HostKind::Envoy);
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(
        p.metric("s1"),
        Some(8),
        "source.port is 8 bytes little-endian"
    );
    assert_eq!(p.metric("s6"), Some(40001));
    assert_eq!(logs[1], "TLSv1.3");
    assert_eq!(logs[2], "/a/b");
    assert_eq!(p.metric("s2"), Some(1), "unknown property is NotFound");
    assert_eq!(p.metric("s3"), Some(0));
    assert_eq!(logs[3], "value", "a property the module set reads back");
    assert_eq!(p.metric("s4"), Some(1), "connection.mtls is one byte");
    assert_eq!(logs[4].as_bytes(), [1]);
    assert_eq!(p.metric("s5"), Some(0));
    assert_eq!(logs[5], "TLS_AES_128_GCM_SHA256");
}

#[test]
fn kong_encodings() {
    let (p, logs) = run(HostKind::Kong);
    assert_eq!(p.metric("s1"), Some(5));
    assert_eq!(logs[0], "40001");
    assert_eq!(logs[4], "true");
}

#[test]
fn response_code_exists_only_from_the_response_on() {
    let mut p = common::plugin(
        r#"(data (i32.const 16) "response\00code")
           (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_get_property (i32.const 16) (i32.const 13) (i32.const 0) (i32.const 4)))
             (i32.const 0))
           (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
             (call $status (i32.const 1) (call $proxy_get_property (i32.const 16) (i32.const 13) (i32.const 0) (i32.const 4)))
             (call $status (i32.const 2) (i32.load (i32.load (i32.const 0))))
             (i32.const 0))"#,
    );
    p.exchange(
        &Connection::new(),
        &Request::get("/"),
        &Response::status(404),
    )
    .unwrap();
    assert_eq!(p.metric("s0"), Some(1));
    assert_eq!(p.metric("s1"), Some(0));
    assert_eq!(p.metric("s2"), Some(404));
}
