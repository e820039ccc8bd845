//! The header audit end to end: every route of the dmz-gateway example and every kind of local
//! reply its filters make (400, 401, 403, 413, 414, 421, 308, 502) earn the top grade of
//! `gateway_hardening_cli::grade` (OWASP's published lists, not the filter's constants) through Envoy, over HTTP/1.1 and HTTP/2, on the plaintext
//! listeners and the HTTPS front door, while the same requests straight to the mock upstream
//! fail it. Each answer is also checked point by point (issue 13): `X-XSS-Protection: 0`, no
//! `Server` at all (the example removes it; with the example's
//! `server_header_transformation: PASS_THROUGH` nothing writes one back: a copy with Envoy's
//! default `OVERWRITE` shows `envoy`), HSTS on TLS answers only (a plaintext client's
//! `x-forwarded-proto: https` earns none), `Cache-Control: no-store, max-age=0` with
//! `Pragma: no-cache` on every dynamic answer and local reply, `public, max-age=300` on public
//! metadata. Then weak and hostile upstream headers pass through hardened, never trapping the
//! filter.

mod routes;

use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail, ensure};
use gateway_hardening_cli::grade::{Exchange, Grade, Report, grade};

use crate::curl::{Response, Transport, base64url, fetch, lossy, send};
use crate::down::KillOnDrop;
use crate::project::{root, run_dir};
use crate::{http, tools, up};
use routes::{Body, Cache, ROUTES, Route};

const UPSTREAM: &str = "127.0.0.1:18080";

/// The HSTS value of the example's header-hardening configuration.
const HSTS: &[u8] = b"max-age=63072000; includeSubDomains";

/// Every way a client reaches the example's identity-server routes.
const TRANSPORTS: &[Transport] = &[
    Transport {
        label: "10000 h1",
        port: 10000,
        tls: false,
        http2: false,
        host: "127.0.0.1",
        cert: None,
    },
    Transport {
        label: "10000 h2c",
        port: 10000,
        tls: false,
        http2: true,
        host: "127.0.0.1",
        cert: None,
    },
    Transport {
        label: "10001 h1",
        port: 10001,
        tls: false,
        http2: false,
        host: "127.0.0.1",
        cert: None,
    },
    Transport {
        label: "10443 h1",
        port: 10443,
        tls: true,
        http2: false,
        host: "is.gateway.test",
        cert: None,
    },
    Transport {
        label: "10443 h2",
        port: 10443,
        tls: true,
        http2: true,
        host: "is.gateway.test",
        cert: None,
    },
];

/// The E2E step: the audit matrix, the Server proof, weak and hostile upstream answers.
pub(crate) fn run() -> Result<()> {
    let mut failures = Vec::new();
    let mut checked = 0;
    println!(
        "{:<24} {}  upstream alone",
        "route",
        TRANSPORTS
            .iter()
            .map(|t| format!("{:>13}", t.label))
            .collect::<String>()
    );
    for route in ROUTES {
        let mut row = format!("{:<24}", route.label);
        for t in TRANSPORTS {
            let Some((t, status)) = planned(route, t, 0) else {
                row.push_str(&format!("{:>13}", "-"));
                continue;
            };
            let r = match exchange(route, &t) {
                Ok(r) => r,
                Err(e) => {
                    row.push_str(&format!("{:>13}", "no answer"));
                    failures.push(format!("{} via {}: {e:#}", route.label, t.label));
                    continue;
                }
            };
            let (grade, found) = check_answer(route, &t, status, &r);
            let shown = grade.map_or("?".into(), |g| g.to_string());
            row.push_str(&format!("{:>9} {:>3}", r.status, shown));
            checked += 1;
            failures.extend(
                found
                    .into_iter()
                    .map(|f| format!("{} via {}: {f}", route.label, t.label)),
            );
        }
        if route.upstream {
            let raw = fetch(UPSTREAM, route.method, route.target, route.headers)?;
            let report = graded(&raw.headers, route, false)?;
            row.push_str(&format!("  {} {}", report.grade, report.failures()));
            if report.grade <= Grade::A {
                failures.push(format!(
                    "{} straight to the upstream passes the audit ({})",
                    route.label, report.grade
                ));
            }
        }
        println!("{row}");
    }
    for (name, check) in [
        (
            "weak upstream values",
            weak_upstream as fn() -> Result<String>,
        ),
        (
            "session cookies as a browser reads them",
            cookies_as_a_browser_reads_them,
        ),
        ("hostile upstream", hostile_upstream),
        ("server header with OVERWRITE", server_overwrite),
        (
            "local replies with header-hardening disabled",
            local_replies_without_header_hardening,
        ),
    ] {
        match check() {
            Ok(line) => println!("{name}: {line}"),
            Err(e) => failures.push(format!("{name}: {e:#}")),
        }
    }
    if !failures.is_empty() {
        bail!(
            "{} failure(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        );
    }
    println!(
        "{checked} answers over {} transports: A+, X-XSS-Protection: 0, no Server, HSTS on TLS only, no-store on every dynamic answer and local reply; the raw upstream fails",
        TRANSPORTS.len()
    );
    Ok(())
}

/// Where and how `route` is sent over `t` on a copy of the example with its ports shifted by
/// `shift`: the transport (the route's own plaintext port, its TLS host) and the status
/// expected; `None` when the route is not sent over `t`.
fn planned(route: &Route, t: &Transport, shift: u16) -> Option<(Transport, u16)> {
    let status = if t.tls { route.tls } else { route.plain };
    let status = status.filter(|_| !(route.http1_only && t.http2))?;
    let mut t = *t;
    t.port = route.port.filter(|_| !t.tls).unwrap_or(t.port) + shift;
    if let Some(host) = route.tls_host.filter(|_| t.tls) {
        t.host = host;
    }
    Some((t, status))
}

/// Sends `route` over `t`: its target padded by `pad_target` bytes, its form body (written to
/// a file under the run folder) when it has one.
fn exchange(route: &Route, t: &Transport) -> Result<Response> {
    let target = format!("{}{}", route.target, "a".repeat(route.pad_target));
    let body = run_dir().join(format!("header-audit-form-{}.txt", route.label));
    let file = match route.body {
        Body::None => None,
        Body::FormOfBytes(n) => {
            std::fs::write(&body, format!("a={}", "a".repeat(n.saturating_sub(2))))?;
            Some(body.as_path())
        }
        Body::Form(form) => {
            std::fs::write(&body, form)?;
            Some(body.as_path())
        }
    };
    send(t, route.method, &target, route.headers, file)
}

/// Every point an answer must show, as failure messages (none: it passed), with the answer's
/// grade (`None` when the grade's lists could not be read).
fn check_answer(
    route: &Route,
    t: &Transport,
    status: u16,
    r: &Response,
) -> (Option<Grade>, Vec<String>) {
    let mut out = Vec::new();
    let report = match graded(&r.headers, route, t.tls) {
        Ok(report) => report,
        Err(e) => return (None, vec![format!("{e:#}")]),
    };
    if r.status != status {
        out.push(format!("status {}, expected {status}", r.status));
    }
    if report.grade != Grade::APlus {
        out.push(format!("grade {}: {}", report.grade, report.failures()));
    }
    let one = |name: &str, want: &[u8]| -> Option<String> {
        let got = r.get(name);
        (got != [want]).then(|| {
            format!(
                "{name}: {:?}, expected {:?}",
                lossy(&got),
                String::from_utf8_lossy(want)
            )
        })
    };
    out.extend(one("x-xss-protection", b"0"));
    if !r.get("server").is_empty() {
        out.push(format!("server: {:?}", lossy(&r.get("server"))));
    }
    if t.tls {
        out.extend(one("strict-transport-security", HSTS));
    } else if !r.get("strict-transport-security").is_empty() {
        out.push("HSTS on a plaintext answer".into());
    }
    match route.cache {
        Cache::NoStore if r.status < 300 || !route.upstream || r.status >= 400 => {
            out.extend(one("cache-control", b"no-store, max-age=0"));
            out.extend(one("pragma", b"no-cache"));
        }
        Cache::NoStore => out.extend(one("cache-control", b"no-store, max-age=0")),
        Cache::Public => out.extend(one("cache-control", b"public, max-age=300")),
    }
    if r.get("x-request-id").is_empty() && !route.upstream {
        out.push("local reply without x-request-id".into());
    }
    out.extend(route_specific(route.label, r));
    (Some(report.grade), out)
}

/// The OWASP grade of an answer to `route`: sensitive unless the route is public metadata, a
/// logout on the logout route.
fn graded(headers: &[(String, Vec<u8>)], route: &Route, tls: bool) -> Result<Report> {
    let exchange = Exchange {
        tls,
        sensitive: route.cache == Cache::NoStore,
        logout: route.label == "logout",
    };
    Ok(grade(headers, exchange)?)
}

/// What some routes must show besides the common points.
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
        "308 to https"
            if r.get("location") != [b"https://127.0.0.1:10443/oauth2/jwks".as_slice()] =>
        {
            Some(format!("location {:?}", lossy(&r.get("location"))))
        }
        _ => None,
    }
}

/// An upstream that sends weak values of the headers the baseline only defaults: a CSP with
/// `'unsafe-inline'` and `'unsafe-eval'`, an empty `Cross-Origin-Resource-Policy`,
/// `Cross-Origin-Opener-Policy: unsafe-none`, `Permissions-Policy: camera=*`: the client sees
/// the configured values instead.
fn weak_upstream() -> Result<String> {
    let json = r#"{"status":200,"headers":[["Content-Security-Policy","default-src 'self' 'unsafe-inline' 'unsafe-eval'"],["Cross-Origin-Resource-Policy",""],["Cross-Origin-Opener-Policy","unsafe-none"],["Permissions-Policy","camera=*"],["X-XSS-Protection","1; mode=block"]],"body":"ok\n"}"#;
    let reply = base64url(json.as_bytes());
    for t in TRANSPORTS {
        let r = send(
            t,
            "GET",
            "/oauth2/jwks",
            &[("x-mock-reply", reply.as_str())],
            None,
        )?;
        ensure!(r.status == 200, "{}: status {}", t.label, r.status);
        ensure!(
            !r.get("x-mock-upstream").is_empty(),
            "{}: not the upstream's answer",
            t.label
        );
        for (name, bad) in [
            ("content-security-policy", "unsafe"),
            ("cross-origin-opener-policy", "unsafe-none"),
            ("permissions-policy", "camera=*"),
        ] {
            let got = lossy(&r.get(name));
            ensure!(
                matches!(got.as_slice(), [one] if !one.contains(bad)),
                "{}: {name} {got:?}",
                t.label
            );
        }
        ensure!(
            r.get("cross-origin-resource-policy") == [b"same-origin".as_slice()],
            "{}: empty CORP kept",
            t.label
        );
        ensure!(
            r.get("x-xss-protection") == [b"0".as_slice()],
            "{}: x-xss-protection {:?}",
            t.label,
            lossy(&r.get("x-xss-protection"))
        );
    }
    Ok(format!(
        "CSP unsafe-inline/unsafe-eval, empty CORP, COOP unsafe-none, Permissions-Policy camera=* replaced over {} transports",
        TRANSPORTS.len()
    ))
}

/// Cookies an upstream sets the way a browser would misread them: an attribute hidden behind a
/// no-break space (RFC 6265 §5.2 trims only space and tab, so `\xa0Secure` is not `Secure`),
/// repeated `SameSite` (the last applies), a nameless cookie, a session cookie whose `Domain`
/// is broader than the host, a session cookie being deleted, and a session id in the
/// `Location` URL. Checked in the answer and in header-hardening's counters.
fn cookies_as_a_browser_reads_them() -> Result<String> {
    // "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; \xa0Secure; \xa0HttpOnly"
    let hidden = "SlNFU1NJT05JRD1FOTQyMUU0RTJERDBGRjI2MEE0M0QxQUE4NDMyMjMzMjsgUGF0aD0vOyCgU2VjdXJlOyCgSHR0cE9ubHk=";
    let json = format!(
        r#"{{"status":302,"headers":[["Location","https://is.gateway.test:10443/authenticationendpoint/login.do;jsessionid=9F3A1C7E5B2D4E6F8A0B1C2D3E4F5A6B"],["Set-Cookie","lang=en; SameSite=Lax; SameSite=None"],["Set-Cookie","=nameless"],["Set-Cookie","commonAuthId=7c4f5b1e-2f8a-4e1b-9c3d-5a6b7c8d9e0f; Domain=gateway.test; Path=/; Secure; HttpOnly; SameSite=None"],["Set-Cookie","JSESSIONID=; Max-Age=0; Path=/"]],"headers_b64":[["set-cookie","{hidden}"]],"body":""}}"#
    );
    let reply = base64url(json.as_bytes());
    let counters = [
        "broad_domain_sessions",
        "session_in_url",
        "weak_session_ids",
    ];
    for t in TRANSPORTS.iter().filter(|t| t.port != 10001) {
        let before = counters.map(|c| crate::http::filter_counter("header_hardening", c));
        let r = send(
            t,
            "GET",
            "/authenticationendpoint/login.do",
            &[("x-mock-reply", reply.as_str()), ("host", t.host)],
            None,
        )?;
        ensure!(r.status == 302, "{}: status {}", t.label, r.status);
        let cookies = lossy(&r.get("set-cookie"));
        let has = |prefix: &str, attrs: &[&str]| {
            cookies.iter().any(|c| {
                c.starts_with(prefix) && attrs.iter().all(|a| c.split("; ").any(|p| p == *a))
            })
        };
        ensure!(
            has(
                "JSESSIONID=E9421E4E",
                &["Secure", "HttpOnly", "SameSite=Lax"]
            ),
            "{}: JSESSIONID behind a no-break space not hardened: {cookies:?}",
            t.label
        );
        ensure!(
            has("lang=en", &["Secure", "HttpOnly"]),
            "{}: lang (last SameSite=None) without Secure: {cookies:?}",
            t.label
        );
        ensure!(
            has("=nameless", &["Secure", "HttpOnly", "SameSite=Lax"]),
            "{}: nameless cookie passed on unhardened: {cookies:?}",
            t.label
        );
        ensure!(
            has("JSESSIONID=;", &["Secure", "HttpOnly"]),
            "{}: deletion not hardened: {cookies:?}",
            t.label
        );
        let after = counters.map(|c| crate::http::filter_counter("header_hardening", c));
        let delta: Vec<u64> = after
            .iter()
            .zip(before)
            .map(|(a, b)| a.saturating_sub(b))
            .collect();
        ensure!(
            delta == [1, 1, 0],
            "{}: counter deltas {counters:?} = {delta:?}, expected [1, 1, 0] (commonAuthId's Domain=gateway.test flagged, the Location id flagged, the deletion not judged weak)",
            t.label
        );
    }
    Ok("hidden attributes added, last SameSite applied, nameless cookie hardened, broad Domain and Location session id counted, deletion not judged weak".into())
}

/// Non-UTF-8 values, 70 extra headers, malformed and repeated `Set-Cookie` from the upstream:
/// the filter answers (no trap, no 503), keeps the raw bytes of other headers, and hardens
/// every cookie, the unparseable ones included.
fn hostile_upstream() -> Result<String> {
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
    for addr in ["127.0.0.1:10000", "127.0.0.1:10001"] {
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
        // Unparseable values (non-UTF-8, nameless, no `=`) are hardened byte-safely, never
        // passed on as they came (the example's `unparseable_cookies: harden`, the default).
        for hardened in [
            b"sid=\xff\xfe; Path=/; Secure; HttpOnly; SameSite=Lax".as_slice(),
            b"=bad; Secure; HttpOnly; SameSite=Lax",
            b"novalue; Secure; HttpOnly; SameSite=Lax",
        ] {
            ensure!(
                set.contains(&hardened),
                "{addr}: {:?} missing in {:?}",
                String::from_utf8_lossy(hardened),
                lossy(&set)
            );
        }
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
    Ok(
        "77 headers, non-UTF-8 values kept byte for byte, 6 Set-Cookie (3 unparseable) all hardened"
            .into(),
    )
}

/// A copy of the example with `server_header_transformation: OVERWRITE` (Envoy's default), on
/// ports shifted by 10: the client then sees `server: envoy`, where the example shows none.
fn server_overwrite() -> Result<String> {
    let _envoy = variant("server-overwrite", 10, |text| {
        text.replace(
            "server_header_transformation: PASS_THROUGH",
            "server_header_transformation: OVERWRITE",
        )
    })?;
    let r = fetch("127.0.0.1:10010", "GET", "/carbon/admin/login.jsp", &[])?;
    ensure!(
        r.get("server") == [b"envoy".as_slice()],
        "expected server: envoy, got {:?}",
        lossy(&r.get("server"))
    );
    Ok("the client sees server: envoy (PASS_THROUGH: no Server at all)".into())
}

/// A copy of the example with header-hardening switched off on every listener (its section left
/// out of the combined module's configurations), on ports shifted by 20: every local reply of
/// context-allowlist and tls-guard still passes every check, because the policy that answers
/// writes the hardened set itself (Envoy skips the response callback of a Wasm filter whose
/// request callback never ran, so a header-hardening placed after them would not see their
/// answers either).
fn local_replies_without_header_hardening() -> Result<String> {
    let mut edited = std::fs::read_to_string(root().join(up::CONFIG))?;
    for (file, _) in crate::examples::COMBINED {
        let path = crate::examples::plugin_config_dir().join(file);
        let mut config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        config
            .as_object_mut()
            .context("a combined configuration is not an object")?
            .remove("header_hardening")
            .context("a combined configuration without header_hardening")?;
        edited = crate::envoy_checks::replace_block(
            &edited,
            &format!("# plugin-config/{file}"),
            &config.to_string(),
        )?;
    }
    let _envoy = variant("no-header-hardening", 20, |_| edited.clone())?;
    let mut checked = 0;
    let mut failures = Vec::new();
    for route in ROUTES
        .iter()
        .filter(|r| !r.upstream && !r.by_header_hardening)
    {
        for t in TRANSPORTS {
            let Some((t, status)) = planned(route, t, 20) else {
                continue;
            };
            let r = exchange(route, &t)?;
            checked += 1;
            failures.extend(
                check_answer(route, &t, status, &r)
                    .1
                    .into_iter()
                    .filter(|f| !f.starts_with("location"))
                    .map(|f| format!("{} via {} + 20: {f}", route.label, t.label)),
            );
        }
    }
    ensure!(failures.is_empty(), "{}", failures.join("\n  "));
    Ok(format!(
        "{checked} local replies of context-allowlist and tls-guard hardened with header-hardening disabled"
    ))
}

/// Starts a copy of the example, edited by `edit`, with every listener and the admin port
/// shifted by `shift`; waits until it is ready. Dropping the guard stops it.
fn variant(name: &str, shift: u16, edit: impl Fn(String) -> String) -> Result<KillOnDrop> {
    let text = up::shifted(
        &edit(std::fs::read_to_string(root().join(up::CONFIG))?),
        shift,
    );
    let path = run_dir().join(format!("{name}.yaml"));
    std::fs::write(&path, text)?;
    let log = run_dir().join(format!("envoy-{name}.log"));
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
    let guard = KillOnDrop(child);
    http::wait_for(
        &format!("127.0.0.1:{}", 9901 + shift),
        "/ready",
        120,
        |s, _| s == 200,
    )?;
    Ok(guard)
}
