//! The header audit.

use super::*;

fn grade(headers: &[(&str, &str)], tls: bool) -> AuditReport {
    audit(&pairs(headers), AuditContext { tls })
}

const RAW_COMMONAUTH: &[(&str, &str)] = &[
    (":status", "302"),
    ("location", "/authenticationendpoint/login.do"),
    (
        "set-cookie",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; HttpOnly",
    ),
    ("server", "WSO2 Carbon Server"),
];

#[test]
fn raw_upstream_fails_and_hardened_response_earns_the_top_grade() {
    let raw = grade(RAW_COMMONAUTH, false);
    assert_eq!(raw.grade, Grade::F);
    assert_eq!(
        raw.failed_checks(),
        "nosniff,clickjacking,csp,referrer,fingerprint,no_store,cookies,permissions,coop,corp,coep,xpcdp"
    );
    for (product, tls) in [
        ("wso2-is", true),
        ("wso2-is", false),
        ("wso2-apim", true),
        ("wso2-mi", false),
    ] {
        let p = preset(product);
        let conn = if tls { super::tls() } else { plaintext() };
        let (facts, _) = on_request(&p, "/commonauth", &[], &conn);
        let (out, _) = respond(&p, &facts, RAW_COMMONAUTH);
        let report = audit(&out, AuditContext { tls });
        assert_eq!(
            report.grade,
            Grade::APlus,
            "{product} tls={tls}: {}",
            report.failed_checks()
        );
    }
}

/// `(headers on top of a hardened base, tls, failed check expected)`.
const WEAKNESSES: &[(Hs, bool, &str)] = &[
    (
        &[("strict-transport-security", "max-age=31536000")],
        false,
        "hsts",
    ),
    (
        &[("strict-transport-security", "max-age=86400")],
        true,
        "hsts",
    ),
    (&[("x-content-type-options", "sniff")], false, "nosniff"),
    (
        &[(
            "content-security-policy",
            "script-src 'self' 'unsafe-inline'",
        )],
        false,
        "csp",
    ),
    (
        &[("content-security-policy", "default-src *")],
        false,
        "csp",
    ),
    (&[("referrer-policy", "unsafe-url")], false, "referrer"),
    (&[("server", "Apache-Coyote/1.1")], false, "fingerprint"),
    (&[("server", "envoy")], false, "fingerprint"),
    (&[("x-aspnet-version", "4.0")], false, "fingerprint"),
    (
        &[("set-cookie", "a=1; Secure; HttpOnly; SameSite=Lax")],
        false,
        "no_store",
    ),
    (
        &[
            ("cache-control", "no-store"),
            ("set-cookie", "a=1; HttpOnly; SameSite=Lax"),
        ],
        false,
        "cookies",
    ),
    (
        &[("cross-origin-opener-policy", "unsafe-none")],
        false,
        "coop",
    ),
];

fn hardened_base() -> Vec<(&'static str, &'static str)> {
    let mut base: Vec<(&str, &str)> = owasp::ADD.iter().map(|(n, v, _)| (*n, *v)).collect();
    base.push(("server", "gateway"));
    base
}

#[test]
fn each_weakness_fails_its_check() {
    let clean = hardened_base();
    assert_eq!(grade(&clean, false).grade, Grade::APlus);
    let with_hsts: Vec<_> = clean
        .iter()
        .copied()
        .chain([(
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        )])
        .collect();
    assert_eq!(grade(&with_hsts, true).grade, Grade::APlus);
    assert_eq!(grade(&clean, true).failed_checks(), "hsts");
    for (extra, tls, check) in WEAKNESSES {
        let mut headers: Vec<(&str, &str)> = clean
            .iter()
            .copied()
            .filter(|(n, _)| !extra.iter().any(|(e, _)| e == n))
            .collect();
        headers.extend_from_slice(extra);
        if *tls {
            headers.retain(|(n, _)| *n != "strict-transport-security");
            headers.extend_from_slice(extra);
            headers.dedup();
        }
        let report = grade(&headers, *tls);
        assert_eq!(report.failed_checks(), *check, "{extra:?}");
        let expected = if *check == "coop" { Grade::A } else { Grade::B };
        assert_eq!(report.grade, expected, "{extra:?}");
    }
}

#[test]
fn csp_frame_ancestors_replaces_x_frame_options() {
    let mut headers = hardened_base();
    headers.retain(|(n, _)| *n != "x-frame-options");
    assert_eq!(grade(&headers, false).grade, Grade::APlus);
    headers.retain(|(n, _)| *n != "content-security-policy");
    headers.push(("content-security-policy", "default-src 'self'"));
    assert_eq!(grade(&headers, false).failed_checks(), "clickjacking");
}
