//! `missing_properties`: a property the host does not report decides only the check that needs
//! it. With `allow`, every other check still runs on the facts that are reported (issue 13);
//! with `deny`, the missing property refuses (403 at request time, 502 at response time).

use super::*;

const VERSION: &str = "connection.tls_version";
const MTLS: &str = "connection.mtls";
const SNI: &str = "connection.requested_server_name";
const CIPHER: &str = "filter_state.gateway_hardening.tls_cipher";

fn missing(p: Property) -> Decision {
    Decision::Allow(AllowReason::MissingProperty(p))
}

/// No `connection.tls_version` and no `connection.mtls`: the host cannot say whether the
/// connection is TLS.
fn no_version() -> AttributeTable {
    without(without(tls(), VERSION), MTLS)
}

/// A client certificate reported without `connection.mtls`.
fn client_without_mtls(dns: &str) -> AttributeTable {
    without(with_client(tls(), dns, OTHER_DIGEST), MTLS)
}

/// One row: name, target, authority, connection, expected decision under `allow`.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    AttributeTable,
    Decision,
);

#[test]
fn missing_properties_allow_skips_only_the_check_that_cannot_run() {
    let p = plan("allow");
    let ok = Decision::Allow(AllowReason::TlsVerified);
    let admin = "admin.example.internal";
    let user = "user.example.internal";
    #[rustfmt::skip]
    let table: Vec<Row> = vec![
        // The TLS version is missing: the SNI, the cipher and the client certificate still count.
        ("no version: sni mismatch", "/x", "is.example.com", no_version().with(SNI, "cdn.example.net"), deny(421, DenyReason::SniMismatch)),
        ("no version: sni trailing dot", "/x", "is.example.com", no_version().with(SNI, "is.example.com."), deny(421, DenyReason::SniTrailingDot)),
        ("no version: sni ip literal", "/x", "127.0.0.1", no_version().with(SNI, "127.0.0.1"), deny(421, DenyReason::SniIpLiteral)),
        ("no version: cipher not allowed", "/x", "is.example.com", no_version().with(CIPHER, "TLS_AES_256_GCM_SHA384"), deny(403, DenyReason::CipherNotAllowed)),
        ("no version: admin path, other client", "/carbon", "is.example.com", without(with_client(tls(), user, OTHER_DIGEST), VERSION), deny(403, DenyReason::ClientCertificateNotAllowed)),
        ("no version, no mtls: admin path, other client", "/carbon", "is.example.com", without(client_without_mtls(user), VERSION), deny(403, DenyReason::ClientCertificateNotAllowed)),
        ("no version, no cipher: admin path, other client", "/carbon", "is.example.com", without(without(with_client(tls(), user, OTHER_DIGEST), VERSION), CIPHER), deny(403, DenyReason::ClientCertificateNotAllowed)),
        ("no version: mtls connection without sni", "/x", "is.example.com", without(without(with_client(tls(), admin, OTHER_DIGEST), VERSION), SNI), deny(421, DenyReason::SniMissing)),
        ("no version: admin path, admin client", "/carbon", "is.example.com", without(with_client(tls(), admin, OTHER_DIGEST), VERSION), missing(Property::TlsVersion)),
        ("no version: every check passes", "/x", "is.example.com", no_version(), missing(Property::TlsVersion)),
        // Without `connection.mtls` either, a missing SNI may be a plaintext connection: not judged.
        ("no version, no sni", "/x", "is.example.com", without(no_version(), SNI), missing(Property::TlsVersion)),
        ("nothing reported", "/carbon", "is.example.com", AttributeTable::default(), missing(Property::TlsVersion)),
        // `connection.mtls` is false and no version: plaintext, whose rules still apply.
        ("no version, mtls false: admin path redirected", "/carbon", "is.example.com", without(tls(), VERSION), redirect("https://is.example.com:8443/carbon")),
        // `connection.mtls` is missing: the version, SNI and cipher still count, and so does a
        // reported certificate.
        ("no mtls: version too low", "/carbon", "is.example.com", without(tls(), MTLS).with(VERSION, "TLSv1.1"), deny(403, DenyReason::TlsVersionTooLow)),
        ("no mtls: sni mismatch", "/carbon", "is.example.com", without(tls(), MTLS).with(SNI, "cdn.example.net"), deny(421, DenyReason::SniMismatch)),
        ("no mtls: cipher not allowed", "/carbon", "is.example.com", without(tls(), MTLS).with(CIPHER, "TLS_AES_256_GCM_SHA384"), deny(403, DenyReason::CipherNotAllowed)),
        ("no mtls: certificate reported, other client", "/carbon", "is.example.com", client_without_mtls(user), deny(403, DenyReason::ClientCertificateNotAllowed)),
        ("no mtls: certificate reported, admin client", "/carbon", "is.example.com", client_without_mtls(admin), ok.clone()),
        ("no mtls, no certificate: admin path", "/carbon", "is.example.com", without(tls(), MTLS), missing(Property::Mtls)),
        ("no mtls: ordinary path", "/x", "is.example.com", without(tls(), MTLS), ok.clone()),
        // mTLS without the certificate's details: the version, SNI and cipher still count.
        ("no certificate details: version too low", "/carbon", "is.example.com", tls().with(MTLS, [1u8]).with(VERSION, "TLSv1.1"), deny(403, DenyReason::TlsVersionTooLow)),
        ("no certificate details: sni mismatch", "/carbon", "is.example.com", tls().with(MTLS, [1u8]).with(SNI, "cdn.example.net"), deny(421, DenyReason::SniMismatch)),
        ("no certificate details: cipher not allowed", "/carbon", "is.example.com", tls().with(MTLS, [1u8]).with(CIPHER, "TLS_AES_256_GCM_SHA384"), deny(403, DenyReason::CipherNotAllowed)),
        ("no certificate details", "/carbon", "is.example.com", tls().with(MTLS, [1u8]), missing(Property::PeerCertificate)),
        // The cipher is missing (no filter state, or the formatter's `-`): the version, SNI and
        // client certificate still count.
        ("no cipher: version too low", "/x", "is.example.com", without(tls(), CIPHER).with(VERSION, "TLSv1"), deny(403, DenyReason::TlsVersionTooLow)),
        ("no cipher: sni mismatch", "/x", "is.example.com", without(tls(), CIPHER).with(SNI, "cdn.example.net"), deny(421, DenyReason::SniMismatch)),
        ("no cipher: admin path without certificate", "/carbon", "is.example.com", tls().with(CIPHER, "-"), deny(403, DenyReason::ClientCertificateMissing)),
        ("no cipher: admin path, other client", "/carbon", "is.example.com", with_client(tls(), user, OTHER_DIGEST).with(CIPHER, ""), deny(403, DenyReason::ClientCertificateNotAllowed)),
        ("no cipher: admin path, admin client", "/carbon", "is.example.com", with_client(tls(), admin, OTHER_DIGEST).with(CIPHER, ""), missing(Property::Cipher)),
        // No SNI where none is needed (an IP literal, an `if_present` host): the version, cipher
        // and client certificate still count.
        ("no sni (ip): version too low", "/x", "127.0.0.1", without(tls(), SNI).with(VERSION, "TLSv1.1"), deny(403, DenyReason::TlsVersionTooLow)),
        ("no sni (ip): cipher not allowed", "/x", "127.0.0.1", without(tls(), SNI).with(CIPHER, "TLS_AES_256_GCM_SHA384"), deny(403, DenyReason::CipherNotAllowed)),
        ("no sni (ip): admin path without certificate", "/carbon", "127.0.0.1", without(tls(), SNI), deny(403, DenyReason::ClientCertificateMissing)),
        ("no sni (if_present): version too low", "/x", "legacy.example.com", without(tls(), SNI).with(VERSION, "TLSv1.1"), deny(403, DenyReason::TlsVersionTooLow)),
        ("no sni (if_present): admin path, other client", "/admin", "legacy.example.com", without(with_client(tls(), user, OTHER_DIGEST), SNI), deny(403, DenyReason::ClientCertificateNotAllowed)),
        ("no sni (required): refused", "/x", "is.example.com", without(tls(), SNI), deny(421, DenyReason::SniMissing)),
    ];
    for (name, target, authority, attrs, want) in table {
        let h = head(target, authority, &[]);
        assert_eq!(
            p.decide_request(&RequestHead::new(&h), &attrs),
            want,
            "{name}"
        );
    }

    // Under `deny`, the missing property refuses.
    let p = plan("deny");
    let refused = |p| deny(403, DenyReason::MissingProperty(p));
    #[rustfmt::skip]
    let table: Vec<Row> = vec![
        ("no version", "/x", "is.example.com", no_version(), refused(Property::TlsVersion)),
        ("nothing reported", "/x", "is.example.com", AttributeTable::default(), refused(Property::TlsVersion)),
        ("no mtls: admin path", "/carbon", "is.example.com", without(tls(), MTLS), refused(Property::Mtls)),
        ("no certificate details: admin path", "/carbon", "is.example.com", tls().with(MTLS, [1u8]), refused(Property::PeerCertificate)),
        ("no cipher", "/x", "is.example.com", without(tls(), CIPHER), refused(Property::Cipher)),
        // A check that fails on reported facts still answers with its own reason first.
        ("no cipher: version too low", "/x", "is.example.com", without(tls(), CIPHER).with(VERSION, "TLSv1.1"), deny(403, DenyReason::TlsVersionTooLow)),
        ("no mtls: ordinary path", "/x", "is.example.com", without(tls(), MTLS), Decision::Allow(AllowReason::TlsVerified)),
    ];
    for (name, target, authority, attrs, want) in table {
        let h = head(target, authority, &[]);
        assert_eq!(
            p.decide_request(&RequestHead::new(&h), &attrs),
            want,
            "{name} (deny)"
        );
    }
}

const ADDRESS: &str = "upstream.address";
const UP_VERSION: &str = "upstream.tls_version";
const WSO2_DEFAULT: &str = "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US";

/// An upstream answer whose `upstream.address` the host does not report.
fn unreported(cluster: &str) -> AttributeTable {
    without(upstream(cluster), ADDRESS)
}

#[test]
fn missing_upstream_properties_skip_only_the_upstream_check_that_cannot_run() {
    let (allow, deny_plan) = (plan("allow"), plan("deny"));
    let ok = Decision::Allow(AllowReason::UpstreamVerified);
    let refused = |p| deny(502, DenyReason::MissingProperty(p));
    let subject = "upstream.subject_peer_certificate";
    let digest = "upstream.sha256_peer_certificate_digest";
    let no_certificate = |a: AttributeTable| without(without(a, subject), digest);
    #[rustfmt::skip]
    let table: Vec<(&str, AttributeTable, Decision, Decision)> = vec![
        // (name, attributes, under `allow`, under `deny`)
        // `upstream.address` missing on an upstream's answer: the certificate and the version
        // that are reported are still checked.
        ("no address: default certificate", unreported("other").with(subject, WSO2_DEFAULT), deny(502, DenyReason::UpstreamCertificateRefused), refused(Property::UpstreamAddress)),
        ("no address: TLS 1.1 to a TLS cluster", unreported("wso2_tls").with(UP_VERSION, "TLSv1.1"), deny(502, DenyReason::UpstreamTlsVersionTooLow), refused(Property::UpstreamAddress)),
        ("no address: good upstream", unreported("wso2_tls"), missing(Property::UpstreamAddress), refused(Property::UpstreamAddress)),
        // Without `upstream.address`, a missing version is unknown, not plaintext.
        ("no address, no version", unreported("wso2_tls").with(UP_VERSION, ""), missing(Property::UpstreamAddress), refused(Property::UpstreamAddress)),
        ("only code details", AttributeTable::default().with("response.code_details", "via_upstream"), missing(Property::UpstreamAddress), refused(Property::UpstreamAddress)),
        // No `response.code_details` either: an upstream's answer cannot be told from a local one.
        ("nothing reported", AttributeTable::default(), missing(Property::UpstreamAddress), refused(Property::UpstreamAddress)),
        ("nothing reported but the default certificate", without(unreported("other"), "response.code_details").with(subject, WSO2_DEFAULT), deny(502, DenyReason::UpstreamCertificateRefused), refused(Property::UpstreamAddress)),
        // A local response says so in `response.code_details`: nothing to check.
        ("router's local response", AttributeTable::default().with("response.code_details", "upstream_reset_before_response_started{connection_failure}"), Decision::Allow(AllowReason::NoUpstream), Decision::Allow(AllowReason::NoUpstream)),
        // A later Wasm filter's local response (context-allowlist's 401, 403, 413): Envoy gives
        // it empty details, not `via_upstream`. It must stay the filter's answer, not a 502.
        ("a later Wasm filter's local response", AttributeTable::default().with("response.code_details", ""), Decision::Allow(AllowReason::NoUpstream), Decision::Allow(AllowReason::NoUpstream)),
        // The certificate is missing on a TLS upstream: the version is still checked.
        ("no certificate: TLS 1.1 to a TLS cluster", no_certificate(upstream("wso2_tls")).with(UP_VERSION, "TLSv1.1"), deny(502, DenyReason::UpstreamTlsVersionTooLow), refused(Property::UpstreamCertificate)),
        ("no certificate", no_certificate(upstream("wso2_tls")), missing(Property::UpstreamCertificate), refused(Property::UpstreamCertificate)),
        // The cluster name is missing: the certificate is still checked.
        ("no cluster: default certificate", without(upstream("x"), "xds.cluster_name").with(subject, WSO2_DEFAULT), deny(502, DenyReason::UpstreamCertificateRefused), deny(502, DenyReason::UpstreamCertificateRefused)),
        ("no cluster", without(upstream("x"), "xds.cluster_name"), missing(Property::ClusterName), refused(Property::ClusterName)),
        // The version is missing but the certificate is reported: it is still checked.
        ("no version: default certificate", without(upstream("other"), UP_VERSION).with(subject, WSO2_DEFAULT), deny(502, DenyReason::UpstreamCertificateRefused), deny(502, DenyReason::UpstreamCertificateRefused)),
        ("no version, no certificate, other cluster", no_certificate(without(upstream("other"), UP_VERSION)), ok.clone(), ok.clone()),
        ("no version to a TLS cluster", without(upstream("wso2_tls"), UP_VERSION), deny(502, DenyReason::UpstreamNotTls), deny(502, DenyReason::UpstreamNotTls)),
    ];
    for (name, attrs, want_allow, want_deny) in table {
        assert_eq!(allow.decide_response(&attrs), want_allow, "{name} (allow)");
        assert_eq!(
            deny_plan.decide_response(&attrs),
            want_deny,
            "{name} (deny)"
        );
    }
}
