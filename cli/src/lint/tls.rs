//! TLS versions and cipher suites of Envoy's TLS contexts and Istio's server TLS settings
//! (guidelines P8, P9 on the pass-through ports, P13 for DHE).
//!
//! Envoy's defaults (TlsParameters, v3 API reference): minimum TLSv1_2 for clients and servers
//! since v1.22 (servers were TLSv1_0 before); the default server cipher list is documented to
//! contain suites without forward secrecy (`AES128-GCM-SHA256`, `AES256-GCM-SHA384`) and CBC
//! suites, and "will change over time": a listener should list its suites.

use policies::tls::cipher::{CipherClass, classify};

use super::rules::{self, Rule};
use super::view::TlsParams;
use super::{Allow, Ctx, join};
use crate::finding::Severity;

/// Which side of Envoy the context faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A listener's `DownstreamTlsContext` (or an Istio Gateway server).
    Downstream,
    /// A cluster's `UpstreamTlsContext`.
    Upstream,
}

/// Versions below TLS 1.2 in Envoy's (`TLSv1_0`) and Istio's (`TLSV1_0`) spelling.
pub fn is_old_version(v: &str) -> bool {
    matches!(
        v.to_ascii_uppercase().as_str(),
        "TLSV1_0" | "TLSV1_1" | "TLSV1" | "TLSV1.0" | "TLSV1.1"
    )
}

/// Whether a minimum version is TLS 1.3 (Envoy's `TLSv1_3`, Istio's `TLSV1_3`): cipher suite
/// lists do not apply to TLS 1.3.
pub fn is_tls13(v: &str) -> bool {
    matches!(v.to_ascii_uppercase().as_str(), "TLSV1_3" | "TLSV1.3")
}

/// Reports a TLS context (found at `path`, the place of its suite list) that leaves the cipher
/// suites to the default list; `what` names the default.
pub fn default_ciphers(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    guideline: &'static str,
    message: String,
    fix: &str,
) {
    ctx.report_as(
        allow,
        rules::TLS_DEFAULT_CIPHERS,
        guideline,
        rules::TLS_DEFAULT_CIPHERS.severity,
        path,
        message,
        fix,
    );
}

/// Checks `tls_params` found at `path`. `guideline` is P8, or P9 on a pass-through port.
pub fn check_params(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    params: &TlsParams,
    side: Side,
    guideline: &'static str,
) {
    if let Some(v) = params
        .tls_minimum_protocol_version
        .as_deref()
        .filter(|v| is_old_version(v))
    {
        min_version(
            ctx,
            allow,
            &join(path, "tls_minimum_protocol_version"),
            v,
            guideline,
        );
    }
    check_suites(
        ctx,
        allow,
        &join(path, "cipher_suites"),
        &params.cipher_suites,
        guideline,
    );
    let tls13 = params
        .tls_minimum_protocol_version
        .as_deref()
        .is_some_and(is_tls13);
    if params.cipher_suites.is_empty() && side == Side::Downstream && !tls13 {
        default_ciphers(
            ctx,
            allow,
            &join(path, "cipher_suites"),
            guideline,
            "no cipher_suites: Envoy's default server list is documented to include suites without forward secrecy (AES128-GCM-SHA256, AES256-GCM-SHA384) and CBC suites, and changes between releases".into(),
            "List the ECDHE suites with AES-GCM or ChaCha20-Poly1305 in tls_params.cipher_suites (Mozilla intermediate), or set the minimum to TLSv1_3.",
        );
    }
}

/// Reports a minimum version below TLS 1.2 at `path`.
pub fn min_version(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    v: &str,
    guideline: &'static str,
) {
    let r = rules::TLS_MINIMUM_VERSION;
    ctx.report_as(
        allow,
        r,
        guideline,
        r.severity,
        path,
        format!("minimum TLS version {v} accepts SSL-era protocols the seeds forbid (TLS 1.0/1.1)"),
        "Set the minimum to TLS 1.2 (TLSv1_2) or later.",
    );
}

/// Checks a list of suites found at `path` (`[A|B]` equal-preference groups included).
pub fn check_suites(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    suites: &[String],
    guideline: &'static str,
) {
    for (i, entry) in suites.iter().enumerate() {
        let p = format!("{path}[{i}]");
        for suite in entry
            .trim_matches(|c| c == '[' || c == ']')
            .split('|')
            .map(str::trim)
        {
            let upper = suite.to_ascii_uppercase();
            let (rule, message, sev): (Rule, String, Severity) = match classify(suite) {
                CipherClass::Weak(why) => (
                    rules::TLS_WEAK_CIPHER,
                    format!("cipher suite {suite} is weak: {why}"),
                    rules::TLS_WEAK_CIPHER.severity,
                ),
                _ if upper.starts_with("DHE-") => (
                    rules::TLS_DHE_CIPHER,
                    format!(
                        "cipher suite {suite} uses finite-field DHE, whose group size the configuration does not fix (the seeds ask for 2048 bits or more; BoringSSL offers no DHE at all)"
                    ),
                    rules::TLS_DHE_CIPHER.severity,
                ),
                CipherClass::Cbc => (
                    rules::TLS_CBC_CIPHER,
                    format!("cipher suite {suite} is CBC; the seeds prefer GCM"),
                    rules::TLS_CBC_CIPHER.severity,
                ),
                CipherClass::Strong => continue,
            };
            let g = if rule.id == rules::TLS_DHE_CIPHER.id {
                rule.guideline
            } else {
                guideline
            };
            ctx.report_as(
                allow,
                rule,
                g,
                sev,
                &p,
                message,
                "Keep only ECDHE suites with AES-GCM or ChaCha20-Poly1305.",
            );
        }
    }
}
