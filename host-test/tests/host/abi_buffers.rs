//! Buffer host functions: plugin configuration, request body, statuses.

use crate::common;

use host_test::{Connection, Request, Response};

#[test]
fn configure_reads_plugin_configuration_and_rejects_other_buffers() {
    let p = common::builder(
        r#"(func (export "proxy_on_configure") (param i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 4)))
             (call $log_ret)
             (call $status (i32.const 1) (call $proxy_get_buffer_bytes (i32.const 6) (i32.const 0) (i32.const 10) (i32.const 0) (i32.const 4)))
             (call $status (i32.const 2) (call $proxy_get_buffer_bytes (i32.const 99) (i32.const 0) (i32.const 10) (i32.const 0) (i32.const 4)))
             (call $status (i32.const 3) (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 1000) (i32.const 10) (i32.const 0) (i32.const 4)))
             (call $status (i32.const 4) (call $proxy_get_buffer_status (i32.const 7) (i32.const 12) (i32.const 16)))
             (call $status (i32.const 5) (i32.load (i32.const 12)))
             (call $status (i32.const 6) (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 3) (i32.const 2) (i32.const 0) (i32.const 4)))
             (call $log_ret)
             (i32.const 1))"#,
    )
    .configuration(r#"{"a":1}"#)
    .start()
    .unwrap();
    assert_eq!(p.logs()[0].message, r#"{"a":1}"#);
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(
        p.metric("s1"),
        Some(1),
        "VM configuration outside proxy_on_vm_start is NotFound"
    );
    assert_eq!(
        p.metric("s2"),
        Some(2),
        "unknown buffer type is BadArgument"
    );
    assert_eq!(p.metric("s3"), Some(2), "start past the end is BadArgument");
    assert_eq!(p.metric("s4"), Some(0));
    assert_eq!(p.metric("s5"), Some(7), "buffer status gives the size");
    assert_eq!(p.metric("s6"), Some(0));
    assert_eq!(p.logs()[1].message, r#"":"#);
}

#[test]
fn request_body_is_read_and_prepended() {
    let mut p = common::plugin(
        r#"(data (i32.const 16) "pre-")
           (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_get_buffer_bytes (i32.const 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 4)))
             (call $log_ret)
             (call $status (i32.const 1) (call $proxy_set_buffer_bytes (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 4)))
             (call $status (i32.const 2) (call $proxy_get_buffer_bytes (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 4)))
             (i32.const 0))"#,
    );
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::post("/x").body("payload"),
            &Response::ok(),
        )
        .unwrap();
    assert_eq!(ex.logs[0].message, "payload");
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(p.metric("s1"), Some(0));
    assert_eq!(
        p.metric("s2"),
        Some(1),
        "response body during the request is NotFound"
    );
    assert_eq!(ex.upstream_request.unwrap().body, b"pre-payload");
}

#[test]
fn response_body_is_replaced() {
    let mut p = common::plugin(
        r#"(data (i32.const 16) "hidden")
           (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_set_buffer_bytes (i32.const 1) (i32.const 0) (local.get 1) (i32.const 16) (i32.const 6)))
             (i32.const 0))"#,
    );
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::get("/"),
            &Response::ok().body("stack trace"),
        )
        .unwrap();
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(ex.client_response.unwrap().body, b"hidden");
}
