//! The port audit (N3, with P4 and O4): a TCP connect scan of one host, compared with the ports
//! the operator expects open.
//!
//! Each port gets one `connect()` with a timeout (300 ms by default), from a fixed pool of
//! threads (64 by default): a refused port answers at once, a filtered one costs the timeout,
//! so the worst case is `ports / threads * timeout` (every port of 1-65535 filtered: about
//! 5 minutes at the defaults; a host that refuses answers in seconds).
//!
//! Only loopback and private addresses are scanned (RFC 1918 `10/8`, `172.16/12`,
//! `192.168/16`; RFC 4193 ULA `fc00::/7`) unless [`Options::allow_public`] is set: a connect
//! scan of somebody else's host is an intrusion attempt in many jurisdictions and acceptable use
//! policies, and the audit is for the operator's own hosts.
//!
//! The findings:
//! - a product default port open ([`known::PORTS`], default or pass-through): P4, a warning (`port-product-default`);
//! - a clustering port open ([`known::PORTS`], clustering): O4, a warning: it must reach the cluster
//!   members only (`port-clustering`);
//! - a port open that is not expected: N3, an error (`port-unexpected-open`);
//! - an expected port closed: N3, a warning (`port-expected-closed`).

use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::finding::{Finding, Severity};

pub mod known;

use known::PortKind;

/// How to scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The limit of one `connect()`: 300 ms by default.
    pub timeout: Duration,
    /// Threads connecting at once: 64 by default (at least 1).
    pub concurrency: usize,
    /// Scan a host that is neither loopback nor private (see the module's documentation).
    pub allow_public: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_millis(300),
            concurrency: 64,
            allow_public: false,
        }
    }
}

/// What the scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortReport {
    /// The host scanned.
    pub host: IpAddr,
    /// The ports that accepted a connection, ascending.
    pub open: Vec<u16>,
    /// The findings, port by port (ascending), at `host:port`.
    pub findings: Vec<Finding>,
}

/// Why no scan was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PortError {
    /// The host is neither loopback nor private and `allow_public` is not set.
    #[error(
        "{0} is neither loopback nor a private address: scan only your own hosts (allow_public to override)"
    )]
    PublicHost(IpAddr),
    /// A port list that does not parse (`1-1024,9443`).
    #[error("bad port list {spec:?}: {reason}")]
    BadPorts {
        /// The list as given.
        spec: String,
        /// What is wrong.
        reason: String,
    },
}

/// Whether `host` is loopback or private: RFC 1918 for IPv4, ULA `fc00::/7` (RFC 4193) for
/// IPv6, an IPv4-mapped IPv6 address as its IPv4 address.
pub fn is_own_network(host: IpAddr) -> bool {
    match host.to_canonical() {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local(),
    }
}

/// The default port list: 1-1024 (the well-known ports: SSH, HTTP, LDAP, databases' neighbours)
/// plus every port of [`known::PORTS`], default or pass-through and [`known::PORTS`], clustering, ascending.
pub fn default_ports() -> Vec<u16> {
    let mut ports: Vec<u16> = (1..=1024).chain(known::guideline_ports()).collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// Parses a port list: ports and ranges separated by commas (`22,80,1-1024,9443`,
/// `1-65535`), ascending without duplicates.
///
/// # Errors
/// [`PortError::BadPorts`] for an empty list or item, a port 0 or above 65535, a range whose
/// end is below its start.
pub fn parse_ports(spec: &str) -> Result<Vec<u16>, PortError> {
    let bad = |reason: String| PortError::BadPorts {
        spec: spec.to_owned(),
        reason,
    };
    let port = |s: &str| -> Result<u16, PortError> {
        match s.trim().parse::<u16>() {
            Ok(0) => Err(bad("port 0".to_owned())),
            Ok(p) => Ok(p),
            Err(_) => Err(bad(format!("{:?} is not a port (1-65535)", s.trim()))),
        }
    };
    let mut ports = Vec::new();
    for item in spec.split(',') {
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (port(a)?, port(b)?);
                if b < a {
                    return Err(bad(format!("range {a}-{b} ends before it starts")));
                }
                ports.extend(a..=b);
            }
            None => ports.push(port(item)?),
        }
    }
    ports.sort_unstable();
    ports.dedup();
    Ok(ports)
}

/// Connects to every port of `ports` on `host` and compares what is open with `expected` (an
/// expected port outside `ports` is not judged: it was not scanned).
///
/// # Errors
/// [`PortError::PublicHost`] when `host` is not loopback or private and
/// `opts.allow_public` is not set (nothing is sent then).
pub fn scan(
    host: IpAddr,
    ports: &[u16],
    expected: &[u16],
    opts: &Options,
) -> Result<PortReport, PortError> {
    if !opts.allow_public && !is_own_network(host) {
        return Err(PortError::PublicHost(host));
    }
    let open = open_ports(host, ports, opts);
    let findings = judge(host, ports, &open, expected);
    Ok(PortReport {
        host,
        open,
        findings,
    })
}

/// The ports of `ports` that accept a TCP connection, ascending, from `opts.concurrency`
/// threads taking the next port in turn.
fn open_ports(host: IpAddr, ports: &[u16], opts: &Options) -> Vec<u16> {
    let next = AtomicUsize::new(0);
    let threads = opts.concurrency.clamp(1, ports.len().max(1));
    let mut open: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut found = Vec::new();
                    while let Some(&port) = ports.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let addr = SocketAddr::new(host, port);
                        if TcpStream::connect_timeout(&addr, opts.timeout).is_ok() {
                            found.push(port);
                        }
                    }
                    found
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    open.sort_unstable();
    open.dedup();
    open
}

/// The findings of a scan of `scanned` on `host` that found `open`, against `expected`.
fn judge(host: IpAddr, scanned: &[u16], open: &[u16], expected: &[u16]) -> Vec<Finding> {
    let location = |port: u16| SocketAddr::new(host, port).to_string();
    let finding = |port, rule, guideline, severity, message: String, fix: &str| Finding {
        rule,
        guideline,
        severity,
        location: location(port),
        path: String::new(),
        message,
        fix: fix.to_owned(),
        suppressed: None,
    };
    let mut ports: Vec<u16> = open
        .iter()
        .chain(expected.iter().filter(|p| scanned.contains(p)))
        .copied()
        .collect();
    ports.sort_unstable();
    ports.dedup();
    let mut out = Vec::new();
    for port in ports {
        let is_open = open.contains(&port);
        let is_expected = expected.contains(&port);
        if !is_open {
            out.push(finding(
                port,
                "port-expected-closed",
                "N3",
                Severity::Warning,
                format!("port {port} is expected open but refuses connections"),
                "Start the service, or remove the port from the expected list.",
            ));
            continue;
        }
        let known = known::lookup(u32::from(port));
        if let Some(k) =
            known.filter(|k| matches!(k.kind, PortKind::Product | PortKind::PassThrough))
        {
            out.push(finding(
                port,
                "port-product-default",
                "P4",
                Severity::Warning,
                format!("port {port} is open: a product default port ({})", k.what),
                "Set a port offset or your own ports in deployment.toml, and expose only the gateway.",
            ));
        }
        if let Some(k) = known.filter(|k| k.kind == PortKind::Clustering) {
            out.push(finding(
                port,
                "port-clustering",
                "O4",
                Severity::Warning,
                format!(
                    "port {port} is open from where the scan ran: a clustering port ({})",
                    k.what
                ),
                "Firewall the clustering ports to the cluster members' addresses.",
            ));
        }
        if !is_expected {
            out.push(finding(
                port,
                "port-unexpected-open",
                "N3",
                Severity::Error,
                format!("port {port} is open and not expected"),
                "Close the port (stop the service or firewall it), or add it to the expected list.",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;

/// The report as text: the host, the ports found open, then one line per finding
/// (`severity guideline host:port message`).
pub fn summary(report: &PortReport) -> String {
    let open: Vec<String> = report.open.iter().map(u16::to_string).collect();
    let mut out = format!(
        "{}: open {}\n",
        report.host,
        if open.is_empty() {
            "none".to_owned()
        } else {
            open.join(",")
        }
    );
    for f in &report.findings {
        out.push_str(&format!(
            "{} {} {}: {}\n",
            f.severity.as_str(),
            f.guideline,
            f.location,
            f.message
        ));
    }
    out
}
