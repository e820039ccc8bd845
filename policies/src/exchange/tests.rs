use std::collections::BTreeMap;

use super::*;
use crate::presets;

fn exchange(path: &str, tls: bool) -> Exchange {
    let text = |s: &str| Bytes::Text(s.to_owned());
    let mut properties = BTreeMap::new();
    properties.insert(
        "source.address".to_owned(),
        PropertyValue::Bytes(text("198.51.100.7:50000")),
    );
    properties.insert("connection.mtls".to_owned(), PropertyValue::Bool(false));
    if tls {
        properties.insert(
            "connection.tls_version".to_owned(),
            PropertyValue::Bytes(text("TLSv1.3")),
        );
        properties.insert(
            "connection.requested_server_name".to_owned(),
            PropertyValue::Bytes(text("localhost")),
        );
        properties.insert(
            "filter_state.gateway_hardening.tls_cipher".to_owned(),
            PropertyValue::Bytes(text("ECDHE-RSA-AES128-GCM-SHA256")),
        );
    }
    Exchange {
        request: RequestInput {
            headers: vec![
                (":method".to_owned(), text("GET")),
                (":path".to_owned(), text(path)),
                (":authority".to_owned(), text("localhost")),
                (
                    ":scheme".to_owned(),
                    text(if tls { "https" } else { "http" }),
                ),
            ],
            body: None,
            trailers: Vec::new(),
        },
        host: HostKind::Envoy,
        properties,
        upstream: Some(UpstreamInput {
            status: 200,
            headers: vec![("server".to_owned(), text("WSO2 Carbon Server"))],
            properties: [
                ("upstream.address", "10.0.0.5:9443"),
                ("upstream.tls_version", "TLSv1.3"),
                (
                    "upstream.subject_peer_certificate",
                    "CN=is.internal,O=Example",
                ),
                ("upstream.sha256_peer_certificate_digest", "ab"),
                ("xds.cluster_name", "wso2_is"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), PropertyValue::Bytes(text(v))))
            .collect(),
        }),
    }
}

fn combined() -> Vec<u8> {
    let section = |filter: &str| presets::find(filter, "wso2-is").unwrap().json;
    format!(
        r#"{{"header_hardening": {}, "tls_guard": {}, "context_allowlist": {}}}"#,
        section("header-hardening"),
        section("tls-guard"),
        section("context-allowlist")
    )
    .into_bytes()
}

#[test]
fn the_combined_module_answers_and_explains_each_request() {
    let module = Module::compile(crate::combined::MODULE, &combined()).unwrap();
    // (row, target, tls, status, answered by, last trace's policy)
    let rows: &[(&str, &str, bool, u16, Option<&str>)] = &[
        (
            "plaintext is refused",
            "/oauth2/token",
            false,
            403,
            Some("tls-guard"),
        ),
        (
            "admin path behind a dot segment: no client certificate",
            "/oauth2/..;/carbon/admin/index.jsp",
            true,
            403,
            Some("tls-guard"),
        ),
        (
            "tenant path landing on an admin API",
            "/t/carbon.super/api/server/v1/..;/../carbon/admin/",
            true,
            403,
            Some("context-allowlist"),
        ),
        (
            "public path reaches the upstream",
            "/oauth2/token",
            true,
            200,
            None,
        ),
    ];
    for (row, target, tls, status, by) in rows {
        let out = module.run(&exchange(target, *tls)).unwrap();
        assert_eq!(out.status, *status, "{row}: {out:#?}");
        assert_eq!(out.answered_by, *by, "{row}");
        assert_eq!(out.reached_upstream, by.is_none(), "{row}");
        let last_request = out
            .traces
            .iter()
            .rev()
            .find(|t| t.phase == crate::trace::Phase::Request);
        if let Some(policy) = by {
            assert_eq!(last_request.map(|t| t.policy), Some(*policy), "{row}");
            assert!(last_request.unwrap().outcome.refused(), "{row}");
        }
        // Every answer is hardened on the way out: no product Server header.
        assert!(
            !out.response_after.iter().any(|h| h.value.contains("WSO2")),
            "{row}: {:?}",
            out.response_after
        );
    }
}

#[test]
fn a_denial_names_the_layer_and_the_rule_in_its_trace() {
    let module = Module::compile(
        crate::allowlist::FILTER,
        presets::find("context-allowlist", "wso2-is")
            .unwrap()
            .json
            .as_bytes(),
    )
    .unwrap();
    let out = module
        .run(&exchange("/oauth2/..;/carbon/admin/index.jsp", true))
        .unwrap();
    let trace = &out.traces[0];
    let titles: Vec<&str> = trace.steps.iter().map(|s| s.title.as_str()).collect();
    assert!(
        titles.contains(&"path parameters stripped (Tomcat)"),
        "{titles:?}"
    );
    assert!(titles.contains(&"dot segments removed"), "{titles:?}");
    let last = trace.steps.last().unwrap();
    assert!(last.decisive);
    assert_eq!(last.after.as_deref(), Some("/carbon/admin/index.jsp"));
    assert!(
        last.rule.as_deref().unwrap_or_default().contains(".deny["),
        "{last:?}"
    );
}

#[test]
fn an_unknown_module_or_a_bad_section_is_an_error_naming_the_field() {
    let err = Module::compile("nope", b"{}").unwrap_err();
    assert!(err.to_string().contains("no module named nope"), "{err}");
    let err = Module::compile(
        crate::combined::MODULE,
        b"{\"tls_guard\": {\"min_version\": \"TLSv9\"}}",
    )
    .unwrap_err();
    assert!(err.path().to_string().starts_with("tls_guard"), "{err}");
}
