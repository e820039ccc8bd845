//! Request-side input validation.

use super::*;
use crate::error::ConfigErrorKind;

const CONFIG: &str = r#"{"virtual_hosts": [{"domains": ["*"], "input_validation": {
    "paths": ["/commonauth", "/authenticationendpoint/**"],
    "query_params": ["*"], "headers": ["referer"]}}]}"#;

/// `(target, extra request headers, expected field when rejected)`.
const CASES: &[(&str, Hs, Option<&str>)] = &[
    ("/commonauth?sessionDataKey=0f8f-11", &[], None),
    (
        "/commonauth?redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fonboard%3D1",
        &[],
        None,
    ),
    (
        "/commonauth?x=<script>alert(1)</script>",
        &[],
        Some("query.x"),
    ),
    ("/commonauth?x=%3CScRiPt%3Ealert(1)", &[], Some("query.x")),
    ("/commonauth?x=%253Cscript%253E", &[], Some("query.x")),
    (
        "/commonauth?x=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
        &[],
        Some("query.x"),
    ),
    (
        "/authenticationendpoint/login.do?cb=javascript:alert(1)",
        &[],
        Some("query.cb"),
    ),
    (
        "/authenticationendpoint/login.do?cb=JaVaScRiPt%09:alert(1)",
        &[],
        Some("query.cb"),
    ),
    (
        "/authenticationendpoint/login.do?a=1&b=%22%20onmouseover%3D%22x",
        &[],
        Some("query.b"),
    ),
    (
        "/authenticationendpoint/login.do?q=%26%23x3C;svg",
        &[],
        Some("query.q"),
    ),
    ("/commonauth?%3Cscript%3E=1", &[], Some("query.<script>")),
    // The endpoint form with a trailing slash reaches the same servlet: checked too.
    ("/commonauth/?x=<script>", &[], Some("query.x")),
    // Not a configured path: not checked.
    ("/oauth2/authorize?x=<script>", &[], None),
    // A path the normaliser refuses is checked anyway.
    ("/commonauth/%zz?x=<script>", &[], Some("query.x")),
    // Headers: only the configured ones.
    (
        "/commonauth",
        &[("referer", "https://x/?q=<script>")],
        Some("header.referer"),
    ),
    ("/commonauth", &[("user-agent", "<script>")], None),
    // Non-UTF-8 bytes do not hide a pattern.
    ("/commonauth?x=%FF%FE<script>", &[], Some("query.x")),
];

#[test]
fn xss_patterns_in_configured_inputs_are_rejected() {
    let p = plan(CONFIG);
    for (target, extra, expected) in CASES {
        let (_, verdict) = on_request(&p, target, extra, &plaintext());
        match (verdict, expected) {
            (RequestVerdict::Continue, None) => {}
            (RequestVerdict::Reject { status, matched }, Some(field)) => {
                assert_eq!(status, 400, "{target}");
                assert_eq!(matched.field, *field, "{target}");
            }
            (got, _) => panic!("{target}: {got:?}, expected {expected:?}"),
        }
    }
}

#[test]
fn shadow_mode_and_selected_params_and_custom_patterns() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["*"], "input_validation": {"mode": "shadow",
            "paths": ["/**"], "query_params": ["q"], "patterns": ["drop\\s+table"], "status": 403}}]}"#,
    );
    let (_, v) = on_request(&p, "/x?q=1;DROP%20TABLE%20users", &[], &plaintext());
    assert!(
        matches!(v, RequestVerdict::ShadowReject { matched } if matched.field == "query.q" && matched.pattern == 0)
    );
    let (_, v) = on_request(&p, "/x?other=drop+table", &[], &plaintext());
    assert_eq!(v, RequestVerdict::Continue);
    let (_, v) = on_request(&p, "/x?q=<script>", &[], &plaintext());
    assert_eq!(v, RequestVerdict::Continue, "the built-in set is replaced");
}

#[test]
fn input_validation_is_off_by_default() {
    let p = plan(MINIMAL);
    let (_, v) = on_request(&p, "/commonauth?x=<script>", &[], &plaintext());
    assert_eq!(v, RequestVerdict::Continue);
}

/// The pattern index that refused `value` as the query parameter `x` of a checked path (the
/// value is percent-encoded for transport first), or `None` when it passed.
fn refused_by(plan: &HeaderPlan, value: &str) -> Option<usize> {
    let encoded: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    refused_raw(plan, &encoded)
}

/// As [`refused_by`], with the query value exactly as sent on the wire.
fn refused_raw(plan: &HeaderPlan, raw: &str) -> Option<usize> {
    let target = format!("/commonauth?x={raw}");
    match on_request(plan, &target, &[], &plaintext()).1 {
        RequestVerdict::Continue => None,
        RequestVerdict::Reject { matched, .. } => {
            assert_eq!(matched.field, "query.x", "{raw}");
            assert_eq!(matched.cause, InputCause::Pattern, "{raw}");
            Some(matched.pattern)
        }
        other => panic!("{raw}: {other:?}"),
    }
}

/// `(row, query value as sent, expected pattern)`: encodings, one on top of the other, that
/// must be peeled before matching.
const ENCODED: &[(&str, &str, usize)] = &[
    ("percent-encoded three times", "%25253Cscript%25253E", 0),
    ("named &lt;", "%26lt%3Bscript%26gt%3B", 0),
    ("upper-case &LT;", "%26LT%3Bscript", 0),
    ("legacy &lt without ;", "%26ltscript", 0),
    ("decimal without ;", "%26%2360script", 0),
    ("decimal with leading zeros", "%26%230000060%3Bscript", 0),
    ("hex", "%26%23x3c%3Bscript", 0),
    ("hex upper-case X without ;", "%26%23X3Cscript", 0),
    ("nested &amp;lt;", "%26amp%3Blt%3Bscript", 0),
    ("nested %26lt%3B", "%2526lt%253Bscript", 0),
    ("entity of a percent sign", "%26%23x25%3B3Cscript", 0),
    ("entity, then percent twice", "%26%2337%3B253Cscript", 0),
    ("NUL inside a tag name", "%3Cscr%00ipt%3E", 0),
    ("tab in a scheme", "java%09script:alert(1)", 3),
    (
        "hex tab entity in a scheme",
        "jav%26%23x09%3Bascript:alert(1)",
        3,
    ),
    (
        "&Tab; and &colon;",
        "java%26Tab%3Bscript%26colon%3Balert(1)",
        3,
    ),
    (
        "&NewLine; in a scheme",
        "java%26NewLine%3Bscript:alert(1)",
        3,
    ),
    ("CR LF in a scheme", "java%0D%0Ascript:alert(1)", 3),
    ("decimal colon without ;", "javascript%26%2358alert(1)", 3),
    ("NUL in a scheme", "java%00script:alert(1)", 3),
    ("leading control character", "%01javascript:alert(1)", 3),
    ("&lpar; &rpar;", "eval%26lpar%3B1%26rpar%3B", 6),
    (
        "newlines between attributes",
        "%3Cx%0Asrc%3Dy%0Aonerror%3Dalert(1)%3E",
        2,
    ),
    (
        "&quot; breaks out of an attribute",
        "%26quot%3B%20onfocus%3Dalert(1)",
        2,
    ),
    (
        "&#39; breaks out without a space",
        "%26%2339%3Bonmouseover%3Dalert(1)",
        2,
    ),
];

#[test]
fn encoded_payloads_are_decoded_before_matching() {
    let p = plan(CONFIG);
    for (row, raw, pattern) in ENCODED {
        assert_eq!(refused_raw(&p, raw), Some(*pattern), "row {row:?}: {raw}");
    }
}

/// `(row, value, expected pattern)`: markup that carries script.
const SCRIPT_CARRYING: &[(&str, &str, usize)] = &[
    ("script element", "<script>alert(1)</script>", 0),
    (
        "script with src",
        "<script src=//evil.example/x.js></script>",
        0,
    ),
    ("closing script", "</script><b>", 0),
    ("script at the end of a value", "x<script", 0),
    ("script then newline", "<script\n>", 0),
    ("script in mixed case", "<ScRiPt>alert(1)", 0),
    ("img onerror", "<img src=x onerror=alert(1)>", 1),
    ("svg onload", "<svg/onload=alert(1)>", 1),
    ("body onload without a value", "<body onload>", 1),
    ("details ontoggle", "<details open ontoggle=alert(1)>", 1),
    ("iframe", "<iframe src=//evil.example>", 1),
    ("object", "<object data=//evil.example/x.swf>", 1),
    ("embed", "<embed src=//evil.example/x.swf>", 1),
    ("base", "<base href=//evil.example/>", 1),
    (
        "form",
        "<form action=//evil.example><input name=password>",
        1,
    ),
    (
        "meta refresh",
        "<meta http-equiv=refresh content=\"0;url=//evil.example\">",
        1,
    ),
    ("link", "<link rel=stylesheet href=//evil.example/x.css>", 1),
    (
        "math (mutation XSS)",
        "<math><mtext><table><mglyph><style>",
        1,
    ),
    (
        "any element with a handler",
        "<a onmouseover=alert(1)>x</a>",
        2,
    ),
    ("custom element with a handler", "<x-y onclick=alert(1)>", 2),
    ("slash before a handler", "<x/onclick=alert(1)>", 2),
    (
        "newline before a handler",
        "<div\nonpointerenter=alert(1)>",
        2,
    ),
    (
        "double quote breakout",
        "\" onfocus=alert(1) autofocus x=\"",
        2,
    ),
    (
        "single quote breakout without a space",
        "'onmouseover='alert(1)",
        2,
    ),
    (
        "unquoted attribute breakout",
        "x onfocus=alert(1) autofocus",
        2,
    ),
    (
        "formaction",
        "<button formaction=javascript:alert(1)>x</button>",
        2,
    ),
    ("srcdoc", "<x srcdoc=y>", 2),
    (
        "iframe srcdoc with an encoded script",
        "<i srcdoc=\"&lt;script&gt;alert(1)\">",
        0,
    ),
    ("a href javascript:", "<a href=javascript:alert(1)>x</a>", 3),
    (
        "a href entity-encoded javascript:",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        3,
    ),
    ("javascript: URL", "javascript:alert(document.cookie)", 3),
    ("vbscript: URL", "vbscript:msgbox(1)", 3),
    ("data: HTML", "data:text/html;base64,PHNjcmlwdD4=", 4),
    ("data: SVG", "data:image/svg+xml;base64,PHN2Zz4=", 4),
    ("data: with a space", "data: text/html,x", 4),
    (
        "style expression",
        "<div style=\"width:expression(alert(1))\">",
        5,
    ),
    ("CSS expression", "x:expression(alert(1))", 5),
    ("eval", "eval(atob('YWxlcnQoMSk='))", 6),
];

#[test]
fn script_carrying_markup_is_refused() {
    let p = plan(CONFIG);
    for (row, value, pattern) in SCRIPT_CARRYING {
        assert_eq!(
            refused_by(&p, value),
            Some(*pattern),
            "row {row:?}: {value}"
        );
    }
}

/// `(row, value)`: input that looks a little like markup and must pass.
const BENIGN: &[(&str, &str)] = &[
    ("decimal reference to a letter", "&#65;BC"),
    ("reference to U+0258, not <", "&#600;"),
    ("reference to a control character", "&#6;"),
    ("hex reference to U+0258", "&#x258;"),
    ("an encoded heart", "&#60;3"),
    ("a named heart", "&lt;3"),
    ("a heart", "<3"),
    ("less than with spaces", "a < b"),
    ("less than before a digit", "1<2 and 3>2"),
    ("less than or equal", "x <= y"),
    ("comparison without spaces", "a<b"),
    ("a word that starts like script", "<scripted>"),
    ("another", "<scripts are fun"),
    ("closing a word that starts like script", "</scriptorium>"),
    ("a word that starts like img", "<imgur>"),
    ("a word that starts like iframe", "<iframes>"),
    ("a word that starts like body", "<bodyguard>"),
    ("plain formatting", "<b>bold</b> and <i>"),
    ("onboarding on its own", "onboarding=1"),
    (
        "onboarding in a URL",
        "https://app.example/cb?onboarding=1&lang=en",
    ),
    ("onboarding after a semicolon", "/signup;onboarding=1"),
    ("Johnson & Johnson", "Johnson & Johnson"),
    ("an escaped ampersand", "Johnson &amp; Johnson"),
    ("AT&T", "AT&T"),
    ("an unknown reference", "R&D &copy; 2024 &ampersand"),
    ("an e-mail address with +", "john.doe+tag@example.com"),
    ("an e-mail address with '", "o'neil@example.com"),
    ("an https URL", "https://app.example/callback"),
    ("an http URL with a port", "http://localhost:8080/a?b=c#d"),
    ("mailto", "mailto:x@example.com"),
    ("an image data URL", "data:image/png;base64,iVBORw0KGgo="),
    ("the word javascript", "javascript is a language"),
    ("evaluate", "evaluate(x)"),
    ("expressionless", "an expressionless face"),
    ("a percent sign", "100%"),
    ("a bad escape", "%zz"),
    ("a Windows path", "C:\\Users\\x"),
    ("a session key", "0f8fad5b-d9cb-469f-a165-70867728950e"),
];

#[test]
fn benign_input_passes() {
    let p = plan(CONFIG);
    for (row, value) in BENIGN {
        assert_eq!(refused_by(&p, value), None, "row {row:?}: {value}");
    }
    let referer = [(
        "referer",
        "https://app.example/login?onboarding=1&next=%2Fhome&q=a+%3C+b",
    )];
    let (_, v) = on_request(&p, "/commonauth", &referer, &plaintext());
    assert_eq!(v, RequestVerdict::Continue, "referer");
}

/// Encodings of one payload, as the application receives the value (the test then
/// percent-encodes it for transport).
fn encodings(payload: &str) -> Vec<(&'static str, String)> {
    let each = |f: &dyn Fn(u8) -> String| payload.bytes().map(f).collect::<String>();
    let named = |s: &str| {
        s.chars()
            .map(|c| match c {
                '<' => "&lt;".to_owned(),
                '>' => "&gt;".to_owned(),
                ':' => "&colon;".to_owned(),
                '(' => "&lpar;".to_owned(),
                ')' => "&rpar;".to_owned(),
                '"' => "&quot;".to_owned(),
                '=' => "&equals;".to_owned(),
                '/' => "&sol;".to_owned(),
                c => c.to_string(),
            })
            .collect::<String>()
    };
    let percent = each(&|b| format!("%{b:02X}"));
    let mixed_case: String = payload
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    vec![
        ("plain", payload.to_owned()),
        ("mixed case", mixed_case.clone()),
        ("percent", percent.clone()),
        ("percent twice", percent.replace('%', "%25")),
        ("decimal references", each(&|b| format!("&#{b};"))),
        ("hex references without ;", each(&|b| format!("&#x{b:x}"))),
        (
            "upper-case hex references",
            each(&|b| format!("&#X{b:02X};")),
        ),
        ("named references", named(payload)),
        (
            "nested named references",
            named(payload).replace('&', "&amp;"),
        ),
        ("references, then percent", {
            let refs = each(&|b| format!("&#{b};"));
            refs.bytes().map(|b| format!("%{b:02X}")).collect()
        }),
        ("mixed case, then named references", named(&mixed_case)),
    ]
}

/// `(family, payload)`: one payload per pattern family; the family is the expected index.
const FAMILIES: &[(usize, &str)] = &[
    (0, "<script>alert(1)</script>"),
    (1, "<iframe src=//evil.example>"),
    (1, "<meta http-equiv=refresh content=0;url=//evil.example>"),
    (1, "<base href=//evil.example/>"),
    (2, "<a onmouseover=alert(1)>x</a>"),
    (2, "\" autofocus onfocus=alert(1) x=\""),
    (2, "<button formaction=//evil.example>"),
    (2, "<x srcdoc=y>"),
    (3, "javascript:alert(1)"),
    (3, "vbscript:msgbox(1)"),
    (4, "data:text/html,<b>x</b>"),
    (5, "x{width:expression(alert(1))}"),
    (6, "eval(name)"),
];

#[test]
fn adversarial_corpus_every_family_in_every_encoding() {
    let p = plan(CONFIG);
    for (family, payload) in FAMILIES {
        for (encoding, value) in encodings(payload) {
            assert_eq!(
                refused_by(&p, &value),
                Some(*family),
                "{payload:?} {encoding}: {value}"
            );
        }
    }
}

const FORMS: &str = r#"{"virtual_hosts": [{"domains": ["*"], "input_validation": {
    "paths": ["/commonauth"], "form_bodies": true, "max_body_bytes": 256}}]}"#;

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// `(row, config, target, extra headers, header-time verdict, body check)`.
type HoldRow = (
    &'static str,
    &'static str,
    &'static str,
    Hs,
    RequestVerdict,
    BodyCheck,
);

const HOLD: &[HoldRow] = &[
    (
        "a form on a checked path",
        FORMS,
        "/commonauth",
        &[FORM],
        RequestVerdict::InspectBody { max_bytes: 256 },
        BodyCheck::Inspect { max_bytes: 256 },
    ),
    (
        "media type in any case, with a readable charset",
        FORMS,
        "/commonauth",
        &[(
            "content-type",
            "Application/X-WWW-Form-Urlencoded ; charset=\"UTF-8\"",
        )],
        RequestVerdict::InspectBody { max_bytes: 256 },
        BodyCheck::Inspect { max_bytes: 256 },
    ),
    (
        "the default bound",
        r#"{"virtual_hosts": [{"domains": ["*"], "input_validation": {
            "paths": ["/commonauth"], "form_bodies": true}}]}"#,
        "/commonauth",
        &[FORM],
        RequestVerdict::InspectBody { max_bytes: 8192 },
        BodyCheck::Inspect { max_bytes: 8192 },
    ),
    (
        "UTF-16 hides ASCII",
        FORMS,
        "/commonauth",
        &[(
            "content-type",
            "application/x-www-form-urlencoded; charset=UTF-16",
        )],
        RequestVerdict::InspectBody { max_bytes: 0 },
        BodyCheck::Unreadable,
    ),
    (
        "a compressed form",
        FORMS,
        "/commonauth",
        &[FORM, ("content-encoding", "gzip")],
        RequestVerdict::InspectBody { max_bytes: 0 },
        BodyCheck::Unreadable,
    ),
    (
        "identity coding",
        FORMS,
        "/commonauth",
        &[FORM, ("content-encoding", "identity")],
        RequestVerdict::InspectBody { max_bytes: 256 },
        BodyCheck::Inspect { max_bytes: 256 },
    ),
    (
        "multipart is not read",
        FORMS,
        "/commonauth",
        &[("content-type", "multipart/form-data; boundary=x")],
        RequestVerdict::Continue,
        BodyCheck::None,
    ),
    (
        "JSON is not read",
        FORMS,
        "/commonauth",
        &[("content-type", "application/json")],
        RequestVerdict::Continue,
        BodyCheck::None,
    ),
    (
        "no content type",
        FORMS,
        "/commonauth",
        &[],
        RequestVerdict::Continue,
        BodyCheck::None,
    ),
    (
        "a path that is not checked",
        FORMS,
        "/oauth2/token",
        &[FORM],
        RequestVerdict::Continue,
        BodyCheck::None,
    ),
    (
        "form_bodies off (the default)",
        CONFIG,
        "/commonauth",
        &[FORM],
        RequestVerdict::Continue,
        BodyCheck::None,
    ),
];

#[test]
fn form_bodies_are_held_on_checked_form_requests_only() {
    for (row, config, target, extra, verdict, check) in HOLD {
        let (facts, got) = on_request(&plan(config), target, extra, &plaintext());
        assert_eq!(&got, verdict, "row {row:?}");
        assert_eq!(facts.body_check, *check, "row {row:?}");
    }
    // A refusal at the headers needs no body.
    let p = plan(FORMS);
    let (facts, v) = on_request(&p, "/commonauth?x=<script>", &[FORM], &plaintext());
    assert!(matches!(v, RequestVerdict::Reject { .. }), "{v:?}");
    assert_eq!(facts.body_check, BodyCheck::None);
}

/// What a body verdict should be.
#[derive(Debug)]
enum Body {
    Pass,
    Hold,
    Refuse(u16, &'static str, InputCause),
}

/// `(row, content type, body, end of stream, expected)`; a body `#n` is `a=aaa…`, `n` bytes.
const BODIES: &[(&str, &str, &str, bool, Body)] = &[
    (
        "a clean login",
        "application/x-www-form-urlencoded",
        "username=admin&password=s3cr3t%21%3C3&sessionDataKey=0f8f",
        true,
        Body::Pass,
    ),
    (
        "script in the password",
        "application/x-www-form-urlencoded",
        "username=a&password=%3Cscript%3Ealert(1)%3C/script%3E",
        true,
        Body::Refuse(400, "form.password", InputCause::Pattern),
    ),
    (
        "entity-encoded svg",
        "application/x-www-form-urlencoded",
        "username=%26lt%3Bsvg%2Fonload%3Dalert(1)%26gt%3B",
        true,
        Body::Refuse(400, "form.username", InputCause::Pattern),
    ),
    (
        "plus is a space",
        "application/x-www-form-urlencoded",
        "u=%3Ca+onclick%3Dalert(1)%3E",
        true,
        Body::Refuse(400, "form.u", InputCause::Pattern),
    ),
    (
        "the name carries the payload",
        "application/x-www-form-urlencoded",
        "%3Cscript%3E=1",
        true,
        Body::Refuse(400, "form.<script>", InputCause::Pattern),
    ),
    (
        "a bad escape does not hide a payload",
        "application/x-www-form-urlencoded",
        "u=%zz%3Cscript%3E",
        true,
        Body::Refuse(400, "form.u", InputCause::Pattern),
    ),
    (
        "incomplete and within the bound",
        "application/x-www-form-urlencoded",
        "username=a",
        false,
        Body::Hold,
    ),
    (
        "over the bound before its end",
        "application/x-www-form-urlencoded",
        "#257",
        false,
        Body::Refuse(413, "body", InputCause::BodyTooLarge),
    ),
    (
        "over the bound at its end",
        "application/x-www-form-urlencoded",
        "#257",
        true,
        Body::Refuse(413, "body", InputCause::BodyTooLarge),
    ),
    (
        "exactly the bound",
        "application/x-www-form-urlencoded",
        "#256",
        true,
        Body::Pass,
    ),
    (
        "a charset that hides ASCII",
        "application/x-www-form-urlencoded; charset=utf-7",
        "username=admin",
        true,
        Body::Refuse(400, "body", InputCause::UnreadableBody),
    ),
    (
        "a readable charset",
        "application/x-www-form-urlencoded; charset=ISO-8859-1",
        "username=admin",
        true,
        Body::Pass,
    ),
];

#[test]
fn form_body_parameters_are_checked_like_query_values() {
    let p = plan(FORMS);
    for (row, content_type, body, end, expected) in BODIES {
        let (facts, _) = on_request(
            &p,
            "/commonauth",
            &[("content-type", content_type)],
            &plaintext(),
        );
        let body = match body.strip_prefix('#') {
            Some(n) => format!("a={}", "a".repeat(n.parse::<usize>().unwrap() - 2)),
            None => (*body).to_owned(),
        };
        let got = p.on_request_body(&facts, body.as_bytes(), *end);
        match (&got, expected) {
            (RequestVerdict::Continue, Body::Pass)
            | (RequestVerdict::InspectBody { max_bytes: 256 }, Body::Hold) => {}
            (RequestVerdict::Reject { status, matched }, Body::Refuse(s, field, cause)) => {
                assert_eq!(
                    (*status, matched.field.as_str(), matched.cause),
                    (*s, *field, *cause),
                    "row {row:?}"
                );
            }
            _ => panic!("row {row:?}: {got:?}, expected {expected:?}"),
        }
    }
    // Without a hold asked at the headers, a body is not read.
    let (facts, _) = on_request(&p, "/commonauth", &[], &plaintext());
    assert_eq!(
        p.on_request_body(&facts, b"x=<script>", true),
        RequestVerdict::Continue
    );
}

#[test]
fn form_params_follow_the_query_param_globs() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["*"], "input_validation": {
            "paths": ["/commonauth"], "query_params": ["user*"], "form_bodies": true}}]}"#,
    );
    let (facts, _) = on_request(&p, "/commonauth", &[FORM], &plaintext());
    assert_eq!(
        p.on_request_body(&facts, b"password=%3Cscript%3E", true),
        RequestVerdict::Continue
    );
    assert!(matches!(
        p.on_request_body(&facts, b"password=x&username=%3Cscript%3E", true),
        RequestVerdict::Reject { matched, .. } if matched.field == "form.username"
    ));
}

#[test]
fn form_bodies_in_shadow_mode_are_only_reported() {
    let p = plan(
        r#"{"virtual_hosts": [{"domains": ["*"], "input_validation": {"mode": "shadow",
            "paths": ["/commonauth"], "form_bodies": true, "max_body_bytes": 64}}]}"#,
    );
    let (facts, v) = on_request(&p, "/commonauth", &[FORM], &plaintext());
    assert_eq!(v, RequestVerdict::InspectBody { max_bytes: 64 });
    assert!(matches!(
        p.on_request_body(&facts, b"u=%3Cscript%3E", true),
        RequestVerdict::ShadowReject { matched } if matched.field == "form.u"
    ));
    assert!(matches!(
        p.on_request_body(&facts, &[b'a'; 65], false),
        RequestVerdict::ShadowReject { matched } if matched.cause == InputCause::BodyTooLarge
    ));
}

#[test]
fn max_body_bytes_out_of_range_is_refused() {
    for bytes in [0, 63, 1_048_577] {
        let json = format!(
            r#"{{"virtual_hosts": [{{"domains": ["*"], "input_validation": {{
                "paths": ["/a"], "form_bodies": true, "max_body_bytes": {bytes}}}}}]}}"#
        );
        let err = HeaderPlan::from_json(json.as_bytes()).unwrap_err();
        assert_eq!(
            err.path().to_string(),
            "virtual_hosts[0].input_validation.max_body_bytes",
            "{bytes}"
        );
        assert!(
            matches!(err.kind(), ConfigErrorKind::OutOfRange { .. }),
            "{bytes}: {err}"
        );
    }
    for bytes in [64, 1_048_576] {
        let json = format!(
            r#"{{"virtual_hosts": [{{"domains": ["*"], "input_validation": {{
                "paths": ["/a"], "form_bodies": true, "max_body_bytes": {bytes}}}}}]}}"#
        );
        assert!(HeaderPlan::from_json(json.as_bytes()).is_ok(), "{bytes}");
    }
}
