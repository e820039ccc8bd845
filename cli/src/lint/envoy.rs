//! Envoy bootstraps and LDS/CDS files: the walk over listeners and clusters, the admin interface
//! (N4), ports (P4, O4), and upstream clusters (P6, P15, N1).
//!
//! A cluster is the product's (or a store's) when a route of the same file forwards to it, when
//! an endpoint is on a known port ([`super::ports`]), or when the file has no listeners (a CDS
//! file); Envoy's own clusters (xDS, tracing) match none of these in a bootstrap.
//!
//! Envoy reads field names in proto3 JSON's lowerCamelCase too (`filterChains`, what Go control
//! planes emit by default): keys are turned to snake_case first ([`snake_keys`]), so the paths
//! name Envoy's canonical fields.

use std::collections::BTreeSet;

use serde_json::Value;

use super::rules;
use super::tls::{self, Side};
use super::view::{self, Bootstrap, Cluster, Discovery, Listener, TlsContext};
use super::wasm::{self, Instance};
use super::{Allow, Ctx, Shape, certs, http, join, typed};
use crate::finding::Severity;
use crate::ports::known::{self as ports, PortKind};

/// What the rules gather over a whole document.
#[derive(Debug, Default)]
pub struct FileState {
    /// Clusters some route forwards to.
    pub referenced: BTreeSet<String>,
    /// Every Wasm filter, for the shared-VM rule.
    pub wasm: Vec<Instance>,
}

/// Lints an Envoy bootstrap found at `prefix`.
///
/// # Errors
/// [`Shape`] when a field the rules read has the wrong type.
pub fn lint_bootstrap(ctx: &mut Ctx<'_>, doc: &Value, prefix: &str) -> Result<(), Shape> {
    let doc = &snake_keys(doc);
    let b: Bootstrap = typed(doc, prefix)?;
    if let Some(sa) = b
        .admin
        .as_ref()
        .and_then(|a| a.address.as_ref())
        .and_then(|a| a.socket_address.as_ref())
    {
        let a = sa.address.as_str();
        let loopback = a.starts_with("127.") || a == "::1" || a == "localhost";
        if !loopback {
            ctx.report(
                &[],
                rules::ADMIN_INTERFACE_EXPOSED,
                &join(prefix, "admin.address.socket_address.address"),
                format!("Envoy's admin interface listens on {a}: anyone who reaches it can drain listeners, change log levels and read the configuration"),
                "Bind admin to 127.0.0.1 (or a Unix socket) and reach it through SSH or kubectl port-forward.",
            );
        }
    }
    let sr = &b.static_resources;
    let listeners = read_all(&sr.listeners, &join(prefix, "static_resources.listeners"))?;
    let clusters = read_all(&sr.clusters, &join(prefix, "static_resources.clusters"))?;
    lint_resources(ctx, &listeners, &clusters)
}

/// Lints an LDS or CDS file (`resources`) found at `prefix`; other resource types are skipped.
///
/// # Errors
/// [`Shape`] when a field the rules read has the wrong type.
pub fn lint_discovery(ctx: &mut Ctx<'_>, doc: &Value, prefix: &str) -> Result<(), Shape> {
    let doc = &snake_keys(doc);
    let d: Discovery = typed(doc, prefix)?;
    let mut listeners = Vec::new();
    let mut clusters = Vec::new();
    for (i, r) in d.resources.iter().enumerate() {
        let (mut t, mut body, sub) = view::unwrap(r);
        let mut p = join(&join(prefix, &format!("resources[{i}]")), sub);
        if let Some(inner) = body.get("resource").filter(|_| t == view::RESOURCE) {
            let (t2, b2, s2) = view::unwrap(inner);
            p = join(&join(&p, "resource"), s2);
            (t, body) = (t2, b2);
        }
        match t {
            view::LISTENER => listeners.push((p.clone(), typed::<Listener>(body, &p)?)),
            view::CLUSTER => clusters.push((p.clone(), typed::<Cluster>(body, &p)?)),
            other => {
                let what = if other.is_empty() {
                    "no @type".to_owned()
                } else {
                    format!("type {other}")
                };
                ctx.report(
                    &[],
                    rules::NOT_CHECKED,
                    &p,
                    format!("this resource ({what}) is neither a v3 Listener nor a v3 Cluster: not checked"),
                    "Lint the v3 Listener and Cluster resources (envoy.config.listener.v3.Listener, envoy.config.cluster.v3.Cluster); v2 resources are no longer read by Envoy.",
                );
            }
        }
    }
    lint_resources(ctx, &listeners, &clusters)
}

/// Keys whose values are free-form (metadata, plugin configurations, log formats): left as
/// written.
const VERBATIM: &[&str] = &[
    "configuration",
    "filter_metadata",
    "typed_filter_metadata",
    "json_format",
    "typed_json_format",
    "typed_per_filter_config",
];

/// `doc` with every lowerCamelCase key as snake_case (`filterChains` → `filter_chains`),
/// except under the [`VERBATIM`] keys.
pub fn snake_keys(doc: &Value) -> Value {
    match doc {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = snake(k);
                    let v = if VERBATIM.contains(&key.as_str()) {
                        v.clone()
                    } else {
                        snake_keys(v)
                    };
                    (key, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(snake_keys).collect()),
        other => other.clone(),
    }
}

fn snake(key: &str) -> String {
    let camel = key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && key.bytes().all(|b| b.is_ascii_alphanumeric())
        && key.bytes().any(|b| b.is_ascii_uppercase());
    if !camel {
        return key.to_owned();
    }
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn read_all<T: serde::de::DeserializeOwned>(
    values: &[Value],
    path: &str,
) -> Result<Vec<(String, T)>, Shape> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = format!("{path}[{i}]");
            typed(v, &p).map(|t| (p, t))
        })
        .collect()
}

fn lint_resources(
    ctx: &mut Ctx<'_>,
    listeners: &[(String, Listener)],
    clusters: &[(String, Cluster)],
) -> Result<(), Shape> {
    let mut state = FileState::default();
    for (p, l) in listeners {
        lint_listener(ctx, p, l, &mut state)?;
    }
    for (p, c) in clusters {
        let product = listeners.is_empty() || state.referenced.contains(&c.name);
        lint_cluster(ctx, p, c, product)?;
        health_check_paths(ctx, p, c);
    }
    wasm::shared_vms(ctx, &state.wasm);
    Ok(())
}

/// Reports each HTTP health check path of cluster `c` that an enforcing allowlist of the file
/// refuses (a GET from outside): Envoy's own checks go straight to the upstream, but a load
/// balancer or a monitor that checks the product through the gateway would see it down (issue
/// 16's "a health check path blocked by our own allowlist"). Every allowlist of the file is
/// asked, not only those of the listeners routing to `c`.
fn health_check_paths(ctx: &mut Ctx<'_>, path: &str, c: &Cluster) {
    let allow = c
        .metadata
        .filter_metadata
        .gateway_hardening
        .lint_allow
        .clone();
    for (i, hc) in c.health_checks.iter().enumerate() {
        let Some(hc_path) = hc
            .pointer("/http_health_check/path")
            .and_then(serde_json::Value::as_str)
        else {
            continue;
        };
        let refusing: Vec<String> = ctx
            .allowlists
            .iter()
            .filter(|(_, probe)| probe.refuses(hc_path))
            .map(|(p, _)| p.clone())
            .collect();
        if let Some(first) = refusing.first() {
            ctx.report(
                &allow,
                rules::HEALTH_CHECK_PATH_DENIED,
                &format!("{path}.health_checks[{i}].http_health_check.path"),
                format!(
                    "cluster {}'s health check path {hc_path} is refused by the context allowlist at {first}{}",
                    c.name,
                    if refusing.len() > 1 { format!(" (and {} more)", refusing.len() - 1) } else { String::new() }
                ),
                "Allow the health check path in the allowlist (it reveals no more than up or down), or check health on another path.",
            );
        }
    }
}

/// Reports a known port at `path`; returns its kind.
fn port_rule(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    port: u32,
    listener: bool,
) -> Option<PortKind> {
    let known = ports::lookup(port)?;
    let (rule, severity, fix) = match known.kind {
        PortKind::Product | PortKind::PassThrough => (
            rules::PRODUCT_DEFAULT_PORT,
            if listener {
                Severity::Warning
            } else {
                Severity::Note
            },
            "Move the product off its default ports (a port offset in deployment.toml) and expose only the gateway.",
        ),
        PortKind::Clustering => (
            rules::CLUSTERING_PORT,
            Severity::Error,
            "Never route clustering ports through the gateway; restrict them to cluster members with a firewall.",
        ),
        PortKind::Store => return Some(known.kind),
    };
    let role = if listener {
        "listens on"
    } else {
        "connects to"
    };
    ctx.report_as(
        allow,
        rule,
        rule.guideline,
        severity,
        path,
        format!("{role} port {port}: {}", known.what),
        fix,
    );
    Some(known.kind)
}

fn lint_listener(
    ctx: &mut Ctx<'_>,
    path: &str,
    l: &Listener,
    state: &mut FileState,
) -> Result<(), Shape> {
    let allow = &l.metadata.filter_metadata.gateway_hardening.lint_allow;
    let sa = l.address.as_ref().and_then(|a| a.socket_address.as_ref());
    let kind = sa.and_then(|s| s.port_value).and_then(|port| {
        port_rule(
            ctx,
            allow,
            &join(path, "address.socket_address.port_value"),
            port,
            true,
        )
    });
    let guideline = if kind == Some(PortKind::PassThrough) {
        "P9"
    } else {
        "P8"
    };
    let chains = l
        .filter_chains
        .iter()
        .enumerate()
        .map(|(i, c)| (join(path, &format!("filter_chains[{i}]")), c))
        .chain(
            l.default_filter_chain
                .iter()
                .map(|c| (join(path, "default_filter_chain"), c)),
        );
    for (cpath, chain) in chains {
        let tls = chain
            .transport_socket
            .as_ref()
            .and_then(|ts| tls_context(ts, &join(&cpath, "transport_socket")))
            .filter(|(t, _, _)| *t == view::DOWNSTREAM_TLS);
        let tls_on = tls.is_some();
        if let Some((_, tc, tpath)) = tls {
            let t: TlsContext = typed(tc, &tpath)?;
            let common = join(&tpath, "common_tls_context");
            tls::check_params(
                ctx,
                allow,
                &join(&common, "tls_params"),
                &t.common_tls_context.tls_params,
                Side::Downstream,
                guideline,
            );
            certs::check_context(ctx, allow, &common, &t.common_tls_context);
        }
        for (j, f) in chain.filters.iter().enumerate() {
            let Some((_, tc, sub)) = f
                .typed_config
                .as_ref()
                .map(view::unwrap)
                .filter(|(t, _, _)| *t == view::HCM)
            else {
                continue;
            };
            let fpath = join(&join(&cpath, &format!("filters[{j}].typed_config")), sub);
            let hcm: view::Hcm = typed(tc, &fpath)?;
            http::lint_hcm(ctx, allow, &fpath, &hcm, tls_on, state)?;
        }
    }
    Ok(())
}

fn lint_cluster(ctx: &mut Ctx<'_>, path: &str, c: &Cluster, referenced: bool) -> Result<(), Shape> {
    let allow = &c.metadata.filter_metadata.gateway_hardening.lint_allow;
    let mut endpoints = 0;
    let mut known = false;
    let mut store = false;
    if let Some(la) = &c.load_assignment {
        for (i, loc) in la.endpoints.iter().enumerate() {
            for (j, e) in loc.lb_endpoints.iter().enumerate() {
                endpoints += 1;
                let Some(port) = e
                    .endpoint
                    .as_ref()
                    .and_then(|e| e.address.as_ref())
                    .and_then(|a| a.socket_address.as_ref())
                    .and_then(|s| s.port_value)
                else {
                    continue;
                };
                let p = join(
                    path,
                    &format!(
                        "load_assignment.endpoints[{i}].lb_endpoints[{j}].endpoint.address.socket_address.port_value"
                    ),
                );
                match port_rule(ctx, allow, &p, port, false) {
                    Some(PortKind::Store) => store = true,
                    Some(_) => known = true,
                    None => {}
                }
            }
        }
    }
    let product = referenced || known || store;
    let tls = c
        .transport_socket
        .as_ref()
        .and_then(|ts| tls_context(ts, &join(path, "transport_socket")));
    match tls {
        Some((t, tc, tpath)) if t == view::UPSTREAM_TLS => {
            let t: TlsContext = typed(tc, &tpath)?;
            upstream_tls(ctx, allow, &tpath, &t, &c.name);
        }
        _ if product => {
            let what = if store {
                "a store (LDAP, database)"
            } else {
                "the product"
            };
            let how = match c
                .transport_socket
                .as_ref()
                .and_then(|ts| ts.typed_config.as_ref())
            {
                None => "without TLS".to_owned(),
                Some(tc) => format!(
                    "without TLS (its transport socket, {}, is no UpstreamTlsContext)",
                    match view::type_of(tc) {
                        "" => "with no @type",
                        t => t,
                    }
                ),
            };
            ctx.report(
                allow,
                rules::UPSTREAM_PLAINTEXT,
                &join(path, "transport_socket"),
                format!("cluster {} reaches {what} {how}", c.name),
                "Add a transport_socket with an UpstreamTlsContext (trusted_ca, SAN match, sni).",
            );
        }
        _ => {}
    }
    if product && !store {
        if c.health_checks.is_empty() {
            ctx.report(
                allow,
                rules::HEALTH_CHECK_MISSING,
                &join(path, "health_checks"),
                format!("cluster {} has no active health check: a dead node keeps receiving requests until outlier detection notices", c.name),
                "Add health_checks with an http_health_check on the product's health endpoint (/api/health-check/v1.0/health).",
            );
        }
        if endpoints == 1 {
            ctx.report(
                allow,
                rules::SINGLE_ENDPOINT,
                &join(path, "load_assignment.endpoints"),
                format!("cluster {} has a single endpoint: no failover", c.name),
                "Run two or more product nodes and list them all.",
            );
        }
    }
    Ok(())
}

/// Transport sockets that wrap another one (their `transport_socket`): the upstream PROXY
/// protocol, tap, internal upstream and TCP stats sockets.
const WRAPPERS: &[&str] = &[
    "envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport",
    "envoy.extensions.transport_sockets.tap.v3.Tap",
    "envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport",
    "envoy.extensions.transport_sockets.tcp_stats.v3.Config",
];

/// The TLS context of the transport socket found at `path`, through wrapper sockets
/// ([`WRAPPERS`]): its type ([`view::DOWNSTREAM_TLS`] or [`view::UPSTREAM_TLS`]), its fields and
/// their path. `None` for a plaintext socket (`raw_buffer`, or any other type).
fn tls_context<'a>(ts: &'a view::Filter, path: &str) -> Option<(&'a str, &'a Value, String)> {
    let mut tc = ts.typed_config.as_ref()?;
    let mut p = join(path, "typed_config");
    // Bounded: a configuration cannot nest wrappers without end, but a file can.
    for _ in 0..8 {
        let (t, body, sub) = view::unwrap(tc);
        let bp = join(&p, sub);
        if t == view::DOWNSTREAM_TLS || t == view::UPSTREAM_TLS {
            return Some((t, body, bp));
        }
        if !WRAPPERS.contains(&t) {
            return None;
        }
        tc = body.get("transport_socket")?.get("typed_config")?;
        p = join(&bp, "transport_socket.typed_config");
    }
    None
}

fn upstream_tls(ctx: &mut Ctx<'_>, allow: &[Allow], tpath: &str, t: &TlsContext, name: &str) {
    let common = join(tpath, "common_tls_context");
    let c = &t.common_tls_context;
    tls::check_params(
        ctx,
        allow,
        &join(&common, "tls_params"),
        &c.tls_params,
        Side::Upstream,
        "P8",
    );
    certs::check_context(ctx, allow, &common, c);
    let vc = c.validation_context.as_ref().or_else(|| {
        c.combined_validation_context
            .as_ref()
            .and_then(|v| v.default_validation_context.as_ref())
    });
    let sds = c.validation_context_sds_secret_config.is_some();
    let trusted = vc.is_some_and(|v| {
        v.trusted_ca.is_some() && v.trust_chain_verification.as_deref() != Some("ACCEPT_UNTRUSTED")
    });
    if !trusted && !sds {
        ctx.report(
            allow,
            rules::UPSTREAM_NO_VALIDATION,
            &join(&common, "validation_context.trusted_ca"),
            format!("cluster {name} verifies no certificate (no trusted_ca, or ACCEPT_UNTRUSTED): any server is accepted"),
            "Set validation_context.trusted_ca to the CA of the product's certificate.",
        );
    } else if vc.is_some_and(|v| {
        v.match_typed_subject_alt_names.is_empty() && v.match_subject_alt_names.is_empty()
    }) {
        ctx.report(
            allow,
            rules::UPSTREAM_NO_SAN,
            &join(&common, "validation_context.match_typed_subject_alt_names"),
            format!("cluster {name} accepts any certificate its CA signed: no subject alternative name is matched (no hostname verification)"),
            "Add match_typed_subject_alt_names with the product's DNS name.",
        );
    }
    if t.sni.as_deref().is_none_or(str::is_empty) {
        ctx.report(
            allow,
            rules::UPSTREAM_NO_SNI,
            &join(tpath, "sni"),
            format!("cluster {name} sends no SNI: a product with several certificates may present the wrong one"),
            "Set sni to the product's DNS name.",
        );
    }
}
