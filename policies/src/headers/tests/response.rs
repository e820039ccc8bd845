//! Response edits: rules, HSTS, cache prevention, Clear-Site-Data, and bad upstream input.

use super::*;

const MOCK: &[(&str, &str)] = &[
    (":status", "200"),
    ("content-type", "text/html"),
    ("server", "WSO2 Carbon Server"),
    ("x-powered-by", "Servlet/3.1"),
    ("x-envoy-upstream-service-time", "3"),
];

#[test]
fn hsts_only_on_tls_and_upstream_hsts_removed_on_plaintext() {
    let p = plan(MINIMAL);
    // (connection, upstream HSTS, trust x-forwarded-proto, x-forwarded-proto, expected HSTS)
    type Case<'a> = (
        &'a AttributeTable,
        Option<&'a str>,
        bool,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: &[Case<'_>] = &[
        (
            &tls(),
            None,
            false,
            None,
            Some("max-age=63072000; includeSubDomains"),
        ),
        (
            &tls(),
            Some("max-age=60"),
            false,
            None,
            Some("max-age=63072000; includeSubDomains"),
        ),
        (&plaintext(), None, false, None, None),
        (&plaintext(), Some("max-age=60"), false, None, None),
        // A plaintext client cannot earn HSTS by sending x-forwarded-proto...
        (&plaintext(), None, false, Some("https"), None),
        // ...unless the configuration trusts the header (behind a TLS load balancer).
        (
            &plaintext(),
            None,
            true,
            Some("HTTPS"),
            Some("max-age=63072000; includeSubDomains"),
        ),
        (&plaintext(), None, true, Some("http"), None),
    ];
    for (i, (conn, upstream, trust, xfp, expected)) in cases.iter().enumerate() {
        let p = if *trust {
            plan(r#"{"trust_forwarded_proto": true, "virtual_hosts": [{"domains": ["*"]}]}"#)
        } else {
            p.clone()
        };
        let extra: Vec<(&str, &str)> = xfp.map(|v| ("x-forwarded-proto", v)).into_iter().collect();
        let (facts, _) = on_request(&p, "/oauth2/token", &extra, conn);
        let mut response = MOCK.to_vec();
        response.extend(upstream.map(|v| ("strict-transport-security", v)));
        let (out, _) = respond(&p, &facts, &response);
        let got = get(&out, "strict-transport-security");
        assert_eq!(got.first().map(String::as_str), *expected, "case {i}");
        assert!(got.len() <= 1, "case {i}");
    }
}

#[test]
fn trusted_forwarded_proto_needs_exactly_one_value() {
    let p = plan(r#"{"trust_forwarded_proto": true, "virtual_hosts": [{"domains": ["*"]}]}"#);
    let extra = [
        ("x-forwarded-proto", "https"),
        ("x-forwarded-proto", "https"),
    ];
    let (facts, _) = on_request(&p, "/", &extra, &plaintext());
    assert!(!facts.tls);
}

#[test]
fn hsts_value_follows_configuration() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["*"], "hsts": {"max_age": 63072000, "preload": true}}]}"#,
    );
    let (facts, _) = on_request(&p, "/", &[], &tls());
    let (out, _) = respond(&p, &facts, MOCK);
    assert_eq!(
        get(&out, "strict-transport-security"),
        ["max-age=63072000; includeSubDomains; preload"]
    );
    let off = plan(r#"{"virtual_hosts": [{"domains": ["*"], "hsts": {"enabled": false}}]}"#);
    let (out, _) = respond(&off, &facts, MOCK);
    assert!(get(&out, "strict-transport-security").is_empty());
}

#[test]
fn baseline_adds_owasp_headers_and_removes_fingerprints() {
    let p = plan(MINIMAL);
    let (facts, _) = on_request(&p, "/", &[], &plaintext());
    let (out, edits) = respond(&p, &facts, MOCK);
    for (name, value, _) in owasp::ADD {
        assert_eq!(get(&out, name), [*value], "{name}");
    }
    for gone in ["server", "x-powered-by", "x-envoy-upstream-service-time"] {
        assert!(get(&out, gone).is_empty(), "{gone}");
    }
    assert_eq!(get(&out, ":status"), ["200"]);
    assert_eq!(get(&out, "content-type"), ["text/html"]);
    assert_eq!((edits.added, edits.removed), (11, 3));
    // Nothing sets a cookie, nothing is sensitive: no cache prevention.
    assert!(get(&out, "cache-control").is_empty());
}

#[test]
fn rules_set_default_remove_and_route_overrides() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["*"], "baseline": "none",
            "headers": [
                {"name": "Server", "set": "gateway"},
                {"name": "Content-Security-Policy", "default": "default-src 'self'"},
                {"name": "X-Frame-Options", "set": "DENY"},
                {"name": "X-Debug", "remove": true}],
            "routes": [{"paths": ["/oidc/checksession"], "headers": [
                {"name": "X-Frame-Options", "remove": true}]}]}]}"#,
    );
    let upstream = [
        (":status", "200"),
        ("Server", "WSO2 Carbon Server"),
        ("content-security-policy", "default-src 'none'"),
        ("x-debug", "1"),
        ("x-debug", "2"),
        ("x-frame-options", "ALLOW-FROM https://x"),
    ];
    let (facts, _) = on_request(&p, "/commonauth", &[], &plaintext());
    let (out, edits) = respond(&p, &facts, &upstream);
    assert_eq!(get(&out, "server"), ["gateway"]);
    assert_eq!(get(&out, "content-security-policy"), ["default-src 'none'"]);
    assert_eq!(get(&out, "x-frame-options"), ["DENY"]);
    assert!(get(&out, "x-debug").is_empty());
    assert_eq!((edits.added, edits.replaced, edits.removed), (0, 2, 1));
    // The route for the OIDC session iframe drops X-Frame-Options, keeps the rest.
    let (facts, _) = on_request(&p, "/oidc/checksession?client_id=x", &[], &plaintext());
    let (out, _) = respond(&p, &facts, &upstream);
    assert!(get(&out, "x-frame-options").is_empty());
    assert_eq!(get(&out, "server"), ["gateway"]);
}

#[test]
fn cache_prevention_by_path_cookie_and_authorization() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["*"], "baseline": "none",
            "cache": {"no_store_paths": ["/oauth2/token"], "public_paths": ["/static/**"]}}]}"#,
    );
    const COOKIE: (&str, &str) = ("set-cookie", "a=1; Path=/");
    const PUBLIC: (&str, &str) = ("cache-control", "public, max-age=600");
    // (target, request headers, response headers, expected no-store)
    const CASES: &[(&str, Hs, Hs, bool)] = &[
        ("/oauth2/token", &[], &[PUBLIC], true),
        ("/page", &[], &[PUBLIC], false),
        ("/page", &[], &[COOKIE], true),
        ("/page", &[("authorization", "Bearer x")], &[PUBLIC], true),
        (
            "/static/app.css",
            &[("authorization", "Bearer x")],
            &[COOKIE],
            false,
        ),
        // An unnormalisable path is never public.
        ("/static/%zz", &[], &[COOKIE], true),
    ];
    for (target, req, resp, no_store) in CASES {
        let (facts, _) = on_request(&p, target, req, &plaintext());
        let mut response = vec![(":status", "200")];
        response.extend_from_slice(resp);
        let (out, edits) = respond(&p, &facts, &response);
        assert_eq!(edits.no_store, *no_store, "{target}");
        let cc = get(&out, "cache-control");
        if *no_store {
            assert_eq!(cc, ["no-store, max-age=0"], "{target}");
            assert_eq!(get(&out, "pragma"), ["no-cache"], "{target}");
            assert_eq!(get(&out, "expires"), ["0"], "{target}");
        } else {
            assert!(!cc.iter().any(|v| v.contains("no-store")), "{target}");
        }
    }
    // An upstream value is replaced by the configured one, whatever it says.
    let (facts, _) = on_request(&p, "/oauth2/token", &[], &plaintext());
    let (out, _) = respond(&p, &facts, &[("cache-control", "private, No-Store")]);
    assert_eq!(get(&out, "cache-control"), ["no-store, max-age=0"]);
}

#[test]
fn clear_site_data_on_logout_paths_only() {
    let p =
        plan(r#"{"virtual_hosts": [{"domains": ["*"], "logout": {"paths": ["/oidc/logout"]}}]}"#);
    for (target, expected) in [("/oidc/logout?x=1", 1), ("/oidc/logout/x", 0), ("/", 0)] {
        let (facts, _) = on_request(&p, target, &[], &plaintext());
        let (out, _) = respond(&p, &facts, &[(":status", "302")]);
        let csd = get(&out, "clear-site-data");
        assert_eq!(csd.len(), expected, "{target}");
        if expected == 1 {
            assert_eq!(csd, ["\"cache\", \"cookies\", \"storage\""]);
        }
    }
}

#[test]
fn already_hardened_response_needs_no_edit() {
    let p = plan(MINIMAL);
    let (facts, _) = on_request(&p, "/", &[], &tls());
    let (out, first) = respond(&p, &facts, MOCK);
    assert!(first.host_calls() > 1);
    let again = p.on_response(&facts, &out);
    assert_eq!(again.edits, vec![], "edits are idempotent");
}

#[test]
fn hostile_upstream_headers_never_panic() {
    let p = preset("wso2-is");
    let (facts, _) = on_request(&p, "/commonauth", &[("authorization", "Basic x")], &tls());
    let mut headers: Vec<(String, Vec<u8>)> = vec![(":status".into(), b"200".to_vec())];
    for i in 0..150 {
        headers.push((format!("x-h{i}"), vec![0xff, 0xfe, b'\r', b'\n', i as u8]));
    }
    let weird_cookies: &[&[u8]] = &[
        b"JSESSIONID=",
        b"=novalue",
        b"novalue",
        b";;;",
        b"",
        b"\xff\xfe=1",
        b"a=b; SameSite",
        b"a=b; Max-Age=-1; Max-Age=x",
        b"JSESSIONID=\"quoted;\"",
        b"a=\xc3\xa9; Path=/\x00",
    ];
    for c in weird_cookies.iter().cycle().take(60) {
        headers.push(("Set-Cookie".into(), c.to_vec()));
    }
    headers.push(("server".into(), vec![0x80; 3]));
    let edits = p.on_response(&facts, &headers);
    let cookies_before = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .count();
    apply(&edits.edits, &mut headers);
    let cookies_after = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .count();
    assert_eq!(cookies_before, cookies_after, "no cookie is dropped");
    assert!(edits.cookies_malformed > 0);
    assert!(get(&headers, "server").is_empty());
    assert_eq!(
        headers.iter().filter(|(n, _)| n.starts_with("x-h")).count(),
        150
    );
}

#[test]
fn edits_host_calls_and_apply() {
    let set = Edit::Set {
        name: "a".into(),
        value: b"1".to_vec(),
    };
    let cookies = Edit::SetCookies {
        values: vec![b"x=1".to_vec(), b"y=2".to_vec()],
    };
    assert_eq!((set.host_calls(), cookies.host_calls()), (1, 3));
    let mut h = pairs(&[
        ("A", "0"),
        ("set-cookie", "x"),
        ("a", "9"),
        ("set-cookie", "y"),
    ]);
    apply(&[set, cookies, Edit::Remove { name: "b".into() }], &mut h);
    assert_eq!(
        h,
        pairs(&[("A", "1"), ("set-cookie", "x=1"), ("set-cookie", "y=2")])
    );
}
