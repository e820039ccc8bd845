//! The failure modes over real sockets: the binary on 127.0.0.1:0 with `--mode` and a loopback
//! `--control` listener, each mode seen as a client (or Envoy) sees it, the health check path
//! included, and switched while the node runs.
// An integration test crate: clippy.toml's allow-*-in-tests covers `#[test]` functions, not
// their helpers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Mock, Resp, connect, exchange, get};

const HEALTH: &str = "/api/health-check/v1.0/health";
/// What `garbage` writes (src/fault.rs: GARBAGE).
const GARBAGE: &[u8] = b"\x00\xffMOCK-WSO2 GARBAGE \x16\x03\x01 not http\r\n\r\n\x7f";

/// A node with one plain listener and a control listener, started in `mode`.
struct Node {
    mock: Mock,
    addr: SocketAddr,
    control: SocketAddr,
}

impl Node {
    fn start(mode: &str) -> Node {
        let args = [
            "--node",
            "m",
            "--listen",
            "127.0.0.1:0",
            "--control",
            "127.0.0.1:0",
            "--mode",
            mode,
        ];
        let mock = Mock::start(&args, 1);
        let line = mock.next_line();
        let rest = line
            .strip_prefix("mock-wso2 node=m control on ")
            .unwrap_or_else(|| panic!("control line: {line}"));
        let (control, start_mode) = rest.split_once(" mode=").unwrap();
        assert_eq!(start_mode, mode);
        Node {
            addr: mock.addrs[0],
            control: control.parse().unwrap(),
            mock,
        }
    }

    /// POSTs a mode to the control listener; returns the answer.
    fn set(&self, mode: &str) -> Resp {
        let req = format!(
            "POST /__mock/mode HTTP/1.1\r\nHost: c\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{mode}",
            mode.len()
        );
        exchange(&mut connect(self.control), &req)
    }

    fn mode(&self) -> String {
        get(self.control, "/__mock/mode", "")
            .body()
            .trim()
            .to_owned()
    }

    /// Waits for the log line of a mode change or a request.
    fn expect_line(&self, want: &str) {
        loop {
            let line = self.mock.next_line();
            if line.contains(want) {
                return;
            }
        }
    }
}

fn keep_alive_get(stream: &mut TcpStream, target: &str) -> Resp {
    exchange(
        stream,
        &format!("GET {target} HTTP/1.1\r\nHost: wso2\r\n\r\n"),
    )
}

/// Sends a request and reads until the peer closes or fails: the bytes and how it ended.
fn send_and_read_all(stream: &mut TcpStream, target: &str) -> (Vec<u8>, std::io::Result<()>) {
    let req = format!("GET {target} HTTP/1.1\r\nHost: wso2\r\n\r\n");
    if let Err(e) = stream.write_all(req.as_bytes()) {
        return (Vec::new(), Err(e));
    }
    let mut got = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return (got, Ok(())),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) => return (got, Err(e)),
        }
    }
}

#[test]
fn normal_answers_and_control_reads_and_switches_the_mode() {
    let node = Node::start("normal");
    assert_eq!(get(node.addr, HEALTH, "").status, 200);
    assert_eq!(node.mode(), "normal");

    let resp = node.set("storm503");
    assert_eq!((resp.status, resp.body()), (200, "storm503\n"));
    node.expect_line("mode=storm503");
    assert_eq!(node.mode(), "storm503");

    let resp = node.set("sideways");
    assert_eq!(resp.status, 400, "{resp:?}");
    assert!(resp.body().contains("unknown mode"), "{resp:?}");
    assert_eq!(node.mode(), "storm503", "a refused mode changes nothing");

    assert_eq!(get(node.control, "/other", "").status, 404);
    let put =
        "PUT /__mock/mode HTTP/1.1\r\nHost: c\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert_eq!(exchange(&mut connect(node.control), put).status, 405);

    node.set("normal");
    assert_eq!(get(node.addr, HEALTH, "").status, 200);
}

#[test]
fn storm503_answers_every_request_and_the_health_check_with_503() {
    let node = Node::start("storm503");
    for target in [HEALTH, "/oauth2/token", "/carbon/admin/login.jsp", "/"] {
        let resp = get(node.addr, target, "");
        assert_eq!(resp.status, 503, "{target}: {resp:?}");
        assert_eq!(resp.one("x-mock-upstream"), "m");
        assert_eq!(resp.body(), "mock-wso2 m: storm503\n");
    }
    node.expect_line(&format!("target={HEALTH} status=503"));
}

#[test]
fn slow_answers_after_the_delay_and_normal_again_at_once() {
    let node = Node::start("slow=700");
    let started = Instant::now();
    let resp = get(node.addr, HEALTH, "");
    let took = started.elapsed();
    assert_eq!(resp.status, 200);
    assert!(
        took >= Duration::from_millis(700),
        "answered after {took:?}"
    );

    // A keep-alive connection opened while slow is fast as soon as the mode changes.
    let mut stream = connect(node.addr);
    node.set("normal");
    let started = Instant::now();
    assert_eq!(keep_alive_get(&mut stream, HEALTH).status, 200);
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn reset_resets_new_connections_and_requests_on_open_ones() {
    let node = Node::start("normal");
    // Opened while normal, and used once: Envoy's pooled connection.
    let mut pooled = connect(node.addr);
    assert_eq!(keep_alive_get(&mut pooled, HEALTH).status, 200);

    node.set("reset");
    node.expect_line("mode=reset");
    let (got, end) = send_and_read_all(&mut connect(node.addr), HEALTH);
    assert!(got.is_empty(), "{got:?}");
    let kind = end.unwrap_err().kind();
    // The RST may come before the request is written (then the write fails) or after.
    assert!(
        [ErrorKind::ConnectionReset, ErrorKind::BrokenPipe].contains(&kind),
        "{kind:?}"
    );

    let (got, end) = send_and_read_all(&mut pooled, HEALTH);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(end.unwrap_err().kind(), ErrorKind::ConnectionReset);

    node.set("normal");
    assert_eq!(get(node.addr, HEALTH, "").status, 200);
}

#[test]
fn hang_never_answers_until_the_mode_changes_then_closes_without_an_answer() {
    let node = Node::start("hang");
    let mut stream = connect(node.addr);
    stream
        .set_read_timeout(Some(Duration::from_millis(1500)))
        .unwrap();
    let (got, end) = send_and_read_all(&mut stream, HEALTH);
    assert!(got.is_empty(), "{got:?}");
    let kind = end.unwrap_err().kind();
    assert!(
        [ErrorKind::WouldBlock, ErrorKind::TimedOut].contains(&kind),
        "{kind:?}"
    );

    stream.set_read_timeout(Some(support::WAIT)).unwrap();
    node.set("normal");
    let mut rest = Vec::new();
    let n = stream.read_to_end(&mut rest).unwrap();
    assert_eq!(n, 0, "closed with no answer, got {rest:?}");
    node.expect_line(&format!("target={HEALTH} status=hang"));
    assert_eq!(get(node.addr, HEALTH, "").status, 200);
}

#[test]
fn garbage_writes_bytes_that_are_not_http_and_closes() {
    let node = Node::start("garbage");
    for target in [HEALTH, "/oauth2/token"] {
        let (got, end) = send_and_read_all(&mut connect(node.addr), target);
        end.unwrap();
        assert_eq!(got, GARBAGE);
        assert!(!got.starts_with(b"HTTP/"));
    }
}

#[test]
fn control_must_be_loopback_and_the_mode_must_parse() {
    let mock_wso2 = env!("CARGO_BIN_EXE_mock-wso2");
    let cases = [
        (["--control", "0.0.0.0:0"], "loopback"),
        (["--mode", "sideways"], "unknown mode"),
    ];
    for (extra, want) in cases {
        let out = Command::new(mock_wso2)
            .args(["--node", "m", "--listen", "127.0.0.1:0"])
            .args(extra)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{extra:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(want), "{extra:?}: {stderr}");
    }
}
