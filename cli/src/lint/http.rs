//! HTTP connection manager rules: plaintext without a redirect (P8), HSTS (P11), the `Server`
//! header (P10), admin contexts reachable (N6, N7, P19), path normalisation (N7), access logs
//! (N2, P21).
//!
//! Envoy facts (v3 API reference; design.md, verified on 1.40): the connection manager writes
//! `Server` after every filter; with the default `server_header_transformation: OVERWRITE` it
//! writes `server_name` (default `envoy`) and a filter's change is lost; with `PASS_THROUGH` (or
//! `APPEND_IF_ABSENT`) the upstream's header (`WSO2 Carbon Server`) passes unless a filter
//! removes it; with `APPEND_IF_ABSENT` a removed header is replaced by `server_name` (an
//! assumption from the API reference, not verified on Envoy). `normalize_path` and
//! `merge_slashes` default to false. The default access log format carries
//! `%REQ(X-REQUEST-ID)%`.

use std::collections::{BTreeMap, BTreeSet};

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

/// One HTTP filter whose presence the rules credit: one of our Wasm filters or RBAC.
struct Credited {
    /// Its name in `http_filters` (the key of `typed_per_filter_config`).
    name: String,
    /// What it does.
    powers: Powers,
    /// Whether it is an RBAC filter.
    rbac: bool,
    /// `disabled` in the chain (a route may enable it).
    disabled: bool,
}

/// The `typed_per_filter_config` maps in scope of a route, most specific first.
type Scopes<'a> = [&'a BTreeMap<String, Value>; 3];

/// Whether the most specific `FilterConfig` for `name` in `scopes` disables (`Some(true)`) or
/// enables (`Some(false)`) the filter; `None` when none says.
fn disabled_in(scopes: &Scopes<'_>, name: &str) -> Option<bool> {
    scopes.iter().find_map(|m| {
        let (t, body, _) = view::unwrap(m.get(name)?);
        (t == view::FILTER_CONFIG)
            .then(|| body.get("disabled").and_then(Value::as_bool) == Some(true))
    })
}

/// What the filters in force on a route do, and whether an RBAC filter is among them.
fn effective(filters: &[Credited], scopes: &Scopes<'_>) -> (Powers, bool) {
    let mut powers = Powers::default();
    let mut rbac = false;
    for f in filters {
        if !disabled_in(scopes, &f.name).unwrap_or(f.disabled) {
            powers = powers.or(f.powers);
            rbac |= f.rbac;
        }
    }
    (powers, rbac)
}

/// Lints the HTTP connection manager whose `typed_config` is at `path`; `tls` says whether its
/// filter chain has a TLS transport socket.
///
/// A filter's credit holds on a route only when no `typed_per_filter_config` of the route, its
/// virtual host or the route configuration disables it (`FilterConfig{disabled: true}`); the
/// listener-wide rules (HSTS, `Server`, path normalisation) credit what holds on every route
/// that forwards.
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
    let mut filters = Vec::new();
    for (k, f) in hcm.http_filters.iter().enumerate() {
        let Some(tc) = &f.typed_config else { continue };
        let (t, tc, sub) = view::unwrap(tc);
        let fpath = join(&join(path, &format!("http_filters[{k}].typed_config")), sub);
        let (powers, rbac) = match t {
            view::WASM => {
                let w: view::Wasm = typed(tc, &fpath)?;
                let (p, instance) = wasm::lint_filter(ctx, allow, &fpath, &w);
                state.wasm.push(instance);
                (p, false)
            }
            view::RBAC => (Powers::default(), true),
            _ => continue,
        };
        filters.push(Credited {
            name: f.name.clone(),
            powers,
            rbac,
            disabled: f.disabled,
        });
    }
    access_logs(ctx, allow, path, hcm);
    let Some(rc) = &hcm.route_config else {
        // RDS: the routes are elsewhere; only the listener-wide rules apply.
        return Ok(());
    };
    let rc_path = join(path, "route_config");
    let mut forwards = false;
    let mut plaintext_forwards = false;
    // What holds on every route that forwards.
    let mut powers = Powers::all();
    for (v, vh) in rc.virtual_hosts.iter().enumerate() {
        let require = vh.require_tls.as_deref().unwrap_or("NONE");
        let mut external_only = false;
        let mut open = OpenContexts::default();
        for (i, r) in vh.routes.iter().enumerate() {
            open.see(r);
            let Some(a) = &r.route else { continue };
            state.referenced.extend(a.cluster.iter().cloned());
            if let Some(w) = &a.weighted_clusters {
                state
                    .referenced
                    .extend(w.clusters.iter().map(|c| c.name.clone()));
            }
            let scopes = [
                &r.typed_per_filter_config,
                &vh.typed_per_filter_config,
                &rc.typed_per_filter_config,
            ];
            let (p, rbac) = effective(&filters, &scopes);
            forwards = true;
            powers = powers.and(p);
            if !p.plaintext_handled {
                match require {
                    "ALL" => {}
                    "EXTERNAL_ONLY" => external_only = true,
                    _ => plaintext_forwards = true,
                }
            }
            if !p.allowlist && !rbac {
                let contexts = open.reached(&r.match_);
                if !contexts.is_empty() {
                    let to = a.cluster.as_deref().unwrap_or("its clusters");
                    ctx.report(
                        allow,
                        rules::ADMIN_CONTEXT_EXPOSED,
                        &join(&rc_path, &format!("virtual_hosts[{v}].routes[{i}].match")),
                        format!("this route forwards {} to {to} with no context allowlist, RBAC filter or denying route before it", contexts.join(", ")),
                        "Add context-allowlist (default deny), an RBAC filter, or earlier routes answering these contexts with direct_response 403/404.",
                    );
                }
            }
        }
        if !tls && external_only {
            ctx.report_as(
                allow,
                rules::PLAINTEXT_LISTENER,
                rules::PLAINTEXT_LISTENER.guideline,
                Severity::Note,
                &join(&rc_path, &format!("virtual_hosts[{v}].require_tls")),
                "require_tls EXTERNAL_ONLY redirects only the requests Envoy takes for external: internal ones (x-envoy-internal, internal_address_config) are forwarded in plaintext".into(),
                "Use require_tls: ALL unless internal clients must speak plaintext.",
            );
        }
    }
    if !forwards {
        return Ok(());
    }
    if !tls && plaintext_forwards {
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
            "answers on this HTTPS listener carry no Strict-Transport-Security: no header-hardening filter with HSTS (on every route) and no response_headers_to_add".into(),
            "Add header-hardening (HSTS is on by default) or response_headers_to_add strict-transport-security: max-age=63072000; includeSubDomains.",
        );
    }
    server_header(ctx, allow, path, hcm, powers, rc);
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
    let removed = powers.removes_server || removes_server(rc);
    let neutral = hcm
        .server_name
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty() && !n.eq_ignore_ascii_case("envoy"));
    let name = hcm
        .server_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or("envoy");
    if mode == "OVERWRITE" {
        if !neutral {
            ctx.report(
                allow,
                rules::SERVER_HEADER,
                &p,
                format!("server_header_transformation OVERWRITE (the default) with no neutral server_name: every answer says Server: {name}, and a filter's change to Server is lost"),
                "Set server_header_transformation: PASS_THROUGH with header-hardening removing Server, or a neutral server_name.",
            );
        }
    } else if !removed {
        ctx.report_as(
            allow,
            rules::SERVER_HEADER,
            rules::SERVER_HEADER.guideline,
            Severity::Error,
            &p,
            format!("server_header_transformation {mode} and nothing removes Server: the product's own (WSO2 Carbon Server) reaches clients"),
            "Add header-hardening (its OWASP baseline removes Server) or response_headers_to_remove: [server].",
        );
    } else if mode == "APPEND_IF_ABSENT" && !neutral {
        ctx.report(
            allow,
            rules::SERVER_HEADER,
            &p,
            format!("server_header_transformation APPEND_IF_ABSENT: Server is removed, so Envoy appends its server_name and every answer says Server: {name}"),
            "Use PASS_THROUGH with Server removed, or set a neutral server_name.",
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

/// A deny route's path, as far as it can be read.
enum DenyPath {
    /// `prefix` (or a regex `literal.*`): every path starting with it.
    Prefix(String),
    /// `path_separated_prefix` (or a regex `literal(/.*)?`): it and the paths below it.
    Separated(String),
    /// `path` (or a literal regex): that path only.
    Exact(String),
}

/// A regex that is a literal path, optionally followed by `.*` or `(/.*)?`.
fn regex_path(re: &str) -> Option<DenyPath> {
    let re = re.strip_prefix('^').unwrap_or(re);
    let re = re.strip_suffix('$').unwrap_or(re);
    let (lit, make): (&str, fn(String) -> DenyPath) = if let Some(l) = re.strip_suffix("(/.*)?") {
        (l, DenyPath::Separated)
    } else if let Some(l) = re.strip_suffix(".*") {
        (l, DenyPath::Prefix)
    } else {
        (re, DenyPath::Exact)
    };
    let mut out = String::with_capacity(lit.len());
    let mut chars = lit.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => out.push(e),
                _ => return None,
            },
            '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|' | '^' | '$' => {
                return None;
            }
            c => out.push(c),
        }
    }
    out.starts_with('/').then(|| make(out))
}

fn deny_path(m: &RouteMatch) -> Option<DenyPath> {
    if let Some(p) = &m.prefix {
        Some(DenyPath::Prefix(p.clone()))
    } else if let Some(p) = &m.path_separated_prefix {
        Some(DenyPath::Separated(p.clone()))
    } else if let Some(p) = &m.path {
        Some(DenyPath::Exact(p.clone()))
    } else {
        regex_path(m.safe_regex.as_ref()?.get("regex")?.as_str()?)
    }
}

/// The denying routes of a virtual host seen so far, gathered once as its routes are walked.
#[derive(Default)]
struct OpenContexts {
    /// [`ADMIN_CONTEXTS`] some earlier route answers entirely.
    closed: [bool; ADMIN_CONTEXTS.len()],
    /// Prefixes, separated prefixes and exact paths earlier routes answer.
    prefixes: BTreeSet<String>,
    separated: BTreeSet<String>,
    exact: BTreeSet<String>,
}

impl OpenContexts {
    /// Takes note of route `r`: when it answers itself (direct response or redirect) for every
    /// request of its path (no header, query, runtime or other condition), later routes never
    /// see those paths.
    fn see(&mut self, r: &Route) {
        let answers = r.direct_response.is_some() || r.redirect.is_some();
        if !answers || r.match_.has_extra_conditions() {
            return;
        }
        let Some(d) = deny_path(&r.match_) else {
            return;
        };
        for (k, c) in ADMIN_CONTEXTS.iter().enumerate() {
            let covers = match &d {
                DenyPath::Prefix(p) => c.starts_with(p.as_str()),
                DenyPath::Separated(p) => {
                    c.strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
                        || p == "/"
                }
                DenyPath::Exact(_) => false,
            };
            if let Some(slot) = self.closed.get_mut(k) {
                *slot |= covers;
            }
        }
        match d {
            DenyPath::Prefix(p) => self.prefixes.insert(p),
            DenyPath::Separated(p) => self.separated.insert(p),
            DenyPath::Exact(p) => self.exact.insert(p),
        };
    }

    /// Whether the earlier routes answer every path a route with the path `q` sees (`exact`: a
    /// `path` match; otherwise a prefix).
    fn covered(&self, q: &str, exact: bool) -> bool {
        if exact && self.exact.contains(q) {
            return true;
        }
        q.char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain(std::iter::once(q.len()))
            .any(|i| {
                let Some(pre) = q.get(..i) else { return false };
                let next = q.get(i..).and_then(|t| t.chars().next());
                self.prefixes.contains(pre)
                    || (self.separated.contains(pre)
                        && (next == Some('/') || (exact && next.is_none())))
            })
    }

    /// The admin contexts a forwarding route with match `m` still sees.
    fn reached(&self, m: &RouteMatch) -> Vec<&'static str> {
        let own = m.path.as_deref().map(|p| (p, true)).or_else(|| {
            m.prefix
                .as_deref()
                .or(m.path_separated_prefix.as_deref())
                .map(|p| (p, false))
        });
        ADMIN_CONTEXTS
            .iter()
            .enumerate()
            .filter(|(k, c)| {
                reaches(m, c)
                    && !self.closed.get(*k).copied().unwrap_or(false)
                    && !own.is_some_and(|(q, exact)| q.starts_with(*c) && self.covered(q, exact))
            })
            .map(|(_, c)| *c)
            .collect()
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
        let custom = [
            "log_format",
            "format",
            "json_format",
            "typed_json_format",
            "text_format",
            "text_format_source",
        ]
        .iter()
        .any(|key| has_key(tc, key));
        let lpath = join(path, &format!("access_log[{k}].typed_config"));
        if let Some(src) =
            find_key(tc, "text_format_source").filter(|src| src.get("inline_string").is_none())
        {
            let from = ["filename", "environment_variable", "inline_bytes"]
                .iter()
                .find(|k| src.get(**k).is_some())
                .unwrap_or(&"a data source");
            ctx.report(
                allow,
                rules::NOT_CHECKED,
                &lpath,
                format!("this access log's format comes from text_format_source.{from}: whether it carries a request id was not checked"),
                "Make sure the format has %REQ(X-REQUEST-ID)%, or inline it (text_format_source.inline_string).",
            );
            continue;
        }
        let text = tc.to_string().to_ascii_uppercase();
        if custom && !REQUEST_IDS.iter().any(|id| text.contains(id)) {
            ctx.report(
                allow,
                rules::ACCESS_LOG_REQUEST_ID,
                &lpath,
                "this access log's format has no request id: its lines cannot be tied to the filters' log lines, and forged lines cannot be told apart".into(),
                "Add request_id: \"%REQ(X-REQUEST-ID)%\" (with generate_request_id) to the format.",
            );
        }
    }
}

/// The first value under `key` anywhere in `v`.
fn find_key<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m
            .get(key)
            .or_else(|| m.values().find_map(|x| find_key(x, key))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

fn has_key(v: &Value, key: &str) -> bool {
    match v {
        Value::Object(m) => m.contains_key(key) || m.values().any(|x| has_key(x, key)),
        Value::Array(a) => a.iter().any(|x| has_key(x, key)),
        _ => false,
    }
}
