//! Table tests over the Identity Server preset: the bypass corpus and legitimate traffic.

use super::*;
use crate::attributes::AttributeTable;
use crate::path::PathError;
use crate::request::RequestHead;

/// The Identity Server preset, compiled (shared with `product_tests`).
pub(super) fn is_preset() -> AllowlistPlan {
    AllowlistPlan::from_json(
        crate::presets::find("context-allowlist", "wso2-is")
            .unwrap()
            .json
            .as_bytes(),
    )
    .unwrap()
}

fn head(method: &str, target: &[u8], authority: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        (":method".to_owned(), method.as_bytes().to_vec()),
        (":path".to_owned(), target.to_vec()),
        (":authority".to_owned(), authority.as_bytes().to_vec()),
    ]
}

fn external() -> AttributeTable {
    AttributeTable::default().with("source.address", "203.0.113.50:41000")
}

fn decide(plan: &AllowlistPlan, method: &str, target: &[u8]) -> Decision {
    plan.decide(
        &RequestHead::new(&head(method, target, "is.example.com")),
        &external(),
    )
}

/// Bypass attempts on `/carbon` and `/services` (and the other admin contexts). Each must be
/// denied, by a deny rule or as a malformed path, never allowed.
const BYPASSES: &[&str] = &[
    // plain and case
    "/carbon",
    "/carbon/",
    "/carbon/admin/login.jsp",
    "/CARBON/admin/login.jsp",
    "/Carbon/",
    "/cArBoN",
    "/services",
    "/services/",
    "/services/RemoteUserStoreManagerService?wsdl",
    "/SERVICES/x",
    "/Services",
    // dot segments, plain and encoded
    "/./carbon",
    "/a/../carbon",
    "/../carbon/",
    "/oauth2/../carbon",
    "/oauth2/../../services/x",
    "/%2e/carbon",
    "/%2e%2e/carbon",
    "/%2E%2E/services",
    "/.%2e/carbon",
    "/%2e./carbon",
    "/oauth2/%2e%2e/carbon/admin",
    "/commonauth/%2e%2e/services/x",
    "/authenticationendpoint/%2e%2e/carbon",
    // Tomcat path parameters
    "/a/..;/carbon",
    "/..;/carbon",
    "/oauth2/..;/carbon/admin/login.jsp",
    "/oauth2/..;jsessionid=1/services",
    "/carbon;jsessionid=ABC/admin",
    "/carbon;/admin",
    "/services;x=1",
    "/;/carbon",
    "/;x/services/y",
    "/commonauth;/../carbon",
    "/.;/carbon",
    "/oauth2/.;/../carbon",
    // slashes
    "//carbon",
    "///carbon/admin",
    "/oauth2//..//carbon",
    "//services//x",
    "/.//carbon",
    // percent-encoded letters
    "/%63arbon",
    "/%63%61%72%62%6f%6e",
    "/%43ARBON",
    "/%73ervices",
    "/serv%69ces/x",
    "/%2e%2e/%63arbon",
    // encoded separators and controls (refused as malformed)
    "/oauth2%2f..%2fcarbon",
    "/oauth2/..%2fcarbon",
    "/oauth2%2F..%2Fservices",
    "/oauth2/..%5ccarbon",
    "/carbon%00/",
    "/oauth2/%00/../carbon",
    "/carbon%0a",
    "/carbon%3bjsessionid=1",
    "/carbon%09",
    // double encoding
    "/%252e%252e/carbon",
    "/oauth2/%252e%252e/services",
    "/%25%32%65%25%32%65/carbon",
    // backslash
    "/oauth2\\..\\carbon",
    "/oauth2/..\\carbon",
    "\\carbon",
    // overlong and invalid UTF-8
    "/%c0%ae%c0%ae/carbon",
    "/oauth2/%c0%af../carbon",
    "/%e0%80%ae%e0%80%ae/services",
    "/%c1%9c../carbon",
    // absolute form
    "http://is.example.com/carbon",
    "https://is.example.com/services/x",
    "HTTP://is.example.com/oauth2/../carbon",
    "http://is.example.com//carbon",
    // tenant-qualified forms and other admin surfaces
    "/t/carbon.super/carbon/admin/login.jsp",
    "/t/acme.com/services/x",
    "/t/a/../../carbon",
    "/t/acme.com/CARBON",
    "/fileupload/toolsAny",
    "/FileUpload/toolsAny",
    "/t/acme.com/fileupload/x",
    "/console/",
    "/registry/resource",
    "/api/server/v1/applications",
    "/t/acme.com/api/server/v1/users",
];

#[test]
fn bypass_corpus_is_denied() {
    let plan = is_preset();
    for target in BYPASSES {
        let d = decide(&plan, "GET", target.as_bytes());
        assert!(
            matches!(
                d,
                Decision::Deny {
                    reason: DenyReason::DenyRule | DenyReason::MalformedPath(_),
                    ..
                }
            ),
            "{target}: {d:?}"
        );
    }
}

#[test]
fn bypass_raw_bytes_are_denied() {
    let plan = is_preset();
    for target in [
        &b"/carbon\0"[..],
        b"/carbon\r\n",
        b"/\xc0\xae\xc0\xae/carbon",
        b"/carbon\xff",
        b"/car bon",
    ] {
        let d = decide(&plan, "GET", target);
        assert!(
            matches!(
                d,
                Decision::Deny {
                    status: 400,
                    reason: DenyReason::MalformedPath(_)
                }
            ),
            "{target:?}"
        );
    }
}

/// Legitimate requests the Identity Server preset must let through.
const LEGITIMATE: &[(&str, &str)] = &[
    ("POST", "/oauth2/token"),
    (
        "GET",
        "/oauth2/authorize?response_type=code&client_id=abc&redirect_uri=https%3A%2F%2Fapp%2Fcb",
    ),
    ("GET", "/oauth2/jwks"),
    ("GET", "/oauth2/userinfo"),
    ("POST", "/oauth2/revoke"),
    ("GET", "/oauth2/token/.well-known/openid-configuration"),
    (
        "GET",
        "/oauth2/oidcdiscovery/.well-known/openid-configuration",
    ),
    ("GET", "/oidc/logout?id_token_hint=x"),
    ("GET", "/oidc/checksession"),
    ("POST", "/commonauth"),
    ("GET", "/commonauth;jsessionid=ABCDEF0123"),
    ("POST", "/samlsso"),
    ("GET", "/authenticationendpoint/login.do?sessionDataKey=1"),
    ("GET", "/authenticationendpoint/css/custom.css"),
    ("GET", "/accountrecoveryendpoint/recoverpassword.do"),
    ("GET", "/.well-known/openid-configuration"),
    ("GET", "/.well-known/webfinger?resource=acct:x"),
    ("GET", "/myaccount/"),
    ("GET", "/t/acme.com/oauth2/authorize?x=1"),
    ("POST", "/t/acme.com/oauth2/token"),
    ("GET", "/t/acme.com/authenticationendpoint/login.do"),
    ("GET", "/t/carbon.super/.well-known/openid-configuration"),
    ("GET", "/oauth2/./token"),
    ("GET", "/oauth2//token"),
    ("GET", "/api/health-check/v1.0/health"),
    ("GET", "http://is.example.com/oauth2/jwks"),
];

#[test]
fn legitimate_requests_are_allowed() {
    let plan = is_preset();
    for (method, target) in LEGITIMATE {
        let d = decide(&plan, method, target.as_bytes());
        assert_eq!(
            d,
            Decision::Allow(AllowReason::Allowlisted),
            "{method} {target}"
        );
    }
}

#[test]
fn unlisted_paths_are_denied_by_default() {
    let plan = is_preset();
    for target in [
        "/",
        "/scim2/ServiceProviderConfig",
        "/o/0a1b/oauth2/token",
        "/OAUTH2/token",
        "/portal",
    ] {
        let d = decide(&plan, "GET", target.as_bytes());
        assert_eq!(
            d,
            Decision::Deny {
                status: 403,
                reason: DenyReason::NotAllowlisted
            },
            "{target}"
        );
    }
}

#[test]
fn default_credentials_get_401_on_every_path() {
    let plan = is_preset();
    for (value, target) in [
        ("Basic YWRtaW46YWRtaW4=", "/oauth2/token"),
        ("basic YWRtaW5AY2FyYm9uLnN1cGVyOmFkbWlu", "/scim2/Me"),
        ("Basic QWRtaW46YWRtaW4=", "/carbon%00"),
    ] {
        let mut h = head("POST", target.as_bytes(), "is.example.com");
        h.push(("authorization".to_owned(), value.as_bytes().to_vec()));
        let d = plan.decide(&RequestHead::new(&h), &external());
        assert_eq!(
            d,
            Decision::Deny {
                status: 401,
                reason: DenyReason::DefaultCredentials
            },
            "{value}"
        );
    }
    let mut h = head("POST", b"/oauth2/token", "is.example.com");
    h.push((
        "authorization".to_owned(),
        b"Basic YWRtaW46czNjcjN0".to_vec(),
    ));
    assert!(matches!(
        plan.decide(&RequestHead::new(&h), &external()),
        Decision::Allow(_)
    ));
}

const INTERNAL: &str = r#"{
  "deny_status": 404,
  "virtual_hosts": [{
    "domains": ["is.example.com"],
    "allow": [{"path": "/oauth2/token", "methods": ["POST"]}, "/oauth2/*"],
    "deny": ["/carbon"],
    "internal_sources": ["10.20.0.0/16", "127.0.0.10"],
    "internal_clients": {"dns_sans": ["admin.gateway.internal"]}
  }, {
    "domains": ["api.example.com"],
    "allow": [{"path": "/token", "methods": ["POST"]}]
  }]
}"#;

fn internal_plan() -> AllowlistPlan {
    AllowlistPlan::from_json(INTERNAL.as_bytes()).unwrap()
}

#[test]
fn internal_sources_reach_denied_contexts_others_get_404() {
    let plan = internal_plan();
    let h = head("GET", b"/carbon/admin/login.jsp", "is.example.com");
    let from = |addr: &str| {
        plan.decide(
            &RequestHead::new(&h),
            &AttributeTable::default().with("source.address", addr),
        )
    };
    assert_eq!(
        from("10.20.3.4:5000"),
        Decision::Allow(AllowReason::InternalSource)
    );
    assert_eq!(
        from("127.0.0.10:5000"),
        Decision::Allow(AllowReason::InternalSource)
    );
    assert_eq!(
        from("[::ffff:10.20.3.4]:5000"),
        Decision::Allow(AllowReason::InternalSource)
    );
    let denied = Decision::Deny {
        status: 404,
        reason: DenyReason::DenyRule,
    };
    assert_eq!(from("127.0.0.1:5000"), denied);
    assert_eq!(from("10.21.0.1:5000"), denied);
    assert_eq!(
        plan.decide(&RequestHead::new(&h), &AttributeTable::default()),
        denied
    );
}

#[test]
fn internal_clients_need_mtls_and_a_listed_san() {
    let plan = internal_plan();
    let h = head("GET", b"/carbon/admin/login.jsp", "is.example.com");
    let conn = |mtls: &[u8], san: &str| {
        AttributeTable::default()
            .with("source.address", "127.0.0.1:5000")
            .with("connection.mtls", mtls.to_vec())
            .with("connection.dns_san_peer_certificate", san)
    };
    let d = |c: AttributeTable| plan.decide(&RequestHead::new(&h), &c);
    assert_eq!(
        d(conn(&[1], "admin.gateway.internal")),
        Decision::Allow(AllowReason::InternalClient)
    );
    assert_eq!(
        d(conn(b"true", "ADMIN.gateway.internal")),
        Decision::Allow(AllowReason::InternalClient)
    );
    let denied = Decision::Deny {
        status: 404,
        reason: DenyReason::DenyRule,
    };
    assert_eq!(d(conn(&[0], "admin.gateway.internal")), denied);
    assert_eq!(d(conn(&[1], "user.gateway.internal")), denied);
}

#[test]
fn methods_limit_allow_rules() {
    let plan = internal_plan();
    let d = |m: &str, p: &str, host: &str| {
        plan.decide(&RequestHead::new(&head(m, p.as_bytes(), host)), &external())
    };
    assert_eq!(
        d("POST", "/oauth2/token", "is.example.com"),
        Decision::Allow(AllowReason::Allowlisted)
    );
    // `/oauth2/*` admits GET on the same path.
    assert_eq!(
        d("GET", "/oauth2/token", "is.example.com"),
        Decision::Allow(AllowReason::Allowlisted)
    );
    assert_eq!(
        d("POST", "/token", "api.example.com"),
        Decision::Allow(AllowReason::Allowlisted)
    );
    let not_allowed = Decision::Deny {
        status: 404,
        reason: DenyReason::MethodNotAllowed,
    };
    assert_eq!(d("GET", "/token", "api.example.com"), not_allowed);
    // The back end reads methods case-insensitively: a method not in upper case is refused.
    assert_eq!(
        d("post", "/token", "api.example.com"),
        Decision::Deny {
            status: 400,
            reason: DenyReason::InvalidMethod
        }
    );
}

#[test]
fn unknown_or_malformed_host_is_denied() {
    let plan = internal_plan();
    let unknown = Decision::Deny {
        status: 404,
        reason: DenyReason::UnknownHost,
    };
    let invalid = Decision::Deny {
        status: 400,
        reason: DenyReason::InvalidHost,
    };
    // (name, host, decision): an unknown host gets the deny status; a missing or invalid one is
    // a 400 (RFC 9112 §3.2).
    for (name, host, want) in [
        ("unknown", "evil.example", &unknown),
        ("empty", "", &invalid),
        ("userinfo", "is.example.com@evil", &invalid),
        ("bad port", "is.example.com:x", &invalid),
    ] {
        let d = plan.decide(
            &RequestHead::new(&head("GET", b"/oauth2/jwks", host)),
            &external(),
        );
        assert_eq!(d, *want, "row `{name}`: {host:?}");
    }
    let d = plan.decide(
        &RequestHead::new(&head("GET", b"/oauth2/jwks", "IS.Example.com.:443")),
        &external(),
    );
    assert_eq!(d, Decision::Allow(AllowReason::Allowlisted));
    // An absolute-form target's authority that differs from Host: a back end may read either.
    let d = plan.decide(
        &RequestHead::new(&head(
            "GET",
            b"http://evil.example/oauth2/jwks",
            "is.example.com",
        )),
        &external(),
    );
    assert_eq!(d, invalid);
    let d = plan.decide(
        &RequestHead::new(&head(
            "GET",
            b"http://is.example.com/oauth2/jwks",
            "is.example.com",
        )),
        &external(),
    );
    assert_eq!(d, Decision::Allow(AllowReason::Allowlisted));
}

#[test]
fn malformed_and_long_targets_get_400_and_414() {
    let plan = is_preset();
    assert_eq!(
        decide(&plan, "GET", b"/oauth2/%zz"),
        Decision::Deny {
            status: 400,
            reason: DenyReason::MalformedPath(PathError::InvalidPercentEncoding)
        }
    );
    let long = format!("/oauth2/{}", "a".repeat(65536));
    assert_eq!(
        decide(&plan, "GET", long.as_bytes()),
        Decision::Deny {
            status: 414,
            reason: DenyReason::MalformedPath(PathError::TooLong)
        }
    );
}

#[test]
fn envoy_normalize_path_on_and_off_reach_the_same_decision() {
    // Envoy's RBAC tests send `/foo/../bar` with normalisation on and off; here the filter sees
    // either the raw target (off) or Envoy's normalised one (on), and must decide the same.
    let plan = is_preset();
    for (raw, normalised_by_envoy) in [
        ("/oauth2/../carbon", "/carbon"),
        ("/a/..;/carbon", "/carbon"),
        ("/%2e%2e/carbon", "/carbon"),
        ("//carbon", "/carbon"),
        ("/%63arbon", "/carbon"),
        ("/oauth2/./token", "/oauth2/token"),
    ] {
        assert_eq!(
            decide(&plan, "GET", raw.as_bytes()),
            decide(&plan, "GET", normalised_by_envoy.as_bytes()),
            "{raw}"
        );
    }
}

#[test]
fn every_preset_compiles() {
    for p in crate::presets::ALL {
        if p.filter == "context-allowlist" {
            AllowlistPlan::from_json(p.json.as_bytes())
                .unwrap_or_else(|e| panic!("{}: {e}", p.product));
        }
    }
}

/// `(config, field path, line)`.
const BAD_CONFIGS: &[(&str, &str, usize)] = &[
    ("{\"virtual_hosts\": []}", "virtual_hosts", 1),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"*\"], \"allow\": []}]}",
        "virtual_hosts[0].allow",
        1,
    ),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"*\"],\n\"allow\": [\"/a\"],\n\"deny\": [\"/x\", \"/[\"]}]}",
        "virtual_hosts[0].deny[1]",
        3,
    ),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"*\"], \"allow\": [\"/a\"],\n \"internal_sources\": [\"10.0.0.0/33\"]}]}",
        "virtual_hosts[0].internal_sources[0]",
        2,
    ),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"*\"], \"allow\": [\"/a\"], \"bogus\": 1}]}",
        "virtual_hosts[0].bogus",
        1,
    ),
    (
        "{\"deny_status\": 200, \"virtual_hosts\": [{\"domains\": [\"*\"], \"allow\": [\"/a\"]}]}",
        "deny_status",
        1,
    ),
    ("{\"mode\": \"audit\", \"virtual_hosts\": []}", "mode", 1),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"*\"], \"allow\": [{\"path\": \"/a/../b\", \"methods\": [\"GET\"]}]}]}",
        "virtual_hosts[0].allow[0].path",
        1,
    ),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"*\"], \"allow\": [{\"path\": \"/a\", \"methods\": [\"G T\"]}]}]}",
        "virtual_hosts[0].allow[0].methods[0]",
        1,
    ),
    (
        "{\"default_credentials\": [{\"username\": \"a:b\", \"password\": \"x\"}], \"virtual_hosts\": []}",
        "default_credentials[0].username",
        1,
    ),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"*\"], \"allow\": [\"/a\"], \"internal_clients\": {\"sha256\": [\"zz\"]}}]}",
        "virtual_hosts[0].internal_clients.sha256[0]",
        1,
    ),
    (
        "{\"virtual_hosts\": [{\"domains\": [\"a.*.com\"], \"allow\": [\"/a\"]}]}",
        "virtual_hosts[0].domains[0]",
        1,
    ),
];

#[test]
fn compile_fails_naming_field_and_line() {
    for (json, field, line) in BAD_CONFIGS {
        let err = AllowlistPlan::from_json(json.as_bytes()).unwrap_err();
        assert_eq!(err.path().to_string(), *field, "{json}");
        assert_eq!(err.location().map(|l| l.0), Some(*line), "{json}: {err}");
        assert!(err.to_string().contains(field), "{err}");
    }
    let err = AllowlistPlan::from_json(b"{not json").unwrap_err();
    assert!(matches!(err.kind(), crate::ConfigErrorKind::Syntax(_)));
}

#[test]
fn shadow_mode_is_parsed() {
    let plan = AllowlistPlan::from_json(
        br#"{"mode": "shadow", "virtual_hosts": [{"domains": ["*"], "allow": ["/a"]}]}"#,
    )
    .unwrap();
    assert_eq!(plan.mode(), Mode::Shadow);
}
