//! The compiled header-hardening plan: built once from the plugin configuration in
//! `on_configure`, then shared read-only by every HTTP context.

use super::config::{
    Baseline, CacheConfig, HeaderHardeningConfig, HeaderRule, HstsConfig, SameSite,
    VirtualHostConfig, WeakValues,
};
use super::cookies::CookieRulePlan;
use super::owasp::{self, BaselineAction};
use super::session::SessionPlan;
use super::validate::InputPlan;
use crate::error::{ConfigError, ConfigErrorKind, parse_json};
use crate::field_path::FieldPath;
use crate::globs::{GlobMode, PathGlobs};
use crate::vhost::VirtualHosts;

use super::values::{RESERVED, bad_value, check_clear_site_data, check_value, is_tchar};

/// The immutable plan of the `header-hardening` filter.
#[derive(Debug, Clone)]
pub struct HeaderPlan {
    pub(super) trust_forwarded_proto: bool,
    pub(super) hosts: VirtualHosts<HostPlan>,
    /// The rules for answers to requests that named no configured host (or a malformed one).
    pub(super) default_host: HostPlan,
}

/// What a rule does to its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RuleAction {
    Set(Vec<u8>),
    Default(Vec<u8>),
    Remove,
}

/// One compiled header rule; `name` is lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rule {
    pub(super) name: String,
    pub(super) action: RuleAction,
}

/// A path-specific rule list (already merged with the virtual host's).
#[derive(Debug, Clone)]
pub(super) struct RoutePlan {
    pub(super) paths: PathGlobs,
    pub(super) rules: Vec<Rule>,
}

/// The compiled cache settings.
#[derive(Debug, Clone)]
pub(super) struct CachePlan {
    pub(super) no_store: PathGlobs,
    pub(super) public: PathGlobs,
    pub(super) every_dynamic_response: bool,
    pub(super) no_store_value: Vec<u8>,
    pub(super) public_cache_control: Option<Vec<u8>>,
    pub(super) on_set_cookie: bool,
    pub(super) on_authorization: bool,
}

/// The compiled rules of one virtual host.
#[derive(Debug, Clone)]
pub(super) struct HostPlan {
    pub(super) index: usize,
    pub(super) name: String,
    /// The HSTS value to send on TLS connections, or `None` when disabled.
    pub(super) hsts: Option<Vec<u8>>,
    pub(super) rules: Vec<Rule>,
    pub(super) routes: Vec<RoutePlan>,
    pub(super) cache: CachePlan,
    pub(super) logout: Option<(PathGlobs, Vec<u8>)>,
    pub(super) cookies: Vec<CookieRulePlan>,
    pub(super) session: SessionPlan,
    pub(super) input: Option<InputPlan>,
    pub(super) weak_values: WeakValues,
}

impl HeaderPlan {
    /// Parses and compiles a plugin configuration from JSON bytes; errors carry the line.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the field (see [`HeaderPlan::compile`]).
    pub fn from_json(json: &[u8]) -> Result<Self, ConfigError> {
        let config: HeaderHardeningConfig = parse_json(json)?;
        Self::compile(&config).map_err(|e| e.located_in(json))
    }

    /// Compiles a parsed configuration.
    ///
    /// # Errors
    /// [`ConfigErrorKind::InvalidHeaderName`] for a header that is not a token or is reserved;
    /// [`ConfigErrorKind::InvalidHeaderValue`] for a value with CR, LF or another control
    /// character; [`ConfigErrorKind::Contradiction`] for a rule with other than one of
    /// `set`/`default`/`remove`, two rules for one header, `preload` without its requirements
    /// or `SameSite=None` without `Secure`; [`ConfigErrorKind::InvalidGlob`],
    /// [`ConfigErrorKind::InvalidDomain`], [`ConfigErrorKind::InvalidRegex`],
    /// [`ConfigErrorKind::InvalidStatus`], [`ConfigErrorKind::OutOfRange`] and
    /// [`ConfigErrorKind::Empty`] for the entry that is wrong.
    pub fn compile(config: &HeaderHardeningConfig) -> Result<Self, ConfigError> {
        let vpath = FieldPath::root().key("virtual_hosts");
        let mut compiled = Vec::with_capacity(config.virtual_hosts.len());
        for (i, vh) in config.virtual_hosts.iter().enumerate() {
            compiled.push((vh.domains.clone(), compile_host(&vpath.index(i), i, vh)?));
        }
        let dpath = FieldPath::root().key("default_host");
        let default_host = match &config.default_host {
            Some(d) if !d.domains.is_empty() => {
                return Err(ConfigError::at(
                    dpath.key("domains"),
                    ConfigErrorKind::Contradiction(
                        "the default host answers requests no virtual host names: it has no domains"
                            .into(),
                    ),
                ));
            }
            Some(d) => compile_host(&dpath, usize::MAX, d)?,
            None => compile_host(&dpath, usize::MAX, &VirtualHostConfig::fallback())?,
        };
        Ok(Self {
            trust_forwarded_proto: config.trust_forwarded_proto,
            hosts: VirtualHosts::build(&vpath, compiled)?,
            default_host,
        })
    }

    /// The rules for the request `facts` describe: its virtual host's, or the default host's.
    pub(super) fn host_for(&self, facts: &super::facts::RequestFacts) -> &HostPlan {
        facts
            .host
            .and_then(|i| self.hosts.values().nth(i))
            .unwrap_or(&self.default_host)
    }

    /// The name of the virtual host that answers the request `facts` describe (for logs):
    /// a configured one's, or `default`.
    pub fn host_name(&self, facts: &super::facts::RequestFacts) -> &str {
        &self.host_for(facts).name
    }
}

fn compile_host(
    path: &FieldPath,
    index: usize,
    vh: &VirtualHostConfig,
) -> Result<HostPlan, ConfigError> {
    let own = compile_rules(&path.key("headers"), &vh.headers)?;
    let base: Vec<Rule> = match vh.baseline {
        Baseline::Owasp => baseline_rules(),
        Baseline::None => Vec::new(),
    };
    let rules = overlay(&base, &own);
    let mut routes = Vec::with_capacity(vh.routes.len());
    for (i, r) in vh.routes.iter().enumerate() {
        let rpath = path.key("routes").index(i);
        if r.paths.is_empty() {
            return Err(ConfigError::at(rpath.key("paths"), ConfigErrorKind::Empty));
        }
        let paths = PathGlobs::compile(&rpath.key("paths"), &r.paths, GlobMode::Endpoint)?;
        let route_rules = compile_rules(&rpath.key("headers"), &r.headers)?;
        routes.push(RoutePlan {
            paths,
            rules: overlay(&rules, &route_rules),
        });
    }
    let logout = match &vh.logout {
        Some(l) => {
            let lpath = path.key("logout");
            if l.paths.is_empty() {
                return Err(ConfigError::at(lpath.key("paths"), ConfigErrorKind::Empty));
            }
            let globs = PathGlobs::compile(&lpath.key("paths"), &l.paths, GlobMode::Endpoint)?;
            check_clear_site_data(&l.clear_site_data).map_err(|reason| {
                bad_value(lpath.key("clear_site_data"), "clear-site-data", reason)
            })?;
            Some((globs, l.clear_site_data.as_bytes().to_vec()))
        }
        None => None,
    };
    let mut cookies = Vec::with_capacity(vh.cookies.len());
    for (i, rule) in vh.cookies.iter().enumerate() {
        let cpath = path.key("cookies").index(i);
        if rule.same_site == Some(SameSite::None) && !rule.secure {
            return Err(ConfigError::at(
                cpath.key("same_site"),
                ConfigErrorKind::Contradiction(
                    "SameSite=None needs `secure: true` (browsers drop it otherwise)".into(),
                ),
            ));
        }
        cookies.push(CookieRulePlan::compile(&cpath, rule)?);
    }
    let session = SessionPlan::compile(&path.key("session_cookies"), &vh.session_cookies)?;
    let input = vh
        .input_validation
        .as_ref()
        .map(|iv| InputPlan::compile(&path.key("input_validation"), iv))
        .transpose()?;
    Ok(HostPlan {
        index,
        name: vh
            .name
            .clone()
            .or_else(|| vh.domains.first().cloned())
            .unwrap_or_default(),
        hsts: compile_hsts(&path.key("hsts"), &vh.hsts)?,
        rules,
        routes,
        cache: compile_cache(&path.key("cache"), &vh.cache)?,
        logout,
        cookies,
        session,
        input,
        weak_values: vh.weak_upstream_values,
    })
}

fn baseline_rules() -> Vec<Rule> {
    let add = owasp::ADD.iter().map(|(name, value, action)| Rule {
        name: (*name).to_owned(),
        action: match action {
            BaselineAction::Set => RuleAction::Set(value.as_bytes().to_vec()),
            BaselineAction::Default => RuleAction::Default(value.as_bytes().to_vec()),
        },
    });
    let remove = owasp::REMOVE.iter().map(|name| Rule {
        name: (*name).to_owned(),
        action: RuleAction::Remove,
    });
    add.chain(remove).collect()
}

/// `base` with every rule of `top` replacing the one for the same header (or appended).
fn overlay(base: &[Rule], top: &[Rule]) -> Vec<Rule> {
    let mut out: Vec<Rule> = base
        .iter()
        .filter(|b| !top.iter().any(|t| t.name == b.name))
        .cloned()
        .collect();
    out.extend(top.iter().cloned());
    out
}

fn compile_rules(path: &FieldPath, rules: &[HeaderRule]) -> Result<Vec<Rule>, ConfigError> {
    let mut out: Vec<Rule> = Vec::with_capacity(rules.len());
    for (i, r) in rules.iter().enumerate() {
        let here = path.index(i);
        let name = r.name.to_ascii_lowercase();
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(ConfigError::at(
                here.key("name"),
                ConfigErrorKind::InvalidHeaderName(r.name.clone()),
            ));
        }
        if let Some((_, why)) = RESERVED.iter().find(|(n, _)| *n == name) {
            return Err(ConfigError::at(
                here.key("name"),
                ConfigErrorKind::InvalidHeaderName(format!("{} ({why})", r.name)),
            ));
        }
        if let Some(j) = out.iter().position(|o| o.name == name) {
            return Err(ConfigError::at(
                here.key("name"),
                ConfigErrorKind::Contradiction(format!(
                    "header '{}' already has a rule at `{}`",
                    r.name,
                    path.index(j)
                )),
            ));
        }
        let action = match (&r.set, &r.default, r.remove) {
            (Some(v), None, false) => {
                check_value(v).map_err(|why| bad_value(here.key("set"), &r.name, why))?;
                RuleAction::Set(v.as_bytes().to_vec())
            }
            (None, Some(v), false) => {
                check_value(v).map_err(|why| bad_value(here.key("default"), &r.name, why))?;
                RuleAction::Default(v.as_bytes().to_vec())
            }
            (None, None, true) => RuleAction::Remove,
            _ => {
                return Err(ConfigError::at(
                    here,
                    ConfigErrorKind::Contradiction(format!(
                        "the rule for '{}' must have exactly one of `set`, `default` or `remove: true`",
                        r.name
                    )),
                ));
            }
        };
        out.push(Rule { name, action });
    }
    Ok(out)
}

fn compile_hsts(path: &FieldPath, h: &HstsConfig) -> Result<Option<Vec<u8>>, ConfigError> {
    if !h.enabled {
        return Ok(None);
    }
    if h.preload && (!h.include_subdomains || h.max_age < 31_536_000) {
        return Err(ConfigError::at(
            path.key("preload"),
            ConfigErrorKind::Contradiction(
                "preload needs include_subdomains and a max_age of at least 31536000".into(),
            ),
        ));
    }
    let mut value = format!("max-age={}", h.max_age);
    if h.include_subdomains {
        value.push_str("; includeSubDomains");
    }
    if h.preload {
        value.push_str("; preload");
    }
    Ok(Some(value.into_bytes()))
}

fn compile_cache(path: &FieldPath, c: &CacheConfig) -> Result<CachePlan, ConfigError> {
    check_value(&c.no_store_value)
        .map_err(|why| bad_value(path.key("no_store_value"), "cache-control", why))?;
    if !super::respond::has_directive(c.no_store_value.as_bytes(), b"no-store") {
        return Err(bad_value(
            path.key("no_store_value"),
            "cache-control",
            "must carry the no-store directive",
        ));
    }
    let public_cache_control = match &c.public_cache_control {
        Some(v) => {
            check_value(v)
                .map_err(|why| bad_value(path.key("public_cache_control"), "cache-control", why))?;
            Some(v.as_bytes().to_vec())
        }
        None => None,
    };
    Ok(CachePlan {
        every_dynamic_response: c.every_dynamic_response,
        no_store_value: c.no_store_value.as_bytes().to_vec(),
        public_cache_control,
        no_store: PathGlobs::compile(
            &path.key("no_store_paths"),
            &c.no_store_paths,
            GlobMode::Endpoint,
        )?,
        public: PathGlobs::compile(
            &path.key("public_paths"),
            &c.public_paths,
            GlobMode::Endpoint,
        )?,
        on_set_cookie: c.on_set_cookie,
        on_authorization: c.on_authorization,
    })
}
