//! `cargo xtask tls-scan HOST:PORT`: which protocol versions and cipher suites a TLS listener
//! offers, with the `openssl` command line (and a raw ClientHello for what the local OpenSSL no
//! longer has), printed as a table like testssl.sh's with what the seed guidelines want of each:
//! TLS 1.2 or later, no SSL, TLS 1.0 or 1.1; no DES/3DES, RC4, MD5, DSS, NULL, export or
//! anonymous suites, nothing without forward secrecy, GCM over CBC; ephemeral DH of 2048 bits
//! or more; no client-initiated renegotiation; 2048-bit (or EC 256-bit) keys and SHA-256
//! signatures.
//!
//! A refusal proves nothing by itself (a client that never offered TLS 1.0 is refused too): every
//! row that finds refused what the seeds want refused repeats the very same client attempt
//! against a local control server that accepts it (`crate::tls_control`), and stays "not
//! offered" only when that control handshake succeeds; else the row is not tested, and a row not
//! tested fails the scan unless the seeds accept either answer.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use policies::tls::cipher::{CipherClass, classify};

use crate::tls_control::{OpensslServers, RawControl, ServerSpec};
use crate::tls_hello::{self, Answer};

/// What a row found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    Offered(String),
    NotOffered(String),
    NotTested(String),
}

/// What the seeds want of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Offered,
    NotOffered,
    Either,
}

/// One line of the table.
struct Row {
    name: String,
    class: String,
    found: Found,
    /// `None` when the row cannot be judged (not tested); else whether it is as wanted.
    ok: Option<bool>,
}

/// The whole scan.
pub(crate) struct Report {
    target: String,
    client: String,
    sections: Vec<(&'static str, Vec<Row>)>,
}

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

/// `cargo xtask tls-scan`: prints the table; fails when any row is not as the seeds want.
pub(crate) fn tls_scan(target: &str, servername: Option<&str>) -> Result<()> {
    let report = scan(target, servername)?;
    print!("{}", report.table());
    let bad = report.not_as_wanted();
    if bad.is_empty() {
        Ok(())
    } else {
        bail!("not as the seeds want: {}", bad.join(", "))
    }
}

/// Scans `target` (`HOST:PORT`, the host an IP address), sending `servername` as SNI if given.
pub(crate) fn scan(target: &str, servername: Option<&str>) -> Result<Report> {
    ensure_openssl()?;
    let client = String::from_utf8_lossy(
        &Command::new("openssl")
            .arg("version")
            .output()
            .context("cannot run openssl")?
            .stdout,
    )
    .trim()
    .to_owned();
    let mut probe = Probe::new(target, servername);
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
        target: target.to_owned(),
        client,
        sections: vec![
            ("Protocols", protocols),
            ("Cipher suites (TLS 1.2; TLS_* over TLS 1.3)", suites),
            ("Other", other),
        ],
    })
}

impl Report {
    /// The rows that are not as the seeds want.
    pub(crate) fn not_as_wanted(&self) -> Vec<String> {
        self.sections
            .iter()
            .flat_map(|(_, rows)| rows)
            .filter(|r| r.ok == Some(false))
            .map(|r| r.name.clone())
            .collect()
    }

    /// The table, testssl.sh style.
    pub(crate) fn table(&self) -> String {
        let mut out = format!(
            "\n tls-scan {} ({}; \"raw\": a ClientHello of our own where that client lacks the suite)\n",
            self.target, self.client
        );
        for (title, rows) in &self.sections {
            let _ = writeln!(out, "\n {title:<68} {:<46} as the seeds want", "");
            for r in rows {
                let (found, how) = match &r.found {
                    Found::Offered(how) => ("offered", how.as_str()),
                    Found::NotOffered(how) => ("not offered", how.as_str()),
                    Found::NotTested(why) => ("not tested", why.as_str()),
                };
                let found = if how.is_empty() {
                    found.to_owned()
                } else {
                    format!("{found} ({how})")
                };
                let ok = match r.ok {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "-",
                };
                let _ = writeln!(out, " {:<31} {:<36} {found:<46} {ok}", r.name, r.class);
            }
        }
        let bad = self.not_as_wanted();
        let _ = writeln!(
            out,
            "\n {}",
            if bad.is_empty() {
                "every tested row is as the seed guidelines want".to_owned()
            } else {
                format!("NOT as the seed guidelines want: {}", bad.join(", "))
            }
        );
        out
    }
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

struct Probe<'a> {
    target: &'a str,
    servername: Option<&'a str>,
    /// The raw ClientHello saw a suite accepted that openssl also negotiated.
    raw_trusted: bool,
    /// The `openssl s_server` controls, started as rows need them, stopped with the probe.
    servers: OpensslServers,
    /// Where every control goes instead of a local server that accepts: `None` in a scan; tests
    /// point it at a server that refuses, which stands for a client that cannot offer the row.
    control_at: Option<String>,
}

/// Strong TLS 1.2 suites for the raw ClientHello's control: ECDHE-ECDSA/RSA with AES-GCM and
/// ChaCha20-Poly1305.
const CONTROL_SUITES: &[u16] = &[0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8];

/// The outcome of one `openssl s_client` run.
struct Session {
    output: String,
    /// `(protocol, cipher)` from `New, TLSv1.2, Cipher is X`, when a handshake completed.
    negotiated: Option<(String, String)>,
    /// The protocol of the session (`Protocol  : TLSv1.1`).
    protocol: Option<String>,
    /// The local client refused the options (unknown option, no such cipher).
    client_lacks: bool,
}

impl Session {
    /// The cipher negotiated, if any.
    fn cipher(&self) -> Option<&str> {
        self.negotiated.as_ref().map(|(_, cipher)| cipher.as_str())
    }

    /// Whether a handshake completed at `protocol` (`TLSv1`, `TLSv1.1`, …, `SSLv3`).
    fn negotiated_protocol(&self, protocol: &str) -> bool {
        self.negotiated.is_some() && self.protocol.as_deref() == Some(protocol)
    }

    /// Why this run is no successful control: the client lacked the option, another version
    /// or suite was negotiated, OpenSSL's error reason (`sslv3 alert handshake failure`), or
    /// else the last line of the output.
    fn failure(&self) -> String {
        if self.client_lacks {
            return "client lacks it".to_owned();
        }
        if let Some((_, cipher)) = &self.negotiated {
            let protocol = self.protocol.as_deref().unwrap_or("?");
            return format!("negotiated {protocol} {cipher}");
        }
        self.output
            .lines()
            .filter(|l| l.contains(":error:"))
            .find_map(|l| l.split(':').nth(5))
            .or_else(|| self.output.lines().rev().find(|l| !l.trim().is_empty()))
            .map_or_else(
                || "no handshake".to_owned(),
                |e| e.trim().chars().take(80).collect(),
            )
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

/// The control server for a TLS 1.2 row with the RSA and EC certificates.
const TLS12: ServerSpec = ServerSpec {
    protocol: "-tls1_2",
    dsa: false,
};

impl<'a> Probe<'a> {
    fn new(target: &'a str, servername: Option<&'a str>) -> Self {
        Probe {
            target,
            servername,
            raw_trusted: false,
            servers: OpensslServers::default(),
            control_at: None,
        }
    }

    fn s_client(&self, args: &[&str], stdin: Option<&[u8]>) -> Session {
        self.s_client_at(self.target, args, stdin)
    }

    /// `openssl s_client -connect target` with the probe's servername and `args`.
    fn s_client_at(&self, target: &str, args: &[&str], stdin: Option<&[u8]>) -> Session {
        let mut cmd = Command::new("openssl");
        cmd.args(["s_client", "-connect", target]);
        if let Some(name) = self.servername {
            cmd.args(["-servername", name]);
        }
        cmd.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = run_with_timeout(cmd, stdin, Duration::from_secs(10));
        let negotiated = output.lines().find_map(|l| {
            let rest = l.strip_prefix("New, ")?;
            let (proto, cipher) = rest.split_once(", Cipher is ")?;
            (cipher.trim() != "(NONE)").then(|| (proto.to_owned(), cipher.trim().to_owned()))
        });
        let protocol = output.lines().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            (key.trim() == "Protocol").then(|| value.trim().to_owned())
        });
        let client_lacks = !output.contains("CONNECTED")
            && [
                "Unknown option",
                "no cipher match",
                "Error in cipher list",
                "unknown option",
            ]
            .iter()
            .any(|m| output.contains(m));
        Session {
            output,
            negotiated,
            protocol,
            client_lacks,
        }
    }

    /// The control of an `openssl s_client` row: the same `args` and `stdin` against the local
    /// `openssl s_server` for `spec` (or `control_at`); Accepted when `accepted` holds of that
    /// session.
    fn openssl_control(
        &mut self,
        spec: ServerSpec,
        args: &[&str],
        stdin: Option<&[u8]>,
        accepted: impl Fn(&Session) -> bool,
    ) -> Control {
        let addr = match &self.control_at {
            Some(addr) => addr.clone(),
            None => match self.servers.address(spec) {
                Ok(addr) => addr,
                Err(e) => return Control::Failed(format!("no control server: {e:#}")),
            },
        };
        let session = self.s_client_at(&addr, args, stdin);
        if accepted(&session) {
            Control::Accepted
        } else {
            Control::Failed(session.failure())
        }
    }

    /// The control of a raw-ClientHello row: the same ClientHello (`version`, `suites`, the
    /// servername) to an in-process server that accepts that version and those suites (or to
    /// `control_at`); Accepted when it answers a ServerHello at `version` and read every suite.
    fn raw_control_of(&self, version: u16, suites: &[u16]) -> Control {
        let (answer, hello) = match &self.control_at {
            Some(addr) => (
                tls_hello::probe(addr, self.servername, version, suites),
                None,
            ),
            None => match RawControl::start(&[version], suites) {
                Ok(server) => {
                    let answer = tls_hello::probe(server.addr(), self.servername, version, suites);
                    (answer, Some(server.finish()))
                }
                Err(e) => return Control::Failed(format!("{e:#}")),
            },
        };
        match (answer, hello) {
            (Err(e), _) | (_, Some(Err(e))) => Control::Failed(format!("{e:#}")),
            (Ok(Answer::Refused), _) => Control::Failed("raw control refused it".to_owned()),
            (Ok(Answer::Accepted(v)), _) if v != version => {
                Control::Failed(format!("raw control answered version {v:#06x}"))
            }
            (Ok(Answer::Accepted(_)), Some(Ok(hello)))
                if !suites.iter().all(|s| hello.suites.contains(s)) =>
            {
                Control::Failed("ClientHello lacks a suite".to_owned())
            }
            (Ok(Answer::Accepted(_)), _) => Control::Accepted,
        }
    }

    /// True when a raw TLS 1.2 ClientHello with strong suites is accepted, as openssl's TLS 1.2
    /// handshake is: then a raw refusal means a refusal, not a broken probe.
    fn raw_control(&self) -> Result<bool> {
        let session = self.s_client(&["-tls1_2"], None);
        if session.negotiated.is_none() {
            return Ok(false);
        }
        Ok(matches!(
            tls_hello::probe(self.target, self.servername, 0x0303, CONTROL_SUITES)?,
            Answer::Accepted(0x0303)
        ))
    }

    /// The raw ClientHello's answer as a finding.
    fn raw(&self, version: u16, suites: &[u16]) -> Result<Found> {
        if !self.raw_trusted {
            return Ok(Found::NotTested(
                "client lacks it; raw probe unverified".into(),
            ));
        }
        Ok(
            match tls_hello::probe(self.target, self.servername, version, suites)? {
                Answer::Accepted(_) => Found::Offered("raw".into()),
                Answer::Refused => Found::NotOffered("raw".into()),
            },
        )
    }

    /// The raw ClientHello's answer, a refusal checked by its control.
    fn raw_row(&self, version: u16, suites: &[u16], want: Want) -> Result<Found> {
        let found = self.raw(version, suites)?;
        Ok(controlled(found, want, || {
            self.raw_control_of(version, suites)
        }))
    }

    fn ssl3(&mut self) -> Result<Row> {
        let want = Want::NotOffered;
        let session = self.s_client(&["-ssl3"], None);
        let found = if !session.client_lacks {
            let found = match session.negotiated {
                Some(_) => Found::Offered(String::new()),
                None => Found::NotOffered(String::new()),
            };
            let spec = ServerSpec {
                protocol: "-ssl3",
                dsa: false,
            };
            controlled(found, want, || {
                self.openssl_control(spec, &["-ssl3"], None, |s| s.negotiated_protocol("SSLv3"))
            })
        } else {
            self.raw_row(0x0300, SSL3_SUITES, want)?
        };
        Ok(row("SSLv3", "", found, want))
    }

    /// A protocol version: `flag` for s_client and s_server, `protocol` as OpenSSL names it in
    /// a session.
    fn protocol(&mut self, name: &str, flag: &'static str, protocol: &str, want: Want) -> Row {
        // OpenSSL 3 refuses TLS 1.0/1.1 itself at the default security level.
        let args = [flag, "-cipher", "ALL:@SECLEVEL=0"];
        let session = self.s_client(&args, None);
        let found = if session.client_lacks {
            Found::NotTested("client lacks it".into())
        } else if let Some((_, cipher)) = session.negotiated {
            Found::Offered(cipher)
        } else {
            Found::NotOffered(String::new())
        };
        let spec = ServerSpec {
            protocol: flag,
            dsa: false,
        };
        let found = controlled(found, want, || {
            self.openssl_control(spec, &args, None, |s| s.negotiated_protocol(protocol))
        });
        row(name, "", found, want)
    }

    fn suite(&mut self, name: &str, code: Option<u16>) -> Result<Row> {
        let class = classify(name);
        let (label, want) = match class {
            CipherClass::Strong if name.starts_with("DHE-") => {
                ("strong if DH 2048+".to_owned(), Want::Either)
            }
            CipherClass::Strong => ("strong".to_owned(), Want::Either),
            CipherClass::Cbc => ("CBC (GCM preferred)".to_owned(), Want::NotOffered),
            CipherClass::Weak(why) => (format!("weak: {why}"), Want::NotOffered),
        };
        let spec_list = format!("{name}:@SECLEVEL=0");
        let (args, spec) = if name.starts_with("TLS_") {
            let spec = ServerSpec {
                protocol: "-tls1_3",
                dsa: false,
            };
            (["-tls1_3", "-ciphersuites", name], spec)
        } else {
            let spec = ServerSpec {
                protocol: "-tls1_2",
                dsa: name.contains("-DSS-"),
            };
            (["-tls1_2", "-cipher", spec_list.as_str()], spec)
        };
        let session = self.s_client(&args, None);
        let mut found = if session.client_lacks {
            match code {
                Some(code) => self.raw_row(0x0303, &[code], want)?,
                None => Found::NotTested("client lacks it".into()),
            }
        } else {
            let found = if session.negotiated.is_some() {
                Found::Offered(String::new())
            } else {
                Found::NotOffered(String::new())
            };
            controlled(found, want, || {
                self.openssl_control(spec, &args, None, |s| s.cipher() == Some(name))
            })
        };
        let mut ok = judge(&found, want);
        if name.starts_with("DHE-") && matches!(found, Found::Offered(_)) {
            let bits = temp_key_bits(&session.output);
            found = Found::Offered(format!("DH {} bits", bits.unwrap_or(0)));
            ok = Some(bits.is_some_and(|b| b >= 2048));
        }
        Ok(Row {
            name: name.to_owned(),
            class: label,
            found,
            ok,
        })
    }

    fn renegotiation(&mut self) -> Row {
        let want = Want::NotOffered;
        let (args, stdin): ([&str; 1], &[u8]) = (["-tls1_2"], b"R\n");
        let session = self.s_client(&args, Some(stdin));
        let found = renegotiation_found(&session);
        let found = controlled(found, want, || {
            self.openssl_control(TLS12, &args, Some(stdin), |s| {
                matches!(renegotiation_found(s), Found::Offered(_))
            })
        });
        row("client-initiated renegotiation", "", found, want)
    }

    fn certificate(&self) -> Row {
        let session = self.s_client(&[], None);
        // OpenSSL 3 prints, for each certificate in the chain:
        // `a:PKEY: id-ecPublicKey, 256 (bit); sigalg: ecdsa-with-SHA256`.
        let line = session
            .output
            .lines()
            .find(|l| l.trim_start().starts_with("a:PKEY:"))
            .map(|l| l.trim().trim_start_matches("a:PKEY:").trim().to_owned());
        let Some(line) = line else {
            return row(
                "server key and signature",
                "",
                Found::NotTested("no certificate seen".into()),
                Want::Either,
            );
        };
        let bits: u32 = line
            .split(", ")
            .nth(1)
            .and_then(|b| b.split_whitespace().next())
            .and_then(|b| b.parse().ok())
            .unwrap_or(0);
        let sigalg = line
            .split("sigalg: ")
            .nth(1)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let ec = line.contains("id-ecPublicKey");
        let key_ok = if ec { bits >= 256 } else { bits >= 2048 };
        let sig_ok = ["sha256", "sha384", "sha512"]
            .iter()
            .any(|h| sigalg.contains(h));
        Row {
            name: "server key and signature".to_owned(),
            class: "RSA 2048+ or EC 256+, SHA-256+".to_owned(),
            found: Found::Offered(line),
            ok: Some(key_ok && sig_ok),
        }
    }

    /// A key-exchange group, over TLS 1.3 (in TLS 1.2 the client's groups also limit which
    /// ECDSA certificate curves it accepts, so an X25519-only TLS 1.2 client fails on a P-256
    /// certificate whatever the server's groups).
    fn group(&self, label: &str, name: &str) -> Row {
        let session = self.s_client(&["-tls1_3", "-groups", name], None);
        let found = if session.client_lacks {
            Found::NotTested("client lacks it".into())
        } else if session.negotiated.is_some() {
            Found::Offered(temp_key(&session.output).unwrap_or_default())
        } else {
            Found::NotOffered(String::new())
        };
        row(
            &format!("key exchange group {label}"),
            "TLS 1.3",
            found,
            Want::Either,
        )
    }
}

fn row(name: &str, class: &str, found: Found, want: Want) -> Row {
    let ok = judge(&found, want);
    Row {
        name: name.to_owned(),
        class: class.to_owned(),
        found,
        ok,
    }
}

/// What an `openssl s_client -tls1_2` run that sent `R` (renegotiate) shows: Offered when
/// the renegotiation went through, NotOffered when the server refused it, NotTested when there
/// was no handshake or no renegotiation.
fn renegotiation_found(session: &Session) -> Found {
    if session.negotiated.is_none() {
        Found::NotTested("no TLS 1.2 handshake".into())
    } else if !session.output.contains("RENEGOTIATING") {
        Found::NotTested("client did not renegotiate".into())
    } else if session.output.contains("no renegotiation")
        || session
            .output
            .lines()
            .skip_while(|l| !l.contains("RENEGOTIATING"))
            .any(|l| l.contains(":error:"))
    {
        Found::NotOffered(String::new())
    } else {
        Found::Offered("accepted".into())
    }
}

/// `Server Temp Key: X25519, 253 bits` → `X25519, 253 bits`.
fn temp_key(output: &str) -> Option<String> {
    output
        .lines()
        .find_map(|l| l.strip_prefix("Server Temp Key: "))
        .map(str::to_owned)
}

/// The size of an ephemeral DH key (`Server Temp Key: DH, 2048 bits`).
fn temp_key_bits(output: &str) -> Option<u32> {
    temp_key(output)?
        .split(", ")
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `cmd` (with its stdout and stderr piped), writes `stdin` if given (then waits a second so
/// that the peer can answer, and closes it), and returns stdout and stderr together, or why it
/// could not run; kills it after `limit`.
pub(crate) fn run_with_timeout(mut cmd: Command, stdin: Option<&[u8]>, limit: Duration) -> String {
    let Ok(mut child) = cmd.spawn() else {
        return "cannot run openssl".to_owned();
    };
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(bytes) = stdin {
            let _ = pipe.write_all(bytes);
            std::thread::sleep(Duration::from_secs(1));
        }
        drop(pipe);
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                break;
            }
        }
    }
    match child.wait_with_output() {
        Ok(out) => {
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            text
        }
        Err(e) => e.to_string(),
    }
}

/// Installs the `openssl` command (Debian package) when it is missing.
pub(crate) fn ensure_openssl() -> Result<()> {
    if Command::new("openssl").arg("version").output().is_ok() {
        return Ok(());
    }
    crate::tools::apt_install(&["openssl"])
}

#[cfg(test)]
mod tests;
