use super::*;

fn norm(target: &str) -> Result<String, PathError> {
    normalize_target(target.as_bytes(), DEFAULT_MAX_TARGET_BYTES).map(|t| t.path)
}

/// `(raw target, normalised path)`.
const NORMALISES: &[(&str, &str)] = &[
    ("/", "/"),
    ("/carbon", "/carbon"),
    ("/carbon/", "/carbon/"),
    ("/oauth2/token?grant_type=x", "/oauth2/token"),
    ("//carbon", "/carbon"),
    ("/a//b///c", "/a/b/c"),
    ("/./carbon", "/carbon"),
    ("/a/../carbon", "/carbon"),
    ("/../carbon", "/carbon"),
    ("/../../../carbon", "/carbon"),
    ("/a/b/..", "/a/"),
    ("/a/b/.", "/a/b/"),
    ("/a/..;/carbon", "/carbon"),
    ("/..;/carbon", "/carbon"),
    ("/a/..;x=1/carbon", "/carbon"),
    ("/carbon;jsessionid=ABC/admin", "/carbon/admin"),
    (
        "/carbon/admin/login.jsp;jsessionid=ABC",
        "/carbon/admin/login.jsp",
    ),
    ("/;/carbon", "/carbon"),
    ("/%2e%2e/carbon", "/carbon"),
    ("/%2E%2E/carbon", "/carbon"),
    ("/.%2e/carbon", "/carbon"),
    ("/a/%2e/carbon", "/a/carbon"),
    ("/%63arbon", "/carbon"),
    ("/%63%61%72%62%6f%6e", "/carbon"),
    (
        "/t/carbon.super/oauth2/token",
        "/t/carbon.super/oauth2/token",
    ),
    ("/a%20b", "/a%20b"),
    ("/caf%C3%A9", "/caf%C3%A9"),
    ("/a%3fb", "/a%3Fb"),
    ("/a%25zz", "/a%25zz"),
    ("/~user/!$&'()*+,=:@", "/~user/!$&'()*+,=:@"),
    ("http://localhost/carbon", "/carbon"),
    ("HTTPS://localhost:9443/a/../carbon?x=1", "/carbon"),
    ("http://localhost", "/"),
    ("http://localhost?x=1", "/"),
];

#[test]
fn normalises_table() {
    for (raw, want) in NORMALISES {
        assert_eq!(norm(raw).as_deref(), Ok(*want), "target {raw:?}");
    }
}

/// `(raw target, error)`.
const REFUSES: &[(&str, PathError)] = &[
    ("", PathError::NotOriginForm),
    ("*", PathError::NotOriginForm),
    ("carbon", PathError::NotOriginForm),
    ("localhost:443", PathError::NotOriginForm),
    ("ftp://x/carbon", PathError::NotOriginForm),
    ("http:///carbon", PathError::NotOriginForm),
    (
        "http://admin@localhost/carbon",
        PathError::UserinfoInAuthority,
    ),
    ("/carbon#x", PathError::Fragment),
    ("/car bon", PathError::ControlCharacter),
    ("/carbon\t", PathError::ControlCharacter),
    ("/carbon\0", PathError::ControlCharacter),
    ("/carbon\r\nX-Injected: 1", PathError::ControlCharacter),
    ("/café", PathError::RawNonAscii),
    ("/a\\..\\carbon", PathError::Backslash),
    ("\\carbon", PathError::NotOriginForm),
    ("/%zzcarbon", PathError::InvalidPercentEncoding),
    ("/carbon%", PathError::InvalidPercentEncoding),
    ("/carbon%2", PathError::InvalidPercentEncoding),
    ("/%u002e%u002e/carbon", PathError::InvalidPercentEncoding),
    ("/a%2f..%2fcarbon", PathError::EncodedSlash),
    ("/a%2F..%2Fcarbon", PathError::EncodedSlash),
    ("/a%5c..%5ccarbon", PathError::EncodedBackslash),
    ("/carbon%3bx=1", PathError::EncodedSemicolon),
    ("/carbon%00.jsp", PathError::EncodedControlCharacter),
    ("/carbon%0d%0a", PathError::EncodedControlCharacter),
    ("/carbon%7f", PathError::EncodedControlCharacter),
    ("/%252e%252e/carbon", PathError::DoubleEncoding),
    ("/%25%32%65/carbon", PathError::DoubleEncoding),
    ("/%c0%ae%c0%ae/carbon", PathError::InvalidUtf8),
    ("/%c0%afcarbon", PathError::InvalidUtf8),
    ("/%e0%80%ae/carbon", PathError::InvalidUtf8),
    ("/%ed%a0%80", PathError::InvalidUtf8),
    ("/%ff", PathError::InvalidUtf8),
    ("/oauth2/token?x=\u{1}", PathError::ControlCharacter),
];

#[test]
fn refuses_table() {
    for (raw, want) in REFUSES {
        assert_eq!(norm(raw), Err(*want), "target {raw:?}");
    }
}

#[test]
fn refuses_target_over_the_limit_before_parsing() {
    let long = format!("/{}", "a".repeat(100));
    assert_eq!(
        normalize_target(long.as_bytes(), 100),
        Err(PathError::TooLong)
    );
    assert!(normalize_target(long.as_bytes(), 101).is_ok());
    assert_eq!(PathError::TooLong.status(), 414);
    assert_eq!(PathError::Backslash.status(), 400);
}

#[test]
fn handles_64_kib_target() {
    let long = format!("/{}", "a/..;/".repeat(65536 / 6));
    assert_eq!(
        normalize_target(long.as_bytes(), 1 << 20).map(|t| t.path),
        Ok("/".to_owned())
    );
}

#[test]
fn keeps_query_raw_and_authority_of_absolute_form() {
    let t = normalize_target(b"http://Example.COM:8080/a/%2e%2e/b?x=%2e&y", 8192).unwrap();
    assert_eq!(t.path, "/b");
    assert_eq!(t.query.as_deref(), Some("x=%2e&y"));
    assert_eq!(t.authority.as_deref(), Some("Example.COM:8080"));
    let t = normalize_target(b"/a", 8192).unwrap();
    assert_eq!((t.query, t.authority), (None, None));
}

#[test]
fn output_is_idempotent_on_the_table() {
    for (raw, _) in NORMALISES {
        let once = norm(raw).unwrap();
        assert_eq!(norm(&once).as_deref(), Ok(once.as_str()), "target {raw:?}");
    }
}
