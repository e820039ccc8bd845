//! `gateway-hardening audit`: every check this command has, against one running deployment,
//! written as one row per guideline (P1-P22, O1-O9, N1-N7) with the evidence.
//!
//! The checks: the lint of the configuration files given (`--config`), the TLS scan of the
//! gateway's listener (an `https:` gateway; a plaintext one fails P8 outright), the header scan
//! of a list of routes, the bypass probe of the admin contexts, the default-credentials probe,
//! and the port audit of the gateway's host. A guideline passes when a check that covers it ran
//! and found nothing at warning or above ([`verdict`]).

pub mod probe;
pub mod render;
pub mod verdict;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::finding::{Finding, Severity};
use crate::grade::Exchange;
use crate::http::Target;
use crate::{lint, output, ports, scan};

pub use render::Report;
pub use verdict::{Check, Row, Verdict};

/// One route the header scan grades, with what kind of answer it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The request target (origin form), sent as written.
    pub target: String,
    /// Whether the answer is sensitive (no cache may keep it) or public metadata.
    pub sensitive: bool,
    /// Whether the route ends a session (it must send `Clear-Site-Data`).
    pub logout: bool,
}

impl Route {
    /// A sensitive, non-logout route.
    pub fn sensitive(target: &str) -> Self {
        Self {
            target: target.to_owned(),
            sensitive: true,
            logout: false,
        }
    }

    /// Parses `--route`: a target, optionally prefixed `public:` or `logout:`.
    pub fn parse(s: &str) -> Self {
        if let Some(t) = s.strip_prefix("public:") {
            Self {
                target: t.to_owned(),
                sensitive: false,
                logout: false,
            }
        } else if let Some(t) = s.strip_prefix("logout:") {
            Self {
                target: t.to_owned(),
                sensitive: true,
                logout: true,
            }
        } else {
            Self::sensitive(s)
        }
    }
}

/// The routes graded when none are given: a WSO2 Identity Server's login page, token endpoint,
/// public key set (public), logout, and an admin context (graded as the gateway's refusal).
pub fn default_routes() -> Vec<Route> {
    vec![
        Route::sensitive("/authenticationendpoint/login.do"),
        Route::sensitive("/oauth2/token"),
        Route::parse("public:/oauth2/jwks"),
        Route::parse("logout:/oidc/logout"),
        Route::sensitive("/carbon/admin/login.jsp"),
    ]
}

/// What to audit and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The gateway's URL as clients use it (`https://is.example.com`); its host is the `Host`
    /// header and the TLS server name.
    pub gateway: String,
    /// Where to connect instead of resolving the URL's host (curl's `--connect-to`).
    pub connect: Option<SocketAddr>,
    /// PEM trust anchors for the gateway's certificate.
    pub ca: Option<PathBuf>,
    /// Skip certificate verification (the TLS scan still reports the certificate).
    pub insecure: bool,
    /// Configuration files to lint (Envoy bootstrap, LDS, CDS; Istio manifests).
    pub configs: Vec<PathBuf>,
    /// Where relative certificate file names in the configurations resolve.
    pub cert_root: PathBuf,
    /// The ports expected open on the gateway's host; `None` skips the unexpected-port part
    /// (N3) and keeps the default and clustering port checks (P4, O4).
    pub expect_ports: Option<Vec<u16>>,
    /// The routes the header scan grades.
    pub routes: Vec<Route>,
    /// Per connection and per answer.
    pub timeout: Duration,
}

/// Runs every check and judges the guidelines. Never fails: what cannot be reached is a
/// finding in the report.
pub fn run(opts: &Options) -> Report {
    let mut checks = Vec::new();
    checks.extend(lint_checks(opts));
    match Target::from_url(&opts.gateway) {
        Ok((mut target, _path)) => {
            if let Some(addr) = opts.connect {
                target.connect = addr.to_string();
            }
            target.ca.clone_from(&opts.ca);
            target.insecure = opts.insecure;
            target.timeout = opts.timeout;
            checks.push(tls_check(&target, &opts.gateway));
            checks.push(header_check(&target, opts));
            let control = opts
                .routes
                .iter()
                .find(|r| !r.sensitive)
                .map_or("/", |r| r.target.as_str());
            checks.push(probe::admin_contexts(&target, &opts.gateway, control));
            checks.push(probe::default_credentials(&target, &opts.gateway));
            checks.push(port_check(&target, opts));
        }
        Err(e) => checks.push(Check::unreachable(
            "gateway URL",
            "gateway-url",
            &["P8", "P10", "P11", "N6", "N7", "P19"],
            &opts.gateway,
            &e.to_string(),
        )),
    }
    Report {
        gateway: opts.gateway.clone(),
        generated: httpdate::fmt_http_date(SystemTime::now()),
        tool_version: env!("CARGO_PKG_VERSION"),
        rows: verdict::rows(&checks),
        checks,
    }
}

/// The guidelines the lint judges when it reads a configuration.
const LINT_COVERS: &[&str] = &[
    "P2", "P4", "P6", "P8", "P9", "P10", "P11", "P13", "P15", "P19", "P20", "P21", "N1", "N2",
    "N4", "N6", "N7", "O4",
];

fn lint_checks(opts: &Options) -> Vec<Check> {
    if opts.configs.is_empty() {
        return vec![Check::skipped("lint", LINT_COVERS, "no --config given")];
    }
    let lint_opts = lint::Options {
        cert_root: opts.cert_root.clone(),
    };
    opts.configs
        .iter()
        .map(|path| {
            let name = format!("lint {}", path.display());
            match lint::lint_file(path, &lint_opts) {
                Ok(findings) => Check {
                    output: output::text(&findings),
                    name,
                    covers: LINT_COVERS.to_vec(),
                    skipped: None,
                    findings,
                },
                Err(e) => Check::unreachable(
                    name,
                    "config-unreadable",
                    LINT_COVERS,
                    &path.display().to_string(),
                    &e.to_string(),
                ),
            }
        })
        .collect()
}

const TLS_COVERS: &[&str] = &["P2", "P8", "P13", "P14"];

fn tls_check(target: &Target, location: &str) -> Check {
    if !target.tls {
        return Check {
            name: "TLS scan".to_owned(),
            covers: TLS_COVERS.to_vec(),
            skipped: None,
            findings: vec![Finding {
                rule: "plaintext-gateway",
                guideline: "P8",
                severity: Severity::Error,
                location: location.to_owned(),
                path: String::new(),
                message: "the gateway is served in plaintext: no TLS at all".to_owned(),
                fix: "terminate TLS 1.2 or later at the gateway and redirect plaintext to it"
                    .to_owned(),
                suppressed: None,
            }],
            output: format!("{location} is not an https: URL; nothing to scan"),
        };
    }
    let addr = target.connect.clone();
    let name = format!("TLS scan {addr} (server name {})", target.server_name());
    match scan::tls::scan(&addr, Some(target.server_name())) {
        Ok(report) => Check {
            name,
            covers: TLS_COVERS.to_vec(),
            skipped: None,
            findings: report.findings(),
            output: report.to_string(),
        },
        Err(e) => Check::unreachable(name, "tls-scan-failed", TLS_COVERS, &addr, &e.to_string()),
    }
}

fn header_check(target: &Target, opts: &Options) -> Check {
    let routes: Vec<scan::headers::Request> = opts
        .routes
        .iter()
        .map(|r| scan::headers::Request {
            target: target.clone(),
            request_target: r.target.clone(),
            exchange: Exchange {
                tls: target.tls,
                sensitive: r.sensitive,
                logout: r.logout,
            },
        })
        .collect();
    let results = scan::headers::scan(&routes);
    let mut output = String::new();
    let mut findings = Vec::new();
    for r in &results {
        output.push_str(&scan::headers::summary(r));
        findings.extend(r.findings.iter().cloned());
    }
    Check {
        name: format!("header scan ({} routes)", routes.len()),
        covers: scan::headers::COVERS.to_vec(),
        skipped: None,
        findings,
        output,
    }
}

const PORT_COVERS: &[&str] = &["P4", "O4", "N3"];

/// The port audit of the gateway's host: the products' default and clustering ports and the
/// expected ones (not 1-1024, as `gateway-hardening ports` scans by default: an audit judges the
/// ports the guidelines name and those the operator declared).
fn port_check(target: &Target, opts: &Options) -> Check {
    let Some(addr) = target
        .connect
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
    else {
        return Check::unreachable(
            "port audit",
            "port-audit-failed",
            PORT_COVERS,
            &target.connect,
            "the gateway's host does not resolve",
        );
    };
    let host = addr.ip();
    let mut list = ports::known::guideline_ports();
    list.extend(opts.expect_ports.iter().flatten());
    list.push(addr.port());
    list.sort_unstable();
    list.dedup();
    let expected = opts.expect_ports.clone().unwrap_or_default();
    match ports::scan(host, &list, &expected, &ports::Options::default()) {
        Ok(report) => {
            let mut findings = report.findings.clone();
            let mut covers = PORT_COVERS.to_vec();
            if opts.expect_ports.is_none() {
                findings.retain(|f| f.guideline != "N3");
                covers.retain(|id| *id != "N3");
            }
            Check {
                name: format!("port audit {host} ({} ports)", list.len()),
                covers,
                skipped: None,
                output: ports::summary(&report),
                findings,
            }
        }
        Err(e) => Check::unreachable(
            format!("port audit {host}"),
            "port-audit-failed",
            PORT_COVERS,
            &host.to_string(),
            &e.to_string(),
        ),
    }
}
