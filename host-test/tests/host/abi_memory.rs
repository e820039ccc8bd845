//! Guest memory limits: a guest growing its memory to 4 GiB is refused and the trap says so.

use crate::common;

use host_test::{Connection, Request, Response};

#[test]
fn four_gib_memory_growth_is_refused_and_named() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (if (i32.eq (memory.grow (i32.const 65534)) (i32.const -1)) (then unreachable))
             (i32.const 0))"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("proxy_on_request_headers"), "{text}");
    assert!(text.contains("refused to grow guest memory"), "{text}");
}

#[test]
fn oversized_log_message_is_refused() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (drop (call $proxy_log (i32.const 2) (i32.const 0) (i32.const -1)))
             (i32.const 0))"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    assert!(err.to_string().contains("the host reads at most"), "{err}");
}
