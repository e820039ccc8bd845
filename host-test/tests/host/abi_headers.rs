//! Header map host functions, their statuses, and checked memory.

use crate::common;

use host_test::{Connection, Error, Request, Response};

const BODY: &str = r#"
  (data (i32.const 16) "x-foo")
  (data (i32.const 32) "bar")
  (data (i32.const 48) "missing")
  (data (i32.const 64) ":path")
  (data (i32.const 80) "server")
  (data (i32.const 96) "\02\00\00\00\07\00\00\00\03\00\00\00\01\00\00\00\01\00\00\00:status\00201\00a\00b\00")
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $status (i32.const 0) (call $proxy_get_header_map_value (i32.const 0) (i32.const 64) (i32.const 5) (i32.const 0) (i32.const 4)))
    (call $log_ret)
    (call $status (i32.const 1) (call $proxy_get_header_map_value (i32.const 0) (i32.const 48) (i32.const 7) (i32.const 0) (i32.const 4)))
    (call $status (i32.const 2) (call $proxy_get_header_map_value (i32.const 9) (i32.const 64) (i32.const 5) (i32.const 0) (i32.const 4)))
    (call $status (i32.const 3) (call $proxy_get_header_map_pairs (i32.const 2) (i32.const 0) (i32.const 4)))
    (call $status (i32.const 4) (call $proxy_add_header_map_value (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 32) (i32.const 3)))
    (call $status (i32.const 5) (call $proxy_remove_header_map_value (i32.const 0) (i32.const 48) (i32.const 7)))
    (call $status (i32.const 6) (call $proxy_get_header_map_size (i32.const 0) (i32.const 12)))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (call $status (i32.const 7) (call $proxy_replace_header_map_value (i32.const 2) (i32.const 80) (i32.const 6) (i32.const 32) (i32.const 3)))
    (call $status (i32.const 8) (call $proxy_set_header_map_pairs (i32.const 3) (i32.const 96) (i32.const 40)))
    (i32.const 0))
"#;

#[test]
fn header_functions_read_and_change_maps() {
    let mut p = common::plugin(BODY);
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::get("/p?q=1").header("X-Foo", "old"),
            &Response::ok().header("server", "WSO2 Carbon Server"),
        )
        .unwrap();
    assert_eq!(ex.logs[0].message, "/p?q=1");
    let status = |s: &str| p.metric(s).unwrap();
    assert_eq!(status("s0"), 0, "get :path");
    assert_eq!(status("s1"), 1, "missing header is NotFound");
    assert_eq!(status("s2"), 2, "unknown map type is BadArgument");
    assert_eq!(
        status("s3"),
        2,
        "response headers during the request are BadArgument"
    );
    assert_eq!(status("s4"), 0);
    assert_eq!(status("s5"), 0, "removing an absent header is Ok");
    assert_eq!(status("s6"), 0);
    assert_eq!(status("s7"), 0);
    assert_eq!(
        status("s8"),
        0,
        "response trailers exist from the response on"
    );
    let up = ex.upstream_request.unwrap();
    assert_eq!(up.headers.get_all(b"x-foo"), vec![&b"old"[..], b"bar"]);
    assert!(up.headers.get(b"x-request-id").is_some());
    let client = ex.client_response.unwrap();
    assert_eq!(client.headers.get_str("server").as_deref(), Some("bar"));
}

#[test]
fn set_header_map_pairs_replaces_response_headers() {
    let mut p = common::plugin(
        r#"(data (i32.const 96) "\02\00\00\00\07\00\00\00\03\00\00\00\01\00\00\00\01\00\00\00:status\00201\00a\00b\00")
           (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_set_header_map_pairs (i32.const 2) (i32.const 96) (i32.const 40)))
             (call $status (i32.const 1) (call $proxy_set_header_map_pairs (i32.const 2) (i32.const 96) (i32.const 30)))
             (i32.const 0))"#,
    );
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::get("/"),
            &Response::ok().header("x", "y"),
        )
        .unwrap();
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(p.metric("s1"), Some(4), "a truncated map is ParseFailure");
    let client = ex.client_response.unwrap();
    assert_eq!(client.status, 201);
    assert_eq!(client.headers.get_str("a").as_deref(), Some("b"));
    assert_eq!(client.headers.get(b"x"), None);
}

#[test]
fn out_of_bounds_key_pointer_traps_naming_the_host_function() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (drop (call $proxy_get_header_map_value (i32.const 0) (i32.const -16) (i32.const 64) (i32.const 0) (i32.const 4)))
             (i32.const 0))"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Trap { .. }), "{text}");
    assert!(
        text.contains("proxy_get_header_map_value") && text.contains("out-of-bounds"),
        "{text}"
    );
}

#[test]
fn out_of_bounds_return_pointer_traps() {
    let mut p = common::plugin(
        r#"(data (i32.const 64) ":path")
           (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (drop (call $proxy_get_header_map_value (i32.const 0) (i32.const 64) (i32.const 5) (i32.const 131072) (i32.const 4)))
             (i32.const 0))"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    assert!(err.to_string().contains("return data pointer"), "{err}");
}

#[test]
fn gigabyte_header_map_is_refused_with_a_clear_trap() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (drop (call $proxy_set_header_map_pairs (i32.const 0) (i32.const 0) (i32.const 1073741824)))
             (i32.const 0))"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("proxy_set_header_map_pairs") && text.contains("1073741824 bytes"),
        "{text}"
    );
}

#[test]
fn allocator_returning_a_bad_pointer_traps() {
    let wat = r#"(module
      (import "env" "proxy_get_header_map_pairs" (func $pairs (param i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "proxy_abi_version_0_2_1"))
      (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const -256))
      (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
        (drop (call $pairs (i32.const 0) (i32.const 0) (i32.const 4))) (i32.const 0)))"#;
    let mut p = host_test::Plugin::builder(host_test::ModuleSource::Bytes(wat.as_bytes().to_vec()))
        .start()
        .unwrap();
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    assert!(
        err.to_string().contains("proxy_on_memory_allocate"),
        "{err}"
    );
}
