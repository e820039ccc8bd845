//! Runs the real binary on ephemeral ports (127.0.0.1:0) and checks what it answers over plain
//! HTTP/1.1 and over TLS 1.2 and 1.3 with a certificate made here.

mod support;

use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConnection, ProtocolVersion, StreamOwned, version};

use support::{Mock, Resp, connect, exchange, get, tls_client, utf8};

fn plain_mock() -> Mock {
    Mock::start(
        &[
            "--node",
            "it",
            "--listen",
            "127.0.0.1:0",
            "--listen",
            "127.0.0.1:0",
        ],
        2,
    )
}

fn assert_mock_headers(resp: &Resp, target: &str) {
    assert_eq!(resp.one("server"), "WSO2 Carbon Server");
    assert_eq!(resp.one("x-mock-upstream"), "it");
    assert_eq!(resp.one("x-mock-path"), target);
    resp.one("x-mock-dispatch");
    assert!(
        ["true", "false"].contains(&resp.one("x-mock-admin")),
        "{resp:?}"
    );
    for name in [
        "cache-control",
        "pragma",
        "expires",
        "strict-transport-security",
    ] {
        assert!(resp.all(name).is_empty(), "{name} in {resp:?}");
    }
}

#[test]
fn every_listener_serves_the_routes_and_raw_targets_reach_the_catch_all() {
    let mock = plain_mock();
    for &addr in &mock.addrs {
        let resp = get(addr, "/carbon/admin/login.jsp", "");
        assert_eq!(resp.status, 200);
        assert_mock_headers(&resp, "/carbon/admin/login.jsp");
        assert!(
            resp.body()
                .contains("<title>WSO2 Management Console</title>")
        );
    }
    let targets = [
        "/a;x=1/b",
        "/a/%2e%2e/",
        "//x",
        "/%63arbon/admin/login.jsp",
        "/t//carbon/?q=%2F",
    ];
    for target in targets {
        let resp = get(mock.addrs[0], target, "");
        let want = format!("mock-wso2 it: {target}\n");
        assert_eq!((resp.status, resp.body()), (200, want.as_str()));
        assert_mock_headers(&resp, target);
        assert!(resp.one("content-type").starts_with("text/plain"));
    }
}

#[test]
fn every_answer_says_where_wso2_would_land_the_request() {
    let mock = plain_mock();
    // (target, status, x-mock-dispatch, x-mock-tenant, x-mock-admin)
    let cases = [
        (
            "/t/abc.com/api/users/v1/me/x/api/server/v1/applications",
            200,
            "/api /server/v1/applications",
            Some("abc.com"),
            "true",
        ),
        (
            "/t/abc.com/commonauth;jsessionid=1",
            200,
            "/ /commonauth",
            Some("abc.com"),
            "false",
        ),
        (
            "/oauth2/..;/carbon/admin",
            200,
            "/carbon /admin",
            None,
            "true",
        ),
        (
            "/o/api/server/v1/applications?x=1",
            200,
            "/api /server/v1/applications",
            Some("carbon.super"),
            "true",
        ),
        (
            "/carbon/admin/login.jsp",
            200,
            "/carbon /admin/login.jsp",
            None,
            "true",
        ),
        // Decoded `%` and space are percent-encoded again in the header.
        ("/x/%25%20y", 200, "/ /x/%25%20y", None, "false"),
        // Tomcat refuses these: 400 from the mock, no landing.
        ("/%2e%2e/services", 400, "- -", None, "false"),
        ("/api%2Fserver/v1", 400, "- -", None, "false"),
    ];
    for (target, status, landing, tenant, admin) in cases {
        let resp = get(mock.addrs[0], target, "");
        assert_eq!(resp.status, status, "{target}: {resp:?}");
        assert_mock_headers(&resp, target);
        assert_eq!(resp.one("x-mock-dispatch"), landing, "{target}");
        assert_eq!(resp.one("x-mock-admin"), admin, "{target}");
        let got_tenant = resp.all("x-mock-tenant").first().map(|v| utf8(v));
        assert_eq!(got_tenant, tenant, "{target}");
    }

    // The override answers as it says, and still carries the landing (replacing any it sets).
    let spec = r#"{"status":204,"headers":[["x-mock-tenant","evil"],["x-mock-admin","x"]]}"#;
    let header = format!("x-mock-reply: {}\r\n", URL_SAFE_NO_PAD.encode(spec));
    let resp = get(mock.addrs[1], "/t/abc.com/oauth2/token", &header);
    assert_eq!(resp.status, 204);
    assert_eq!(resp.one("x-mock-dispatch"), "/oauth2 /token");
    assert_eq!(resp.one("x-mock-tenant"), "abc.com");
    assert_eq!(resp.one("x-mock-admin"), "false");
    let resp = get(mock.addrs[1], "/%2e%2e/", &header);
    assert_eq!(resp.status, 204);
    assert_eq!(resp.one("x-mock-dispatch"), "- -");
    assert!(resp.all("x-mock-tenant").is_empty(), "{resp:?}");
    assert_eq!(resp.one("x-mock-admin"), "false");
}

#[test]
fn commonauth_sets_tomcat_cookies_on_a_keep_alive_connection() {
    let args = [
        "--node",
        "it",
        "--listen",
        "127.0.0.1:0",
        "--session-id-bytes",
        "20",
    ];
    let mock = Mock::start(&args, 1);
    let mut conn = connect(mock.addrs[0]);
    let post = "POST /t/wso2.com/commonauth HTTP/1.1\r\nHost: wso2\r\n\
                Content-Length: 11\r\n\r\nusername=a&";
    // Twice on one connection: the request body is read, the connection stays usable.
    for _ in 0..2 {
        let resp = exchange(&mut conn, post);
        assert_eq!(resp.status, 302);
        assert_mock_headers(&resp, "/t/wso2.com/commonauth");
        let location = resp.one("location");
        assert!(location.starts_with("/t/wso2.com/authenticationendpoint/login.do?"));
        let cookies: Vec<&str> = resp.all("set-cookie").into_iter().map(utf8).collect();
        assert_eq!(cookies.len(), 2, "{cookies:?}");
        let id = cookies[0].strip_prefix("JSESSIONID=").unwrap();
        let (id, attrs) = id.split_once(';').unwrap();
        assert_eq!(id.len(), 40);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
            "{id}"
        );
        assert_eq!(attrs, " Path=/; HttpOnly");
        assert!(cookies[1].starts_with("commonAuthId="), "{cookies:?}");
        assert!(cookies[1].ends_with("; Path=/; HttpOnly"), "{cookies:?}");
    }
}

#[test]
fn x_mock_reply_answers_exactly_what_it_says() {
    let mock = plain_mock();
    let raw = [0xff, b'z', 0x80];
    let spec = format!(
        r#"{{"status":451,"headers":[["Set-Cookie","a=1"],["Server","Apache"],["Set-Cookie","b=2"]],
            "headers_b64":[["x-raw","{}"]],"body":"gone"}}"#,
        STANDARD.encode(raw)
    );
    let header = format!("x-mock-reply: {}\r\n", URL_SAFE_NO_PAD.encode(spec));
    let resp = get(mock.addrs[0], "/oauth2/token", &header);
    assert_eq!((resp.status, resp.body()), (451, "gone"));
    assert_eq!(resp.all("set-cookie"), [&b"a=1"[..], b"b=2"]);
    assert_eq!(resp.all("server"), [b"Apache"]);
    assert_eq!(resp.all("x-raw"), [&raw[..]]);
    assert_eq!(resp.one("x-mock-upstream"), "it");
    assert_eq!(resp.one("x-mock-path"), "/oauth2/token");

    // `e30` is `{}`: no status.
    let resp = get(mock.addrs[1], "/x", "x-mock-reply: e30\r\n");
    assert_eq!(resp.status, 400);
    assert!(
        resp.body().contains("missing field `status`"),
        "{}",
        resp.body()
    );
    assert_eq!(resp.body().lines().count(), 1);
    assert_mock_headers(&resp, "/x");
}

#[test]
fn tls_listener_speaks_tls12_and_tls13_with_alpn_http11() {
    let dir = std::env::temp_dir().join(format!("mock-wso2-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pair = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let cert_pem = pair.cert.pem();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, &cert_pem).unwrap();
    std::fs::write(&key, pair.signing_key.serialize_pem()).unwrap();
    let https = format!("127.0.0.1:0,{},{}", cert.display(), key.display());
    let mock = Mock::start(&["--node", "it", "--https", &https], 1);
    std::fs::remove_dir_all(&dir).unwrap();

    let versions = [
        (&version::TLS12, ProtocolVersion::TLSv1_2),
        (&version::TLS13, ProtocolVersion::TLSv1_3),
    ];
    for (v, want) in versions {
        let name = ServerName::try_from("localhost").unwrap();
        let client = ClientConnection::new(tls_client(&cert_pem, v), name).unwrap();
        let mut stream = StreamOwned::new(client, connect(mock.addrs[0]));
        let req = "GET /api/health-check/v1.0/health HTTP/1.1\r\nHost: wso2\r\n\r\n";
        let resp = exchange(&mut stream, req);
        assert_eq!(stream.conn.protocol_version(), Some(want));
        assert_eq!(stream.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
        let want_body = r#"{"health":[{"key":"sample","value":"ok"}]}"#;
        assert_eq!((resp.status, resp.body()), (200, want_body));
        assert_mock_headers(&resp, "/api/health-check/v1.0/health");
    }
}

#[test]
fn logs_one_line_per_request_and_exits_cleanly_on_sigterm() {
    let mut mock = plain_mock();
    get(mock.addrs[0], "/%2e%2e/", "");
    get(mock.addrs[1], "/oauth2/token", "");
    assert_eq!(
        mock.next_line(),
        "mock-wso2 node=it method=GET target=/%2e%2e/ status=400"
    );
    assert_eq!(
        mock.next_line(),
        "mock-wso2 node=it method=GET target=/oauth2/token status=405"
    );
    let pid = mock.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(mock.next_line(), "mock-wso2 node=it stopping on SIGTERM");
    let status = mock.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn refuses_to_start_without_a_listener_or_with_a_bad_key() {
    let bin = env!("CARGO_BIN_EXE_mock-wso2");
    let out = Command::new(bin).args(["--node", "it"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least one --listen or --https"));
    let out = Command::new(bin)
        .args([
            "--node",
            "it",
            "--https",
            "127.0.0.1:0,/nonexistent/c.pem,/nonexistent/k.pem",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/c.pem"));
}
