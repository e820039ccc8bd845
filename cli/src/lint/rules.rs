//! Every lint rule: its id (SARIF's `ruleId`), the guideline it checks by default, and a line
//! saying what it looks for. A finding may name another guideline than the rule's default (TLS
//! on a pass-through port is P9, not P8); the SARIF output lists the rules from this table.

use crate::finding::Severity;

/// One lint rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Kebab-case id (`tls-minimum-version`).
    pub id: &'static str,
    /// The guideline id of [`crate::guidelines::ALL`] it checks.
    pub guideline: &'static str,
    /// How bad a finding of this rule is.
    pub severity: Severity,
    /// What it looks for, in a line (SARIF's `shortDescription`).
    pub summary: &'static str,
}

macro_rules! rules {
    ($( $name:ident = $id:literal, $g:literal, $sev:ident, $summary:literal; )*) => {
        $(
            #[doc = $summary]
            pub const $name: Rule = Rule { id: $id, guideline: $g, severity: Severity::$sev, summary: $summary };
        )*
        /// Every rule, in the order of this file.
        pub const ALL: &[Rule] = &[$($name,)*];
    };
}

rules! {
    TLS_MINIMUM_VERSION = "tls-minimum-version", "P8", Error,
        "A TLS context (listener, cluster, Istio Gateway) accepts a version below TLS 1.2.";
    TLS_WEAK_CIPHER = "tls-weak-cipher", "P8", Error,
        "A TLS context offers a suite the seeds refuse (no forward secrecy, 3DES, RC4, MD5, DSS, NULL, anonymous).";
    TLS_CBC_CIPHER = "tls-cbc-cipher", "P8", Note,
        "A TLS context offers a forward-secret CBC suite: allowed, though the seeds prefer GCM.";
    TLS_DHE_CIPHER = "tls-dhe-cipher", "P13", Warning,
        "A TLS context offers finite-field DHE suites, whose group size the configuration does not show.";
    TLS_DEFAULT_CIPHERS = "tls-default-ciphers", "P8", Warning,
        "A downstream TLS context leaves cipher_suites to Envoy's default list, documented to include suites without forward secrecy.";
    PLAINTEXT_LISTENER = "plaintext-listener", "P8", Error,
        "A listener serves the product over plaintext HTTP without redirecting to HTTPS.";
    HSTS_MISSING = "hsts-missing", "P11", Error,
        "An HTTPS listener's answers carry no Strict-Transport-Security header.";
    SERVER_HEADER = "server-header", "P10", Warning,
        "The Server header names the gateway (Envoy's OVERWRITE default) or the product (PASS_THROUGH with nothing removing it).";
    ADMIN_CONTEXT_EXPOSED = "admin-context-exposed", "N6", Error,
        "A route forwards the WSO2 admin contexts (/carbon, /services, ...) with no context allowlist, RBAC filter or denying route.";
    PATH_NORMALIZATION_OFF = "path-normalization-off", "N7", Warning,
        "Envoy's path normalisation is off and no context-allowlist filter normalises paths itself.";
    WASM_FAIL_OPEN = "wasm-fail-open", "N7", Error,
        "A Wasm security filter fails open: after a crash, requests bypass it.";
    WASM_SHARED_VM = "wasm-shared-vm", "N1", Warning,
        "Several different Wasm filters share one VM (same vm_id and code): one trap stops them all.";
    PLUGIN_CONFIG_INVALID = "plugin-config-invalid", "N7", Error,
        "A gateway-hardening filter's plugin configuration is refused (the filter would not start).";
    CERT_WEAK_KEY = "cert-weak-key", "P2", Error,
        "A referenced certificate has an RSA key under 2048 bits or an EC key under 256 bits.";
    CERT_WEAK_SIGNATURE = "cert-weak-signature", "P2", Error,
        "A referenced certificate is signed with SHA-1 or MD5.";
    CERT_WSO2_DEFAULT = "cert-wso2-default", "P2", Error,
        "A referenced certificate is one of WSO2's published default keystore certificates (subject or SHA-256 digest).";
    CERT_UNREADABLE = "cert-unreadable", "P2", Warning,
        "A referenced certificate could not be read or parsed, so it was not checked.";
    UPSTREAM_PLAINTEXT = "upstream-plaintext", "P6", Error,
        "A cluster to the product or to a store (LDAP, database) has no TLS.";
    UPSTREAM_NO_VALIDATION = "upstream-no-validation", "P15", Error,
        "An upstream TLS context trusts no CA: any certificate is accepted.";
    UPSTREAM_NO_SAN = "upstream-no-san", "P15", Warning,
        "An upstream TLS context does not match the certificate's subject alternative names (no hostname verification).";
    UPSTREAM_NO_SNI = "upstream-no-sni", "P15", Warning,
        "An upstream TLS context sends no SNI.";
    PRODUCT_DEFAULT_PORT = "product-default-port", "P4", Warning,
        "A listener or upstream uses a WSO2 product's default port.";
    CLUSTERING_PORT = "clustering-port", "O4", Error,
        "A listener or upstream uses a WSO2 clustering port (Hazelcast, WKA, multicast).";
    ADMIN_INTERFACE_EXPOSED = "admin-interface-exposed", "N4", Error,
        "Envoy's admin interface listens beyond loopback.";
    ACCESS_LOG_MISSING = "access-log-missing", "N2", Warning,
        "An HTTP connection manager writes no access log.";
    ACCESS_LOG_REQUEST_ID = "access-log-request-id", "P21", Warning,
        "An access log format carries no request id (%REQ(X-REQUEST-ID)% or %STREAM_ID%).";
    HEALTH_CHECK_MISSING = "health-check-missing", "N1", Warning,
        "A cluster to the product has no active health check.";
    SINGLE_ENDPOINT = "single-endpoint", "N1", Warning,
        "A cluster to the product has a single endpoint: no failover.";
    HEALTH_CHECK_PATH_DENIED = "health-check-path-denied", "N1", Warning,
        "The product's health check path is refused by our allowlist: a load balancer or monitor checking through the gateway sees the product down.";
    FILTER_SHADOW_MODE = "filter-shadow-mode", "N7", Note,
        "A gateway-hardening filter (or a section of the combined filter) runs in shadow mode: it only observes, so the other rules give it no credit.";
    NOT_CHECKED = "not-checked", "N7", Note,
        "Part of the configuration the lint cannot read (an unrecognised resource type, an access log format in a file) was not checked.";
}

/// The rule with this id, if any.
pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().find(|r| r.id == id)
}
