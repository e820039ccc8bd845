//! Starting plugins: configuration, bad modules, and the errors they give.

use crate::common;

use host_test::{Connection, Error, ModuleSource, Plugin, Request, Response};

#[test]
fn local_response_stops_request_before_upstream() {
    let mut p = common::plugin(
        r#"(data (i32.const 16) "denied")
           (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (drop (call $proxy_send_local_response (i32.const 403) (i32.const 0) (i32.const 0)
               (i32.const 16) (i32.const 6) (i32.const 0) (i32.const 0) (i32.const -1)))
             (i32.const 1))"#,
    );
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::get("/carbon/"),
            &Response::ok(),
        )
        .unwrap();
    assert_eq!(ex.status(), Some(403));
    assert!(!ex.reached_upstream());
    assert_eq!(ex.client_response.unwrap().body, b"denied");
}

#[test]
fn configure_rejection_is_reported_with_logs() {
    let err = common::builder(
        r#"(data (i32.const 16) "bad config")
           (func (export "proxy_on_configure") (param i32 i32) (result i32)
             (drop (call $proxy_log (i32.const 4) (i32.const 16) (i32.const 10)))
             (i32.const 0))"#,
    )
    .start()
    .err()
    .unwrap();
    assert!(matches!(err, Error::ConfigureRejected { .. }), "{err}");
    assert!(err.to_string().contains("bad config"), "{err}");
}

#[test]
fn start_fails_on_unknown_import() {
    let wat = br#"(module (import "env" "proxy_frobnicate" (func (param i32) (result i32)))
                 (func (export "proxy_abi_version_0_2_1")))"#;
    let err = Plugin::builder(ModuleSource::Bytes(wat.to_vec()))
        .start()
        .err()
        .unwrap();
    assert!(err.to_string().contains("env::proxy_frobnicate"), "{err}");
}

#[test]
fn start_fails_on_missing_abi_version() {
    let err = Plugin::builder(ModuleSource::Bytes(b"(module)".to_vec()))
        .start()
        .err()
        .unwrap();
    assert!(matches!(err, Error::AbiVersion { .. }), "{err}");
    let wat = br#"(module (func (export "proxy_abi_version_0_1_0")))"#;
    let err = Plugin::builder(ModuleSource::Bytes(wat.to_vec()))
        .start()
        .err()
        .unwrap();
    assert!(err.to_string().contains("proxy_abi_version_0_1_0"), "{err}");
}

#[test]
fn abi_0_2_0_export_is_accepted() {
    let wat = br#"(module (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_0")))"#;
    assert!(
        Plugin::builder(ModuleSource::Bytes(wat.to_vec()))
            .start()
            .is_ok()
    );
}

#[test]
fn start_fails_on_invalid_bytes() {
    let err = Plugin::builder(ModuleSource::Bytes(b"\0asm junk".to_vec()))
        .start()
        .err()
        .unwrap();
    assert!(matches!(err, Error::Compile { .. }), "{err}");
}

#[test]
fn trap_names_callback_and_plugin_stays_dead() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) unreachable)"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    assert!(
        matches!(&err, Error::Trap { function, .. } if function == "proxy_on_request_headers"),
        "{err}"
    );
    let again = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    assert!(matches!(again, Error::Dead(_)), "{again}");
}

#[test]
fn endless_loop_runs_out_of_fuel() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (loop $l (br $l)) (i32.const 0))"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    assert!(err.to_string().contains("fuel"), "{err}");
}

/// Pauses on the request headers; logs `body` from the body callback and lets it go on.
const PAUSE_ON_HEADERS: &str = r#"(data (i32.const 16) "body")
   (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
     (i32.const 1))
   (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
     (drop (call $proxy_log (i32.const 2) (i32.const 16) (i32.const 4)))
     (i32.const 0))"#;

#[test]
fn a_pause_on_the_headers_stops_the_whole_stream_by_default() {
    // Envoy's default: StopIteration on the headers is StopAllIterationAndWatermark.
    let mut p = common::plugin(PAUSE_ON_HEADERS);
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::post("/commonauth").body("a=b"),
            &Response::ok(),
        )
        .unwrap();
    assert_eq!(ex.stalled_at, Some(host_test::Callback::RequestHeaders));
    assert!(!ex.reached_upstream());
    assert!(ex.logs.iter().all(|l| l.message != "body"));
}

#[test]
fn allow_on_headers_stop_iteration_delivers_the_body() {
    let mut p = common::builder(PAUSE_ON_HEADERS)
        .allow_on_headers_stop_iteration(true)
        .start()
        .unwrap();
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::post("/commonauth").body("a=b"),
            &Response::ok(),
        )
        .unwrap();
    assert_eq!(ex.stalled_at, None);
    assert!(ex.reached_upstream());
    assert_eq!(ex.upstream_request.unwrap().body, b"a=b");
    assert!(ex.logs.iter().any(|l| l.message == "body"));
}
