//! The valves' routing of raw URIs under the Identity Server's default contexts. Each row's
//! expected landings were worked out by hand from `TenantContextRewriteValve.invoke` and
//! `OrganizationContextRewriteValve.invoke` (see the module docs of [`super::tenant_valve`]).

use super::*;
use crate::path::{DEFAULT_MAX_TARGET_BYTES, normalize_target};

fn model() -> RoutingModel {
    let config: ProductRouting = serde_json::from_str("\"wso2-identity-server\"").unwrap();
    RoutingModel::compile(&FieldPath::root().key("product_routing"), Some(&config.0)).unwrap()
}

fn valve_landings(model: &RoutingModel, raw: &str) -> Result<Vec<String>, PathError> {
    let target = normalize_target(raw.as_bytes(), DEFAULT_MAX_TARGET_BYTES)?;
    Ok(model
        .landings(&target)?
        .into_iter()
        .filter(|l| l.layer == Layer::TenantValve)
        .map(|l| l.path)
        .collect())
}

/// `(name, raw path, the valves' landings)`.
const VALVE: &[(&str, &str, &[&str])] = &[
    // Legitimate tenant-qualified requests land where Tomcat routes them.
    (
        "tenant token",
        "/t/abc.com/oauth2/token",
        &["/t/abc.com/oauth2/token"],
    ),
    (
        "tenant authorize",
        "/t/abc.com/oauth2/authorize",
        &["/t/abc.com/oauth2/authorize"],
    ),
    (
        "tenant commonauth servlet",
        "/t/abc.com/commonauth",
        &["/t/abc.com/commonauth"],
    ),
    (
        "tenant samlsso servlet",
        "/t/abc.com/samlsso",
        &["/t/abc.com/samlsso"],
    ),
    (
        "tenant oidc logout servlet",
        "/t/abc.com/oidc/logout",
        &["/t/abc.com/oidc/logout"],
    ),
    (
        "tenant login page",
        "/t/abc.com/authenticationendpoint/login.do",
        &["/t/abc.com/authenticationendpoint/login.do"],
    ),
    (
        "tenant scim2 Me",
        "/t/abc.com/scim2/Me",
        &["/t/abc.com/scim2/Me"],
    ),
    (
        "tenant users me",
        "/t/abc.com/api/users/v1/me/sessions",
        &["/t/abc.com/api/users/v1/me/sessions"],
    ),
    (
        "tenant jsessionid",
        "/t/abc.com/commonauth;jsessionid=AB",
        &["/t/abc.com/commonauth"],
    ),
    (
        "myaccount single-page app",
        "/t/abc.com/myaccount/overview",
        &["/t/abc.com/myaccount/"],
    ),
    (
        "myaccount static kept",
        "/t/abc.com/myaccount/static/js/main.js",
        &["/t/abc.com/myaccount/static/js/main.js"],
    ),
    ("no tenant: valve passes", "/oauth2/token", &[]),
    (
        "unknown context: valve passes",
        "/t/abc.com/carbon/admin/login.jsp",
        &[],
    ),
    // Greedy replaceAll: everything up to the last occurrence of the context goes.
    (
        "greedy api into server api",
        "/t/abc.com/api/users/v1/me/x/api/server/v1/applications",
        &["/t/abc.com/api/server/v1/applications"],
    ),
    (
        "greedy api second tenant",
        "/t/abc.com/api/users/v1/me/t/evil/api/server/v1/userstores",
        &["/t/abc.com/api/server/v1/userstores"],
    ),
    (
        "greedy api into dcr",
        "/t/abc.com/api/users/v1/me/api/identity/oauth2/dcr/v1.1/register",
        &["/t/abc.com/api/identity/oauth2/dcr/v1.1/register"],
    ),
    (
        "greedy oauth2 stays in oauth2",
        "/t/abc.com/oauth2/token/x/oauth2/introspect",
        &["/t/abc.com/oauth2/introspect"],
    ),
    (
        "greedy scim2 into Users",
        "/t/abc.com/scim2/Me/scim2/Users",
        &["/t/abc.com/scim2/Users"],
    ),
    // A /o/ anywhere sends a web application's request to the organisation APIs.
    (
        "o segment in a tenant api path",
        "/t/abc.com/api/users/v1/me/o/x",
        &["/t/abc.com/api/o/users/v1/me/o/x"],
    ),
    // `^/t/[^/]+/o/[a-f0-9\-]+?` finds "/t/abc.com/o/a" (the `a` of `api` is hex), so
    // the valve takes the organisation id as present and adds no /o.
    (
        "o prefix after tenant",
        "/t/abc.com/o/api/server/v1/applications",
        &["/t/abc.com/api/server/v1/applications"],
    ),
    (
        "o prefix, no hex after it",
        "/t/abc.com/o/scim2/Users",
        &["/t/abc.com/scim2/o/Users"],
    ),
    (
        "console with o",
        "/t/abc.com/o/console/",
        &["/t/abc.com/console/"],
    ),
    // Servlets: every /t/{tenant} and every // removed.
    (
        "servlet second tenant qualifier",
        "/t/abc.com/commonauth/t/abc.com/x",
        &["/t/abc.com/commonauth/x"],
    ),
    (
        "servlet tenant removal builds dots",
        "/t/a/commonauth/./t/a./x/./t/a./carbon",
        &["/t/a/carbon"],
    ),
    (
        "servlet double slash removal",
        "/t/a/commonauth/x//y",
        &["/t/a/commonauth/xy"],
    ),
    // The request dispatcher removes dot segments before it decodes: `%2e/..` pops `%2e`.
    (
        "dispatcher normalises before decoding",
        "/t/abc.com/oauth2/%69ntrospect/%2e/..",
        &["/t/abc.com/oauth2/introspect"],
    ),
    (
        "dispatcher, parameters then dots",
        "/t/abc.com/oauth2/x/y;p/..;q/token",
        &["/t/abc.com/oauth2/x/token"],
    ),
    // The `.` of a context is a regex: /.well-known/openid-configuration matches /Xwell-known/...
    (
        "dot in context is a regex",
        "/t/a/Xwell-known/openid-configuration",
        &["/t/a/Xwell-known/openid-configuration"],
    ),
    // Tenant perspective organisation contexts.
    (
        "tenant perspective oauth2 token",
        "/t/abc.com/o/0a1b-2c/oauth2/token",
        &["/t/abc.com/o/0a1b-2c/oauth2/token"],
    ),
    (
        "tenant perspective commonauth",
        "/t/abc.com/o/0a1b/commonauth",
        &["/t/abc.com/o/0a1b/commonauth"],
    ),
    // An organisation under the super tenant (`/o/api/...`, no organisation id): every `/o/`
    // becomes `/t/carbon.super/`. Otherwise the organisation valve: `/o/{org}{context}`.
    (
        "super-tenant org api",
        "/o/api/server/v1/applications",
        &["/t/carbon.super/api/server/v1/applications"],
    ),
    (
        "super-tenant org oauth2",
        "/o/oauth2/token",
        &["/t/carbon.super/oauth2/token"],
    ),
    (
        "org api sub-path",
        "/o/0a1b/api/server/v1/branding-preference",
        &["/o/0a1b/api/server/v1/branding-preference"],
    ),
    (
        "org api outside sub-paths: the valve answers 404",
        "/o/0a1b/api/server/v1/applications",
        &[],
    ),
    (
        "org oauth2 token",
        "/o/0a1b/oauth2/token",
        &["/o/0a1b/oauth2/token"],
    ),
    ("org servlet", "/o/0a1b/commonauth", &["/o/0a1b/commonauth"]),
    (
        "org webapp replace is literal, all occurrences",
        "/o/0a1b/oauth2/x/o/0a1b/oauth2/y",
        &["/o/0a1b/oauth2/xy"],
    ),
];

#[test]
fn valve_landings_table() {
    let model = model();
    for (name, raw, want) in VALVE {
        let got = valve_landings(&model, raw);
        let want: Vec<String> = want.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(got, Ok(want), "row `{name}`: {raw}");
    }
}

#[test]
fn landings_are_tomcat_valve_raw_in_that_order() {
    let target = normalize_target(b"/t/a/api/users/v1/me/api/server/v1/x;p=1", 8192).unwrap();
    let got: Vec<(Layer, String)> = model()
        .landings(&target)
        .unwrap()
        .into_iter()
        .map(|l| (l.layer, l.path))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Layer::Tomcat,
                "/t/a/api/users/v1/me/api/server/v1/x".to_owned()
            ),
            (Layer::TenantValve, "/t/a/api/server/v1/x".to_owned()),
            (
                Layer::Raw,
                "/t/a/api/users/v1/me/api/server/v1/x".to_owned()
            ),
        ]
    );
}

#[test]
fn dispatches_the_product_refuses_are_errors() {
    for (name, raw) in [
        (
            "encoded dot segment left after raw normalisation",
            "/t/abc.com/oauth2/x/%2e%2e/carbon",
        ),
        ("above the root", "/t/abc.com/oauth2/../../x"),
        (
            "above the root, to the server API",
            "/t/abc.com/oauth2/token/../../api/server/v1/applications",
        ),
        ("tenant is a dot segment", "/t/./oidc/x"),
        ("tenant is an encoded dot segment", "/t/%2e/oidc/x"),
    ] {
        assert_eq!(
            valve_landings(&model(), raw),
            Err(PathError::DispatchRefused),
            "row `{name}`: {raw}"
        );
    }
}

#[test]
fn a_context_the_pattern_does_not_reach_is_left_to_tomcat() {
    // `^/t/([^/]+)/commonauth` does not find in `/t/a//commonauth`: no valve landing.
    assert_eq!(valve_landings(&model(), "/t/a//commonauth"), Ok(vec![]));
}

#[test]
fn context_roots_are_first_segments() {
    let roots = model().context_roots();
    for root in [
        "oauth2",
        "api",
        "scim2",
        "commonauth",
        "identity",
        ".well-known",
        "myaccount",
    ] {
        assert!(roots.iter().any(|r| r == root), "missing {root}: {roots:?}");
    }
}

#[test]
fn bad_contexts_name_their_field() {
    let bad = [
        (
            r#"{"tenant_context_rewrite": {"webapp_contexts": ["/oauth2/", "oauth2/"]}}"#,
            "product_routing.tenant_context_rewrite.webapp_contexts[1]",
        ),
        (
            r#"{"tenant_context_rewrite": {"webapp_contexts": ["/api(.*)/"]}}"#,
            "product_routing.tenant_context_rewrite.webapp_contexts[0]",
        ),
        (
            r#"{"tenant_context_rewrite": {"servlet_contexts": ["/t/x"]}}"#,
            "product_routing.tenant_context_rewrite.servlet_contexts[0]",
        ),
        (
            r#"{"tenant_context_rewrite": {"servlet_contexts": ["/a("]}}"#,
            "product_routing.tenant_context_rewrite.servlet_contexts[0]",
        ),
        (
            r#"{"organization_context_rewrite": {"webapp_contexts": [{"base_path": "/o/"}]}}"#,
            "product_routing.organization_context_rewrite.webapp_contexts[0].base_path",
        ),
    ];
    for (json, field) in bad {
        let config: ProductRouting = serde_json::from_str(json).unwrap();
        let err = RoutingModel::compile(&FieldPath::root().key("product_routing"), Some(&config.0))
            .unwrap_err();
        assert_eq!(err.path().to_string(), field, "{json}");
    }
}
