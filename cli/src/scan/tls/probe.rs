//! The scan's client attempts: one method per kind of row, each an `openssl s_client` run or a
//! raw ClientHello, a refusal checked by its control.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::Result;
use policies::tls::cipher::{CipherClass, classify};

use super::control::{OpensslServers, RawControl, ServerSpec};
use super::hello::{self, Answer};
use super::process::run_with_timeout;
use super::session::{Session, renegotiation_found, temp_key, temp_key_bits};
use super::{
    CBC_SUITE, Control, DH_SIZE, Found, GROUP, KEY, PROTOCOL, RENEGOTIATION, Row, SSL3_SUITES,
    STRONG_SUITE, WEAK_SUITE, Want, controlled, judge, row,
};

/// How long one `openssl s_client` run may take.
const S_CLIENT_LIMIT: Duration = Duration::from_secs(10);

pub(super) struct Probe<'a> {
    /// The target as given, for `openssl s_client -connect`.
    pub(super) target: &'a str,
    /// Its address (`IP:PORT`), for the raw ClientHello.
    addr: &'a str,
    servername: Option<&'a str>,
    /// The raw ClientHello saw a suite accepted that openssl also negotiated.
    pub(super) raw_trusted: bool,
    /// The `openssl s_server` controls, started as rows need them, stopped with the probe.
    servers: OpensslServers,
    /// Where every control goes instead of a local server that accepts: `None` in a scan; tests
    /// point it at a server that refuses, which stands for a client that cannot offer the row.
    pub(super) control_at: Option<String>,
}

/// Strong TLS 1.2 suites for the raw ClientHello's control: ECDHE-ECDSA/RSA with AES-GCM and
/// ChaCha20-Poly1305.
const CONTROL_SUITES: &[u16] = &[0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8];

/// The control server for a TLS 1.2 row with the RSA and EC certificates.
const TLS12: ServerSpec = ServerSpec {
    protocol: "-tls1_2",
    dsa: false,
};

impl<'a> Probe<'a> {
    /// A probe of `target` (as given) at `addr` (its `IP:PORT`).
    pub(super) fn new(target: &'a str, addr: &'a str, servername: Option<&'a str>) -> Self {
        Probe {
            target,
            addr,
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
        let output = run_with_timeout(cmd, stdin, S_CLIENT_LIMIT);
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
            Some(addr) => (hello::probe(addr, self.servername, version, suites), None),
            None => match RawControl::start(&[version], suites) {
                Ok(server) => {
                    let answer = hello::probe(server.addr(), self.servername, version, suites);
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
    pub(super) fn raw_control(&self) -> Result<bool> {
        let session = self.s_client(&["-tls1_2"], None);
        if session.negotiated.is_none() {
            return Ok(false);
        }
        Ok(matches!(
            hello::probe(self.addr, self.servername, 0x0303, CONTROL_SUITES)?,
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
            match hello::probe(self.addr, self.servername, version, suites)? {
                Answer::Accepted(_) => Found::Offered("raw".into()),
                Answer::Refused => Found::NotOffered("raw".into()),
            },
        )
    }

    /// The raw ClientHello's answer, a refusal checked by its control.
    pub(super) fn raw_row(&self, version: u16, suites: &[u16], want: Want) -> Result<Found> {
        let found = self.raw(version, suites)?;
        Ok(controlled(found, want, || {
            self.raw_control_of(version, suites)
        }))
    }

    pub(super) fn ssl3(&mut self) -> Result<Row> {
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
        Ok(row("SSLv3", "", found, want, PROTOCOL))
    }

    /// A protocol version: `flag` for s_client and s_server, `protocol` as OpenSSL names it in
    /// a session.
    pub(super) fn protocol(
        &mut self,
        name: &str,
        flag: &'static str,
        protocol: &str,
        want: Want,
    ) -> Row {
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
        row(name, "", found, want, PROTOCOL)
    }

    pub(super) fn suite(&mut self, name: &str, code: Option<u16>) -> Result<Row> {
        let class = classify(name);
        let (label, want, check) = match class {
            CipherClass::Strong if name.starts_with("DHE-") => {
                ("strong if DH 2048+".to_owned(), Want::Either, DH_SIZE)
            }
            CipherClass::Strong => ("strong".to_owned(), Want::Either, STRONG_SUITE),
            CipherClass::Cbc => (
                "CBC (GCM preferred)".to_owned(),
                Want::NotOffered,
                CBC_SUITE,
            ),
            CipherClass::Weak(why) => (format!("weak: {why}"), Want::NotOffered, WEAK_SUITE),
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
            // An offered DHE suite is as wanted only if its class allows it (a DHE-DSS suite
            // never does) and its ephemeral DH key has 2048 bits or more (P13).
            let bits = temp_key_bits(&session.output);
            found = Found::Offered(format!("DH {} bits", bits.unwrap_or(0)));
            ok = Some(ok == Some(true) && bits.is_some_and(|b| b >= 2048));
        }
        Ok(Row {
            name: name.to_owned(),
            class: label,
            found,
            ok,
            want,
            check,
        })
    }

    pub(super) fn renegotiation(&mut self) -> Row {
        let want = Want::NotOffered;
        let (args, stdin): ([&str; 1], &[u8]) = (["-tls1_2"], b"R\n");
        let session = self.s_client(&args, Some(stdin));
        let found = renegotiation_found(&session);
        let found = controlled(found, want, || {
            self.openssl_control(TLS12, &args, Some(stdin), |s| {
                matches!(renegotiation_found(s), Found::Offered(_))
            })
        });
        row(
            "client-initiated renegotiation",
            "",
            found,
            want,
            RENEGOTIATION,
        )
    }

    pub(super) fn certificate(&self) -> Row {
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
                KEY,
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
            want: Want::Either,
            check: KEY,
        }
    }

    /// A key-exchange group, over TLS 1.3 (in TLS 1.2 the client's groups also limit which
    /// ECDSA certificate curves it accepts, so an X25519-only TLS 1.2 client fails on a P-256
    /// certificate whatever the server's groups).
    pub(super) fn group(&self, label: &str, name: &str) -> Row {
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
            GROUP,
        )
    }
}
