//! Table tests of the product's own routing over the Identity Server preset: tenant and
//! organisation dispatch, credentials where the product reads them, methods, confusables, and
//! legitimate requests of the same shapes. Every row names itself in a failure.

use super::*;
use crate::attributes::AttributeTable;
use crate::path::PathError;
use crate::request::RequestHead;
use crate::routing::Layer;

fn plan() -> AllowlistPlan {
    super::tests::is_preset()
}

fn request(method: &str, target: &str, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut h = vec![
        (":method".to_owned(), method.as_bytes().to_vec()),
        (":path".to_owned(), target.as_bytes().to_vec()),
        (":authority".to_owned(), b"is.example.com".to_vec()),
    ];
    h.extend(
        extra
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec())),
    );
    h
}

fn external() -> AttributeTable {
    AttributeTable::default().with("source.address", "203.0.113.50:41000")
}

fn decide(plan: &AllowlistPlan, method: &str, target: &str, extra: &[(&str, &str)]) -> Decision {
    plan.decide(
        &RequestHead::new(&request(method, target, extra)),
        &external(),
    )
}

/// `(name, method, target, extra headers, decision)`.
type RequestRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    Decision,
);

const DENY_RULE: Decision = Decision::Deny {
    status: 403,
    reason: DenyReason::DenyRule,
};
const NOT_ALLOWLISTED: Decision = Decision::Deny {
    status: 403,
    reason: DenyReason::NotAllowlisted,
};

/// `(name, raw target, decision, the layer that decided, the path it landed on)`: walks from an
/// allowlisted tenant prefix into an admin surface through the product's valves, or a `**` tail
/// that reaches into another context.
const ROUTING: &[(&str, &str, Decision, Layer, &str)] = &[
    (
        "greedy /api/ into the server API",
        "/t/abc.com/api/users/v1/me/x/api/server/v1/applications",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/api/server/v1/applications",
    ),
    (
        "greedy /api/ behind a second tenant",
        "/t/abc.com/api/users/v1/me/t/evil/api/server/v1/userstores",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/api/server/v1/userstores",
    ),
    (
        "greedy /api/ into DCR",
        "/t/abc.com/api/users/v1/me/api/identity/oauth2/dcr/v1.1/register",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/api/identity/oauth2/dcr/v1.1/register",
    ),
    (
        "greedy /api/ into entitlement",
        "/t/abc.com/api/users/v1/me/api/identity/entitlement/decision/pdp",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/api/identity/entitlement/decision/pdp",
    ),
    (
        "greedy /oauth2/ into introspection",
        "/t/abc.com/oauth2/token/x/oauth2/introspect",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/oauth2/introspect",
    ),
    (
        "greedy /scim2/ into Users",
        "/t/abc.com/scim2/Me/scim2/Users",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/scim2/Users",
    ),
    (
        "greedy /scim2/ into Bulk",
        "/t/carbon.super/scim2/Me/x/scim2/Bulk",
        DENY_RULE,
        Layer::TenantValve,
        "/t/carbon.super/scim2/Bulk",
    ),
    (
        "servlet tenant removal makes .. (oidc)",
        "/t/a/oidc/./t/a./x/./t/a./carbon",
        DENY_RULE,
        Layer::TenantValve,
        "/t/a/carbon",
    ),
    (
        "servlet tenant removal makes .. (discovery)",
        "/t/a/.well-known/openid-configuration/./t/a././t/a./carbon",
        DENY_RULE,
        Layer::TenantValve,
        "/t/a/carbon",
    ),
    (
        "servlet tenant removal makes .. (services)",
        "/t/abc.com/oidc/./t/abc.com./x/./t/abc.com./services/UserAdmin",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/services/UserAdmin",
    ),
    (
        "/o/ under the super tenant",
        "/o/api/server/v1/applications",
        DENY_RULE,
        Layer::TenantValve,
        "/t/carbon.super/api/server/v1/applications",
    ),
    (
        "/o/ after the tenant into the server API",
        "/t/abc.com/o/api/server/v1/applications",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/api/server/v1/applications",
    ),
    (
        "/o/ into the console",
        "/t/abc.com/o/console/",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/console/",
    ),
    (
        "/o/ with an organisation id into the console",
        "/t/abc.com/o/0a1b/console/applications",
        DENY_RULE,
        Layer::TenantValve,
        "/t/abc.com/console/",
    ),
    (
        "dot segments to the server API",
        "/t/abc.com/api/users/v1/me/../../../server/v1/applications",
        DENY_RULE,
        Layer::Tomcat,
        "/t/abc.com/api/server/v1/applications",
    ),
    (
        "parameters and dots to the server API",
        "/t/abc.com/api/users/v1/me;x=/../../../server/v1/claim-dialects",
        DENY_RULE,
        Layer::Tomcat,
        "/t/abc.com/api/server/v1/claim-dialects",
    ),
    (
        "second tenant qualifier in a ** tail",
        "/t/abc.com/oauth2/t/evil.com/oauth2/token",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/t/abc.com/oauth2/t/evil.com/oauth2/token",
    ),
    (
        "organisation segment in a ** tail",
        "/t/abc.com/oauth2/x/o/y",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/t/abc.com/oauth2/x/o/y",
    ),
    (
        "/o/ in a self-service tail",
        "/t/abc.com/api/users/v1/me/o/applications",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/t/abc.com/api/users/v1/me/o/applications",
    ),
    (
        "api segment in a login-page tail",
        "/t/abc.com/authenticationendpoint/x/api/server/v1/applications",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/t/abc.com/authenticationendpoint/x/api/server/v1/applications",
    ),
    (
        "admin context in a single-page-app tail",
        "/t/abc.com/myaccount/x/console/",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/t/abc.com/myaccount/x/console/",
    ),
    (
        "another context root in a tail (ACL decoy)",
        "/api/users/v1/me/sessions/commonauth",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/api/users/v1/me/sessions/commonauth",
    ),
    (
        "admin context in a tail (ACL decoy)",
        "/api/users/v1/me/x/carbon",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/api/users/v1/me/x/carbon",
    ),
    (
        "scim2 in a self-service tail",
        "/t/abc.com/api/users/v1/me/scim2/Users",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/t/abc.com/api/users/v1/me/scim2/Users",
    ),
    (
        "organisation valve, not allowlisted",
        "/o/0a1b/oauth2/token",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/o/0a1b/oauth2/token",
    ),
    (
        "raw target climbs out of a public prefix",
        "/oauth2/../commonauth",
        NOT_ALLOWLISTED,
        Layer::Raw,
        "/oauth2/../commonauth",
    ),
    (
        "raw target with parameters climbs",
        "/authenticationendpoint/..;/oauth2/token",
        NOT_ALLOWLISTED,
        Layer::Raw,
        "/authenticationendpoint/../oauth2/token",
    ),
    (
        "dot in a context is a regex",
        "/t/a/Xwell-known/openid-configuration",
        NOT_ALLOWLISTED,
        Layer::Tomcat,
        "/t/a/Xwell-known/openid-configuration",
    ),
];

#[test]
fn the_dispatcher_reading_reaches_root_servlets_too() {
    // The valve's servlet dispatch keeps `%73ervices` past the dispatcher's dot removal.
    let target = "/t/abc.com/oidc/../%73ervices/RemoteUserStoreManagerService/%2e%2e/../%6fidc/x";
    let h = request("GET", target, &[]);
    let (got, why) = plan().explain(&RequestHead::new(&h), &external());
    assert_eq!(got, DENY_RULE);
    assert_eq!(
        why.landed.as_deref(),
        Some("/t/abc.com/services/RemoteUserStoreManagerService/oidc/x")
    );
}

#[test]
fn routing_bypasses_are_denied_where_they_land() {
    let plan = plan();
    for (name, target, want, layer, landed) in ROUTING {
        let h = request("GET", target, &[]);
        let (got, why) = plan.explain(&RequestHead::new(&h), &external());
        assert_eq!(got, *want, "row `{name}`: {target}");
        assert_eq!(
            why.decided_by,
            Some(*layer),
            "row `{name}`: {target} {why:?}"
        );
        assert_eq!(
            why.landed.as_deref(),
            Some(*landed),
            "row `{name}`: {target}"
        );
    }
}

#[test]
fn the_valve_alone_catches_what_tomcat_allows() {
    // Without the product's routing model, the same configuration lets these through.
    let json = crate::presets::find("context-allowlist", "wso2-is")
        .unwrap()
        .json;
    let without = json.replace(
        "\"product_routing\": \"wso2-identity-server\"",
        "\"internal_clients\": null",
    );
    let tomcat_only = AllowlistPlan::from_json(without.as_bytes()).unwrap();
    let with = plan();
    for target in [
        "/t/a/oidc/./t/a./x/./t/a./carbon",
        "/t/abc.com/api/users/v1/me/x/api/server/v1/applications",
        "/t/abc.com/o/api/server/v1/applications",
    ] {
        let naive = decide(&tomcat_only, "GET", target, &[]);
        assert_ne!(naive, DENY_RULE, "{target}: decided without the valve");
        assert_eq!(decide(&with, "GET", target, &[]), DENY_RULE, "{target}");
    }
}

/// `(name, method, target, extra headers, decision)`: credentials wherever the product reads
/// them (body carriers below).
const CREDENTIALS: &[RequestRow] = &[
    (
        "basic, lenient junk",
        "GET",
        "/oauth2/jwks",
        &[("authorization", "Basic YW.Rt*aW46YWRtaW4")],
        UNAUTHORIZED,
    ),
    (
        "basic, domain prefix",
        "GET",
        "/scim2/Me",
        &[("authorization", "Basic UFJJTUFSWS9hZG1pbjphZG1pbg==")],
        UNAUTHORIZED,
    ),
    (
        "basic, tenant-qualified",
        "GET",
        "/t/abc.com/scim2/Me",
        &[("authorization", "Basic YWRtaW5AY2FyYm9uLnN1cGVyOmFkbWlu")],
        UNAUTHORIZED,
    ),
    (
        "basic, second line",
        "GET",
        "/oauth2/jwks",
        &[
            ("authorization", "Bearer x"),
            ("authorization", "basic YWRtaW46YWRtaW4"),
        ],
        UNAUTHORIZED,
    ),
    (
        "basic on a denied path",
        "GET",
        "/carbon/admin/login.jsp",
        &[("authorization", "Basic YWRtaW46YWRtaW4=")],
        UNAUTHORIZED,
    ),
    (
        "query on the login endpoint",
        "GET",
        "/commonauth?username=admin&password=admin",
        &[],
        UNAUTHORIZED,
    ),
    (
        "query, encoded",
        "GET",
        "/commonauth?username=%61dmin&password=%61dmin",
        &[],
        UNAUTHORIZED,
    ),
    (
        "query, tenant-qualified",
        "GET",
        "/t/abc.com/commonauth?username=admin%40carbon.super&password=admin",
        &[],
        UNAUTHORIZED,
    ),
    (
        "query on the token endpoint",
        "POST",
        "/oauth2/token?grant_type=password&username=PRIMARY%2Fadmin&password=admin",
        &[],
        UNAUTHORIZED,
    ),
    (
        "query, malformed escape",
        "GET",
        "/commonauth?username=admin&password=%zzadmin",
        &[],
        BAD_PARAMETERS,
    ),
    (
        "another user's basic",
        "GET",
        "/oauth2/jwks",
        &[("authorization", "Basic dXNlcjpzM2NyZXQ=")],
        ALLOWED,
    ),
    (
        "another password in the query",
        "GET",
        "/commonauth?username=admin&password=s3cret",
        &[],
        ALLOWED,
    ),
    (
        "form on the login endpoint",
        "POST",
        "/commonauth",
        &[("content-type", "application/x-www-form-urlencoded")],
        INSPECT,
    ),
    (
        "form, parameters in the type",
        "POST",
        "/oauth2/token",
        &[(
            "content-type",
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
        )],
        INSPECT,
    ),
    (
        "form, tenant-qualified",
        "POST",
        "/t/abc.com/samlsso",
        &[("content-type", "application/x-www-form-urlencoded")],
        INSPECT,
    ),
    (
        "form over the bound",
        "POST",
        "/commonauth",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("content-length", "9000"),
        ],
        TOO_LARGE,
    ),
    (
        "json body is not a form",
        "POST",
        "/oauth2/token",
        &[("content-type", "application/json")],
        ALLOWED,
    ),
    (
        "form on a path that reads none",
        "POST",
        "/oidc/logout",
        &[("content-type", "application/x-www-form-urlencoded")],
        ALLOWED,
    ),
];

const UNAUTHORIZED: Decision = Decision::Deny {
    status: 401,
    reason: DenyReason::DefaultCredentials,
};
const BAD_PARAMETERS: Decision = Decision::Deny {
    status: 400,
    reason: DenyReason::MalformedParameters,
};
const TOO_LARGE: Decision = Decision::Deny {
    status: 413,
    reason: DenyReason::BodyTooLarge,
};
const INSPECT: Decision = Decision::InspectBody { max_bytes: 8192 };
const ALLOWED: Decision = Decision::Allow(AllowReason::Allowlisted);

#[test]
fn credentials_wherever_the_product_reads_them() {
    let plan = plan();
    for (name, method, target, extra, want) in CREDENTIALS {
        assert_eq!(
            decide(&plan, method, target, extra),
            *want,
            "row `{name}`: {target}"
        );
    }
}

/// `(name, form body, decision)`.
const BODIES: &[(&str, &str, Decision)] = &[
    (
        "login form",
        "username=admin&password=admin&sessionDataKey=1",
        UNAUTHORIZED,
    ),
    (
        "password grant",
        "grant_type=password&username=admin&password=admin&scope=openid",
        UNAUTHORIZED,
    ),
    (
        "encoded",
        "username=%61%64%6D%69%6E&password=admin",
        UNAUTHORIZED,
    ),
    (
        "tenant-qualified, plus for nothing",
        "username=ADMIN%40carbon.super&password=admin",
        UNAUTHORIZED,
    ),
    (
        "malformed escape",
        "username=admin&password=%G0",
        BAD_PARAMETERS,
    ),
    ("other user", "username=alice&password=admin", ALLOWED),
    (
        "authorization code grant",
        "grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fapp",
        ALLOWED,
    ),
];

#[test]
fn form_bodies_are_judged_when_complete() {
    let plan = plan();
    for (name, body, want) in BODIES {
        assert_eq!(
            plan.decide_body(b"/commonauth", body.as_bytes()),
            *want,
            "row `{name}`"
        );
    }
    let long = format!("username=admin&password=admin&pad={}", "x".repeat(8192));
    assert_eq!(plan.decide_body(b"/commonauth", long.as_bytes()), TOO_LARGE);
    // The product merges the query's parameters with the body's.
    assert_eq!(
        plan.decide_body(
            b"/oauth2/token?username=admin",
            b"grant_type=password&password=admin"
        ),
        UNAUTHORIZED
    );
    assert_eq!(
        plan.decide_body(
            b"/oauth2/token?username=alice",
            b"grant_type=password&password=admin"
        ),
        ALLOWED
    );
}

/// `(name, method, target, extra headers, decision)`.
const METHODS: &[RequestRow] = &[
    ("lower case", "get", "/oauth2/jwks", &[], INVALID_METHOD),
    ("mixed case", "Post", "/oauth2/token", &[], INVALID_METHOD),
    (
        "lower case delete",
        "delete",
        "/api/users/v1/me/sessions",
        &[],
        INVALID_METHOD,
    ),
    (
        "X-HTTP-Method-Override",
        "POST",
        "/api/users/v1/me/sessions",
        &[("x-http-method-override", "DELETE")],
        OVERRIDE,
    ),
    (
        "X-HTTP-Method",
        "POST",
        "/oauth2/token",
        &[("X-HTTP-Method", "PUT")],
        OVERRIDE,
    ),
    (
        "X-Method-Override",
        "GET",
        "/scim2/Me",
        &[("x-method-override", "DELETE")],
        OVERRIDE,
    ),
    (
        "_method parameter",
        "POST",
        "/scim2/Me?_method=DELETE",
        &[],
        OVERRIDE,
    ),
    (
        "_method upper case",
        "POST",
        "/scim2/Me?a=1&_METHOD=PATCH",
        &[],
        OVERRIDE,
    ),
    (
        "_method encoded",
        "POST",
        "/scim2/Me?%5Fmethod=DELETE",
        &[],
        OVERRIDE,
    ),
    (
        "_method on a tenant path",
        "POST",
        "/t/abc.com/scim2/Me?_method=DELETE",
        &[],
        OVERRIDE,
    ),
    (
        "upper-case extension method",
        "PROPFIND",
        "/oauth2/jwks",
        &[],
        ALLOWED,
    ),
    (
        "a value that only mentions _method",
        "GET",
        "/oauth2/authorize?state=_method",
        &[],
        ALLOWED,
    ),
];

const INVALID_METHOD: Decision = Decision::Deny {
    status: 400,
    reason: DenyReason::InvalidMethod,
};
const OVERRIDE: Decision = Decision::Deny {
    status: 400,
    reason: DenyReason::MethodOverride,
};

#[test]
fn methods_are_read_as_the_back_end_reads_them() {
    let plan = plan();
    for (name, method, target, extra, want) in METHODS {
        assert_eq!(
            decide(&plan, method, target, extra),
            *want,
            "row `{name}`: {target}"
        );
    }
}

#[test]
fn strip_removes_overrides_instead() {
    let json = crate::presets::find("context-allowlist", "wso2-is")
        .unwrap()
        .json;
    let strip = json.replacen(
        "\"mode\": \"enforce\",",
        "\"mode\": \"enforce\", \"method_override\": \"strip\",",
        1,
    );
    let plan = AllowlistPlan::from_json(strip.as_bytes()).unwrap();
    let h = request(
        "POST",
        "/scim2/Me?a=1&_method=DELETE",
        &[("x-http-method-override", "DELETE")],
    );
    let head = RequestHead::new(&h);
    assert_eq!(plan.decide(&head, &external()), ALLOWED);
    assert_eq!(
        plan.override_strip(&head),
        Some(OverrideStrip {
            headers: vec!["x-http-method-override"],
            path: Some("/scim2/Me?a=1".to_owned()),
        })
    );
    assert_eq!(
        plan.override_strip(&RequestHead::new(&request("GET", "/scim2/Me", &[]))),
        None
    );
}

/// `(name, raw target)`: code points a back end applying NFKC (or a confusables fold) reads as
/// `/`, `.`, `\`, `;` or ASCII letters: refused with 400.
const CONFUSABLES: &[(&str, &str)] = &[
    ("fullwidth solidus", "/oauth2/%EF%BC%8F..%EF%BC%8Fcarbon"),
    ("division slash", "/oauth2/..%E2%88%95carbon"),
    ("fraction slash", "/oauth2/..%E2%81%84services"),
    ("one dot leader", "/oauth2/%E2%80%A4%E2%80%A4/carbon"),
    ("two dot leader", "/oauth2/%E2%80%A5/carbon"),
    ("fullwidth full stop", "/oauth2/%EF%BC%8E%EF%BC%8E/carbon"),
    ("small full stop", "/oauth2/%EF%B9%92%EF%B9%92/carbon"),
    ("fullwidth reverse solidus", "/oauth2/..%EF%BC%BCcarbon"),
    ("fullwidth semicolon", "/oauth2/..%EF%BC%9B/carbon"),
    ("greek question mark", "/oauth2/..%CD%BE/carbon"),
    (
        "fullwidth letters",
        "/%EF%BD%83%EF%BD%81%EF%BD%92%EF%BD%82%EF%BD%8F%EF%BD%8E/admin",
    ),
    ("ideographic full stop", "/oauth2/%E3%80%82%E3%80%82/carbon"),
];

#[test]
fn confusable_code_points_are_refused() {
    let plan = plan();
    let want = Decision::Deny {
        status: 400,
        reason: DenyReason::MalformedPath(PathError::Confusable),
    };
    for (name, target) in CONFUSABLES {
        assert_eq!(
            decide(&plan, "GET", target, &[]),
            want,
            "row `{name}`: {target}"
        );
    }
}

/// `(name, method, target)`: legitimate requests of the same shapes, allowed.
const LEGITIMATE: &[(&str, &str, &str)] = &[
    ("tenant token", "POST", "/t/abc.com/oauth2/token"),
    (
        "tenant authorize, query naming /carbon",
        "GET",
        "/t/abc.com/oauth2/authorize?client_id=x&redirect_uri=https%3A%2F%2Fapp%2Fcarbon",
    ),
    (
        "tenant commonauth with jsessionid",
        "GET",
        "/t/abc.com/commonauth;jsessionid=AB12CD",
    ),
    ("tenant samlsso", "POST", "/t/abc.com/samlsso"),
    (
        "tenant oidc logout",
        "GET",
        "/t/abc.com/oidc/logout?id_token_hint=x",
    ),
    (
        "tenant login page",
        "GET",
        "/t/abc.com/authenticationendpoint/login.do?sessionDataKey=x",
    ),
    (
        "tenant recovery page",
        "GET",
        "/t/abc.com/accountrecoveryendpoint/recoverpassword.do",
    ),
    (
        "tenant discovery",
        "GET",
        "/t/abc.com/.well-known/openid-configuration",
    ),
    (
        "tenant token discovery",
        "GET",
        "/t/abc.com/oauth2/token/.well-known/openid-configuration",
    ),
    (
        "tenant myaccount route",
        "GET",
        "/t/abc.com/myaccount/overview",
    ),
    (
        "tenant myaccount asset",
        "GET",
        "/t/abc.com/myaccount/static/js/main.js",
    ),
    (
        "tenant self-service sessions",
        "GET",
        "/t/abc.com/api/users/v1/me/sessions",
    ),
    ("tenant scim2 Me", "GET", "/t/abc.com/scim2/Me"),
    ("super tenant jwks", "GET", "/t/carbon.super/oauth2/jwks"),
    (
        "authorize with /carbon in the query",
        "GET",
        "/oauth2/authorize?redirect_uri=https%3A%2F%2Fapp%2Fcarbon%2Fadmin",
    ),
    (
        "commonauth with /services in the query",
        "GET",
        "/commonauth?next=/services/x&t=/t/a",
    ),
    (
        "token with jsessionid",
        "POST",
        "/oauth2/token;jsessionid=1",
    ),
    (
        "login page with jsessionid and query",
        "GET",
        "/authenticationendpoint/login.do;jsessionid=AB?x=/carbon",
    ),
    (
        "self-service sessions",
        "DELETE",
        "/api/users/v1/me/sessions",
    ),
    ("check session", "GET", "/oidc/checksession?client_id=x"),
    ("userinfo", "GET", "/oauth2/userinfo?schema=openid"),
    (
        "webfinger naming the admin",
        "GET",
        "/.well-known/webfinger?resource=acct:admin@carbon.super",
    ),
    (
        "non-ascii that is no confusable",
        "GET",
        "/authenticationendpoint/%C3%A9t%C3%A9.css",
    ),
    (
        "another user's credentials in the query",
        "GET",
        "/commonauth?username=alice&password=admin",
    ),
];

#[test]
fn legitimate_requests_of_the_same_shapes_pass() {
    let plan = plan();
    for (name, method, target) in LEGITIMATE {
        assert_eq!(
            decide(&plan, method, target, &[]),
            ALLOWED,
            "row `{name}`: {target}"
        );
    }
}

#[test]
fn introspection_is_for_the_internal_network() {
    let json = crate::presets::find("context-allowlist", "wso2-is")
        .unwrap()
        .json;
    let internal = json.replace(
        "\"internal_sources\": []",
        "\"internal_sources\": [\"10.0.0.0/8\"]",
    );
    let plan = AllowlistPlan::from_json(internal.as_bytes()).unwrap();
    let h = request("POST", "/oauth2/introspect", &[]);
    assert_eq!(plan.decide(&RequestHead::new(&h), &external()), DENY_RULE);
    let inside = AttributeTable::default().with("source.address", "10.1.2.3:5000");
    assert_eq!(
        plan.decide(&RequestHead::new(&h), &inside),
        Decision::Allow(AllowReason::InternalSource)
    );
}
