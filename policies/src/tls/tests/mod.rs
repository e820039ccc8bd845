//! Table tests of the `tls-guard` policy: request-time rules, response-time rules and bad
//! configuration here; `missing` for properties the host does not report (`missing_properties`),
//! `presets` for the shipped presets (WSO2's own default certificates as Envoy 1.40 reported them,
//! the admin contexts in their tenant and organisation forms).

mod missing;
mod presets;

use super::*;
use crate::attributes::AttributeTable;
use crate::error::ConfigErrorKind;
use crate::path::PathError;
use crate::request::RequestHead;

const ADMIN_DIGEST: &str = "87030edeabc5aa9393d2a9cd632d040d9132337920a1b3d1bcd300bedcb0203a";

fn plan(missing: &str) -> TlsGuardPlan {
    let json = format!(
        r#"{{
        "missing_properties": "{missing}",
        "virtual_hosts": [{{
            "domains": ["is.example.com", "127.0.0.1", "::1"],
            "plaintext": "redirect",
            "https_port": 8443,
            "ciphers": ["ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"],
            "paths": [
                {{ "paths": ["/carbon", "/services"],
                   "client_certificate": {{ "dns_sans": ["admin.example.internal"],
                                            "sha256": ["{ADMIN_DIGEST}"] }} }},
                {{ "paths": ["/oauth2/token"], "plaintext": "deny", "min_tls_version": "TLSv1.3" }}
            ]
        }}, {{
            "domains": ["legacy.example.com"],
            "plaintext": "allow",
            "sni": "if_present",
            "paths": [{{ "paths": ["/admin"], "client_certificate": {{ "uri_sans": ["spiffe://x/admin"] }} }}]
        }}],
        "upstream": {{
            "refused_subjects": ["CN=localhost, O=WSO2, L=Mountain View, ST=CA, C=US"],
            "refused_sha256": ["AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"],
            "require_tls": {{ "clusters": ["wso2_tls"], "min_tls_version": "TLSv1.2" }}
        }}
    }}"#
    );
    TlsGuardPlan::from_json(json.as_bytes()).unwrap()
}

fn head(target: &str, authority: &str, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut h = vec![
        (":method".to_owned(), b"GET".to_vec()),
        (":path".to_owned(), target.as_bytes().to_vec()),
        (":authority".to_owned(), authority.as_bytes().to_vec()),
    ];
    h.extend(
        extra
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec())),
    );
    h
}

/// One request case: name, headers, connection, expected decision.
type RequestCase = (
    &'static str,
    Vec<(String, Vec<u8>)>,
    AttributeTable,
    Decision,
);

fn plaintext() -> AttributeTable {
    AttributeTable::default().with("connection.mtls", [0u8])
}

/// A TLS 1.3 connection for `is.example.com` with an allowed cipher, no client certificate.
fn tls() -> AttributeTable {
    AttributeTable::default()
        .with("connection.tls_version", "TLSv1.3")
        .with("connection.mtls", [0u8])
        .with("connection.requested_server_name", "is.example.com")
        .with(
            "filter_state.gateway_hardening.tls_cipher",
            "TLS_AES_128_GCM_SHA256",
        )
}

fn with_client(attrs: AttributeTable, dns: &str, digest: &str) -> AttributeTable {
    attrs
        .with("connection.mtls", [1u8])
        .with("connection.subject_peer_certificate", "CN=client")
        .with("connection.dns_san_peer_certificate", dns)
        .with("connection.sha256_peer_certificate_digest", digest)
}

/// `attrs` without the property at `dotted_path`: what a host that does not report it gives.
fn without(attrs: AttributeTable, dotted_path: &str) -> AttributeTable {
    AttributeTable(
        attrs
            .0
            .into_iter()
            .filter(|(k, _)| k != dotted_path)
            .collect(),
    )
}

fn deny(status: u16, reason: DenyReason) -> Decision {
    Decision::Deny { status, reason }
}

fn redirect(location: &str) -> Decision {
    Decision::Redirect {
        location: location.to_owned(),
    }
}

const OTHER_DIGEST: &str = "1111111111111111111111111111111111111111111111111111111111111111";

#[test]
fn request_decisions_follow_the_rules() {
    let p = plan("deny");
    let ok = Decision::Allow(AllowReason::TlsVerified);
    let admin = with_client(tls(), "admin.example.internal", OTHER_DIGEST);
    let by_digest = with_client(tls(), "user.example.internal", ADMIN_DIGEST);
    let other = with_client(tls(), "user.example.internal", OTHER_DIGEST);
    #[rustfmt::skip]
    let table: Vec<RequestCase> = vec![
        // Plaintext: 308 to the same path and query, on the configured port.
        ("redirect keeps path and query", head("/oauth2/authorize?client_id=a&r=%2F#", "IS.example.com:80", &[]), plaintext(), deny(400, DenyReason::MalformedPath(PathError::Fragment))),
        ("redirect", head("/oauth2/authorize?client_id=a&r=%2Fx", "IS.example.com:80", &[]), plaintext(), redirect("https://is.example.com:8443/oauth2/authorize?client_id=a&r=%2Fx")),
        ("redirect raw path", head("/a/../oauth2/x;y=1", "is.example.com", &[]), plaintext(), redirect("https://is.example.com:8443/a/../oauth2/x;y=1")),
        ("redirect ipv6", head("/x", "[::1]:80", &[]), plaintext(), redirect("https://[::1]:8443/x")),
        ("redirect absolute form", head("http://is.example.com/p?q=1", "other", &[]), plaintext(), redirect("https://is.example.com:8443/p?q=1")),
        ("plaintext deny on token path", head("/oauth2/token", "is.example.com", &[]), plaintext(), deny(403, DenyReason::Plaintext)),
        ("plaintext allowed host", head("/x", "legacy.example.com", &[]), plaintext(), Decision::Allow(AllowReason::PlaintextAllowed)),
        ("plaintext never reaches mTLS path", head("/admin/x", "legacy.example.com", &[]), plaintext(), redirect("https://legacy.example.com/admin/x")),
        // Versions.
        ("TLS 1.1", head("/x", "is.example.com", &[]), tls().with("connection.tls_version", "TLSv1.1"), deny(403, DenyReason::TlsVersionTooLow)),
        ("SSLv3", head("/x", "is.example.com", &[]), tls().with("connection.tls_version", "SSLv3"), deny(403, DenyReason::TlsVersionTooLow)),
        ("TLS 1.2", head("/x", "is.example.com", &[]), tls().with("connection.tls_version", "TLSv1.2"), ok.clone()),
        ("path minimum 1.3", head("/oauth2/token", "is.example.com", &[]), tls().with("connection.tls_version", "TLSv1.2"), deny(403, DenyReason::TlsVersionTooLow)),
        ("path minimum met", head("/oauth2/token", "is.example.com", &[]), tls(), ok.clone()),
        // SNI against :authority and Host (RFC 6066, RFC 9110).
        // RFC 6066 §3: the HostName is sent "without a trailing dot"; an SNI ending in one is
        // refused. A trailing dot on `:authority` or `Host` names the same host (RFC 1034 §3.1).
        ("sni trailing dot", head("/x", "is.example.com:8443", &[]), tls().with("connection.requested_server_name", "IS.Example.COM."), deny(421, DenyReason::SniTrailingDot)),
        ("sni trailing dot, same authority", head("/x", "is.example.com.", &[]), tls().with("connection.requested_server_name", "is.example.com."), deny(421, DenyReason::SniTrailingDot)),
        ("sni two trailing dots", head("/x", "is.example.com", &[]), tls().with("connection.requested_server_name", "is.example.com.."), deny(421, DenyReason::SniTrailingDot)),
        ("sni trailing dot, ip literal", head("/x", "127.0.0.1", &[]), tls().with("connection.requested_server_name", "127.0.0.1."), deny(421, DenyReason::SniTrailingDot)),
        ("sni only a dot", head("/x", "is.example.com", &[]), tls().with("connection.requested_server_name", "."), deny(421, DenyReason::SniMalformed)),
        ("sni trailing dot, plaintext-allowed host", head("/x", "legacy.example.com", &[]), tls().with("connection.requested_server_name", "legacy.example.com."), deny(421, DenyReason::SniTrailingDot)),
        ("sni case, authority trailing dot, port", head("/x", "is.example.com.:8443", &[]), tls().with("connection.requested_server_name", "IS.Example.COM"), ok.clone()),
        ("host header trailing dot", head("/x", "is.example.com", &[("host", "IS.example.com.:8443")]), tls(), ok.clone()),
        ("domain fronting", head("/x", "is.example.com", &[]), tls().with("connection.requested_server_name", "cdn.example.net"), deny(421, DenyReason::SniMismatch)),
        ("host header differs", head("/x", "is.example.com", &[("host", "evil.example")]), tls(), deny(421, DenyReason::SniMismatch)),
        ("host header agrees", head("/x", "is.example.com", &[("Host", "is.example.com:8443")]), tls(), ok.clone()),
        ("sni ip literal", head("/x", "127.0.0.1", &[]), tls().with("connection.requested_server_name", "127.0.0.1"), deny(421, DenyReason::SniIpLiteral)),
        ("sni malformed", head("/x", "is.example.com", &[]), tls().with("connection.requested_server_name", "is example"), deny(421, DenyReason::SniMalformed)),
        ("sni missing for a name", head("/x", "is.example.com", &[]), tls().with("connection.requested_server_name", ""), deny(421, DenyReason::SniMissing)),
        ("no sni for an ip", head("/x", "127.0.0.1:10443", &[]), tls().with("connection.requested_server_name", ""), ok.clone()),
        ("sni if present", head("/x", "legacy.example.com", &[]), tls().with("connection.requested_server_name", ""), ok.clone()),
        ("sni if present, mismatch", head("/x", "legacy.example.com", &[]), tls(), deny(421, DenyReason::SniMismatch)),
        // Cipher from filter state only: a header of that name changes nothing.
        ("cipher not allowed", head("/x", "is.example.com", &[("gateway_hardening.tls_cipher", "TLS_AES_128_GCM_SHA256")]), tls().with("filter_state.gateway_hardening.tls_cipher", "TLS_AES_256_GCM_SHA384"), deny(403, DenyReason::CipherNotAllowed)),
        ("cipher missing", head("/x", "is.example.com", &[("x-tls-cipher", "TLS_AES_128_GCM_SHA256")]), tls().with("filter_state.gateway_hardening.tls_cipher", "-"), deny(403, DenyReason::MissingProperty(Property::Cipher))),
        // Client certificates on admin paths, whatever the path's spelling.
        ("admin without certificate", head("/carbon/admin/login.jsp", "is.example.com", &[]), tls(), deny(403, DenyReason::ClientCertificateMissing)),
        ("admin, case", head("/CARBON/admin", "is.example.com", &[]), tls(), deny(403, DenyReason::ClientCertificateMissing)),
        ("admin, path parameter", head("/carbon;x=1/admin", "is.example.com", &[]), tls(), deny(403, DenyReason::ClientCertificateMissing)),
        ("admin, encoded", head("/oauth2/..;/%63arbon", "is.example.com", &[]), tls(), deny(403, DenyReason::ClientCertificateMissing)),
        ("admin by SAN", head("/services/x", "is.example.com", &[]), admin, ok.clone()),
        ("admin by digest", head("/carbon", "is.example.com", &[]), by_digest, ok.clone()),
        ("other client", head("/carbon", "is.example.com", &[]), other.clone(), deny(403, DenyReason::ClientCertificateNotAllowed)),
        ("other client, ordinary path", head("/oauth2/authorize", "is.example.com", &[]), other, ok.clone()),
        ("mtls without certificate details", head("/carbon", "is.example.com", &[]), tls().with("connection.mtls", [1u8]), deny(403, DenyReason::MissingProperty(Property::PeerCertificate))),
        ("uri san", head("/admin", "legacy.example.com", &[]), tls().with("connection.requested_server_name", "legacy.example.com").with("connection.mtls", [1u8]).with("connection.uri_san_peer_certificate", "spiffe://x/admin"), ok.clone()),
        // Hosts and paths.
        ("unknown host", head("/x", "evil.example", &[]), tls(), deny(421, DenyReason::UnknownHost)),
        ("malformed authority", head("/x", "a@is.example.com", &[]), tls(), deny(400, DenyReason::MalformedAuthority)),
        ("malformed path", head("/%2e%2e%2fcarbon", "is.example.com", &[]), tls(), deny(400, DenyReason::MalformedPath(PathError::EncodedSlash))),
        // A host that reports no TLS properties at all.
        ("no properties", head("/x", "is.example.com", &[]), AttributeTable::default(), deny(403, DenyReason::MissingProperty(Property::TlsVersion))),
    ];
    for (name, h, attrs, want) in table {
        assert_eq!(
            p.decide_request(&RequestHead::new(&h), &attrs),
            want,
            "{name}"
        );
    }
}

fn upstream(cluster: &str) -> AttributeTable {
    AttributeTable::default()
        .with("upstream.address", "127.0.0.1:18443")
        .with("response.code_details", "via_upstream")
        .with("xds.cluster_name", cluster)
        .with("upstream.tls_version", "TLSv1.2")
        .with("upstream.subject_peer_certificate", "CN=upstream")
        .with("upstream.sha256_peer_certificate_digest", OTHER_DIGEST)
}

#[test]
fn response_decisions_follow_the_upstream_rules() {
    let p = plan("deny");
    let ok = Decision::Allow(AllowReason::UpstreamVerified);
    #[rustfmt::skip]
    let table: Vec<(&str, AttributeTable, Decision)> = vec![
        // Neither `upstream.address` nor `response.code_details`: the filter cannot tell an
        // upstream's answer from a local one, so it cannot check it (fail closed).
        ("no upstream property reported", AttributeTable::default().with("xds.cluster_name", "wso2_tls"), deny(502, DenyReason::MissingProperty(Property::UpstreamAddress))),
        ("direct response", AttributeTable::default().with("response.code_details", "direct_response"), Decision::Allow(AllowReason::NoUpstream)),
        ("router's local response", AttributeTable::default().with("response.code_details", "no_healthy_upstream"), Decision::Allow(AllowReason::NoUpstream)),
        ("upstream address not reported", AttributeTable::default().with("response.code_details", "via_upstream"), deny(502, DenyReason::MissingProperty(Property::UpstreamAddress))),
        ("good upstream", upstream("wso2_tls"), ok.clone()),
        // What Envoy 1.40 reported for the certificate of WSO2's default keystore.
        ("default subject", upstream("wso2_tls").with("upstream.subject_peer_certificate", "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US"), deny(502, DenyReason::UpstreamCertificateRefused)),
        ("default subject, other cluster", upstream("other").with("upstream.subject_peer_certificate", "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US"), deny(502, DenyReason::UpstreamCertificateRefused)),
        ("similar subject", upstream("wso2_tls").with("upstream.subject_peer_certificate", "CN=localhost,OU=X,O=WSO2,L=Mountain View,ST=CA,C=US"), ok.clone()),
        ("refused digest", upstream("wso2_tls").with("upstream.sha256_peer_certificate_digest", "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"), deny(502, DenyReason::UpstreamCertificateRefused)),
        ("no certificate details", upstream("wso2_tls").with("upstream.subject_peer_certificate", "").with("upstream.sha256_peer_certificate_digest", ""), deny(502, DenyReason::MissingProperty(Property::UpstreamCertificate))),
        ("plaintext to a TLS cluster", upstream("wso2_tls").with("upstream.tls_version", ""), deny(502, DenyReason::UpstreamNotTls)),
        ("TLS 1.1 to a TLS cluster", upstream("wso2_tls").with("upstream.tls_version", "TLSv1.1"), deny(502, DenyReason::UpstreamTlsVersionTooLow)),
        ("plaintext to another cluster", upstream("mock_plain").with("upstream.tls_version", ""), ok.clone()),
        // An HTTP/2 request whose headers went upstream while header-hardening held its body,
        // then refused it (seen in Envoy 1.40): the connection is there, not yet TLS, and the
        // answer is the filter's local response, not the upstream's.
        ("a local response with an upstream connection under way", upstream("wso2_tls").with("upstream.tls_version", "").with("response.code_details", "gateway_hardening.header_hardening.input_validation"), Decision::Allow(AllowReason::NoUpstream)),
        ("a Wasm local response with an upstream connection under way", upstream("wso2_tls").with("upstream.tls_version", "").with("response.code_details", ""), Decision::Allow(AllowReason::NoUpstream)),
        ("cluster not reported", upstream("x").with("xds.cluster_name", ""), ok.clone()),
    ];
    for (name, attrs, want) in table {
        assert_eq!(p.decide_response(&attrs), want, "{name}");
    }
    let unnamed = without(upstream("x"), "xds.cluster_name");
    assert_eq!(
        p.decide_response(&unnamed),
        deny(502, DenyReason::MissingProperty(Property::ClusterName))
    );
    assert_eq!(
        plan("allow").decide_response(&unnamed),
        Decision::Allow(AllowReason::MissingProperty(Property::ClusterName))
    );
}

#[test]
fn config_fails_closed_naming_the_field() {
    let vh = |body: &str| format!(r#"{{"virtual_hosts": [{{"domains": ["*"], {body}}}]}}"#);
    let up = |body: &str| {
        format!(r#"{{"virtual_hosts": [{{"domains": ["*"]}}], "upstream": {{{body}}}}}"#)
    };
    #[rustfmt::skip]
    let table: Vec<(String, &str)> = vec![
        (vh(r#""min_tls_version": "TLSv1.0""#), "virtual_hosts[0].min_tls_version"),
        (vh(r#""paths": [{"paths": ["/a"], "min_tls_version": "SSLv3"}]"#), "virtual_hosts[0].paths[0].min_tls_version"),
        (vh(r#""paths": [{"paths": ["/a"], "client_certificate": {"dns_sans": ["ok", "bad san"]}}]"#), "virtual_hosts[0].paths[0].client_certificate.dns_sans[1]"),
        (vh(r#""paths": [{"paths": ["/a"], "client_certificate": {"sha256": ["12:34"]}}]"#), "virtual_hosts[0].paths[0].client_certificate.sha256[0]"),
        (vh(r#""paths": [{"paths": ["/a"], "client_certificate": {}}]"#), "virtual_hosts[0].paths[0].client_certificate"),
        (vh(r#""paths": [{"paths": []}]"#), "virtual_hosts[0].paths[0].paths"),
        (vh(r#""paths": [{"paths": ["/ok", "carbon"]}]"#), "virtual_hosts[0].paths[0].paths[1]"),
        (vh(r#""ciphers": ["TLS_AES_128_GCM_SHA256", "DES-CBC3-SHA"]"#), "virtual_hosts[0].ciphers[1]"),
        (vh(r#""ciphers": ["AES128-GCM-SHA256"]"#), "virtual_hosts[0].ciphers[0]"),
        (vh(r#""ciphers": ["HIGH:!aNULL"]"#), "virtual_hosts[0].ciphers[0]"),
        (vh(r#""https_port": 0"#), "virtual_hosts[0].https_port"),
        (vh(r#""sni": "strict""#), "virtual_hosts[0].sni"),
        (vh(r#""min_version": "TLSv1.2""#), "virtual_hosts[0].min_version"),
        (up(r#""refused_sha256": ["not-hex"]"#), "upstream.refused_sha256[0]"),
        (up(r#""refused_subjects": ["CN=ok", "localhost"]"#), "upstream.refused_subjects[1]"),
        (up(r#""require_tls": {"clusters": []}"#), "upstream.require_tls.clusters"),
        (up(r#""require_tls": {"clusters": ["a b"]}"#), "upstream.require_tls.clusters[0]"),
        (up(r#""require_tls": {"clusters": ["*"], "min_tls_version": "1.2"}"#), "upstream.require_tls.min_tls_version"),
        (r#"{"cipher_filter_state_key": "a b", "virtual_hosts": [{"domains": ["*"]}]}"#.to_owned(), "cipher_filter_state_key"),
        (r#"{"missing_properties": "ignore", "virtual_hosts": [{"domains": ["*"]}]}"#.to_owned(), "missing_properties"),
        (r#"{"virtual_hosts": []}"#.to_owned(), "virtual_hosts"),
    ];
    for (json, field) in table {
        let err = TlsGuardPlan::from_json(json.as_bytes()).unwrap_err();
        assert_eq!(err.path().to_string(), field, "{json}: {err}");
        assert!(err.location().is_some(), "{json}: {err}");
    }
    let err =
        TlsGuardPlan::from_json(vh(r#""min_tls_version": "TLSv1.0""#).as_bytes()).unwrap_err();
    assert_eq!(
        err.kind(),
        &ConfigErrorKind::InvalidTlsVersion("TLSv1.0".into())
    );
    assert!(err.to_string().contains("TLSv1.0"), "{err}");
}
