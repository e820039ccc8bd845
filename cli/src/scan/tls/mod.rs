//! The TLS scan: which protocol versions and cipher suites a TLS listener offers, with the
//! `openssl` command line (and a raw ClientHello, module `hello`, for what the local OpenSSL no longer
//! has), as a table like testssl.sh's with what the seed guidelines want of each: TLS 1.2 or
//! later, no SSL, TLS 1.0 or 1.1 (P8); no DES/3DES, RC4, MD5, DSS, NULL, export or anonymous
//! suites, nothing without forward secrecy, GCM over CBC (P8); ephemeral DH of 2048 bits or more
//! (P13); no client-initiated renegotiation (P14); 2048-bit (or EC 256-bit) keys and SHA-256
//! signatures (P2).
//!
//! A refusal proves nothing by itself (a client that never offered TLS 1.0 is refused too): every
//! row that finds refused what the seeds want refused repeats the very same client attempt
//! against a local control server that accepts it (module `control`), and stays "not offered" only
//! when that control handshake succeeds; else the row is not tested, and a row not tested fails
//! the scan unless the seeds accept either answer.
//!
//! Bounds: one TCP connect (3 s) before anything else, then about 60 `openssl s_client` runs of
//! 10 s at most each (plus one control run for each refusal), and raw ClientHellos with a 3 s
//! connect and 5 s read timeout.

pub(crate) mod control;
pub(crate) mod hello;
mod probe;
mod process;
mod report;
mod session;
#[cfg(test)]
mod tests;

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::finding::{Finding, Severity};

use probe::Probe;

pub use report::Section;

/// What a row found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The target accepted it; how (the cipher negotiated, `raw`, the DH size), may be empty.
    Offered(String),
    /// The target refused it (and, when the seeds want it refused, a control accepted the same
    /// attempt); how, may be empty.
    NotOffered(String),
    /// Neither can be said; why (`client lacks it`, `control failed: ...`).
    NotTested(String),
}

/// What the seeds want of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    Offered,
    NotOffered,
    Either,
}

/// What a row checks: the finding's rule and guideline when it is not as wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Check {
    rule: &'static str,
    guideline: &'static str,
    /// The severity of a row found not as wanted (a row not tested is always a warning).
    severity: Severity,
    fix: &'static str,
}

/// Protocol versions (P8).
const PROTOCOL: Check = Check {
    rule: "tls-protocol-version",
    guideline: "P8",
    severity: Severity::Error,
    fix: "Offer TLS 1.2 and 1.3 only: set the listener's minimum protocol version to TLS 1.2.",
};
/// Weak cipher suites (P8).
const WEAK_SUITE: Check = Check {
    rule: "tls-weak-cipher-suite",
    guideline: "P8",
    severity: Severity::Error,
    fix: "Remove the suite from the listener's cipher list (ECDHE with AES-GCM or ChaCha20-Poly1305).",
};
/// CBC suites (P8: GCM over CBC).
const CBC_SUITE: Check = Check {
    rule: "tls-cbc-cipher-suite",
    guideline: "P8",
    severity: Severity::Warning,
    fix: "Prefer GCM: remove the CBC suites from the listener's cipher list.",
};
/// Strong suites (P8): only a row not tested reports.
const STRONG_SUITE: Check = Check {
    rule: "tls-cipher-suite",
    guideline: "P8",
    severity: Severity::Error,
    fix: "Offer ECDHE suites with AES-GCM or ChaCha20-Poly1305.",
};
/// The ephemeral DH size of DHE suites (P13).
const DH_SIZE: Check = Check {
    rule: "tls-dh-size",
    guideline: "P13",
    severity: Severity::Error,
    fix: "Offer ECDHE only, or DH parameters of 2048 bits or more (jdk.tls.ephemeralDHKeySize=2048 on the product's JVM).",
};
/// Client-initiated renegotiation (P14).
const RENEGOTIATION: Check = Check {
    rule: "tls-client-renegotiation",
    guideline: "P14",
    severity: Severity::Error,
    fix: "Refuse client-initiated renegotiation (jdk.tls.rejectClientInitiatedRenegotiation=true on the product's JVM).",
};
/// The server's key and signature (P2).
const KEY: Check = Check {
    rule: "tls-key-and-signature",
    guideline: "P2",
    severity: Severity::Error,
    fix: "Serve your own certificate: an RSA 2048+ or EC 256+ key, signed with SHA-256 or better.",
};
/// Key-exchange groups (P8): only a row not tested reports.
const GROUP: Check = Check {
    rule: "tls-key-exchange-group",
    guideline: "P8",
    severity: Severity::Warning,
    fix: "Offer X25519 and P-256 key exchange.",
};

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The version, suite or property tried (`TLS 1.1`, `RC4-MD5`, `server key and signature`).
    pub name: String,
    /// What the seeds think of it (`weak: RC4`, `CBC (GCM preferred)`), may be empty.
    pub class: String,
    /// What the scan found.
    pub found: Found,
    /// `None` when the row cannot be judged (not tested, either answer fine); else whether it is
    /// as the seeds want.
    pub ok: Option<bool>,
    want: Want,
    check: Check,
}

impl Row {
    /// The rule of the finding this row makes (`tls-protocol-version`).
    pub fn rule(&self) -> &'static str {
        self.check.rule
    }

    /// The guideline this row checks (`P8`, `P13`, `P14`, `P2`).
    pub fn guideline(&self) -> &'static str {
        self.check.guideline
    }
}

/// The whole scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The `HOST:PORT` scanned.
    pub target: String,
    /// The local client (`OpenSSL 3.0.13 30 Jan 2024`).
    pub client: String,
    /// Protocols, cipher suites, other properties.
    pub sections: Vec<Section>,
}

/// Why no scan could be made (the caller reports it as a finding: [`ScanError::finding`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The `openssl` command cannot run (install the `openssl` package).
    #[error("cannot run the openssl command (install the openssl package): {0}")]
    NoOpenssl(String),
    /// The target is not `HOST:PORT` or does not resolve.
    #[error("{target}: not a HOST:PORT that resolves: {reason}")]
    BadTarget {
        /// The target as given.
        target: String,
        /// The resolver's message.
        reason: String,
    },
    /// No TCP connection within 3 s.
    #[error("{target} unreachable: {reason}")]
    Unreachable {
        /// The target as given.
        target: String,
        /// The connect error.
        reason: String,
    },
    /// The target stopped answering during the scan.
    #[error("{target}: the scan was cut short: {reason}")]
    Interrupted {
        /// The target as given.
        target: String,
        /// What failed.
        reason: String,
    },
}

impl ScanError {
    /// This error as a finding (`tls-scan-failed`, P8, a warning: nothing could be checked).
    pub fn finding(&self) -> Finding {
        let location = match self {
            ScanError::NoOpenssl(_) => String::new(),
            ScanError::BadTarget { target, .. }
            | ScanError::Unreachable { target, .. }
            | ScanError::Interrupted { target, .. } => target.clone(),
        };
        Finding {
            rule: "tls-scan-failed",
            guideline: "P8",
            severity: Severity::Warning,
            location,
            path: String::new(),
            message: format!("TLS scan not made: {self}"),
            fix: "Make the listener reachable from where the scan runs (and install openssl), then scan again.".to_owned(),
            suppressed: None,
        }
    }
}

/// How long the first TCP connection to the target may take.
const CONNECT_LIMIT: Duration = Duration::from_secs(3);

/// Cipher suites tried, with their IANA code for a raw ClientHello when the client lacks them.
const SUITES: &[(&str, Option<u16>)] = &[
    ("TLS_AES_128_GCM_SHA256", None),
    ("TLS_AES_256_GCM_SHA384", None),
    ("TLS_CHACHA20_POLY1305_SHA256", None),
    ("ECDHE-ECDSA-AES128-GCM-SHA256", Some(0xc02b)),
    ("ECDHE-ECDSA-AES256-GCM-SHA384", Some(0xc02c)),
    ("ECDHE-ECDSA-CHACHA20-POLY1305", Some(0xcca9)),
    ("ECDHE-RSA-AES128-GCM-SHA256", Some(0xc02f)),
    ("ECDHE-RSA-AES256-GCM-SHA384", Some(0xc030)),
    ("ECDHE-RSA-CHACHA20-POLY1305", Some(0xcca8)),
    ("DHE-RSA-AES128-GCM-SHA256", Some(0x009e)),
    ("DHE-RSA-AES256-GCM-SHA384", Some(0x009f)),
    ("ECDHE-ECDSA-AES128-SHA", Some(0xc009)),
    ("ECDHE-ECDSA-AES256-SHA384", Some(0xc024)),
    ("ECDHE-RSA-AES128-SHA", Some(0xc013)),
    ("ECDHE-RSA-AES256-SHA384", Some(0xc028)),
    ("AES128-GCM-SHA256", Some(0x009c)),
    ("AES256-GCM-SHA384", Some(0x009d)),
    ("AES128-SHA", Some(0x002f)),
    ("AES256-SHA", Some(0x0035)),
    ("AES128-SHA256", Some(0x003c)),
    ("DHE-DSS-AES128-GCM-SHA256", Some(0x00a2)),
    ("DHE-DSS-AES256-SHA", Some(0x0038)),
    ("ADH-AES128-GCM-SHA256", Some(0x00a6)),
    ("AECDH-AES128-SHA", Some(0xc018)),
    ("NULL-SHA256", Some(0x003b)),
    ("ECDHE-ECDSA-NULL-SHA", Some(0xc006)),
    ("ECDHE-RSA-NULL-SHA", Some(0xc010)),
    ("NULL-MD5", Some(0x0001)),
    ("RC4-MD5", Some(0x0004)),
    ("RC4-SHA", Some(0x0005)),
    ("ECDHE-ECDSA-RC4-SHA", Some(0xc007)),
    ("ECDHE-RSA-RC4-SHA", Some(0xc011)),
    ("DES-CBC3-SHA", Some(0x000a)),
    ("ECDHE-ECDSA-DES-CBC3-SHA", Some(0xc008)),
    ("ECDHE-RSA-DES-CBC3-SHA", Some(0xc012)),
    ("DES-CBC-SHA", Some(0x0009)),
    ("EXP-RC4-MD5", Some(0x0003)),
    ("EXP-DES-CBC-SHA", Some(0x0008)),
];

/// Suites offered with a raw SSLv3 ClientHello (any of them accepted means SSLv3 is on).
const SSL3_SUITES: &[u16] = &[
    0x002f, 0x0035, 0x000a, 0x0005, 0x0004, 0xc013, 0xc014, 0xc009, 0xc00a, 0x0009,
];

/// Scans `target` (`HOST:PORT`; a name is resolved, the first address used for raw
/// ClientHellos, the name given to `openssl`), sending `servername` as SNI if given.
///
/// # Errors
/// [`ScanError::NoOpenssl`] without the `openssl` command, [`ScanError::BadTarget`] when the
/// target does not resolve, [`ScanError::Unreachable`] when it accepts no TCP connection within
/// 3 s, [`ScanError::Interrupted`] when a raw probe cannot connect during the scan.
pub fn scan(target: &str, servername: Option<&str>) -> Result<Report, ScanError> {
    let client = process::openssl_version().map_err(ScanError::NoOpenssl)?;
    let addr = resolve(target)?;
    TcpStream::connect_timeout(&addr, CONNECT_LIMIT).map_err(|e| ScanError::Unreachable {
        target: target.to_owned(),
        reason: e.to_string(),
    })?;
    let addr = addr.to_string();
    let mut probe = Probe::new(target, &addr, servername);
    scan_with(&mut probe, client).map_err(|e| ScanError::Interrupted {
        target: target.to_owned(),
        reason: format!("{e:#}"),
    })
}

/// The first address of `target`.
fn resolve(target: &str) -> Result<SocketAddr, ScanError> {
    let bad = |reason: String| ScanError::BadTarget {
        target: target.to_owned(),
        reason,
    };
    target
        .to_socket_addrs()
        .map_err(|e| bad(e.to_string()))?
        .next()
        .ok_or_else(|| bad("no address".to_owned()))
}

/// Every row, in the table's order.
fn scan_with(probe: &mut Probe<'_>, client: String) -> anyhow::Result<Report> {
    // The raw ClientHello is trusted only if it sees a suite that openssl negotiates.
    probe.raw_trusted = probe.raw_control()?;
    let protocols = vec![
        probe.ssl3()?,
        probe.protocol("TLS 1", "-tls1", "TLSv1", Want::NotOffered),
        probe.protocol("TLS 1.1", "-tls1_1", "TLSv1.1", Want::NotOffered),
        probe.protocol("TLS 1.2", "-tls1_2", "TLSv1.2", Want::Offered),
        probe.protocol("TLS 1.3", "-tls1_3", "TLSv1.3", Want::Either),
    ];
    let mut suites = Vec::new();
    for (name, code) in SUITES {
        suites.push(probe.suite(name, *code)?);
    }
    let mut other = vec![probe.renegotiation(), probe.certificate()];
    for (group, name) in [
        ("X25519", "X25519"),
        ("P-256", "prime256v1"),
        ("P-384", "secp384r1"),
        ("P-521", "secp521r1"),
    ] {
        other.push(probe.group(group, name));
    }
    Ok(Report {
        target: probe.target.to_owned(),
        client,
        sections: vec![
            Section::new("Protocols", protocols),
            Section::new("Cipher suites (TLS 1.2; TLS_* over TLS 1.3)", suites),
            Section::new("Other", other),
        ],
    })
}

/// Whether `found` is as wanted: `None` (not judged) only for a row not tested whose answer
/// does not matter (`Want::Either`); a row not tested otherwise fails.
fn judge(found: &Found, want: Want) -> Option<bool> {
    match (found, want) {
        (Found::NotTested(_), Want::Either) => None,
        (Found::NotTested(_), _) => Some(false),
        (_, Want::Either) => Some(true),
        (Found::Offered(_), Want::Offered) | (Found::NotOffered(_), Want::NotOffered) => Some(true),
        _ => Some(false),
    }
}

/// What the control of a refused row found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Control {
    /// The same attempt succeeded against a local server that accepts the row's version/suite.
    Accepted,
    /// It did not; why.
    Failed(String),
}

/// A refusal of what the seeds want refused (`found` NotOffered, `want` NotOffered) stands only
/// when `control` (the same attempt against a local server that accepts it) succeeds: then it is
/// NotOffered with "refused; control accepted", else NotTested with why the control failed.
/// Other findings are returned unchanged, and `control` is not run.
fn controlled(found: Found, want: Want, control: impl FnOnce() -> Control) -> Found {
    match found {
        Found::NotOffered(how) if want == Want::NotOffered => {
            let how = if how.is_empty() {
                "refused".to_owned()
            } else {
                format!("{how}, refused")
            };
            match control() {
                Control::Accepted => Found::NotOffered(format!("{how}; control accepted")),
                Control::Failed(why) => Found::NotTested(format!("{how}; control failed: {why}")),
            }
        }
        other => other,
    }
}

/// A row judged by [`judge`].
fn row(name: &str, class: &str, found: Found, want: Want, check: Check) -> Row {
    let ok = judge(&found, want);
    Row {
        name: name.to_owned(),
        class: class.to_owned(),
        found,
        ok,
        want,
        check,
    }
}
