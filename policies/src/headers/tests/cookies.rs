//! Set-Cookie hardening and the session-id check.

use super::*;

fn hardened(config: &str, set_cookie: &[u8]) -> (Vec<u8>, ResponseEdits) {
    let p = plan(config);
    let (facts, _) = on_request(&p, "/commonauth", &[], &tls());
    let mut headers = vec![
        (":status".to_owned(), b"302".to_vec()),
        ("set-cookie".to_owned(), set_cookie.to_vec()),
    ];
    let edits = p.on_response(&facts, &headers);
    apply(&edits.edits, &mut headers);
    let value = headers
        .into_iter()
        .find(|(n, _)| n == "set-cookie")
        .map(|(_, v)| v)
        .unwrap();
    (value, edits)
}

/// `(upstream Set-Cookie, expected after the default rule: JSESSIONID gets Secure, HttpOnly,
/// SameSite=Lax)`.
const DEFAULT_RULE: &[(&str, &str)] = &[
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; HttpOnly",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; HttpOnly; Secure; SameSite=Lax",
    ),
    // Attribute order, case and unknown attributes are kept byte for byte.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Priority=High; path=/is; Partitioned;",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Priority=High; path=/is; Partitioned; Secure; HttpOnly; SameSite=Lax",
    ),
    // A quoted value stays quoted.
    (
        "JSESSIONID=\"E9421E4E2DD0FF260A43D1AA84322332\"; Path=/",
        "JSESSIONID=\"E9421E4E2DD0FF260A43D1AA84322332\"; Path=/; Secure; HttpOnly; SameSite=Lax",
    ),
    // Attributes already present, in any case, are not repeated.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; secure; HTTPONLY; samesite=strict",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; secure; HTTPONLY; samesite=strict",
    ),
    // An explicit SameSite=None stays (never weakened or strengthened), Secure is added.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=None",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=None; Secure; HttpOnly",
    ),
    // An unknown SameSite value is ignored by browsers: a valid one is appended (the last wins).
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Sometimes; Secure; HttpOnly",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Sometimes; Secure; HttpOnly; SameSite=Lax",
    ),
    // Cookie names are case-sensitive; other cookies are not the default rule's.
    ("jsessionid=abc; Path=/", "jsessionid=abc; Path=/"),
    ("commonAuthId=x; Path=/", "commonAuthId=x; Path=/"),
    // Malformed values are left as they are.
    ("JSESSIONID", "JSESSIONID"),
    ("=abc; Path=/", "=abc; Path=/"),
];

#[test]
fn default_rule_hardens_jsessionid_keeping_the_value_as_written() {
    for (upstream, expected) in DEFAULT_RULE {
        let (got, _) = hardened(MINIMAL, upstream.as_bytes());
        assert_eq!(String::from_utf8_lossy(&got), *expected, "{upstream}");
    }
}

#[test]
fn rules_by_glob_first_match_wins() {
    let config = r#"{"virtual_hosts": [{"domains": ["*"], "cookies": [
        {"names": ["opbs"], "http_only": false, "same_site": "None"},
        {"names": ["*Auth*", "JSESSIONID"], "same_site": "Strict"},
        {"names": ["*"], "secure": true, "http_only": false, "same_site": null}]}]}"#;
    let cases = [
        ("opbs=1", "opbs=1; Secure; SameSite=None"),
        (
            "commonAuthId=2",
            "commonAuthId=2; Secure; HttpOnly; SameSite=Strict",
        ),
        (
            "JSESSIONID=3",
            "JSESSIONID=3; Secure; HttpOnly; SameSite=Strict",
        ),
        ("lang=en", "lang=en; Secure"),
    ];
    for (upstream, expected) in cases {
        let (got, _) = hardened(config, upstream.as_bytes());
        assert_eq!(String::from_utf8_lossy(&got), expected, "{upstream}");
    }
}

#[test]
fn non_utf8_cookie_is_counted_malformed_and_kept() {
    let (got, edits) = hardened(MINIMAL, b"JSESSIONID=\xff\xfe; Path=/");
    assert_eq!(got, b"JSESSIONID=\xff\xfe; Path=/");
    assert_eq!((edits.cookies_malformed, edits.cookies_hardened), (1, 0));
}

/// `(session_cookies config, Set-Cookie, weak sessions expected, strict reject expected)`.
type Weak = &'static [(&'static str, u32)];

const SESSIONS: &[(&str, &str, Weak, bool)] = &[
    // Tomcat's default 16 bytes: 128 bits, enough.
    (
        "{}",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/",
        &[],
        false,
    ),
    // 8 bytes: 64 bits, counted; strict mode replaces the response.
    (
        "{}",
        "JSESSIONID=0123456789ABCDEF; Path=/",
        &[("JSESSIONID", 64)],
        false,
    ),
    (
        r#"{"strict": true}"#,
        "JSESSIONID=0123456789ABCDEF.node1; Path=/",
        &[("JSESSIONID", 64)],
        true,
    ),
    // A deleted session cookie is not a session id.
    (
        r#"{"strict": true}"#,
        "JSESSIONID=; Max-Age=0; Path=/",
        &[],
        false,
    ),
    (
        r#"{"strict": true}"#,
        "JSESSIONID=abc; Max-Age=0",
        &[],
        false,
    ),
    // A raised minimum.
    (
        r#"{"min_bits": 192}"#,
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332",
        &[("JSESSIONID", 128)],
        false,
    ),
    // Other names, and the check turned off.
    (
        r#"{"names": ["sid*"]}"#,
        "sid_main=12345",
        &[("sid_main", 16)],
        false,
    ),
    (r#"{"names": []}"#, "JSESSIONID=1", &[], false),
];

#[test]
fn weak_session_ids_are_counted_and_rejected_in_strict_mode() {
    for (session, cookie, weak, reject) in SESSIONS {
        let config = format!(
            "{{\"virtual_hosts\": [{{\"domains\": [\"*\"], \"session_cookies\": {session}}}]}}"
        );
        let (_, edits) = hardened(&config, cookie.as_bytes());
        let got: Vec<(&str, u32)> = edits
            .weak_sessions
            .iter()
            .map(|(n, b)| (n.as_str(), *b))
            .collect();
        assert_eq!(got, *weak, "{session} {cookie}");
        assert_eq!(edits.reject, *reject, "{session} {cookie}");
    }
}
