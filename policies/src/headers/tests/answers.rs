//! No answer leaves unhardened (issue 13): the OWASP baseline's current advice, the default host
//! for unknown and malformed authorities, weak upstream values, cache prevention for identity
//! providers, and the endpoint forms of configured paths.

use super::*;

/// The answer of a bare upstream (no security header at all).
const BARE: &[(&str, &str)] = &[(":status", "200"), ("content-type", "text/html")];

#[test]
fn baseline_sends_x_xss_protection_zero() {
    // OWASP Secure Headers Project: `X-XSS-Protection: 0` (the XSS auditor switched off),
    // replacing an upstream's `1; mode=block`.
    let p = plan(MINIMAL);
    for (row, upstream) in [
        ("absent", None),
        ("legacy 1; mode=block", Some("1; mode=block")),
    ] {
        let (facts, _) = on_request(&p, "/", &[], &tls());
        let mut resp = BARE.to_vec();
        resp.extend(upstream.map(|v| ("x-xss-protection", v)));
        let (out, _) = respond(&p, &facts, &resp);
        assert_eq!(get(&out, "x-xss-protection"), ["0"], "{row}");
    }
}

#[test]
fn requests_no_virtual_host_names_get_the_default_host() {
    let p = plan(r#"{"virtual_hosts": [{"domains": ["is.example.com"], "baseline": "none"}]}"#);
    // (row, :authority, expects the default host)
    let rows: &[(&str, &str, bool)] = &[
        ("configured host", "is.example.com", false),
        ("configured host with port", "is.example.com:8443", false),
        ("unknown host", "other.example", true),
        ("malformed: space", "bad host", true),
        ("malformed: open bracket", "[::1", true),
        ("malformed: userinfo", "user@is.example.com", true),
        ("empty", "", true),
    ];
    for (row, authority, default) in rows {
        let head = request("/page", authority, &[]);
        let (facts, _) = p.on_request(&RequestHead::new(&head), &tls());
        let (out, edits) = respond(&p, &facts, BARE);
        assert_eq!(edits.host_known, !default, "{row}");
        assert_eq!(
            p.host_name(&facts),
            if *default {
                "default"
            } else {
                "is.example.com"
            },
            "{row}"
        );
        if *default {
            assert_eq!(get(&out, "x-frame-options"), ["DENY"], "{row}");
            assert_eq!(get(&out, "x-content-type-options"), ["nosniff"], "{row}");
            assert_eq!(
                get(&out, "strict-transport-security"),
                ["max-age=63072000; includeSubDomains"],
                "{row}"
            );
            assert_eq!(get(&out, "cache-control"), ["no-store, max-age=0"], "{row}");
            assert_eq!(get(&out, "pragma"), ["no-cache"], "{row}");
        } else {
            assert!(get(&out, "x-frame-options").is_empty(), "{row}");
        }
    }
}

#[test]
fn a_configured_default_host_applies_and_has_no_domains() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["is.example.com"]}],
            "default_host": {"baseline": "none", "headers": [{"name": "X-Frame-Options", "set": "SAMEORIGIN"}]}}"#,
    );
    let head = request("/", "unknown.example", &[]);
    let (facts, _) = p.on_request(&RequestHead::new(&head), &plaintext());
    let (out, _) = respond(&p, &facts, BARE);
    assert_eq!(get(&out, "x-frame-options"), ["SAMEORIGIN"]);
    assert!(get(&out, "content-security-policy").is_empty());
    let err = HeaderPlan::from_json(
        br#"{"virtual_hosts": [{"domains": ["a.example"]}], "default_host": {"domains": ["b.example"]}}"#,
    )
    .unwrap_err();
    assert_eq!(err.path().to_string(), "default_host.domains", "{err}");
}

#[test]
fn weak_upstream_values_are_replaced_or_kept_and_counted() {
    // (row, header, upstream value, weak)
    let rows: &[(&str, &str, &str, bool)] = &[
        (
            "csp unsafe-inline",
            "content-security-policy",
            "default-src 'self' 'unsafe-inline'",
            true,
        ),
        (
            "csp unsafe-eval any case",
            "content-security-policy",
            "script-src 'UNSAFE-EVAL'",
            true,
        ),
        (
            "csp frame-ancestors *",
            "content-security-policy",
            "default-src 'self'; frame-ancestors *",
            true,
        ),
        ("csp empty", "content-security-policy", "  ", true),
        (
            "csp sound",
            "content-security-policy",
            "default-src 'self'; frame-ancestors 'none'",
            false,
        ),
        (
            "csp nonce is sound",
            "content-security-policy",
            "script-src 'nonce-abc' 'strict-dynamic'",
            false,
        ),
        (
            "coop unsafe-none",
            "cross-origin-opener-policy",
            "unsafe-none",
            true,
        ),
        (
            "coep unsafe-none",
            "cross-origin-embedder-policy",
            "unsafe-none",
            true,
        ),
        (
            "coop sound",
            "cross-origin-opener-policy",
            "same-origin-allow-popups",
            false,
        ),
        ("corp empty", "cross-origin-resource-policy", "", true),
        (
            "permissions-policy any origin",
            "permissions-policy",
            "camera=*, geolocation=()",
            true,
        ),
        (
            "permissions-policy sound",
            "permissions-policy",
            "camera=(), geolocation=(self)",
            false,
        ),
    ];
    for mode in ["replace", "keep"] {
        let p = plan(&format!(
            r#"{{"virtual_hosts": [{{"domains": ["*"], "weak_upstream_values": "{mode}"}}]}}"#
        ));
        let (facts, _) = on_request(&p, "/", &[], &tls());
        for (row, name, value, weak) in rows {
            let mut resp = BARE.to_vec();
            resp.push((name, value));
            let (out, edits) = respond(&p, &facts, &resp);
            let replaced = *weak && mode == "replace";
            let kept_weak = *weak && mode == "keep";
            assert_eq!(
                edits.weak_values_replaced,
                if replaced {
                    vec![(*name).to_owned()]
                } else {
                    vec![]
                },
                "{row} ({mode})"
            );
            assert_eq!(
                edits.weak_values_kept,
                if kept_weak {
                    vec![(*name).to_owned()]
                } else {
                    vec![]
                },
                "{row} ({mode})"
            );
            let got = get(&out, name);
            assert_eq!(got.len(), 1, "{row} ({mode})");
            assert_eq!(got[0] == *value, !replaced, "{row} ({mode}): {got:?}");
        }
    }
}

#[test]
fn identity_provider_presets_store_no_dynamic_answer_and_cache_metadata_briefly() {
    // (row, preset, target, status, expected Cache-Control)
    let rows: &[(&str, &str, &str, &str, &str)] = &[
        ("IS home page", "wso2-is", "/", "200", "no-store, max-age=0"),
        (
            "IS console",
            "wso2-is",
            "/console/",
            "200",
            "no-store, max-age=0",
        ),
        (
            "IS API answer",
            "wso2-is",
            "/api/users/v1/me/sessions",
            "200",
            "no-store, max-age=0",
        ),
        (
            "IS redirect",
            "wso2-is",
            "/oauth2/authorize?x=1",
            "302",
            "no-store, max-age=0",
        ),
        (
            "IS JWKS",
            "wso2-is",
            "/oauth2/jwks",
            "200",
            "public, max-age=300",
        ),
        (
            "IS tenant JWKS",
            "wso2-is",
            "/t/acme/oauth2/jwks",
            "200",
            "public, max-age=300",
        ),
        (
            "IS discovery",
            "wso2-is",
            "/oauth2/token/.well-known/openid-configuration",
            "200",
            "public, max-age=300",
        ),
        (
            "IS .well-known",
            "wso2-is",
            "/.well-known/openid-configuration",
            "200",
            "public, max-age=300",
        ),
        (
            "IS JWKS error is not public",
            "wso2-is",
            "/oauth2/jwks",
            "500",
            "upstream",
        ),
        (
            "APIM portal",
            "wso2-apim",
            "/devportal/apis",
            "200",
            "no-store, max-age=0",
        ),
        (
            "APIM gateway API answer",
            "wso2-apim",
            "/pizzashack/1.0.0/menu",
            "200",
            "no-store, max-age=0",
        ),
        (
            "APIM JWKS",
            "wso2-apim",
            "/oauth2/jwks",
            "200",
            "public, max-age=300",
        ),
    ];
    for (row, product, target, status, expected) in rows {
        let p = preset(product);
        let (facts, _) = on_request(&p, target, &[], &tls());
        let resp = [
            (":status", *status),
            ("content-type", "application/json"),
            ("cache-control", "upstream"),
        ];
        let (out, _) = respond(&p, &facts, &resp);
        assert_eq!(get(&out, "cache-control"), [*expected], "{row}");
        if expected.starts_with("no-store") {
            assert_eq!(get(&out, "pragma"), ["no-cache"], "{row}");
        }
    }
}

#[test]
fn configured_paths_match_the_endpoint_forms_the_back_end_answers_alike() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["*"], "baseline": "none",
            "cache": {"no_store_paths": ["/oauth2/token", "/t/*/oauth2/token"]},
            "logout": {"paths": ["/oidc/logout"]}}]}"#,
    );
    // (row, target, no-store, clear-site-data)
    let rows: &[(&str, &str, bool, bool)] = &[
        ("exact", "/oauth2/token", true, false),
        ("trailing slash", "/oauth2/token/", true, false),
        ("path parameter", "/oauth2/token;jsessionid=1", true, false),
        ("encoded, dot segment", "/oauth2/x/../%74oken", true, false),
        (
            "tenant, trailing slash",
            "/t/acme/oauth2/token/",
            true,
            false,
        ),
        (
            "longer path is another endpoint",
            "/oauth2/tokenx",
            false,
            false,
        ),
        ("logout trailing slash", "/oidc/logout/", false, true),
        ("logout path parameter", "/oidc/logout;x=y", false, true),
    ];
    for (row, target, no_store, logout) in rows {
        let (facts, _) = on_request(&p, target, &[], &plaintext());
        let (out, edits) = respond(&p, &facts, BARE);
        assert_eq!(edits.no_store, *no_store, "{row}");
        assert_eq!(!get(&out, "clear-site-data").is_empty(), *logout, "{row}");
    }
}

#[test]
fn no_store_is_a_directive_not_a_substring() {
    use crate::headers::respond::has_directive;
    // (row, Cache-Control value, has no-store)
    let rows: &[(&str, &str, bool)] = &[
        ("alone", "no-store", true),
        ("any case, spaces", " No-Store ", true),
        ("among others", "max-age=0, no-store", true),
        ("prefixed name", "x-no-store", false),
        ("longer name", "no-storex", false),
        (
            "inside a quoted argument",
            "private=\"set-cookie, no-store, x\"",
            false,
        ),
        ("after a quoted argument", "private=\"a,b\", no-store", true),
        ("as an argument", "x=no-store", false),
    ];
    for (row, value, expected) in rows {
        assert_eq!(
            has_directive(value.as_bytes(), b"no-store"),
            *expected,
            "{row}"
        );
    }
}

#[test]
fn every_local_reply_header_set_passes_the_audit() {
    // The set every filter's local response carries (filter_shim::reply), on TLS and plaintext.
    for tls in [false, true] {
        let mut h = pairs(owasp::LOCAL_REPLY);
        h.insert(0, (":status".into(), b"403".to_vec()));
        if tls {
            h.push((
                "strict-transport-security".into(),
                owasp::LOCAL_REPLY_HSTS.as_bytes().to_vec(),
            ));
        }
        let report = gateway_hardening_cli::grade::grade(
            &h,
            gateway_hardening_cli::grade::Exchange::sensitive(tls),
        )
        .unwrap();
        assert_eq!(
            report.grade,
            gateway_hardening_cli::grade::Grade::APlus,
            "tls={tls}: {}",
            report.failures()
        );
    }
}

#[test]
fn the_default_host_validates_input_too() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["is.example.com"]}],
            "default_host": {"input_validation": {"paths": ["/commonauth"]}}}"#,
    );
    // (row, :authority, refused)
    let rows: &[(&str, &str, bool)] = &[
        ("unknown host", "other.example", true),
        ("malformed host", "bad host", true),
        (
            "configured host without input validation",
            "is.example.com",
            false,
        ),
    ];
    for (row, authority, refused) in rows {
        let head = request("/commonauth?x=%3Cscript%3E", authority, &[]);
        let (_, verdict) = p.on_request(&RequestHead::new(&head), &plaintext());
        assert_eq!(
            matches!(verdict, RequestVerdict::Reject { .. }),
            *refused,
            "{row}: {verdict:?}"
        );
    }
}
