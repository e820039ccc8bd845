//! The header audit end to end: every route of the dmz-gateway example earns the top grade of
//! `policies::headers::audit` through Envoy (allowed Identity Server endpoints, context-allowlist
//! denials, header-hardening's own rejection), while the same requests straight to the mock
//! upstream fail it. Also: the client sees the filter's `Server` value (the example's
//! `server_header_transformation: PASS_THROUGH`; a copy of the example with Envoy's default
//! `OVERWRITE` shows `envoy` instead), a plaintext client's `x-forwarded-proto: https` earns no
//! HSTS, and hostile upstream headers (non-UTF-8 values, many and malformed `Set-Cookie`) pass
//! through hardened, never trapping the filter.

use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, bail, ensure};
use policies::headers::{AuditContext, Grade, audit};

use crate::curl::{Response, base64url, fetch, lossy};
use crate::project::{root, run_dir};
use crate::{http, tools, up};

/// The example's listeners and the mock's first node.
const ENVOY: [&str; 2] = ["127.0.0.1:10000", "127.0.0.1:10001"];
const UPSTREAM: &str = "127.0.0.1:18080";
/// What the example's header-hardening configuration sets `Server` to.
const SERVER: &str = "dmz-gateway";

/// One request: `(label, method, target, extra headers, status expected through Envoy)`.
type Route = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    u16,
);

const ROUTES: &[Route] = &[
    (
        "authorize",
        "GET",
        "/oauth2/authorize?response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
        &[],
        302,
    ),
    (
        "token",
        "POST",
        "/oauth2/token",
        &[("authorization", "Basic Y2xpZW50OnNlY3JldA==")],
        200,
    ),
    ("jwks", "GET", "/oauth2/jwks", &[], 200),
    (
        "discovery",
        "GET",
        "/.well-known/openid-configuration",
        &[],
        200,
    ),
    (
        "checksession",
        "GET",
        "/oidc/checksession?client_id=app",
        &[],
        200,
    ),
    ("logout", "GET", "/oidc/logout", &[], 200),
    ("commonauth", "POST", "/commonauth", &[], 302),
    (
        "login page",
        "GET",
        "/authenticationendpoint/login.do?sessionDataKey=0f8fad5b",
        &[],
        200,
    ),
    ("samlsso", "GET", "/samlsso", &[], 200),
    (
        "recovery",
        "GET",
        "/accountrecoveryendpoint/recoverpassword.do",
        &[],
        200,
    ),
    ("myaccount", "GET", "/myaccount/", &[], 200),
    (
        "tenant commonauth",
        "GET",
        "/t/example.com/commonauth",
        &[],
        302,
    ),
    ("health", "GET", "/api/health-check/v1.0/health", &[], 200),
    (
        "xfp spoof",
        "GET",
        "/oauth2/jwks",
        &[("x-forwarded-proto", "https")],
        200,
    ),
    ("denied console", "GET", "/carbon/admin/login.jsp", &[], 403),
    ("denied services", "GET", "/services/Version", &[], 403),
    (
        "denied fileupload",
        "POST",
        "/fileupload/toolsAny",
        &[],
        403,
    ),
    (
        "denied host",
        "GET",
        "/oauth2/jwks",
        &[("host", "evil.example")],
        403,
    ),
    (
        "admin:admin",
        "GET",
        "/oauth2/userinfo",
        &[("authorization", "Basic YWRtaW46YWRtaW4=")],
        401,
    ),
    (
        "xss rejected",
        "GET",
        "/commonauth?x=%3Cscript%3Ealert(1)%3C/script%3E",
        &[],
        400,
    ),
];

/// The E2E step: the audit table, the Server proof and the hostile-upstream check.
pub(crate) fn run() -> Result<()> {
    let mut failures = Vec::new();
    println!(
        "{:<18} {:>6} {:>5} {:>6} {:>5} {:>6} {:>5}  upstream fails",
        "route", "10000", "grade", "10001", "grade", "18080", "grade"
    );
    for (label, method, target, extra, status) in ROUTES {
        let mut row = format!("{label:<18}");
        for addr in ENVOY {
            let r = fetch(addr, method, target, extra)?;
            let report = audit(&r.headers, AuditContext { tls: false });
            row.push_str(&format!(" {:>6} {:>5}", r.status, report.grade.to_string()));
            if r.status != *status {
                failures.push(format!(
                    "{label} via {addr}: status {}, expected {status}",
                    r.status
                ));
            }
            if report.grade != Grade::APlus {
                failures.push(format!(
                    "{label} via {addr}: grade {}: {}",
                    report.grade,
                    report.failed_checks()
                ));
            }
            if r.get("server") != [SERVER.as_bytes()] {
                failures.push(format!(
                    "{label} via {addr}: server {:?}",
                    lossy(&r.get("server"))
                ));
            }
            failures.extend(route_specific(label, &r).map(|f| format!("{label} via {addr}: {f}")));
        }
        let raw = fetch(UPSTREAM, method, target, extra)?;
        let report = audit(&raw.headers, AuditContext { tls: false });
        row.push_str(&format!(
            " {:>6} {:>5}  {}",
            raw.status,
            report.grade.to_string(),
            report.failed_checks()
        ));
        if report.grade <= Grade::A {
            failures.push(format!(
                "{label} straight to the upstream passes the audit ({})",
                report.grade
            ));
        }
        println!("{row}");
    }
    if let Err(e) = hostile_upstream() {
        failures.push(format!("hostile upstream: {e:#}"));
    }
    if let Err(e) = server_overwrite() {
        failures.push(format!("server header with OVERWRITE: {e:#}"));
    }
    if !failures.is_empty() {
        bail!(
            "{} failure(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        );
    }
    println!(
        "every route: A+ through Envoy, server: {SERVER}, no HSTS over plaintext; the raw upstream fails"
    );
    Ok(())
}

/// What some routes must show besides the grade.
fn route_specific(label: &str, r: &Response) -> Option<String> {
    let csd = r.get("clear-site-data");
    match label {
        "logout" if csd.is_empty() => Some("no Clear-Site-Data".into()),
        _ if label != "logout" && !csd.is_empty() => {
            Some("Clear-Site-Data off a logout path".into())
        }
        "checksession" if !r.get("x-frame-options").is_empty() => {
            Some("X-Frame-Options on the OIDC session iframe".into())
        }
        "commonauth" | "tenant commonauth" if r.get("set-cookie").len() != 2 => {
            Some(format!("{} cookies, expected 2", r.get("set-cookie").len()))
        }
        "token" if r.get("cache-control") != [b"no-store".as_slice()] => {
            Some("token response without no-store".into())
        }
        _ => None,
    }
}

/// Non-UTF-8 values, 70 extra headers, malformed and repeated `Set-Cookie` from the upstream:
/// the filter answers (no trap, no 503), keeps every cookie and the raw bytes, hardens the
/// valid cookies.
fn hostile_upstream() -> Result<()> {
    let mut headers: Vec<String> = (0..70).map(|i| format!("[\"x-h{i}\",\"v{i}\"]")).collect();
    let cookies = [
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/",
        "=bad",
        "novalue",
        "lang=en;;",
        "JSESSIONID=\\\"q\\\"; Path=/",
    ];
    headers.extend(cookies.iter().map(|c| format!("[\"Set-Cookie\",\"{c}\"]")));
    // "\xff\xfe\x80bin" and "sid=\xff\xfe; Path=/" in standard base64.
    let json = format!(
        "{{\"status\":200,\"headers\":[{}],\"headers_b64\":[[\"x-raw\",\"//6AYmlu\"],[\"set-cookie\",\"c2lkPf/+OyBQYXRoPS8=\"]],\"body\":\"ok\\n\"}}",
        headers.join(",")
    );
    let reply = base64url(json.as_bytes());
    for addr in ENVOY {
        let r = fetch(
            addr,
            "GET",
            "/oauth2/jwks",
            &[("x-mock-reply", reply.as_str())],
        )?;
        ensure!(r.status == 200, "{addr}: status {}", r.status);
        ensure!(
            !r.get("x-mock-upstream").is_empty(),
            "{addr}: not the upstream's answer"
        );
        ensure!(
            r.get("x-raw") == [b"\xff\xfe\x80bin".as_slice()],
            "{addr}: x-raw changed"
        );
        let set = r.get("set-cookie");
        ensure!(set.len() == 6, "{addr}: {} cookies, expected 6", set.len());
        ensure!(
            set.contains(&b"sid=\xff\xfe; Path=/".as_slice()),
            "{addr}: non-UTF-8 cookie changed"
        );
        ensure!(
            set.contains(&b"=bad".as_slice()),
            "{addr}: malformed cookie dropped"
        );
        ensure!(
            set.contains(&b"JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; Secure; HttpOnly; SameSite=Lax".as_slice()),
            "{addr}: JSESSIONID not hardened: {:?}",
            lossy(&set)
        );
        ensure!(
            r.get("x-h69") == [b"v69".as_slice()],
            "{addr}: headers lost"
        );
    }
    println!(
        "hostile upstream: 77 headers, non-UTF-8 values, 6 Set-Cookie (3 malformed): kept byte for byte, valid cookies hardened"
    );
    Ok(())
}

/// A copy of the example with `server_header_transformation: OVERWRITE` (Envoy's default), on
/// ports shifted by 10: the client then sees `server: envoy`, not the filter's value.
fn server_overwrite() -> Result<()> {
    let text = std::fs::read_to_string(root().join(up::CONFIG))?;
    let mut variant = text.replace(
        "server_header_transformation: PASS_THROUGH",
        "server_header_transformation: OVERWRITE",
    );
    for port in [9901, 10000, 10001, 10080, 10443] {
        variant = variant.replace(
            &format!("port_value: {port} "),
            &format!("port_value: {} ", port + 10),
        );
    }
    let path = run_dir().join("server-overwrite.yaml");
    std::fs::write(&path, variant)?;
    let log = run_dir().join("envoy-server-overwrite.log");
    let child = Command::new(tools::envoy())
        .current_dir(root())
        .args(["--use-dynamic-base-id", "-c"])
        .arg(&path)
        .arg("--log-path")
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start envoy")?;
    let mut guard = KillOnDrop(child);
    http::wait_for("127.0.0.1:9911", "/ready", 30, |s, _| s == 200)?;
    let r = fetch("127.0.0.1:10010", "GET", "/carbon/admin/login.jsp", &[])?;
    let _ = guard.0.kill();
    let _ = guard.0.wait();
    ensure!(
        r.get("server") == [b"envoy".as_slice()],
        "expected server: envoy, got {:?}",
        lossy(&r.get("server"))
    );
    println!(
        "server_header_transformation OVERWRITE: the client sees server: envoy (PASS_THROUGH: {SERVER})"
    );
    Ok(())
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
