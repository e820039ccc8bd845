//! HTTP connection manager rules: plaintext without a redirect (P8), HSTS (P11), the `Server`
//! header (P10), admin contexts reachable (N6, N7, P19), path normalisation (N7), access logs
//! (N2, P21).
//!
//! Envoy facts (v3 API reference; design.md, verified on 1.40): the connection manager writes
//! `Server` after every filter; with the default `server_header_transformation: OVERWRITE` it
//! writes `server_name` (default `envoy`) and a filter's change is lost; with `PASS_THROUGH` (or
//! `APPEND_IF_ABSENT`) the upstream's header (`WSO2 Carbon Server`) passes unless a filter
//! removes it. `normalize_path` and `merge_slashes` default to false. The default access log
//! format carries `%REQ(X-REQUEST-ID)%`.

use serde_json::Value;

use super::envoy::FileState;
use super::rules;
use super::view::{self, Hcm, HeaderValueOption, Route, RouteMatch};
use super::wasm::{self, Powers};
use super::{Allow, Ctx, Shape, join, typed};
use crate::finding::Severity;

/// The WSO2 admin contexts a DMZ must not forward (seed guidelines N6, P19; the admin paths of
/// `policies/presets/tls-guard/wso2-is.json` and the context-allowlist presets).
pub const ADMIN_CONTEXTS: &[&str] = &[
    "/carbon",
    "/services",
    "/console",
    "/api/server",
    "/scim2",
    "/admin",
    "/management",
];

/// Lints the HTTP connection manager whose `typed_config` is at `path`; `tls` says whether its
/// filter chain has a transport socket.
///
/// # Errors
/// [`Shape`] when an HTTP filter's `typed_config` the rules read has the wrong type.
pub fn lint_hcm(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    hcm: &Hcm,
    tls: bool,
    state: &mut FileState,
) -> Result<(), Shape> {
    let mut powers = Powers::default();
    let mut rbac = false;
    for (k, f) in hcm.http_filters.iter().enumerate() {
        let Some(tc) = &f.typed_config else { continue };
        let (t, tc, sub) = view::unwrap(tc);
        let fpath = join(&join(path, &format!("http_filters[{k}].typed_config")), sub);
        match t {
            view::WASM => {
                let w: view::Wasm = typed(tc, &fpath)?;
                let (p, instance) = wasm::lint_filter(ctx, allow, &fpath, &w);
                if !f.disabled {
                    powers = powers.or(p);
                }
                state.wasm.push(instance);
            }
            view::RBAC if !f.disabled => rbac = true,
            _ => {}
        }
    }
    access_logs(ctx, allow, path, hcm);
    let Some(rc) = &hcm.route_config else {
        // RDS: the routes are elsewhere; only the listener-wide rules apply.
        return Ok(());
    };
    let rc_path = join(path, "route_config");
    let mut forwards = false;
    let mut plaintext_forwards = false;
    for vh in &rc.virtual_hosts {
        let tls_required = matches!(vh.require_tls.as_deref(), Some("ALL" | "EXTERNAL_ONLY"));
        for r in &vh.routes {
            if let Some(a) = &r.route {
                state.referenced.extend(a.cluster.iter().cloned());
                if let Some(w) = &a.weighted_clusters {
                    state
                        .referenced
                        .extend(w.clusters.iter().map(|c| c.name.clone()));
                }
                forwards = true;
                plaintext_forwards |= !tls_required;
            }
        }
    }
    if !forwards {
        return Ok(());
    }
    if !tls && plaintext_forwards && !powers.plaintext_handled {
        ctx.report(
            allow,
            rules::PLAINTEXT_LISTENER,
            path,
            "this listener has no TLS and forwards requests to the product without redirecting them to HTTPS".into(),
            "Add TLS, or redirect: route redirect.https_redirect, virtual host require_tls: ALL, or tls-guard with plaintext: redirect.",
        );
    }
    let headers = all_headers_added(rc);
    if tls
        && !powers.hsts
        && !headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("strict-transport-security"))
    {
        ctx.report(
            allow,
            rules::HSTS_MISSING,
            &rc_path,
            "answers on this HTTPS listener carry no Strict-Transport-Security: no header-hardening filter with HSTS and no response_headers_to_add".into(),
            "Add header-hardening (HSTS is on by default) or response_headers_to_add strict-transport-security: max-age=63072000; includeSubDomains.",
        );
    }
    server_header(ctx, allow, path, hcm, powers, rc);
    if !powers.allowlist && !rbac {
        admin_contexts(ctx, allow, &rc_path, rc);
    }
    if !powers.allowlist {
        let off = [
            (hcm.normalize_path != Some(true), "normalize_path"),
            (!hcm.merge_slashes, "merge_slashes"),
        ];
        if let Some((_, field)) = off.iter().find(|(o, _)| *o) {
            ctx.report(
                allow,
                rules::PATH_NORMALIZATION_OFF,
                &join(path, field),
                format!("{field} is off and no context-allowlist filter normalises paths: //carbon, /%2e%2e/carbon and /a/..;/carbon reach the product as written"),
                "Set normalize_path: true and merge_slashes: true (and path_with_escaped_slashes_action: REJECT_REQUEST), or add context-allowlist.",
            );
        }
    }
    Ok(())
}

fn all_headers_added(rc: &view::RouteConfig) -> Vec<String> {
    let key = |h: &HeaderValueOption| h.header.key.clone();
    let mut out: Vec<String> = rc.response_headers_to_add.iter().map(key).collect();
    for vh in &rc.virtual_hosts {
        out.extend(vh.response_headers_to_add.iter().map(key));
        for r in &vh.routes {
            out.extend(r.response_headers_to_add.iter().map(key));
        }
    }
    out
}

fn removes_server(rc: &view::RouteConfig) -> bool {
    let is = |h: &String| h.eq_ignore_ascii_case("server");
    let everywhere = !rc.virtual_hosts.is_empty()
        && rc
            .virtual_hosts
            .iter()
            .all(|vh| vh.response_headers_to_remove.iter().any(is));
    rc.response_headers_to_remove.iter().any(is) || everywhere
}

fn server_header(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    hcm: &Hcm,
    powers: Powers,
    rc: &view::RouteConfig,
) {
    let mode = hcm
        .server_header_transformation
        .as_deref()
        .unwrap_or("OVERWRITE");
    let p = join(path, "server_header_transformation");
    if mode == "OVERWRITE" {
        if hcm.server_name.is_none() {
            ctx.report(
                allow,
                rules::SERVER_HEADER,
                &p,
                "server_header_transformation OVERWRITE (the default) with no server_name: every answer says Server: envoy, and a filter's change to Server is lost".into(),
                "Set server_header_transformation: PASS_THROUGH with header-hardening removing Server, or a neutral server_name.",
            );
        }
    } else if !powers.removes_server && !removes_server(rc) {
        ctx.report_as(
            allow,
            rules::SERVER_HEADER,
            rules::SERVER_HEADER.guideline,
            Severity::Error,
            &p,
            format!("server_header_transformation {mode} and nothing removes Server: the product's own (WSO2 Carbon Server) reaches clients"),
            "Add header-hardening (its OWASP baseline removes Server) or response_headers_to_remove: [server].",
        );
    }
}

/// Whether a route with this match can see a request for `context` (or below it).
fn reaches(m: &RouteMatch, context: &str) -> bool {
    let prefix = m.prefix.as_deref().or(m.path_separated_prefix.as_deref());
    if let Some(p) = prefix {
        return context.starts_with(p) || p.starts_with(context);
    }
    if let Some(p) = &m.path {
        return p == context || p.starts_with(&format!("{context}/"));
    }
    // A regex (or another matcher): assume it can.
    true
}

/// Whether an earlier route answers everything under `context` itself (direct response or
/// redirect), so that later routes never see it.
fn blocks(r: &Route, context: &str) -> bool {
    let answers = r.direct_response.is_some() || r.redirect.is_some();
    let prefix = r
        .match_
        .prefix
        .as_deref()
        .or(r.match_.path_separated_prefix.as_deref());
    answers && prefix.is_some_and(|p| context.starts_with(p))
}

fn admin_contexts(ctx: &mut Ctx<'_>, allow: &[Allow], rc_path: &str, rc: &view::RouteConfig) {
    for (v, vh) in rc.virtual_hosts.iter().enumerate() {
        for (i, r) in vh.routes.iter().enumerate() {
            let Some(action) = &r.route else { continue };
            let earlier = vh.routes.get(..i).unwrap_or_default();
            let open: Vec<&str> = ADMIN_CONTEXTS
                .iter()
                .copied()
                .filter(|c| reaches(&r.match_, c) && !earlier.iter().any(|e| blocks(e, c)))
                .collect();
            if open.is_empty() {
                continue;
            }
            let to = action.cluster.as_deref().unwrap_or("its clusters");
            ctx.report(
                allow,
                rules::ADMIN_CONTEXT_EXPOSED,
                &join(rc_path, &format!("virtual_hosts[{v}].routes[{i}].match")),
                format!("this route forwards {} to {to} with no context allowlist, RBAC filter or denying route before it", open.join(", ")),
                "Add context-allowlist (default deny), an RBAC filter, or earlier routes answering these contexts with direct_response 403/404.",
            );
        }
    }
}

/// Operators that put a request id on a log line.
const REQUEST_IDS: &[&str] = &["%REQ(X-REQUEST-ID)%", "%STREAM_ID%", "%REQ(X-REQUEST-ID):"];

fn access_logs(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, hcm: &Hcm) {
    if hcm.access_log.is_empty() {
        ctx.report(
            allow,
            rules::ACCESS_LOG_MISSING,
            &join(path, "access_log"),
            "this HTTP connection manager writes no access log".into(),
            "Add an access_log (stdout or file) with %REQ(X-REQUEST-ID)% in its format.",
        );
        return;
    }
    for (k, log) in hcm.access_log.iter().enumerate() {
        let Some(tc) = &log.typed_config else {
            continue;
        };
        let custom = ["log_format", "format", "json_format", "text_format"]
            .iter()
            .any(|key| has_key(tc, key));
        let text = tc.to_string().to_ascii_uppercase();
        if custom && !REQUEST_IDS.iter().any(|id| text.contains(id)) {
            ctx.report(
                allow,
                rules::ACCESS_LOG_REQUEST_ID,
                &join(path, &format!("access_log[{k}].typed_config")),
                "this access log's format has no request id: its lines cannot be tied to the filters' log lines, and forged lines cannot be told apart".into(),
                "Add request_id: \"%REQ(X-REQUEST-ID)%\" (with generate_request_id) to the format.",
            );
        }
    }
}

fn has_key(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(m) => m.contains_key(key) || m.values().any(|x| has_key(x, key)),
        Value::Array(a) => a.iter().any(|x| has_key(x, key)),
        _ => false,
    }
}
