//! The compiled allowlist: built once from the plugin configuration in `on_configure`, then
//! shared read-only by every HTTP context.

use ipnet::IpNet;

use super::body::CredentialBodies;
use super::config::{AllowlistConfig, Credential, Mode, OverridePolicy};
use super::tails::{self, Tail};
use crate::error::{ConfigError, ConfigErrorKind, parse_json};
use crate::field_path::FieldPath;
use crate::globs::{GlobMode, PathGlobs};
use crate::mutant::{Mutant, Mutation};
use crate::peer::PeerAllowlist;
use crate::routing::RoutingModel;
use crate::vhost::VirtualHosts;

/// The immutable plan of the `context-allowlist` filter.
#[derive(Debug, Clone)]
pub struct AllowlistPlan {
    pub(super) mode: Mode,
    pub(super) deny_status: u16,
    pub(super) default_credentials: Vec<Credential>,
    pub(super) max_target_bytes: usize,
    pub(super) method_override: OverridePolicy,
    pub(super) credential_bodies: CredentialBodies,
    pub(super) hosts: VirtualHosts<HostPlan>,
    /// The rule a test build switches off (none in a shipped build).
    pub(super) mutation: Mutation,
}

/// What `method_override: strip` removes from a request: the override headers present and,
/// when the query held `_method`, the new `:path`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverrideStrip {
    /// Header names to remove (lower-case).
    pub headers: Vec<&'static str>,
    /// The request target without its `_method` parameters.
    pub path: Option<String>,
}

/// The compiled rules of one virtual host.
#[derive(Debug, Clone)]
pub(super) struct HostPlan {
    pub(super) allow: PathGlobs,
    /// Per allow pattern, the methods it admits (`None`: all).
    pub(super) allow_methods: Vec<Option<Vec<String>>>,
    /// Per allow pattern, where its `**` tail starts.
    pub(super) allow_tails: Vec<Tail>,
    /// The allow patterns as written, for explanations.
    pub(super) allow_patterns: Vec<String>,
    /// Context roots and admin contexts a `**` tail may not reach into (lower-case, sorted and
    /// deduplicated: `tails::context_roots`).
    pub(super) roots: Vec<String>,
    pub(super) deny: PathGlobs,
    /// The deny patterns as written, for explanations.
    pub(super) deny_patterns: Vec<String>,
    /// The product's routing layers behind this host.
    pub(super) routing: RoutingModel,
    /// `virtual_hosts[i]`, for explanations.
    pub(super) field: String,
    pub(super) internal_sources: Vec<IpNet>,
    pub(super) internal_clients: Option<PeerAllowlist>,
}

impl AllowlistPlan {
    /// Parses and compiles a plugin configuration from JSON bytes; errors carry the line.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the field (see [`AllowlistPlan::compile`] and
    /// [`crate::error::parse_json`]).
    pub fn from_json(json: &[u8]) -> Result<Self, ConfigError> {
        let config: AllowlistConfig = parse_json(json)?;
        Self::compile(&config).map_err(|e| e.located_in(json))
    }

    /// Compiles a parsed configuration.
    ///
    /// # Errors
    /// [`ConfigErrorKind::InvalidStatus`] for a `deny_status` other than 403 or 404;
    /// [`ConfigErrorKind::Empty`] for no virtual hosts or an empty `allow`;
    /// [`ConfigErrorKind::InvalidGlob`], [`ConfigErrorKind::InvalidDomain`],
    /// [`ConfigErrorKind::InvalidCidr`], [`ConfigErrorKind::InvalidMethod`],
    /// [`ConfigErrorKind::InvalidDigest`] for the entry that is wrong;
    /// [`ConfigErrorKind::OutOfRange`] for a credential user name holding `:` or a
    /// `max_target_bytes` outside 256 to 65536.
    pub fn compile(config: &AllowlistConfig) -> Result<Self, ConfigError> {
        let root = FieldPath::root();
        if !matches!(config.deny_status, 403 | 404) {
            return Err(ConfigError::at(
                root.key("deny_status"),
                ConfigErrorKind::InvalidStatus {
                    status: config.deny_status,
                    allowed: "403 or 404",
                },
            ));
        }
        if !(256..=65536).contains(&config.max_target_bytes) {
            return Err(ConfigError::at(
                root.key("max_target_bytes"),
                ConfigErrorKind::OutOfRange {
                    what: "max_target_bytes",
                    range: "256 to 65536".into(),
                },
            ));
        }
        for (i, c) in config.default_credentials.iter().enumerate() {
            if c.username.contains(':') || c.username.is_empty() {
                return Err(ConfigError::at(
                    root.key("default_credentials").index(i).key("username"),
                    ConfigErrorKind::OutOfRange {
                        what: "username",
                        range: "non-empty, without ':' (RFC 7617)".into(),
                    },
                ));
            }
        }
        #[cfg(feature = "mutants")]
        let mutation = Mutation::of(config.mutant);
        #[cfg(not(feature = "mutants"))]
        let mutation = Mutation::NONE;
        let vpath = root.key("virtual_hosts");
        let mut compiled = Vec::with_capacity(config.virtual_hosts.len());
        for (i, vh) in config.virtual_hosts.iter().enumerate() {
            compiled.push((
                vh.domains.clone(),
                compile_host(&vpath.index(i), vh, mutation)?,
            ));
        }
        let default_credentials = if mutation.disables(Mutant::DefaultCredentials) {
            Vec::new()
        } else {
            config.default_credentials.clone()
        };
        Ok(Self {
            mode: config.mode,
            deny_status: config.deny_status,
            default_credentials,
            max_target_bytes: config.max_target_bytes,
            method_override: config.method_override,
            credential_bodies: CredentialBodies::compile(
                &root.key("credential_bodies"),
                &config.credential_bodies,
            )?,
            hosts: VirtualHosts::build(&vpath, compiled)?,
            mutation,
        })
    }

    /// Whether denials are enforced or only observed.
    pub fn mode(&self) -> Mode {
        self.mode
    }
}

fn compile_host(
    path: &FieldPath,
    vh: &super::config::VirtualHostConfig,
    mutation: Mutation,
) -> Result<HostPlan, ConfigError> {
    if vh.allow.is_empty() {
        return Err(ConfigError::at(path.key("allow"), ConfigErrorKind::Empty));
    }
    let allow_paths: Vec<String> = vh.allow.iter().map(|r| r.path.clone()).collect();
    let allow = PathGlobs::compile(&path.key("allow"), &allow_paths, GlobMode::Exact)
        .map_err(|e| nest_rule_error(e, path, &vh.allow))?;
    for (i, rule) in vh.allow.iter().enumerate() {
        for (j, m) in rule.methods.iter().flatten().enumerate() {
            if m.is_empty() || !m.bytes().all(is_tchar) {
                return Err(ConfigError::at(
                    path.key("allow").index(i).key("methods").index(j),
                    ConfigErrorKind::InvalidMethod(m.clone()),
                ));
            }
        }
        if rule.methods.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError::at(
                path.key("allow").index(i).key("methods"),
                ConfigErrorKind::Empty,
            ));
        }
    }
    let deny = PathGlobs::compile(&path.key("deny"), &vh.deny, deny_mode(mutation))?;
    let internal_sources = vh
        .internal_sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            parse_cidr(s).ok_or_else(|| {
                ConfigError::at(
                    path.key("internal_sources").index(i),
                    ConfigErrorKind::InvalidCidr(s.clone()),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let internal_clients = vh
        .internal_clients
        .as_ref()
        .map(|c| PeerAllowlist::compile(&path.key("internal_clients"), c))
        .transpose()?;
    let routing = RoutingModel::compile(
        &path.key("product_routing"),
        vh.product_routing.as_ref().map(|r| &r.0),
    )?;
    let roots = tails::context_roots(
        allow_paths.iter().map(String::as_str),
        vh.deny.iter().map(String::as_str),
        routing.context_roots(),
    );
    Ok(HostPlan {
        allow,
        allow_methods: vh.allow.iter().map(|r| r.methods.clone()).collect(),
        allow_tails: allow_paths.iter().map(|p| Tail::of(p)).collect(),
        allow_patterns: allow_paths.clone(),
        roots,
        deny,
        deny_patterns: vh.deny.clone(),
        routing,
        field: path.to_string(),
        internal_sources,
        internal_clients,
    })
}

/// Deny rules cover their context and ignore ASCII case; the `deny_case` mutant keeps the case.
fn deny_mode(mutation: Mutation) -> GlobMode {
    #[cfg(feature = "mutants")]
    if mutation.disables(Mutant::DenyCase) {
        return GlobMode::ContextCaseSensitive;
    }
    let _ = mutation;
    GlobMode::ContextCaseInsensitive
}

/// An allow rule written as an object has its glob at `allow[i].path`, not `allow[i]`.
fn nest_rule_error(
    err: ConfigError,
    path: &FieldPath,
    rules: &[super::config::AllowRule],
) -> ConfigError {
    let index = match err.path().segments().last() {
        Some(crate::field_path::Segment::Index(i)) => *i,
        _ => return err,
    };
    if rules.get(index).is_some_and(|r| r.methods.is_some()) {
        ConfigError::at(
            path.key("allow").index(index).key("path"),
            err.kind().clone(),
        )
    } else {
        err
    }
}

/// `10.0.0.0/8`, or a bare address meaning a single host.
fn parse_cidr(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
