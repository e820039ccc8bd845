//! Set-Cookie hardening and the session-id checks (issue 13: nothing switches hardening off).

use super::*;

/// A Tomcat default session id (16 random bytes as upper-case hex, 128 bits).
const STRONG: &str = "E9421E4E2DD0FF260A43D1AA84322332";

/// A configuration with one catch-all virtual host holding `fields` (JSON members, or empty).
fn vhost(fields: &str) -> String {
    let sep = if fields.is_empty() { "" } else { ", " };
    format!("{{\"virtual_hosts\": [{{\"domains\": [\"*\"]{sep}{fields}}}]}}")
}

/// The response headers after the plan's edits, for a request to `/commonauth` on `host`.
fn respond_at(
    config: &str,
    host: &str,
    response: &[(&str, &[u8])],
) -> (Vec<(String, Vec<u8>)>, ResponseEdits) {
    let p = plan(config);
    let head = request("/commonauth", host, &[]);
    let (facts, _) = p.on_request(&RequestHead::new(&head), &tls());
    let mut headers: Vec<(String, Vec<u8>)> = vec![(":status".to_owned(), b"302".to_vec())];
    headers.extend(response.iter().map(|(n, v)| ((*n).to_owned(), v.to_vec())));
    let edits = p.on_response(&facts, &headers);
    apply(&edits.edits, &mut headers);
    (headers, edits)
}

/// The `Set-Cookie` values of `headers`, as bytes.
fn set_cookies(headers: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.clone())
        .collect()
}

/// The one `Set-Cookie` value after the plan's edits (host `is.example.com`).
fn hardened(config: &str, set_cookie: &[u8]) -> (Vec<u8>, ResponseEdits) {
    let (headers, edits) = respond_at(config, "is.example.com", &[("set-cookie", set_cookie)]);
    let value = set_cookies(&headers).into_iter().next().unwrap_or_default();
    (value, edits)
}

fn show(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
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
];

#[test]
fn default_rule_hardens_jsessionid_keeping_the_value_as_written() {
    for (upstream, expected) in DEFAULT_RULE {
        let (got, _) = hardened(MINIMAL, upstream.as_bytes());
        assert_eq!(show(&got), *expected, "{upstream}");
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
        assert_eq!(show(&got), expected, "{upstream}");
    }
}

/// Issue 13.1: attributes as a browser reads them (RFC 6265 §5.2: only space and tab are
/// trimmed; the last of repeated attributes applies). `(upstream, expected after the default
/// rule)`.
const BROWSER_READING: &[(&str, &str)] = &[
    // Hidden behind a vertical tab, a form feed or a no-break space, an attribute is another
    // attribute's name: the real one is added.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; \x0bSecure; \x0cHttpOnly; SameSite=Lax",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; \x0bSecure; \x0cHttpOnly; SameSite=Lax; Secure; HttpOnly",
    ),
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332;\u{a0}Secure; HttpOnly\u{a0}; SameSite=Strict",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332;\u{a0}Secure; HttpOnly\u{a0}; SameSite=Strict; Secure; HttpOnly",
    ),
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Secure; HttpOnly; SameSite\u{2003}=Lax",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Secure; HttpOnly; SameSite\u{2003}=Lax; SameSite=Lax",
    ),
    // Space and tab are trimmed: these are present.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332;\tSecure\t;  HttpOnly ; SameSite = Lax ",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332;\tSecure\t;  HttpOnly ; SameSite = Lax ",
    ),
    // The last SameSite applies: an unknown value after a valid one is the browser's default.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Strict; SameSite=Bogus; Secure; HttpOnly",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Strict; SameSite=Bogus; Secure; HttpOnly; SameSite=Lax",
    ),
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Strict; SameSite=; Secure; HttpOnly",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Strict; SameSite=; Secure; HttpOnly; SameSite=Lax",
    ),
    // `SameSite=Strict; SameSite=None` is None: kept, with Secure.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Strict; SameSite=None; HttpOnly",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; SameSite=Strict; SameSite=None; HttpOnly; Secure",
    ),
    // Flags count whatever value they carry.
    (
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Secure=no; HttpOnly=false; SAMESITE=lax",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Secure=no; HttpOnly=false; SAMESITE=lax",
    ),
];

#[test]
fn attributes_hidden_behind_other_whitespace_or_overridden_are_added() {
    for (upstream, expected) in BROWSER_READING {
        let (got, _) = hardened(MINIMAL, upstream.as_bytes());
        assert_eq!(show(&got), *expected, "{upstream:?}");
    }
}

#[test]
fn attribute_over_1024_bytes_is_not_present() {
    let long = "x".repeat(1025);
    let upstream = format!("JSESSIONID={STRONG}; HttpOnly; SameSite=Lax; Secure={long}");
    let (got, _) = hardened(MINIMAL, upstream.as_bytes());
    assert_eq!(show(&got), format!("{upstream}; Secure"));
}

/// Issue 13.2: `(unparseable_cookies, upstream, expected value or None when dropped)`.
type Unparseable = (&'static str, &'static [u8], Option<&'static [u8]>);

const UNPARSEABLE: &[Unparseable] = &[
    // No `=`: a nameless cookie whose value is `JSESSIONID` (RFC 6265bis §5.6).
    (
        "harden",
        b"JSESSIONID",
        Some(b"JSESSIONID; Secure; HttpOnly; SameSite=Lax"),
    ),
    (
        "harden",
        b"=abc; Path=/",
        Some(b"=abc; Path=/; Secure; HttpOnly; SameSite=Lax"),
    ),
    (
        "harden",
        b" \t=abc; Secure;",
        Some(b" \t=abc; Secure; HttpOnly; SameSite=Lax"),
    ),
    (
        "harden",
        b"JSESSIONID=\xff\xfe; Path=/",
        Some(b"JSESSIONID=\xff\xfe; Path=/; Secure; HttpOnly; SameSite=Lax"),
    ),
    (
        "harden",
        b"lang=en; Path=/\xc3",
        Some(b"lang=en; Path=/\xc3; Secure; HttpOnly; SameSite=Lax"),
    ),
    // Already hardened: unchanged (and still counted as unparseable).
    (
        "harden",
        b"\xff=1; secure; httponly; samesite=none",
        Some(b"\xff=1; secure; httponly; samesite=none"),
    ),
    ("drop", b"JSESSIONID", None),
    ("drop", b"=abc; Secure; HttpOnly; SameSite=Lax", None),
    ("drop", b"JSESSIONID=\xff\xfe; Path=/", None),
];

#[test]
fn unparseable_cookies_are_hardened_or_dropped_never_passed_on() {
    for (mode, upstream, expected) in UNPARSEABLE {
        let config = vhost(&format!(
            r#""session_cookies": {{"unparseable_cookies": "{mode}"}}"#
        ));
        let (headers, edits) = respond_at(
            &config,
            "is.example.com",
            &[
                ("set-cookie", b"a=1; Secure; HttpOnly; SameSite=Lax"),
                ("set-cookie", upstream),
                ("set-cookie", b"b=2; Secure; HttpOnly; SameSite=Lax"),
            ],
        );
        let row = format!("{mode} {}", show(upstream));
        let mut want: Vec<Vec<u8>> = vec![b"a=1; Secure; HttpOnly; SameSite=Lax".to_vec()];
        want.extend(expected.map(<[u8]>::to_vec));
        want.push(b"b=2; Secure; HttpOnly; SameSite=Lax".to_vec());
        assert_eq!(set_cookies(&headers), want, "{row}");
        assert_eq!(edits.cookies_malformed, 1, "{row}");
        assert_eq!(
            edits.cookies_dropped,
            u32::from(expected.is_none()),
            "{row}"
        );
    }
}

#[test]
fn unparseable_cookie_config_is_checked() {
    let config = vhost(r#""session_cookies": {"unparseable_cookies": "keep"}"#);
    let err = HeaderPlan::from_json(config.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("unparseable_cookies"), "{err}");
    // Dropping the only Set-Cookie leaves none.
    let config = vhost(r#""session_cookies": {"unparseable_cookies": "drop"}"#);
    let (headers, edits) = respond_at(&config, "is.example.com", &[("set-cookie", b"x")]);
    assert_eq!(set_cookies(&headers), Vec::<Vec<u8>>::new());
    assert_eq!(edits.cookies_dropped, 1);
}

/// Issue 13.3: `(broad_domain, request host, upstream, expected value, flagged (name, domain))`.
type Broad = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

const BROAD_DOMAINS: &[Broad] = &[
    (
        "flag",
        "is.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=example.com; Secure; HttpOnly; SameSite=Lax",
        Some(("JSESSIONID", "example.com")),
    ),
    (
        "flag",
        "is.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=.Example.COM",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=.Example.COM; Secure; HttpOnly; SameSite=Lax",
        Some(("JSESSIONID", ".Example.COM")),
    ),
    // The host itself (one leading dot ignored, any case) is not broader.
    (
        "flag",
        "is.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=.IS.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=.IS.example.com; Secure; HttpOnly; SameSite=Lax",
        None,
    ),
    // The last non-empty Domain applies.
    (
        "flag",
        "is.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=example.com; Domain=is.example.com; Domain=",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=example.com; Domain=is.example.com; Domain=; Secure; HttpOnly; SameSite=Lax",
        None,
    ),
    (
        "flag",
        "is.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=is.example.com; Domain=example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=is.example.com; Domain=example.com; Secure; HttpOnly; SameSite=Lax",
        Some(("JSESSIONID", "example.com")),
    ),
    // A Domain the host does not match, any Domain on an IP-literal host.
    (
        "flag",
        "is.example.com:9443",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=attacker.example",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=attacker.example; Secure; HttpOnly; SameSite=Lax",
        Some(("JSESSIONID", "attacker.example")),
    ),
    (
        "flag",
        "10.0.0.1:9443",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=10.0.0.1",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=10.0.0.1; Secure; HttpOnly; SameSite=Lax",
        Some(("JSESSIONID", "10.0.0.1")),
    ),
    // `remove`: every Domain attribute goes, the rest stays byte for byte.
    (
        "remove",
        "is.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=example.com; Path=/;domain=.example.com ; Secure; HttpOnly; SameSite=Lax",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; Secure; HttpOnly; SameSite=Lax",
        Some(("JSESSIONID", ".example.com")),
    ),
    (
        "remove",
        "is.example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Domain=example.com",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Secure; HttpOnly; SameSite=Lax",
        Some(("JSESSIONID", "example.com")),
    ),
    // Not a session cookie; a deletion (it must name the Domain it was set with).
    (
        "remove",
        "is.example.com",
        "lang=en; Domain=example.com",
        "lang=en; Domain=example.com",
        None,
    ),
    (
        "remove",
        "is.example.com",
        "JSESSIONID=; Domain=example.com; Max-Age=0",
        "JSESSIONID=; Domain=example.com; Max-Age=0; Secure; HttpOnly; SameSite=Lax",
        None,
    ),
];

#[test]
fn session_cookie_with_broad_domain_is_flagged_or_made_host_only() {
    for (mode, host, upstream, expected, flagged) in BROAD_DOMAINS {
        let config = vhost(&format!(
            r#""session_cookies": {{"broad_domain": "{mode}"}}"#
        ));
        let (headers, edits) = respond_at(&config, host, &[("set-cookie", upstream.as_bytes())]);
        let row = format!("{mode} {host} {upstream}");
        assert_eq!(set_cookies(&headers), [expected.as_bytes()], "{row}");
        let got: Vec<(&str, &str, bool)> = edits
            .broad_domain_sessions
            .iter()
            .map(|b| (b.name.as_str(), b.domain.as_str(), b.removed))
            .collect();
        let want: Vec<(&str, &str, bool)> = flagged
            .iter()
            .map(|(n, d)| (*n, *d, *mode == "remove"))
            .collect();
        assert_eq!(got, want, "{row}");
    }
}

/// Issue 13.4: `(value, estimated bits, the measure that gave them)`.
const ESTIMATES: &[(&str, u32, WeakReason)] = &[
    (STRONG, 128, WeakReason::TooShort),
    (
        "fde63c20-7ef2-4ac1-b8a0-32e59250d8be",
        128,
        WeakReason::TooShort,
    ), // UUIDv4
    (
        "0E9421E4E2DD0FF260A43D1AA8432233",
        128,
        WeakReason::TooShort,
    ), // one leading zero is chance
    ("0123456789ABCDEF", 64, WeakReason::TooShort),
    ("", 0, WeakReason::TooShort),
    // One repeated character, a repeated unit, a repeated half.
    ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 4, WeakReason::Repeated),
    ("abcabcabcabcabcabcabcabcabcabcab", 12, WeakReason::Repeated),
    ("E9421E4E2DD0FF26E9421E4E2DD0FF26", 64, WeakReason::Repeated),
    (
        "E9421E4E2DD0FF26E9421E4E2DD0FF26.node1",
        64,
        WeakReason::Repeated,
    ),
    // Counter-like: decimal digits, or more leading zeros than chance writes.
    ("12345678", 26, WeakReason::Counter),
    ("00000000000000000000000000001234", 13, WeakReason::Counter),
    ("0000000000000000000000000000BEEF", 16, WeakReason::Counter),
    ("00000000C0FFEE0123456789ABCDEF01", 96, WeakReason::Counter),
    (
        "3141592653589793238462643383279502884197",
        132,
        WeakReason::Counter,
    ),
    // Time-based UUIDs are predictable whatever their length.
    (
        "c232ab00-9414-11ec-b3c8-9f6bdeced846",
        0,
        WeakReason::UuidV1,
    ),
    (
        "C232AB00-9414-11EC-B3C8-9F6BDECED846.node1",
        0,
        WeakReason::UuidV1,
    ),
];

#[test]
fn session_id_estimate_names_its_measure() {
    for (value, bits, reason) in ESTIMATES {
        let e = estimate(value);
        assert_eq!((e.bits, e.reason), (*bits, *reason), "{value}");
    }
    let names = [
        WeakReason::TooShort,
        WeakReason::Repeated,
        WeakReason::Counter,
        WeakReason::UuidV1,
    ]
    .map(WeakReason::as_str);
    assert_eq!(names, ["too_short", "repeated", "counter", "uuid_v1"]);
}

/// `(name, bits, reason)` of the expected weak sessions.
type Weak = &'static [(&'static str, u32, WeakReason)];

/// Issues 13.4 and 13.5: `(session_cookies config, response Date, Set-Cookie, weak sessions
/// expected, strict reject expected)`.
type Session = (&'static str, Option<&'static str>, &'static str, Weak, bool);

const SESSIONS: &[Session] = &[
    // Tomcat's default 16 bytes: 128 bits, enough.
    (
        "{}",
        None,
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/",
        &[],
        false,
    ),
    // 8 bytes: 64 bits, counted; strict mode replaces the response.
    (
        "{}",
        None,
        "JSESSIONID=0123456789ABCDEF; Path=/",
        &[("JSESSIONID", 64, WeakReason::TooShort)],
        false,
    ),
    (
        r#"{"strict": true}"#,
        None,
        "JSESSIONID=0123456789ABCDEF.node1; Path=/",
        &[("JSESSIONID", 64, WeakReason::TooShort)],
        true,
    ),
    // Long but repeated, counter-like or time-based.
    (
        r#"{"strict": true}"#,
        None,
        "JSESSIONID=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        &[("JSESSIONID", 4, WeakReason::Repeated)],
        true,
    ),
    (
        "{}",
        None,
        "JSESSIONID=00000000000000000000000000001234",
        &[("JSESSIONID", 13, WeakReason::Counter)],
        false,
    ),
    (
        r#"{"min_bits": 32}"#,
        None,
        "JSESSIONID=c232ab00-9414-11ec-b3c8-9f6bdeced846",
        &[("JSESSIONID", 0, WeakReason::UuidV1)],
        false,
    ),
    // A deleted session cookie is not a session id.
    (
        r#"{"strict": true}"#,
        None,
        "JSESSIONID=; Max-Age=0; Path=/",
        &[],
        false,
    ),
    (
        r#"{"strict": true}"#,
        None,
        "JSESSIONID=abc; Max-Age=0",
        &[],
        false,
    ),
    (
        r#"{"strict": true}"#,
        None,
        "JSESSIONID=abc; Max-Age=-1",
        &[],
        false,
    ),
    (
        r#"{"strict": true}"#,
        None,
        "JSESSIONID=abc; Max-Age=3600; max-age=0",
        &[],
        false,
    ),
    // Expires in the past: before 2000 without a Date, not after the Date with one.
    (
        r#"{"strict": true}"#,
        None,
        "JSESSIONID=abc; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        &[],
        false,
    ),
    (
        r#"{"strict": true}"#,
        Some("Wed, 04 Jun 2025 10:00:00 GMT"),
        "JSESSIONID=abc; Expires=Wed, 01 Jan 2020 00:00:00 GMT",
        &[],
        false,
    ),
    (
        r#"{"strict": true}"#,
        Some("Wed, 04 Jun 2025 10:00:00 GMT"),
        "JSESSIONID=abc; Expires=x; Expires=Wed, 04 Jun 2025 10:00:00 GMT",
        &[],
        false,
    ),
    // Not deletions: a later Max-Age, Max-Age over Expires, a future date.
    (
        "{}",
        None,
        "JSESSIONID=abc; Max-Age=0; Max-Age=3600",
        &[("JSESSIONID", 12, WeakReason::TooShort)],
        false,
    ),
    (
        "{}",
        None,
        "JSESSIONID=abc; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        &[("JSESSIONID", 12, WeakReason::TooShort)],
        false,
    ),
    (
        "{}",
        None,
        "JSESSIONID=abc; Max-Age=+0; Expires=Wed, 01 Jan 2020 00:00:00 GMT",
        &[("JSESSIONID", 12, WeakReason::TooShort)],
        false,
    ),
    (
        "{}",
        Some("Wed, 04 Jun 2025 10:00:00 GMT"),
        "JSESSIONID=abc; Expires=Fri, 01 Jan 2100 00:00:00 GMT",
        &[("JSESSIONID", 12, WeakReason::TooShort)],
        false,
    ),
    // A raised minimum.
    (
        r#"{"min_bits": 192}"#,
        None,
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332",
        &[("JSESSIONID", 128, WeakReason::TooShort)],
        false,
    ),
    // Other names, and the check turned off.
    (
        r#"{"names": ["sid*"]}"#,
        None,
        "sid_main=12345",
        &[("sid_main", 16, WeakReason::Counter)],
        false,
    ),
    (r#"{"names": []}"#, None, "JSESSIONID=1", &[], false),
];

#[test]
fn weak_session_ids_are_counted_and_rejected_in_strict_mode() {
    for (session, date, cookie, weak, reject) in SESSIONS {
        let config = vhost(&format!("\"session_cookies\": {session}"));
        let mut response = vec![("set-cookie", cookie.as_bytes())];
        response.extend(date.map(|d| ("date", d.as_bytes())));
        let (headers, edits) = respond_at(&config, "is.example.com", &response);
        let row = format!("{session} {date:?} {cookie}");
        let got: Vec<(&str, u32, WeakReason)> = edits
            .weak_sessions
            .iter()
            .map(|w| (w.name.as_str(), w.bits, w.reason))
            .collect();
        assert_eq!(got, *weak, "{row}");
        assert_eq!(edits.reject, *reject, "{row}");
        // Deleted or not, a JSESSIONID is hardened.
        let value = show(&set_cookies(&headers).concat());
        let hardened = value.ends_with("; Secure; HttpOnly; SameSite=Lax");
        assert_eq!(
            hardened,
            cookie.starts_with("JSESSIONID="),
            "{row}: {value}"
        );
    }
}

/// Issue 13.6: `(session_cookies config, Location, session in URL, weak sessions, reject)`.
type InUrl = (&'static str, &'static str, bool, Weak, bool);

const IN_URL: &[InUrl] = &[
    (
        "{}",
        "https://is.example.com/authenticationendpoint/login.do;jsessionid=0123456789ABCDEF?sp=x",
        true,
        &[("jsessionid", 64, WeakReason::TooShort)],
        false,
    ),
    (
        r#"{"strict": true}"#,
        "/carbon/admin/index.jsp;JSESSIONID=0123456789ABCDEF",
        true,
        &[("JSESSIONID", 64, WeakReason::TooShort)],
        true,
    ),
    (
        "{}",
        "/app;jsessionid=E9421E4E2DD0FF260A43D1AA84322332/next",
        true,
        &[],
        false,
    ),
    (
        "{}",
        "/app?x=1&JSessionId=1234#top",
        true,
        &[("JSessionId", 13, WeakReason::Counter)],
        false,
    ),
    (
        "{}",
        "/app?jsessionid=E9421E4E2DD0FF260A43D1AA84322332",
        true,
        &[],
        false,
    ),
    // The check off still flags the leak, without judging the id.
    (r#"{"names": []}"#, "/app;jsessionid=1", true, &[], false),
    // Not a session id parameter, or an empty one.
    ("{}", "/app?myjsessionid=abc", false, &[], false),
    ("{}", "/jsessionid=abc", false, &[], false),
    ("{}", "/app;jsessionid=?x=1", false, &[], false),
    ("{}", "/app", false, &[], false),
];

#[test]
fn session_id_in_location_url_is_flagged_and_judged() {
    for (session, location, in_url, weak, reject) in IN_URL {
        let config = vhost(&format!("\"session_cookies\": {session}"));
        let (_, edits) = respond_at(
            &config,
            "is.example.com",
            &[("location", location.as_bytes())],
        );
        let row = format!("{session} {location}");
        assert_eq!(edits.session_in_url, *in_url, "{row}");
        let got: Vec<(&str, u32, WeakReason)> = edits
            .weak_sessions
            .iter()
            .map(|w| (w.name.as_str(), w.bits, w.reason))
            .collect();
        assert_eq!(got, *weak, "{row}");
        assert_eq!(edits.reject, *reject, "{row}");
    }
}
