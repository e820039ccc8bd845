//! Wasm filters: fail-open policies, several filters in one VM, and our filters' plugin
//! configurations checked with [`policies::check::check`] exactly as `on_configure` does.
//! What our filters do for the other rules (HSTS, the `Server` header, the allowlist, the
//! plaintext redirect) is read from their configuration here ([`Powers`]).
//!
//! Envoy facts (design.md, verified on 1.40): `FAIL_OPEN` lets later requests bypass the
//! filter after a trap; filters with the same `vm_config` (vm_id and code) share one VM, so one
//! trap breaks them all.

use std::collections::BTreeMap;

use serde_json::Value;

use super::rules;
use super::view::Wasm;
use super::{Allow, Ctx, http, join};

/// What our filters in a chain do, as far as the other rules care.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Powers {
    /// An enforcing context allowlist decides every path (N6, N7; normalises paths itself). The
    /// admin paths it lets through are reported at the filter ([`check_config`]), so the routes
    /// behind it are not reported again.
    pub allowlist: bool,
    /// header-hardening sends HSTS on TLS (P11).
    pub hsts: bool,
    /// header-hardening removes or replaces the upstream's `Server` header (P10).
    pub removes_server: bool,
    /// tls-guard redirects or refuses plaintext requests.
    pub plaintext_handled: bool,
}

impl Powers {
    /// Both sets of powers.
    pub fn or(self, o: Powers) -> Powers {
        Powers {
            allowlist: self.allowlist || o.allowlist,
            hsts: self.hsts || o.hsts,
            removes_server: self.removes_server || o.removes_server,
            plaintext_handled: self.plaintext_handled || o.plaintext_handled,
        }
    }

    /// The powers both have (what holds on every route of a set).
    pub fn and(self, o: Powers) -> Powers {
        Powers {
            allowlist: self.allowlist && o.allowlist,
            hsts: self.hsts && o.hsts,
            removes_server: self.removes_server && o.removes_server,
            plaintext_handled: self.plaintext_handled && o.plaintext_handled,
        }
    }

    /// Every power (the start of [`Powers::and`] over a set of routes).
    pub fn all() -> Powers {
        Powers {
            allowlist: true,
            hsts: true,
            removes_server: true,
            plaintext_handled: true,
        }
    }
}

/// One Wasm filter of the file, for the shared-VM rule.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Its `typed_config` path.
    pub path: String,
    /// `vm_id` and code: filters with equal keys share one VM.
    pub vm: (String, String),
    /// `root_id` and configuration: equal for the same filter repeated on several listeners.
    pub identity: (String, String),
    /// The suppressions in scope.
    pub allow: Vec<Allow>,
}

/// The module name in a Wasm module's file name or URL: the scheme stripped, then the last
/// path segment without its `@digest`, `:tag` and `.wasm` (`oci://reg:5000/tls-guard:0.1.0`,
/// `file:///x/tls_guard.wasm` and `oci://reg/tls-guard@sha256:...` all give `tls-guard` or
/// `tls_guard`).
pub fn module_name(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let last = rest.rsplit('/').next().unwrap_or(rest);
    let last = last.split('@').next().unwrap_or(last);
    let last = last.split(':').next().unwrap_or(last);
    last.strip_suffix(".wasm").unwrap_or(last)
}

/// Which of our filters a Wasm filter is, from its root id, name or module (a file name or URL,
/// see [`module_name`]).
pub fn kind_of(root_id: &str, name: &str, module: &str) -> Option<&'static str> {
    let known = |s: &str| {
        let s = s.replace('_', "-");
        policies::check::FILTERS.iter().copied().find(|f| s == *f)
    };
    known(root_id)
        .or_else(|| known(name))
        .or_else(|| known(module_name(module)))
}

/// Lints the Wasm filter whose `typed_config` is at `path`; returns what it does and its VM.
pub fn lint_filter(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, w: &Wasm) -> (Powers, Instance) {
    let c = &w.config;
    let code = c.vm_config.code.to_string();
    let module = ["/local/filename", "/remote/http_uri/uri"]
        .iter()
        .find_map(|p| c.vm_config.code.pointer(p).and_then(Value::as_str))
        .unwrap_or("");
    let kind = kind_of(&c.root_id, &c.name, module);
    let cpath = join(path, "config");
    let label = kind.unwrap_or("a Wasm filter");
    if c.failure_policy.as_deref() == Some("FAIL_OPEN") {
        fail_open(ctx, allow, &join(&cpath, "failure_policy"), label);
    } else if c.fail_open {
        fail_open(ctx, allow, &join(&cpath, "fail_open"), label);
    }
    let (text, text_path) = match &c.configuration {
        Some(v) => match v.get("value") {
            Some(Value::String(s)) => (s.clone(), join(&cpath, "configuration.value")),
            _ => (v.to_string(), join(&cpath, "configuration")),
        },
        None => (String::new(), join(&cpath, "configuration")),
    };
    // Without a configuration the filter starts unconfigured (and refuses every request): not a
    // configuration error.
    let powers = match kind {
        Some(k) if !text.is_empty() => check_config(ctx, allow, &text_path, k, text.as_bytes()),
        _ => Powers::default(),
    };
    let instance = Instance {
        path: path.to_owned(),
        vm: (c.vm_config.vm_id.clone(), code),
        identity: (c.root_id.clone(), text),
        allow: allow.to_vec(),
    };
    (powers, instance)
}

/// Reports a fail-open Wasm filter at `path`.
pub fn fail_open(ctx: &mut Ctx<'_>, allow: &[Allow], path: &str, label: &str) {
    ctx.report(
        allow,
        rules::WASM_FAIL_OPEN,
        path,
        format!("{label} fails open: after a trap, requests bypass it"),
        "Use FAIL_RELOAD (503 for that request, the VM reloaded) or the default FAIL_CLOSED.",
    );
}

/// Checks `json` as the plugin configuration of `kind` (found at `path`) and reads its powers.
/// A filter (or a section of the combined filter) in shadow mode gets no powers and a note; an
/// allowlist that lets an admin context through is reported here (`admin-context-exposed`).
pub fn check_config(
    ctx: &mut Ctx<'_>,
    allow: &[Allow],
    path: &str,
    kind: &'static str,
    json: &[u8],
) -> Powers {
    if let Err(e) = policies::check::check(kind, json) {
        let why = e.map_or_else(|| "unknown filter".to_owned(), |e| e.to_string());
        ctx.report(
            allow,
            rules::PLUGIN_CONFIG_INVALID,
            path,
            format!("{kind} refuses this plugin configuration and would not start: {why}"),
            "Fix the configuration (cargo xtask check-config, or start from a preset in policies/presets/).",
        );
        return Powers::default();
    }
    let v: Value = serde_json::from_slice(json).unwrap_or(Value::Null);
    let mut reading = Reading::default();
    let powers = read(kind, kind, &v, &mut reading);
    for label in &reading.shadow {
        ctx.report(
            allow,
            rules::FILTER_SHADOW_MODE,
            path,
            format!("{label} runs in shadow mode (\"mode\": \"shadow\"): it only observes and refuses nothing, so it counts for no other rule (allowlist, HSTS, Server, plaintext redirect)"),
            "Set \"mode\": \"enforce\" once its shadow denials have been reviewed.",
        );
    }
    ctx.allowlists
        .extend(reading.allowlists.drain(..).map(|a| (path.to_owned(), a)));
    if !reading.leaks.is_empty() {
        ctx.report(
            allow,
            rules::ADMIN_CONTEXT_EXPOSED,
            path,
            format!(
                "{kind}'s context allowlist lets admin contexts through: {}",
                reading.leaks.join(", ")
            ),
            "Add the admin contexts to the virtual hosts' deny lists (and keep them out of allow), as the presets in policies/presets/context-allowlist/ do.",
        );
    }
    powers
}

/// What [`read`] found beside the powers.
#[derive(Default)]
struct Reading {
    /// The filters or sections in shadow mode.
    shadow: Vec<String>,
    /// Admin paths an enforcing allowlist lets through.
    leaks: Vec<String>,
    /// The enforcing allowlists (a single filter's, or the combined filter's section).
    allowlists: Vec<AllowlistProbe>,
}

/// Whether a filter's (or section's) configuration says `"mode": "shadow"`.
fn is_shadow(v: &Value) -> bool {
    v.get("mode").and_then(Value::as_str) == Some("shadow")
}

/// What a valid plugin configuration of `kind` does (`label` names it in notes).
fn read(kind: &str, label: &str, v: &Value, out: &mut Reading) -> Powers {
    if kind != "gateway-hardening" && is_shadow(v) {
        out.shadow.push(label.to_owned());
        return Powers::default();
    }
    match kind {
        "context-allowlist" => {
            if let Some(probe) = AllowlistProbe::new(v) {
                out.leaks.extend(probe.admin_leaks());
                out.allowlists.push(probe);
            }
            Powers {
                allowlist: true,
                ..Powers::default()
            }
        }
        "header-hardening" => header_powers(v),
        "tls-guard" => tls_powers(v),
        "gateway-hardening" => ["header_hardening", "tls_guard", "context_allowlist"]
            .iter()
            .filter_map(|k| Some((*k, v.get(*k).filter(|s| !s.is_null())?)))
            .fold(Powers::default(), |p, (k, s)| {
                let label = format!("gateway-hardening's {k} section");
                p.or(read(&k.replace('_', "-"), &label, s, out))
            }),
        _ => Powers::default(),
    }
}

/// What a valid plugin configuration of `kind` does (no credit for a filter or section in
/// shadow mode).
pub fn powers(kind: &str, v: &Value) -> Powers {
    read(kind, kind, v, &mut Reading::default())
}

/// A host each of the allowlist's virtual hosts answers (its first domain, made concrete).
fn probe_hosts(v: &Value) -> Vec<String> {
    v.get("virtual_hosts")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|h| h.pointer("/domains/0").and_then(Value::as_str))
                .map(|d| {
                    if d == "*" {
                        "probe.example".to_owned()
                    } else if let Some(suffix) = d.strip_prefix('*') {
                        format!("probe{suffix}")
                    } else if let Some(prefix) = d.strip_suffix('*') {
                        format!("{prefix}probe")
                    } else {
                        d.to_owned()
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An enforcing context allowlist compiled as the filter compiles it, with a host each of its
/// virtual hosts answers: the rules ask it whether a path gets through.
pub struct AllowlistProbe {
    plan: policies::allowlist::AllowlistPlan,
    hosts: Vec<String>,
}

impl AllowlistProbe {
    /// Compiles the allowlist configuration `v`; `None` when the filter would refuse it (that
    /// is reported as `plugin-config-invalid`).
    fn new(v: &Value) -> Option<Self> {
        let json = serde_json::to_vec(v).ok()?;
        let plan = policies::allowlist::AllowlistPlan::from_json(&json).ok()?;
        Some(Self {
            plan,
            hosts: probe_hosts(v),
        })
    }

    /// Whether a `GET path` from outside (https, no client certificate) to `host` gets through.
    fn allows(&self, host: &str, path: &str) -> bool {
        use policies::allowlist::Decision;
        let head = vec![
            (":method".to_owned(), b"GET".to_vec()),
            (":scheme".to_owned(), b"https".to_vec()),
            (":path".to_owned(), path.as_bytes().to_vec()),
            (":authority".to_owned(), host.as_bytes().to_vec()),
        ];
        let attrs = policies::attributes::AttributeTable::default();
        let d = self
            .plan
            .decide(&policies::request::RequestHead::new(&head), &attrs);
        matches!(d, Decision::Allow(_) | Decision::InspectBody { .. })
    }

    /// Whether `GET path` is refused on one of its virtual hosts.
    pub fn refuses(&self, path: &str) -> bool {
        self.hosts.iter().any(|h| !self.allows(h, path))
    }

    /// The admin paths (`/carbon`, `/carbon/x`, ...) it lets through, named with their host
    /// when it has several.
    fn admin_leaks(&self) -> Vec<String> {
        let mut out = Vec::new();
        for host in &self.hosts {
            for c in http::ADMIN_CONTEXTS {
                for target in [(*c).to_owned(), format!("{c}/x")] {
                    if self.allows(host, &target) {
                        out.push(if self.hosts.len() > 1 {
                            format!("{target} (host {host})")
                        } else {
                            target
                        });
                        break;
                    }
                }
            }
        }
        out
    }
}

fn hosts(v: &Value) -> Vec<&Value> {
    let mut out: Vec<&Value> = v
        .get("virtual_hosts")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    out.extend(v.get("default_host").filter(|d| !d.is_null()));
    out
}

fn header_powers(v: &Value) -> Powers {
    let hs = hosts(v);
    // Without any host the built-in default host applies: OWASP baseline and HSTS.
    let hsts = hs.is_empty()
        || hs
            .iter()
            .any(|h| h.pointer("/hsts/enabled").and_then(Value::as_bool) != Some(false));
    let removes_server = hs.is_empty()
        || hs.iter().any(|h| {
            h.get("baseline").and_then(Value::as_str) != Some("none")
                || h.get("headers").and_then(Value::as_array).is_some_and(|a| {
                    a.iter().any(|r| {
                        r.get("name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case("server"))
                    })
                })
        });
    Powers {
        hsts,
        removes_server,
        ..Powers::default()
    }
}

fn tls_powers(v: &Value) -> Powers {
    // `plaintext` defaults to deny.
    let plaintext_handled = hosts(v)
        .iter()
        .any(|h| h.get("plaintext").and_then(Value::as_str) != Some("allow"));
    Powers {
        plaintext_handled,
        ..Powers::default()
    }
}

/// Reports Wasm filters that differ but share one VM (same `vm_id` and code).
pub fn shared_vms(ctx: &mut Ctx<'_>, instances: &[Instance]) {
    let mut by_vm: BTreeMap<&(String, String), Vec<&Instance>> = BTreeMap::new();
    for i in instances {
        by_vm.entry(&i.vm).or_default().push(i);
    }
    for group in by_vm.values() {
        let Some(first) = group.first() else { continue };
        for other in group
            .iter()
            .skip(1)
            .filter(|o| o.identity != first.identity)
        {
            ctx.report(
                &other.allow,
                rules::WASM_SHARED_VM,
                &other.path,
                format!(
                    "this filter shares its VM (vm_id \"{}\", same code) with the different filter at {}: a trap in one stops both",
                    first.vm.0, first.path
                ),
                "Give each filter its own vm_config.vm_id.",
            );
        }
    }
}
