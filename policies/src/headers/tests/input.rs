//! Request-side input validation.

use super::*;

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
