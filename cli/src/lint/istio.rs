//! Istio objects: `WasmPlugin` (fail strategy, plugin configuration), `Gateway` (server TLS
//! versions and suites, plain HTTP without redirect, default ports) and `DestinationRule`
//! (upstream TLS). Other kinds are read and left alone.
//!
//! Istio facts (istio.io reference): `ServerTLSSettings.minProtocolVersion` defaults to TLSV1_2
//! and `cipherSuites` apply to TLS 1.2 and older; `ClientTLSSettings.mode` `DISABLE` sends
//! plaintext, `insecureSkipVerify` skips the certificate and SAN checks; `WasmPlugin.failStrategy`
//! `FAIL_OPEN` skips a plugin that fails.
//!
//! Suppression: the annotation `gateway-hardening.io/lint-allow: "<rule>: <reason>; ..."`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::rules;
use super::tls;
use super::{Allow, Ctx, Shape, join, typed, wasm};
use crate::ports::known::{self as ports, PortKind};

/// The annotation holding suppressions.
pub const ALLOW_ANNOTATION: &str = "gateway-hardening.io/lint-allow";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Object {
    kind: String,
    metadata: ObjectMeta,
    spec: Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ObjectMeta {
    annotations: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct WasmPluginSpec {
    url: String,
    plugin_name: String,
    fail_strategy: Option<String>,
    plugin_config: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GatewaySpec {
    servers: Vec<Server>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Server {
    port: Port,
    tls: Option<ServerTls>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Port {
    number: Option<u32>,
    protocol: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ServerTls {
    mode: Option<String>,
    min_protocol_version: Option<String>,
    cipher_suites: Vec<String>,
    https_redirect: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DestinationRuleSpec {
    host: String,
    traffic_policy: Option<TrafficPolicy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct TrafficPolicy {
    tls: Option<ClientTls>,
    port_level_settings: Vec<PortTrafficPolicy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PortTrafficPolicy {
    tls: Option<ClientTls>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ClientTls {
    mode: Option<String>,
    insecure_skip_verify: Option<bool>,
    subject_alt_names: Vec<String>,
    sni: Option<String>,
}

/// Reads `rule: reason; rule: reason` (an entry without a reason is ignored: a suppression
/// needs one).
pub fn parse_allow(text: &str) -> Vec<Allow> {
    text.split(';')
        .filter_map(|entry| {
            let (rule, reason) = entry.split_once(':')?;
            let (rule, reason) = (rule.trim(), reason.trim());
            (!rule.is_empty() && !reason.is_empty()).then(|| Allow {
                rule: rule.to_owned(),
                reason: reason.to_owned(),
            })
        })
        .collect()
}

/// Lints one Kubernetes object found at `prefix`.
///
/// # Errors
/// [`Shape`] when a field the rules read has the wrong type.
pub fn lint(ctx: &mut Ctx<'_>, doc: &Value, prefix: &str) -> Result<(), Shape> {
    let o: Object = typed(doc, prefix)?;
    let allow = o
        .metadata
        .annotations
        .get(ALLOW_ANNOTATION)
        .map(|a| parse_allow(a))
        .unwrap_or_default();
    let spec_path = join(prefix, "spec");
    match o.kind.as_str() {
        "WasmPlugin" => wasm_plugin(ctx, &allow, &spec_path, &typed(&o.spec, &spec_path)?),
        "Gateway" => gateway(ctx, &allow, &spec_path, &typed(&o.spec, &spec_path)?),
        "DestinationRule" => {
            destination_rule(ctx, &allow, &spec_path, &typed(&o.spec, &spec_path)?)
        }
        _ => {}
    }
    Ok(())
}

fn wasm_plugin(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, s: &WasmPluginSpec) {
    let kind = wasm::kind_of(&s.plugin_name, "", &s.url);
    let label = kind.unwrap_or("a Wasm plugin");
    if s.fail_strategy.as_deref() == Some("FAIL_OPEN") {
        wasm::fail_open(ctx, allow, &join(path, "failStrategy"), label);
    }
    if let (Some(k), Some(cfg)) = (kind, &s.plugin_config) {
        wasm::check_config(
            ctx,
            allow,
            &join(path, "pluginConfig"),
            k,
            cfg.to_string().as_bytes(),
        );
    }
}

fn gateway(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, g: &GatewaySpec) {
    for (i, s) in g.servers.iter().enumerate() {
        let sp = join(path, &format!("servers[{i}]"));
        let known = s.port.number.and_then(ports::lookup);
        if let Some(k) = known.filter(|k| k.kind != PortKind::Store) {
            let rule = if k.kind == PortKind::Clustering {
                rules::CLUSTERING_PORT
            } else {
                rules::PRODUCT_DEFAULT_PORT
            };
            ctx.report(
                allow,
                rule,
                &join(&sp, "port.number"),
                format!("the gateway listens on port {}: {}", k.port, k.what),
                "Expose the gateway on 443 (and 80 for redirects only).",
            );
        }
        let guideline = if known.is_some_and(|k| k.kind == PortKind::PassThrough) {
            "P9"
        } else {
            "P8"
        };
        let protocol = s.port.protocol.to_ascii_uppercase();
        let tls = s.tls.as_ref();
        if protocol == "HTTP" && !tls.is_some_and(|t| t.https_redirect) {
            ctx.report(
                allow,
                rules::PLAINTEXT_LISTENER,
                &sp,
                "this Gateway server speaks plain HTTP without tls.httpsRedirect".into(),
                "Set tls.httpsRedirect: true on the HTTP server, or remove it.",
            );
        }
        let Some(t) = tls.filter(|t| {
            t.mode
                .as_deref()
                .is_some_and(|m| !m.ends_with("PASSTHROUGH"))
        }) else {
            continue;
        };
        let tp = join(&sp, "tls");
        if let Some(v) = t
            .min_protocol_version
            .as_deref()
            .filter(|v| tls::is_old_version(v))
        {
            tls::min_version(ctx, allow, &join(&tp, "minProtocolVersion"), v, guideline);
        }
        tls::check_suites(
            ctx,
            allow,
            &join(&tp, "cipherSuites"),
            &t.cipher_suites,
            guideline,
        );
        let tls13 = t.min_protocol_version.as_deref().is_some_and(tls::is_tls13);
        if t.cipher_suites.is_empty() && !tls13 {
            tls::default_ciphers(
                ctx,
                allow,
                &join(&tp, "cipherSuites"),
                guideline,
                "no cipherSuites: the gateway's default list is left to Istio and Envoy, and Envoy's is documented to include suites without forward secrecy (AES128-GCM-SHA256, AES256-GCM-SHA384)".into(),
                "List the ECDHE suites with AES-GCM or ChaCha20-Poly1305 in tls.cipherSuites, or set minProtocolVersion: TLSV1_3.",
            );
        }
    }
}

fn destination_rule(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, d: &DestinationRuleSpec) {
    let Some(tp) = &d.traffic_policy else { return };
    let base = join(path, "trafficPolicy");
    let all = tp.tls.iter().map(|t| (join(&base, "tls"), t)).chain(
        tp.port_level_settings
            .iter()
            .enumerate()
            .filter_map(|(k, p)| {
                Some((
                    join(&base, &format!("portLevelSettings[{k}].tls")),
                    p.tls.as_ref()?,
                ))
            }),
    );
    for (p, t) in all {
        client_tls(ctx, allow, &p, t, &d.host);
    }
}

fn client_tls(ctx: &mut Ctx<'_>, allow: &[Allow], p: &str, t: &ClientTls, host: &str) {
    let mode = t.mode.as_deref().unwrap_or("DISABLE");
    if mode == "DISABLE" {
        ctx.report(
            allow,
            rules::UPSTREAM_PLAINTEXT,
            &join(p, "mode"),
            format!("traffic to {host} is plaintext (tls.mode DISABLE)"),
            "Use mode SIMPLE (or MUTUAL / ISTIO_MUTUAL) with the product's CA, subjectAltNames and sni.",
        );
        return;
    }
    if t.insecure_skip_verify == Some(true) {
        ctx.report(
            allow,
            rules::UPSTREAM_NO_VALIDATION,
            &join(p, "insecureSkipVerify"),
            format!("traffic to {host} skips certificate and SAN verification (insecureSkipVerify)"),
            "Remove insecureSkipVerify and trust the product's CA (credentialName or caCertificates).",
        );
        return;
    }
    if matches!(mode, "SIMPLE" | "MUTUAL") {
        if t.subject_alt_names.is_empty() {
            ctx.report(
                allow,
                rules::UPSTREAM_NO_SAN,
                &join(p, "subjectAltNames"),
                format!("traffic to {host} matches no subject alternative name (no hostname verification)"),
                "List the product's DNS name in subjectAltNames.",
            );
        }
        if t.sni.as_deref().is_none_or(str::is_empty) {
            ctx.report(
                allow,
                rules::UPSTREAM_NO_SNI,
                &join(p, "sni"),
                format!("traffic to {host} sends no SNI"),
                "Set sni to the product's DNS name.",
            );
        }
    }
}
