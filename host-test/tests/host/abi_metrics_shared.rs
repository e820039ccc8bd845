//! Metrics, shared data and shared queues.

use crate::common;

use host_test::{Connection, Request, Response};

#[test]
fn metrics_define_increment_record_get_and_their_errors() {
    let p = common::builder(
        r#"(data (i32.const 16) "hits")
           (data (i32.const 32) "sizes")
           (func (export "proxy_on_configure") (param i32 i32) (result i32)
             (local $c i32) (local $h i32)
             (drop (call $proxy_define_metric (i32.const 0) (i32.const 16) (i32.const 4) (i32.const 12)))
             (local.set $c (i32.load (i32.const 12)))
             (call $status (i32.const 0) (call $proxy_increment_metric (local.get $c) (i64.const 2)))
             (call $status (i32.const 1) (call $proxy_increment_metric (local.get $c) (i64.const -1)))
             (call $status (i32.const 2) (call $proxy_get_metric (local.get $c) (i32.const 16)))
             (call $status (i32.const 3) (i32.load (i32.const 16)))
             (call $status (i32.const 4) (call $proxy_get_metric (i32.const 999) (i32.const 16)))
             (call $status (i32.const 5) (call $proxy_define_metric (i32.const 7) (i32.const 16) (i32.const 4) (i32.const 12)))
             (drop (call $proxy_define_metric (i32.const 2) (i32.const 32) (i32.const 5) (i32.const 12)))
             (local.set $h (i32.load (i32.const 12)))
             (call $status (i32.const 6) (call $proxy_record_metric (local.get $h) (i64.const 512)))
             (call $status (i32.const 7) (call $proxy_get_metric (local.get $h) (i32.const 16)))
             (call $status (i32.const 8) (call $proxy_record_metric (i32.const 999) (i64.const 1)))
             (i32.const 1))"#,
    )
    .start()
    .unwrap();
    assert_eq!(p.metric("hits"), Some(2));
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(
        p.metric("s1"),
        Some(2),
        "a counter cannot go down: BadArgument"
    );
    assert_eq!(p.metric("s2"), Some(0));
    assert_eq!(p.metric("s3"), Some(2));
    assert_eq!(p.metric("s4"), Some(1), "unknown metric id is NotFound");
    assert_eq!(
        p.metric("s5"),
        Some(2),
        "unknown metric type is BadArgument"
    );
    assert_eq!(p.metric("s6"), Some(0));
    assert_eq!(
        p.metric("s7"),
        Some(2),
        "a histogram has no value: BadArgument"
    );
    assert_eq!(p.metric("s8"), Some(1));
    let sizes = p.metrics().iter().find(|m| m.name == "sizes").unwrap();
    assert_eq!(sizes.samples, vec![512]);
}

#[test]
fn shared_data_with_cas() {
    let p = common::builder(
        r#"(data (i32.const 16) "key")
           (data (i32.const 32) "v1")
           (data (i32.const 48) "nokey")
           (func (export "proxy_on_configure") (param i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_set_shared_data (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 2) (i32.const 0)))
             (call $status (i32.const 1) (call $proxy_get_shared_data (i32.const 16) (i32.const 3) (i32.const 0) (i32.const 4) (i32.const 12)))
             (call $log_ret)
             (call $status (i32.const 2) (call $proxy_set_shared_data (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 2) (i32.const 999)))
             (call $status (i32.const 3) (call $proxy_set_shared_data (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 1) (i32.load (i32.const 12))))
             (call $status (i32.const 4) (call $proxy_get_shared_data (i32.const 48) (i32.const 5) (i32.const 0) (i32.const 4) (i32.const 12)))
             (i32.const 1))"#,
    )
    .start()
    .unwrap();
    assert_eq!(p.logs()[0].message, "v1");
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(p.metric("s1"), Some(0));
    assert_eq!(p.metric("s2"), Some(8), "stale CAS is CasMismatch");
    assert_eq!(p.metric("s3"), Some(0), "current CAS succeeds");
    assert_eq!(p.metric("s4"), Some(1), "missing key is NotFound");
    assert_eq!(
        p.shared_data(b"key").map(|(v, _)| v.to_vec()),
        Some(b"v".to_vec())
    );
}

#[test]
fn shared_queues_and_queue_ready() {
    let mut p = common::builder(
        r#"(data (i32.const 16) "q")
           (data (i32.const 32) "item")
           (data (i32.const 48) "zz")
           (func (export "proxy_on_configure") (param i32 i32) (result i32)
             (call $status (i32.const 0) (call $proxy_register_shared_queue (i32.const 16) (i32.const 1) (i32.const 12)))
             (call $status (i32.const 1) (call $proxy_enqueue_shared_queue (i32.load (i32.const 12)) (i32.const 32) (i32.const 4)))
             (call $status (i32.const 2) (call $proxy_resolve_shared_queue (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 20)))
             (call $status (i32.const 3) (call $proxy_resolve_shared_queue (i32.const 0) (i32.const 0) (i32.const 48) (i32.const 2) (i32.const 20)))
             (call $status (i32.const 4) (call $proxy_enqueue_shared_queue (i32.const 99) (i32.const 32) (i32.const 4)))
             (i32.const 1))
           (func (export "proxy_on_queue_ready") (param i32 i32)
             (call $status (i32.const 5) (call $proxy_dequeue_shared_queue (local.get 1) (i32.const 0) (i32.const 4)))
             (call $log_ret)
             (call $status (i32.const 6) (call $proxy_dequeue_shared_queue (local.get 1) (i32.const 0) (i32.const 4)))
             (call $status (i32.const 7) (call $proxy_dequeue_shared_queue (i32.const 99) (i32.const 0) (i32.const 4))))"#,
    )
    .start()
    .unwrap();
    p.deliver_queues().unwrap();
    assert_eq!(p.metric("s0"), Some(0));
    assert_eq!(p.metric("s1"), Some(0));
    assert_eq!(p.metric("s2"), Some(0));
    assert_eq!(p.metric("s3"), Some(1), "unknown queue name is NotFound");
    assert_eq!(p.metric("s4"), Some(1), "unknown queue id is NotFound");
    assert_eq!(p.metric("s5"), Some(0));
    assert_eq!(p.logs()[0].message, "item");
    assert_eq!(p.metric("s6"), Some(7), "empty queue is Empty");
    assert_eq!(p.metric("s7"), Some(1));
    let _ = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap();
}
