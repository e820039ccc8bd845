//! The compiled `tls-guard` configuration: built once in `on_configure`, then shared read-only
//! by every HTTP context.

use super::cipher::{self, CipherClass};
use super::config::{
    MissingProperties, Plaintext, SniPolicy, TlsGuardConfig, TlsVirtualHostConfig, UpstreamConfig,
};
use super::subject::Subject;
use super::version::TlsVersion;
use crate::error::{ConfigError, ConfigErrorKind, parse_json};
use crate::field_path::FieldPath;
use crate::globs::{GlobMode, PathGlobs};
use crate::mode::Mode;
use crate::peer::{PeerAllowlist, normalize_sha256};
use crate::vhost::VirtualHosts;

/// The immutable plan of the `tls-guard` filter.
#[derive(Debug, Clone)]
pub struct TlsGuardPlan {
    pub(super) mode: Mode,
    pub(super) missing: MissingProperties,
    pub(super) cipher_key: String,
    pub(super) hosts: VirtualHosts<HostPlan>,
    pub(super) upstream: Option<UpstreamPlan>,
}

/// The compiled rules of one virtual host.
#[derive(Debug, Clone)]
pub(super) struct HostPlan {
    pub(super) min_version: TlsVersion,
    pub(super) plaintext: Plaintext,
    pub(super) https_port: u16,
    pub(super) sni: SniPolicy,
    pub(super) ciphers: Vec<String>,
    pub(super) rules: Vec<PathRulePlan>,
}

/// One compiled path rule.
#[derive(Debug, Clone)]
pub(super) struct PathRulePlan {
    pub(super) globs: PathGlobs,
    pub(super) min_version: Option<TlsVersion>,
    pub(super) plaintext: Option<Plaintext>,
    pub(super) clients: Option<PeerAllowlist>,
}

/// The compiled upstream checks.
#[derive(Debug, Clone)]
pub(super) struct UpstreamPlan {
    pub(super) refused_subjects: Vec<Subject>,
    pub(super) refused_sha256: Vec<String>,
    /// `(clusters, every cluster, minimum)`.
    pub(super) require_tls: Option<(Vec<String>, bool, TlsVersion)>,
}

impl TlsGuardPlan {
    /// Parses and compiles a plugin configuration from JSON bytes; errors carry the line.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the field (see [`TlsGuardPlan::compile`]).
    pub fn from_json(json: &[u8]) -> Result<Self, ConfigError> {
        let config: TlsGuardConfig = parse_json(json)?;
        Self::compile(&config).map_err(|e| e.located_in(json))
    }

    /// Compiles a parsed configuration.
    ///
    /// # Errors
    /// [`ConfigErrorKind::InvalidTlsVersion`] for a version name Envoy never reports;
    /// [`ConfigErrorKind::InvalidDigest`] for a digest that is not SHA-256 hex;
    /// [`ConfigErrorKind::InvalidGlob`] for a path glob or a malformed SAN;
    /// [`ConfigErrorKind::InvalidDomain`], [`ConfigErrorKind::Empty`] for domains and empty lists;
    /// [`ConfigErrorKind::OutOfRange`] for a cipher that is not a suite name or that the seeds
    /// refuse, a subject that is not a distinguished name, a filter-state key or an HTTPS port
    /// that cannot be used.
    pub fn compile(config: &TlsGuardConfig) -> Result<Self, ConfigError> {
        let root = FieldPath::root();
        let key = &config.cipher_filter_state_key;
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(ConfigError::at(
                root.key("cipher_filter_state_key"),
                ConfigErrorKind::OutOfRange {
                    what: "cipher_filter_state_key",
                    range: "a filter-state key of letters, digits, '.', '_' and '-'".into(),
                },
            ));
        }
        let vpath = root.key("virtual_hosts");
        let mut hosts = Vec::with_capacity(config.virtual_hosts.len());
        for (i, vh) in config.virtual_hosts.iter().enumerate() {
            hosts.push((vh.domains.clone(), compile_host(&vpath.index(i), vh)?));
        }
        let upstream = config
            .upstream
            .as_ref()
            .map(|u| compile_upstream(&root.key("upstream"), u))
            .transpose()?;
        Ok(Self {
            mode: config.mode,
            missing: config.missing_properties,
            cipher_key: key.clone(),
            hosts: VirtualHosts::build(&vpath, hosts)?,
            upstream,
        })
    }

    /// Whether refusals are enforced or only observed.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The decision for properties the host does not report.
    pub fn missing_properties(&self) -> MissingProperties {
        self.missing
    }

    /// True when the configuration asks for checks at response time (the filter then reads the
    /// upstream's properties when response headers arrive; otherwise it does nothing there).
    pub fn has_response_checks(&self) -> bool {
        self.upstream.is_some()
    }
}

fn compile_host(path: &FieldPath, vh: &TlsVirtualHostConfig) -> Result<HostPlan, ConfigError> {
    let min_version = TlsVersion::from_config(&path.key("min_tls_version"), &vh.min_tls_version)?;
    if vh.https_port == 0 {
        return Err(ConfigError::at(
            path.key("https_port"),
            ConfigErrorKind::OutOfRange {
                what: "https_port",
                range: "1 to 65535".into(),
            },
        ));
    }
    for (i, c) in vh.ciphers.iter().enumerate() {
        check_cipher(&path.key("ciphers").index(i), c)?;
    }
    let mut rules = Vec::with_capacity(vh.paths.len());
    for (i, rule) in vh.paths.iter().enumerate() {
        let rpath = path.key("paths").index(i);
        if rule.paths.is_empty() {
            return Err(ConfigError::at(rpath.key("paths"), ConfigErrorKind::Empty));
        }
        let globs = PathGlobs::compile(
            &rpath.key("paths"),
            &rule.paths,
            GlobMode::ContextCaseInsensitive,
        )?;
        let min_version = rule
            .min_tls_version
            .as_deref()
            .map(|v| TlsVersion::from_config(&rpath.key("min_tls_version"), v))
            .transpose()?;
        let clients = rule
            .client_certificate
            .as_ref()
            .map(|c| {
                let list = PeerAllowlist::compile(&rpath.key("client_certificate"), c)?;
                if list.is_empty() {
                    // An empty allowlist would refuse every certificate: say so instead.
                    return Err(ConfigError::at(
                        rpath.key("client_certificate"),
                        ConfigErrorKind::Empty,
                    ));
                }
                Ok(list)
            })
            .transpose()?;
        rules.push(PathRulePlan {
            globs,
            min_version,
            plaintext: rule.plaintext,
            clients,
        });
    }
    Ok(HostPlan {
        min_version,
        plaintext: vh.plaintext,
        https_port: vh.https_port,
        sni: vh.sni,
        ciphers: vh.ciphers.clone(),
        rules,
    })
}

fn check_cipher(path: &FieldPath, name: &str) -> Result<(), ConfigError> {
    let bad = |range: String| {
        ConfigError::at(
            path.clone(),
            ConfigErrorKind::OutOfRange {
                what: "cipher",
                range,
            },
        )
    };
    if !cipher::is_suite_name(name) {
        return Err(bad(
            "one suite name as Envoy reports it, such as ECDHE-ECDSA-AES128-GCM-SHA256 or TLS_AES_128_GCM_SHA256 (not an OpenSSL cipher string)".into(),
        ));
    }
    match cipher::classify(name) {
        CipherClass::Weak(why) => Err(bad(format!(
            "a suite the seed guidelines accept ('{name}' is refused: {why})"
        ))),
        CipherClass::Strong | CipherClass::Cbc => Ok(()),
    }
}

fn compile_upstream(path: &FieldPath, u: &UpstreamConfig) -> Result<UpstreamPlan, ConfigError> {
    let refused_subjects = u
        .refused_subjects
        .iter()
        .enumerate()
        .map(|(i, s)| Subject::from_config(&path.key("refused_subjects").index(i), s))
        .collect::<Result<_, _>>()?;
    let refused_sha256 = u
        .refused_sha256
        .iter()
        .enumerate()
        .map(|(i, d)| {
            normalize_sha256(d).ok_or_else(|| {
                ConfigError::at(
                    path.key("refused_sha256").index(i),
                    ConfigErrorKind::InvalidDigest(d.clone()),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let require_tls = match &u.require_tls {
        None => None,
        Some(r) => {
            let rpath = path.key("require_tls");
            if r.clusters.is_empty() {
                return Err(ConfigError::at(
                    rpath.key("clusters"),
                    ConfigErrorKind::Empty,
                ));
            }
            for (i, c) in r.clusters.iter().enumerate() {
                if c.is_empty()
                    || c.bytes()
                        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
                {
                    return Err(ConfigError::at(
                        rpath.key("clusters").index(i),
                        ConfigErrorKind::OutOfRange {
                            what: "cluster",
                            range: "a cluster name without spaces, or \"*\"".into(),
                        },
                    ));
                }
            }
            let min = TlsVersion::from_config(&rpath.key("min_tls_version"), &r.min_tls_version)?;
            let every = r.clusters.iter().any(|c| c == "*");
            Some((r.clusters.clone(), every, min))
        }
    };
    Ok(UpstreamPlan {
        refused_subjects,
        refused_sha256,
        require_tls,
    })
}
