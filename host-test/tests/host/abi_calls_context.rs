//! HTTP calls, timers, clock, log level, effective context, stream control, gRPC stubs.

use crate::common;

use std::time::Duration;

use host_test::{Callback, Connection, HeaderMap, HttpCallResponse, Request, Response};

const CALL: &str = r#"
  (data (i32.const 16) "auth")
  (data (i32.const 32) "\03\00\00\00\07\00\00\00\04\00\00\00\05\00\00\00\01\00\00\00\0a\00\00\00\03\00\00\00:method\00POST\00:path\00/\00:authority\00idp\00")
  (data (i32.const 128) "\01\00\00\00\07\00\00\00\04\00\00\00:method\00POST\00")
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $status (i32.const 0) (call $proxy_http_call (i32.const 16) (i32.const 4) (i32.const 32) (i32.const 73)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 12)))
    (call $status (i32.const 1) (call $proxy_http_call (i32.const 16) (i32.const 4) (i32.const 128) (i32.const 26)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 1000) (i32.const 12)))
    (i32.const 1))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32)
    (drop (call $proxy_get_buffer_bytes (i32.const 4) (i32.const 0) (local.get 3) (i32.const 0) (i32.const 4)))
    (call $log_ret)
    (call $status (i32.const 2) (call $proxy_get_status (i32.const 20) (i32.const 0) (i32.const 4)))
    (call $status (i32.const 3) (i32.load (i32.const 20)))
    (call $status (i32.const 4) (call $proxy_continue_stream (i32.const 0))))
"#;

#[test]
fn http_call_answered_while_paused_resumes_the_request() {
    let mut p = common::plugin(CALL);
    let answer = HttpCallResponse {
        headers: HeaderMap::from_pairs(&[(":status", "200")]),
        body: b"pong".to_vec(),
        trailers: HeaderMap::new(),
    };
    let ex = p
        .exchange_with_calls(
            &Connection::new(),
            &Request::get("/"),
            &Response::ok(),
            vec![answer],
        )
        .unwrap();
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(
        p.metric("s1"),
        Some(2),
        "a call without :path and :authority is BadArgument"
    );
    assert_eq!(ex.logs[0].message, "pong");
    assert_eq!(p.metric("s3"), Some(200));
    assert_eq!(p.metric("s4"), Some(0));
    assert!(ex.reached_upstream());
    assert!(p.pending_http_calls().is_empty());
}

#[test]
fn unanswered_call_leaves_the_request_paused() {
    let mut p = common::plugin(CALL);
    let ex = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap();
    assert_eq!(ex.stalled_at, Some(Callback::RequestHeaders));
    assert!(!ex.reached_upstream());
    assert_eq!(ex.client_response, None);
    assert_eq!(p.pending_http_calls().len(), 1);
    assert_eq!(p.pending_http_calls()[0].upstream, "auth");
}

#[test]
fn ticks_follow_the_plugin_clock() {
    let mut p = common::builder(
        r#"(data (i32.const 16) "ticks")
           (func (export "proxy_on_configure") (param i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_set_tick_period_milliseconds (i32.const 1000)))
             (call $status (i32.const 1) (call $proxy_get_log_level (i32.const 12)))
             (call $status (i32.const 2) (i32.load (i32.const 12)))
             (i32.const 1))
           (func (export "proxy_on_tick") (param i32)
             (drop (call $proxy_define_metric (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 12)))
             (drop (call $proxy_increment_metric (i32.load (i32.const 12)) (i64.const 1)))
             (drop (call $proxy_get_current_time_nanoseconds (i32.const 24)))
             (call $status (i32.const 3) (i32.wrap_i64 (i64.div_u (i64.load (i32.const 24)) (i64.const 1000000000)))))"#,
    )
    .log_level(host_test::LogLevel::Warn)
    .start()
    .unwrap();
    assert_eq!(p.advance(Duration::from_millis(3500)).unwrap(), 3);
    assert_eq!(p.metric("ticks"), Some(3));
    assert_eq!(p.metric("s1"), Some(0));
    assert_eq!(p.metric("s2"), Some(3), "log level Warn is 3");
    assert_eq!(
        p.metric("s3"),
        Some(1_700_000_003),
        "the clock moved by 3.5 s"
    );
}

#[test]
fn context_stream_and_unsupported_functions() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_set_effective_context (i32.const 999)))
             (call $status (i32.const 1) (call $proxy_set_effective_context (i32.const 1)))
             (call $status (i32.const 2) (call $proxy_continue_stream (i32.const 7)))
             (call $status (i32.const 3) (call $proxy_close_stream (i32.const 1)))
             (call $status (i32.const 4) (call $proxy_grpc_call (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
               (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 12)))
             (call $status (i32.const 5) (call $proxy_grpc_stream (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
               (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 12)))
             (call $status (i32.const 6) (call $proxy_grpc_cancel (i32.const 1)))
             (call $status (i32.const 7) (call $proxy_call_foreign_function (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 4)))
             (call $status (i32.const 8) (call $proxy_done))
             (drop (call $proxy_grpc_send (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
             (drop (call $proxy_grpc_close (i32.const 1)))
             (i32.const 0))"#,
    );
    let ex = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap();
    assert_eq!(p.metric("s0"), Some(2), "unknown context id is BadArgument");
    assert_eq!(p.metric("s1"), Some(0));
    assert_eq!(
        p.metric("s2"),
        Some(2),
        "unknown stream type is BadArgument"
    );
    assert_eq!(p.metric("s3"), Some(0));
    assert_eq!(ex.closed, vec![1]);
    assert_eq!(p.metric("s4"), Some(2), "no gRPC services: BadArgument");
    assert_eq!(p.metric("s5"), Some(2));
    assert_eq!(p.metric("s6"), Some(1));
    assert_eq!(p.metric("s7"), Some(1), "no foreign functions: NotFound");
    assert_eq!(p.metric("s8"), Some(0));
    assert!(p.done_called());
}
