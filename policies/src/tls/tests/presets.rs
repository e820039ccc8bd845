//! The shipped presets and the dmz-gateway example: WSO2's own default certificates refused
//! upstream, plaintext redirected, and the admin contexts guarded in every form the product
//! routes (`/t/{tenant}/…`, and the organisation forms `/o/…`, `/o/{org-id}/…`,
//! `/t/{tenant}/o/…`, `/t/{tenant}/o/{org-id}/…` of IS 7, `routing/wso2-identity-server.json`).

use super::*;

fn preset(product: &str) -> TlsGuardPlan {
    let p = crate::presets::find("tls-guard", product).unwrap();
    TlsGuardPlan::from_json(p.json.as_bytes()).unwrap()
}

#[test]
fn presets_refuse_every_wso2_default_certificate() {
    // Subjects and digests as Envoy 1.40 reported them for the default keystores taken from
    // wso2/carbon-kernel (v4.4.17, v4.11.17) and wso2/product-is (v7.2.0), and the digests
    // keytool printed for carbon-kernel v4.4.14 and product-is v7.0.0.
    let defaults = [
        (
            "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US",
            "50f0eda5898af3a115c2c508194956e7e114fe234743e9d22f709ae7cb801bbd",
        ),
        (
            "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US",
            "1d729fb8c468ead820a2a0be4adb8fbabed9ab1ba126c9d21466c5706e8e4d30",
        ),
        (
            "CN=localhost,OU=WSO2,O=WSO2,L=Mountain View,ST=CA,C=US",
            "ca5c9b54f9b6d39f396a1aaa7a780481393c1dfbb567cfacfb962e6a88ad6588",
        ),
        (
            "CN=localhost,OU=WSO2,O=WSO2,L=Santa Clara,ST=CA,C=US",
            "9bf78253a0cb3154d7f61e53a262fae12c2da7e00cb2603eeb1bd6093af981fe",
        ),
        (
            "CN=localhost,OU=WSO2,O=WSO2,L=Santa Clara,ST=CA,C=US",
            "9db36ba11a21dad55653727abce15d745793e891983fe7aadfce1b39e3b7c862",
        ),
    ];
    for product in ["wso2-is", "wso2-apim", "wso2-mi"] {
        let p = preset(product);
        for (subject, digest) in defaults {
            let by_subject = upstream("any").with("upstream.subject_peer_certificate", subject);
            let by_digest = upstream("any").with("upstream.sha256_peer_certificate_digest", digest);
            for attrs in [by_subject, by_digest] {
                assert_eq!(
                    p.decide_response(&attrs),
                    deny(502, DenyReason::UpstreamCertificateRefused),
                    "{product} {subject} {digest}"
                );
            }
        }
        assert_eq!(
            p.decide_response(&upstream("any")),
            Decision::Allow(AllowReason::UpstreamVerified)
        );
        assert_eq!(
            p.decide_response(&upstream("any").with("upstream.tls_version", "")),
            deny(502, DenyReason::UpstreamNotTls),
            "{product}: every cluster must be TLS"
        );
    }
}

#[test]
fn presets_redirect_plaintext_and_guard_admin_contexts() {
    let p = preset("wso2-is");
    let h = head("/oauth2/authorize?x=1", "is.example.com", &[]);
    assert_eq!(
        p.decide_request(&RequestHead::new(&h), &plaintext()),
        redirect("https://is.example.com/oauth2/authorize?x=1")
    );
    let token = head("/oauth2/token", "is.example.com", &[]);
    assert_eq!(
        p.decide_request(&RequestHead::new(&token), &plaintext()),
        deny(403, DenyReason::Plaintext)
    );
    let console = head("/t/carbon.super/carbon/admin", "is.example.com", &[]);
    assert_eq!(
        p.decide_request(&RequestHead::new(&console), &tls()),
        deny(403, DenyReason::ClientCertificateMissing)
    );
}

/// The dmz-gateway example's configuration, which follows the IS preset.
fn example() -> TlsGuardPlan {
    TlsGuardPlan::from_json(include_bytes!(
        "../../../../envoy-examples/dmz-gateway/plugin-config/tls-guard.json"
    ))
    .unwrap()
}

/// An organisation id as IS 7 writes it in a path (`/o/{org-id}/…`).
const ORG: &str = "10084a8d-113f-4211-a0d5-efe36b082211";

/// One configuration's rows: name, plan, authority, connection, guarded paths, other paths.
type ConfigRows = (
    &'static str,
    TlsGuardPlan,
    &'static str,
    AttributeTable,
    Vec<&'static str>,
    Vec<&'static str>,
);

#[test]
fn presets_guard_tenant_and_organisation_forms_of_admin_contexts() {
    let is_admin = [
        "/api/server/v1/applications",
        "/o/{org}/api/server/v1/applications",
        "/t/acme/o/{org}/api/server/v1/applications",
        "/o/api/server/v1/applications",
        "/t/acme/o/api/server/v1/identity-providers",
        "/O/API/Server/v1/applications",
        "/o/{org}/api/server/v1/applications/../../v1/organizations",
        "/scim2/Users",
        "/scim2/Groups/x",
        "/t/acme/scim2/Roles",
        "/scim2/v2/Roles",
        "/scim2/Bulk",
        "/o/scim2/Users",
        "/o/{org}/scim2/Users",
        "/t/acme/o/scim2/Groups",
        "/t/acme/o/{org}/scim2/Roles",
        "/o/console",
        "/o/{org}/console/index.html",
        "/t/acme/o/{org}/carbon/admin/login.jsp",
        "/o/services/UserAdmin",
        "/t/acme/o/services/x",
    ];
    let is_public = [
        "/oauth2/authorize",
        "/o/{org}/oauth2/token",
        "/t/acme/o/{org}/oauth2/authorize",
        "/o/{org}/commonauth",
        "/scim2/Me",
        "/o/scim2/Me",
        "/t/acme/o/scim2/Me",
        "/o/{org}/api/users/v1/me/sessions",
        "/o/api/users/v1/me",
        "/myaccount/overview",
    ];
    let example_admin = [
        "/o/{org}/fileupload/x",
        "/t/acme/o/registry/resource",
        "/t/acme/o/{org}/fileupload",
    ];
    let apim_admin = [
        "/api/am/admin/v4/throttling/policies/advanced",
        "/t/acme/api/am/admin/v4/throttling/policies/advanced",
        "/t/acme/api/am/publisher/v4/apis",
        "/o/api/am/publisher/v4/apis",
        "/o/{org}/api/am/admin/v4/settings",
        "/t/acme/o/{org}/publisher/",
        "/o/carbon/admin/login.jsp",
    ];
    let apim_public = [
        "/api/am/devportal/v3/apis",
        "/t/acme/api/am/devportal/v3/apis",
        "/devportal/apis",
        "/o/{org}/oauth2/token",
    ];
    // The IS preset and the APIM preset serve any domain; the example names its hosts.
    let any = || tls();
    let example_host = || tls().with("connection.requested_server_name", "is.gateway.test");
    let guarded = deny(403, DenyReason::ClientCertificateMissing);
    let ok = Decision::Allow(AllowReason::TlsVerified);
    #[rustfmt::skip]
    let configs: Vec<ConfigRows> = vec![
        ("wso2-is", preset("wso2-is"), "is.example.com", any(), is_admin.to_vec(), is_public.to_vec()),
        ("dmz-gateway example", example(), "is.gateway.test", example_host(), [&is_admin[..], &example_admin[..]].concat(), is_public.to_vec()),
        ("wso2-apim", preset("wso2-apim"), "is.example.com", any(), apim_admin.to_vec(), apim_public.to_vec()),
    ];
    for (config, plan, authority, attrs, admin, public) in configs {
        let rows = admin
            .iter()
            .map(|p| (p, &guarded))
            .chain(public.iter().map(|p| (p, &ok)));
        for (path, want) in rows {
            let target = path.replace("{org}", ORG);
            let h = head(&target, authority, &[]);
            assert_eq!(
                &plan.decide_request(&RequestHead::new(&h), &attrs),
                want,
                "{config} {target}"
            );
        }
    }
}
