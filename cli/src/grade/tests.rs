//! The grade, row by row: an answer with OWASP's own values (read from the lists, so these tests
//! hold whatever the filters do) earns `A+`, and each row spoils one thing and names the header
//! and the grade it must cost.

use super::*;

fn owasp_answer(tls: bool) -> Vec<(String, Vec<u8>)> {
    let lists = lists().unwrap();
    let mut h: Vec<(String, Vec<u8>)> = lists
        .add
        .iter()
        .filter(|r| tls || !r.name.eq_ignore_ascii_case("strict-transport-security"))
        .filter(|r| !r.name.eq_ignore_ascii_case("clear-site-data"))
        .map(|r| (r.name.clone(), r.value.clone().into_bytes()))
        .collect();
    h.extend(
        lists
            .deprecated
            .iter()
            .map(|d| (d.name.clone(), d.value.clone().into_bytes())),
    );
    h.push((":status".into(), b"200".to_vec()));
    h
}

fn set(h: &mut Vec<(String, Vec<u8>)>, name: &str, value: &str) {
    h.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    h.push((name.to_owned(), value.as_bytes().to_vec()));
}

fn remove(h: &mut Vec<(String, Vec<u8>)>, name: &str) {
    h.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
}

const TLS: Exchange = Exchange::sensitive(true);
const PLAIN: Exchange = Exchange::sensitive(false);
const PUBLIC: Exchange = Exchange {
    tls: true,
    sensitive: false,
    logout: false,
};
const LOGOUT: Exchange = Exchange {
    tls: true,
    sensitive: true,
    logout: true,
};

type Spoil = fn(&mut Vec<(String, Vec<u8>)>);

/// `(row, exchange, spoil, grade, header whose check fails)`.
const ROWS: &[(&str, Exchange, Spoil, Grade, &str)] = &[
    ("owasp values over tls", TLS, |_| {}, Grade::APlus, ""),
    (
        "owasp values over plaintext",
        PLAIN,
        |_| {},
        Grade::APlus,
        "",
    ),
    (
        "hsts missing on tls",
        TLS,
        |h| remove(h, "strict-transport-security"),
        Grade::B,
        "Strict-Transport-Security",
    ),
    (
        "hsts under a year",
        TLS,
        |h| set(h, "Strict-Transport-Security", "max-age=86400"),
        Grade::B,
        "Strict-Transport-Security",
    ),
    (
        "hsts one year, no subdomains",
        TLS,
        |h| set(h, "Strict-Transport-Security", "max-age=31536000"),
        Grade::A,
        "Strict-Transport-Security",
    ),
    (
        "hsts over plaintext",
        PLAIN,
        |h| set(h, "strict-transport-security", "max-age=63072000"),
        Grade::B,
        "Strict-Transport-Security",
    ),
    (
        "hsts twice",
        TLS,
        |h| {
            h.push((
                "strict-transport-security".into(),
                b"max-age=63072000; includeSubDomains".to_vec(),
            ))
        },
        Grade::B,
        "Strict-Transport-Security",
    ),
    (
        "no-store missing on a sensitive answer",
        TLS,
        |h| remove(h, "cache-control"),
        Grade::B,
        "Cache-Control",
    ),
    (
        "public caching of a sensitive answer",
        TLS,
        |h| set(h, "Cache-Control", "public, no-store, max-age=0"),
        Grade::B,
        "Cache-Control",
    ),
    (
        "no-store without max-age=0",
        TLS,
        |h| set(h, "Cache-Control", "no-store"),
        Grade::A,
        "Cache-Control",
    ),
    (
        "no-cache is not no-store",
        TLS,
        |h| set(h, "Cache-Control", "no-cache, max-age=0"),
        Grade::B,
        "Cache-Control",
    ),
    (
        "a quoted no-store is not a directive",
        TLS,
        |h| set(h, "Cache-Control", "private=\"a, no-store\", max-age=0"),
        Grade::B,
        "Cache-Control",
    ),
    (
        "public metadata may be cached",
        PUBLIC,
        |h| set(h, "Cache-Control", "public, max-age=300"),
        Grade::APlus,
        "",
    ),
    (
        "public metadata setting a cookie",
        PUBLIC,
        |h| {
            set(h, "Cache-Control", "public, max-age=300");
            h.push((
                "set-cookie".into(),
                b"a=b; Secure; HttpOnly; SameSite=Lax".to_vec(),
            ));
        },
        Grade::B,
        "Cache-Control",
    ),
    (
        "logout without clear-site-data",
        LOGOUT,
        |_| {},
        Grade::B,
        "Clear-Site-Data",
    ),
    (
        "logout clearing the cache only",
        LOGOUT,
        |h| set(h, "Clear-Site-Data", "\"cache\""),
        Grade::B,
        "Clear-Site-Data",
    ),
    (
        "logout clearing cookies only",
        LOGOUT,
        |h| set(h, "Clear-Site-Data", "\"cookies\""),
        Grade::A,
        "Clear-Site-Data",
    ),
    (
        "logout clearing all",
        LOGOUT,
        |h| {
            set(
                h,
                "Clear-Site-Data",
                "\"*\", \"cache\", \"cookies\", \"storage\"",
            )
        },
        Grade::APlus,
        "",
    ),
    (
        "csp missing",
        TLS,
        |h| remove(h, "content-security-policy"),
        Grade::B,
        "Content-Security-Policy",
    ),
    (
        "csp unsafe-inline scripts",
        TLS,
        |h| {
            set(
                h,
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self' 'unsafe-inline'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests",
            )
        },
        Grade::B,
        "Content-Security-Policy",
    ),
    (
        "csp unsafe-inline with a nonce",
        TLS,
        |h| {
            set(
                h,
                "Content-Security-Policy",
                "default-src 'self'; script-src 'nonce-abc' 'unsafe-inline'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests",
            )
        },
        Grade::APlus,
        "",
    ),
    (
        "csp unsafe-eval",
        TLS,
        |h| {
            set(
                h,
                "Content-Security-Policy",
                "default-src 'self' 'unsafe-eval'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests",
            )
        },
        Grade::B,
        "Content-Security-Policy",
    ),
    (
        "csp frame-ancestors *",
        TLS,
        |h| {
            set(
                h,
                "Content-Security-Policy",
                "default-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors *; upgrade-insecure-requests",
            )
        },
        Grade::B,
        "Content-Security-Policy",
    ),
    (
        "csp frame-ancestors https:",
        TLS,
        |h| {
            set(
                h,
                "Content-Security-Policy",
                "default-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors https:; upgrade-insecure-requests",
            )
        },
        Grade::B,
        "Content-Security-Policy",
    ),
    (
        "csp without base-uri",
        TLS,
        |h| {
            set(
                h,
                "Content-Security-Policy",
                "default-src 'self'; form-action 'self'; object-src 'none'; frame-ancestors 'none'; upgrade-insecure-requests",
            )
        },
        Grade::A,
        "Content-Security-Policy",
    ),
    (
        "a strict second policy",
        TLS,
        |h| h.push(("content-security-policy".into(), b"script-src *".to_vec())),
        Grade::APlus,
        "",
    ),
    (
        "coep unsafe-none",
        TLS,
        |h| set(h, "Cross-Origin-Embedder-Policy", "unsafe-none"),
        Grade::A,
        "Cross-Origin-Embedder-Policy",
    ),
    (
        "coop unsafe-none",
        TLS,
        |h| set(h, "Cross-Origin-Opener-Policy", "unsafe-none"),
        Grade::A,
        "Cross-Origin-Opener-Policy",
    ),
    (
        "corp empty",
        TLS,
        |h| set(h, "Cross-Origin-Resource-Policy", ""),
        Grade::A,
        "Cross-Origin-Resource-Policy",
    ),
    (
        "corp same-site",
        TLS,
        |h| set(h, "Cross-Origin-Resource-Policy", "same-site"),
        Grade::APlus,
        "",
    ),
    (
        "permissions-policy missing",
        TLS,
        |h| remove(h, "permissions-policy"),
        Grade::A,
        "Permissions-Policy",
    ),
    (
        "permissions-policy camera=*",
        TLS,
        |h| set(h, "Permissions-Policy", "geolocation=(), camera=*"),
        Grade::B,
        "Permissions-Policy",
    ),
    (
        "permissions-policy camera=(* self)",
        TLS,
        |h| set(h, "Permissions-Policy", "camera=(self *)"),
        Grade::B,
        "Permissions-Policy",
    ),
    (
        "referrer unsafe-url last",
        TLS,
        |h| set(h, "Referrer-Policy", "no-referrer, unsafe-url"),
        Grade::B,
        "Referrer-Policy",
    ),
    (
        "referrer strict-origin-when-cross-origin",
        TLS,
        |h| set(h, "Referrer-Policy", "strict-origin-when-cross-origin"),
        Grade::A,
        "Referrer-Policy",
    ),
    (
        "nosniff missing",
        TLS,
        |h| remove(h, "x-content-type-options"),
        Grade::B,
        "X-Content-Type-Options",
    ),
    (
        "dns prefetch missing",
        TLS,
        |h| remove(h, "x-dns-prefetch-control"),
        Grade::A,
        "X-DNS-Prefetch-Control",
    ),
    (
        "x-frame-options allow-from, no frame-ancestors",
        TLS,
        |h| {
            set(h, "X-Frame-Options", "ALLOW-FROM https://a.test");
            set(
                h,
                "Content-Security-Policy",
                "default-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'; upgrade-insecure-requests",
            );
        },
        Grade::B,
        "X-Frame-Options",
    ),
    (
        "x-frame-options missing, frame-ancestors 'self'",
        TLS,
        |h| remove(h, "x-frame-options"),
        Grade::APlus,
        "",
    ),
    (
        "xpcdp all",
        TLS,
        |h| set(h, "X-Permitted-Cross-Domain-Policies", "all"),
        Grade::A,
        "X-Permitted-Cross-Domain-Policies",
    ),
    (
        "x-xss-protection 1; mode=block",
        TLS,
        |h| set(h, "X-XSS-Protection", "1; mode=block"),
        Grade::B,
        "X-XSS-Protection",
    ),
    (
        "x-xss-protection missing",
        TLS,
        |h| remove(h, "x-xss-protection"),
        Grade::A,
        "X-XSS-Protection",
    ),
    (
        "server: envoy",
        TLS,
        |h| set(h, "server", "envoy"),
        Grade::B,
        "remove list",
    ),
    (
        "server with no product",
        TLS,
        |h| set(h, "Server", "gateway"),
        Grade::B,
        "remove list",
    ),
    (
        "x-envoy-upstream-service-time",
        TLS,
        |h| set(h, "x-envoy-upstream-service-time", "3"),
        Grade::B,
        "remove list",
    ),
    (
        "cookie without secure",
        TLS,
        |h| {
            h.push((
                "set-cookie".into(),
                b"JSESSIONID=x; HttpOnly; SameSite=Lax".to_vec(),
            ))
        },
        Grade::B,
        "Set-Cookie",
    ),
    (
        "cookie hardened",
        TLS,
        |h| {
            h.push((
                "Set-Cookie".into(),
                b"JSESSIONID=x; Secure; HttpOnly; SameSite=Lax".to_vec(),
            ))
        },
        Grade::APlus,
        "",
    ),
    (
        "everything missing",
        TLS,
        |h| h.retain(|(n, _)| n == ":status"),
        Grade::F,
        "Strict-Transport-Security",
    ),
];

#[test]
fn each_row_costs_what_it_names() {
    for (row, exchange, spoil, want, header) in ROWS {
        let mut h = owasp_answer(exchange.tls);
        spoil(&mut h);
        let report = grade(&h, *exchange).unwrap();
        assert_eq!(report.grade, *want, "row {row:?}: {}", report.failures());
        let failed: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.failure.is_some())
            .map(|f| f.header.as_str())
            .collect();
        if header.is_empty() {
            assert!(failed.is_empty(), "row {row:?}: {}", report.failures());
        } else {
            assert!(
                failed.contains(header),
                "row {row:?}: {}",
                report.failures()
            );
        }
    }
}

#[test]
fn every_header_of_the_add_list_is_graded() {
    let lists = lists().unwrap();
    // Each header of OWASP's list, removed from an A+ answer that needs it, must cost something
    // (Clear-Site-Data on a logout, Cache-Control on a sensitive answer, HSTS over TLS).
    for rec in &lists.add {
        let mut h = owasp_answer(true);
        for csd in lists
            .add
            .iter()
            .filter(|r| r.name.eq_ignore_ascii_case("clear-site-data"))
        {
            set(&mut h, &csd.name, &csd.value);
        }
        let before = grade(&h, LOGOUT).unwrap();
        assert_eq!(
            before.grade,
            Grade::APlus,
            "{}: {}",
            rec.name,
            before.failures()
        );
        remove(&mut h, &rec.name);
        if rec.name.eq_ignore_ascii_case("x-frame-options") {
            // CSP frame-ancestors stands in for it: spoil both.
            set(&mut h, "content-security-policy", "default-src 'self'");
        }
        let after = grade(&h, LOGOUT).unwrap();
        assert!(
            after.grade > Grade::APlus,
            "{} missing still earns A+",
            rec.name
        );
        assert!(
            after
                .findings
                .iter()
                .any(|f| f.header == rec.name && f.failure.is_some()),
            "{} missing: {}",
            rec.name,
            after.failures()
        );
    }
}

#[test]
fn every_header_of_the_remove_list_fails() {
    let lists = lists().unwrap();
    assert!(
        lists.remove.iter().any(|r| r == "Server"),
        "a remove list without Server"
    );
    for name in &lists.remove {
        let mut h = owasp_answer(true);
        h.push((name.to_ascii_lowercase(), b"x".to_vec()));
        let report = grade(&h, TLS).unwrap();
        assert_eq!(report.grade, Grade::B, "{name}: {}", report.failures());
    }
}

#[test]
fn a_header_the_grade_does_not_know_fails() {
    let lists = Lists {
        add: vec![Recommended {
            name: "X-New-Header".into(),
            value: "on".into(),
        }],
        remove: Vec::new(),
        deprecated: Vec::new(),
        last_update_utc: String::new(),
    };
    let h = vec![("x-new-header".to_owned(), b"on".to_vec())];
    let findings = checks::all(&checks::Headers(&h), TLS, &lists);
    assert!(findings.iter().any(|f| f.header == "X-New-Header"
        && f.severity == Severity::Required
        && f.failure.is_some()));
}
