//! WASI as Envoy offers it (proxy-wasm-cpp-host `src/exports.cc`): stdout and stderr are log
//! lines, other descriptors `EBADF`, no environment, no files, bounded random bytes, the
//! plugin's clock, and `proc_exit` fails the VM.

use crate::common;

use host_test::{Connection, Request, Response};

#[test]
fn stdout_and_stderr_are_log_lines_and_other_descriptors_are_refused() {
    // iovecs at 100: ("hello\n" at 16, 6 bytes), ("" at 16, 0 bytes).
    let p = common::builder(
        r#"(data (i32.const 16) "hello\n")
           (data (i32.const 100) "\10\00\00\00\06\00\00\00\10\00\00\00\00\00\00\00")
           (func (export "proxy_on_configure") (param i32 i32) (result i32)
             (call $status (i32.const 0) (call $fd_write (i32.const 1) (i32.const 100) (i32.const 2) (i32.const 200)))
             (call $status (i32.const 1) (i32.load (i32.const 200)))
             (call $status (i32.const 2) (call $fd_write (i32.const 2) (i32.const 100) (i32.const 1) (i32.const 200)))
             (call $status (i32.const 3) (call $fd_write (i32.const 3) (i32.const 100) (i32.const 1) (i32.const 200)))
             (i32.const 1))"#,
    )
    .start()
    .unwrap();
    let rows: &[(&str, &str, i64)] = &[
        ("stdout", "s0", 0),
        ("bytes written, newline counted", "s1", 6),
        ("stderr", "s2", 0),
        ("descriptor 3: EBADF", "s3", 8),
    ];
    for (row, metric, want) in rows {
        assert_eq!(p.metric(metric), Some(*want), "{row}");
    }
    let lines: Vec<(String, String)> = p
        .logs()
        .iter()
        .map(|l| (format!("{:?}", l.level), l.message.clone()))
        .collect();
    assert_eq!(
        lines,
        [
            ("Info".into(), "hello".into()),
            ("Error".into(), "hello".into())
        ]
    );
}

#[test]
fn environment_files_random_and_clock_answer_as_envoy_does() {
    let p = common::builder(
        r#"(func (export "proxy_on_configure") (param i32 i32) (result i32)
             (call $status (i32.const 0) (call $environ_sizes_get (i32.const 200) (i32.const 204)))
             (call $status (i32.const 1) (i32.add (i32.load (i32.const 200)) (i32.load (i32.const 204))))
             (call $status (i32.const 2) (call $random_get (i32.const 300) (i32.const 64)))
             (call $status (i32.const 3) (call $random_get (i32.const 300) (i32.const 65537)))
             (call $status (i32.const 4) (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 400)))
             (call $status (i32.const 5) (i32.wrap_i64 (i64.div_u (i64.load (i32.const 400)) (i64.const 1000000000))))
             (call $status (i32.const 6) (call $clock_time_get (i32.const 2) (i64.const 1) (i32.const 400)))
             (call $status (i32.const 7) (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 400)))
             (i32.const 1))"#,
    )
    .start()
    .unwrap();
    let rows: &[(&str, &str, i64)] = &[
        ("environ_sizes_get", "s0", 0),
        ("no variables", "s1", 0),
        ("random_get 64 bytes", "s2", 0),
        ("random_get over 64 KiB: EINVAL", "s3", 28),
        ("realtime clock", "s4", 0),
        // The plugin's clock starts at 2023-11-14T22:13:20Z (1_700_000_000 s).
        ("realtime is the plugin's clock", "s5", 1_700_000_000),
        ("process cpu clock: ENOTSUP", "s6", 58),
        ("path_open: ENOENT", "s7", 44),
    ];
    for (row, metric, want) in rows {
        assert_eq!(p.metric(metric), Some(*want), "{row}");
    }
}

#[test]
fn proc_exit_fails_the_vm() {
    let mut p = common::plugin(
        r#"(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
             (call $proc_exit (i32.const 3))
             (i32.const 0))"#,
    );
    let err = p
        .exchange(&Connection::new(), &Request::get("/"), &Response::ok())
        .unwrap_err();
    assert!(err.to_string().contains("proc_exit(3)"), "{err}");
}
