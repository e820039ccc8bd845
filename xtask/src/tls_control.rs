//! Controls for `cargo xtask tls-scan`'s refusals. A row that finds a version or suite refused
//! stands only if the very same client attempt succeeds against a local server that does accept
//! it; else the local client (an OpenSSL built without TLS 1.0, say, or a raw ClientHello that
//! lost a suite) may never have offered it. Two kinds of control server, both on 127.0.0.1 with
//! an ephemeral port:
//! - [`OpensslServers`]: `openssl s_server` processes, one per configuration, for the attempts
//!   made with `openssl s_client`, with RSA 2048 and EC P-256 certificates (and DSA, for DSS
//!   suites) generated into a temporary folder; killed, and the folder removed, on drop;
//! - [`RawControl`]: a thread that reads one raw ClientHello and answers a ServerHello when it
//!   offers an accepted suite at an accepted version, for the attempts made with
//!   [`crate::tls_hello::probe`].

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail, ensure};

use crate::tls_scan::run_with_timeout;

/// How long a control server may take to start listening, and the raw control waits for its
/// one client.
const START_LIMIT: Duration = Duration::from_secs(10);

/// Every TLS 1.3 suite of OpenSSL 3, for `s_server -ciphersuites`.
const TLS13_SUITES: &str =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

/// Every suite OpenSSL has, NULL-encryption ones included (`ALL` leaves them out), at security
/// level 0 (SHA-1 signatures, small keys).
const ALL_SUITES: &str = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";

/// Which `openssl s_server` a control needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ServerSpec {
    /// The protocol flag of the row (`-tls1`, `-tls1_1`, `-tls1_2`, `-tls1_3`, `-ssl3`): the
    /// server speaks that version only.
    pub(crate) protocol: &'static str,
    /// Serve a DSA certificate (for the DHE-DSS suites) in place of the RSA one.
    pub(crate) dsa: bool,
}

/// `openssl s_server` control servers, started as controls need them and killed on drop (with
/// the temporary folder of their certificates).
#[derive(Default)]
pub(crate) struct OpensslServers {
    // Declared before `certs`: the servers stop before their certificates go.
    servers: Vec<(ServerSpec, Result<SServer, String>)>,
    #[cfg(test)]
    others: Vec<SServer>,
    certs: Option<Result<CertDir, String>>,
}

impl OpensslServers {
    /// The address (`127.0.0.1:PORT`) of a running `openssl s_server` for `spec`: that protocol
    /// only, every suite (`ALL:COMPLEMENTOFALL:@SECLEVEL=0` and every TLS 1.3 suite), an RSA
    /// (or, with `spec.dsa`, DSA) certificate plus an EC P-256 one, OpenSSL's automatic DH
    /// parameters, client-initiated renegotiation allowed. Started on first use and reused;
    /// fails (again on every later call, without retrying) when it could not start.
    pub(crate) fn address(&mut self, spec: ServerSpec) -> Result<String> {
        if let Some((_, server)) = self.servers.iter().find(|(s, _)| *s == spec) {
            return server
                .as_ref()
                .map(|s| s.addr.clone())
                .map_err(|e| anyhow!("{e}"));
        }
        let server = self.start(spec).map_err(|e| format!("{e:#}"));
        let addr = server
            .as_ref()
            .map(|s| s.addr.clone())
            .map_err(|e| anyhow!("{e}"));
        self.servers.push((spec, server));
        addr
    }

    fn start(&mut self, spec: ServerSpec) -> Result<SServer> {
        let dir = self.certs(spec.dsa)?;
        let first = if spec.dsa { "dsa" } else { "rsa" };
        let (cert, key) = (format!("{first}.crt"), format!("{first}.key"));
        let args = [
            spec.protocol,
            "-cipher",
            ALL_SUITES,
            "-ciphersuites",
            TLS13_SUITES,
            "-client_renegotiation",
            "-cert",
            &cert,
            "-key",
            &key,
            "-dcert",
            "ec.crt",
            "-dkey",
            "ec.key",
        ];
        SServer::start(&dir, &args)
    }

    /// Starts an extra `openssl s_server` with `args` and the RSA certificate (a target for
    /// tests); returns its address, the server running until `self` is dropped.
    #[cfg(test)]
    pub(crate) fn start_with(&mut self, args: &[&str]) -> Result<String> {
        let dir = self.certs(false)?;
        let mut all = args.to_vec();
        all.extend(["-cert", "rsa.crt", "-key", "rsa.key"]);
        let server = SServer::start(&dir, &all)?;
        let addr = server.addr.clone();
        self.others.push(server);
        Ok(addr)
    }

    /// The certificate folder (made on first use), with DSA certificates if `dsa`.
    fn certs(&mut self, dsa: bool) -> Result<PathBuf> {
        let certs = self
            .certs
            .get_or_insert_with(|| CertDir::new().map_err(|e| format!("{e:#}")));
        let dir = certs
            .as_mut()
            .map_err(|e| anyhow!("no control certificates: {e}"))?;
        if dsa {
            dir.dsa()?;
        }
        Ok(dir.path.clone())
    }
}

/// Certificates generated with the `openssl` command into a temporary folder, removed on drop.
struct CertDir {
    path: PathBuf,
    dsa: Option<Result<(), String>>,
}

impl CertDir {
    /// A new folder with `rsa.crt`/`rsa.key` (RSA 2048) and `ec.crt`/`ec.key` (EC P-256).
    fn new() -> Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!(
            "xtask-tls-control-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let dir = CertDir { path, dsa: None };
        dir.self_signed("rsa", &["-newkey", "rsa:2048"])?;
        dir.self_signed(
            "ec",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        )?;
        Ok(dir)
    }

    /// Adds `dsa.crt`/`dsa.key` (DSA 2048) once.
    fn dsa(&mut self) -> Result<()> {
        if self.dsa.is_none() {
            let made = self
                .openssl(
                    &[
                        "genpkey",
                        "-genparam",
                        "-algorithm",
                        "DSA",
                        "-pkeyopt",
                        "dsa_paramgen_bits:2048",
                        "-out",
                        "dsa.params",
                    ],
                    "dsa.params",
                )
                .and_then(|()| self.self_signed("dsa", &["-newkey", "dsa:dsa.params"]));
            self.dsa = Some(made.map_err(|e| format!("{e:#}")));
        }
        match &self.dsa {
            Some(Err(e)) => bail!("no DSA certificate: {e}"),
            _ => Ok(()),
        }
    }

    /// `NAME.key` and a self-signed SHA-256 `NAME.crt` for localhost, the key made by `newkey`.
    fn self_signed(&self, name: &str, newkey: &[&str]) -> Result<()> {
        let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
        let mut args = vec!["req", "-x509", "-nodes", "-sha256", "-days", "2"];
        args.extend_from_slice(newkey);
        args.extend(["-subj", "/CN=localhost", "-keyout", &key, "-out", &crt]);
        self.openssl(&args, &crt)
    }

    /// Runs `openssl args` in the folder (a minute at most); fails unless it made `creates`.
    fn openssl(&self, args: &[&str], creates: &str) -> Result<()> {
        let mut cmd = Command::new("openssl");
        cmd.args(args)
            .current_dir(&self.path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let output = run_with_timeout(cmd, None, Duration::from_secs(60));
        ensure!(
            self.path.join(creates).is_file(),
            "openssl {} made no {creates}: {}",
            args.join(" "),
            last_line(&output)
        );
        Ok(())
    }
}

impl Drop for CertDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A running `openssl s_server -www`, killed on drop.
struct SServer {
    child: Child,
    addr: String,
}

impl SServer {
    /// Starts `openssl s_server -accept 127.0.0.1:0 -www ARGS` in `dir` (its output logged to a
    /// file there) and waits (10 s at most) until it listens.
    fn start(dir: &Path, args: &[&str]) -> Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let log = dir.join(format!(
            "s_server-{}.log",
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let out =
            fs::File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let err = out.try_clone()?;
        let child = Command::new("openssl")
            .args(["s_server", "-accept", "127.0.0.1:0", "-www"])
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .context("cannot run openssl s_server")?;
        // From here on, dropping `server` kills the process.
        let mut server = SServer {
            child,
            addr: String::new(),
        };
        let start = Instant::now();
        loop {
            let text = fs::read_to_string(&log).unwrap_or_default();
            if let Some(port) = accept_port(&text) {
                server.addr = format!("127.0.0.1:{port}");
                return Ok(server);
            }
            let exited = !matches!(server.child.try_wait(), Ok(None));
            if exited || start.elapsed() > START_LIMIT {
                let text = fs::read_to_string(&log).unwrap_or_default();
                bail!(
                    "openssl s_server {} {}: {}",
                    args.join(" "),
                    if exited { "exited" } else { "did not listen" },
                    last_line(&text)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of s_server's `ACCEPT 127.0.0.1:PORT` line.
fn accept_port(output: &str) -> Option<u16> {
    output
        .lines()
        .find_map(|l| l.strip_prefix("ACCEPT "))?
        .rsplit(':')
        .next()?
        .trim()
        .parse()
        .ok()
}

/// The last non-empty line of a command's output, to say why it failed.
fn last_line(output: &str) -> &str {
    output
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no output")
}

/// A ClientHello as the raw control server read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientHello {
    /// The record layer's version (0x0300 for SSLv3, 0x0301 otherwise).
    pub(crate) record_version: u16,
    /// The `client_version`: the highest version the client offers.
    pub(crate) version: u16,
    /// The offered cipher suites, in order.
    pub(crate) suites: Vec<u16>,
    /// The host name of the `server_name` extension, if any.
    pub(crate) servername: Option<String>,
}

/// Bounds-checked reading of big-endian fields.
struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8]> {
        let Some((head, rest)) = self.bytes.split_at_checked(n) else {
            bail!("{} cut short in its {field}", self.what);
        };
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self, field: &str) -> Result<u8> {
        Ok(self.take(1, field)?.first().copied().unwrap_or_default())
    }

    fn u16(&mut self, field: &str) -> Result<u16> {
        let b = self.take(2, field)?;
        Ok(u16::from_be_bytes(<[u8; 2]>::try_from(b)?))
    }

    fn u24(&mut self, field: &str) -> Result<usize> {
        let b = self.take(3, field)?;
        let [a, b, c] = <[u8; 3]>::try_from(b)?;
        Ok(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c))
    }

    /// A field with a length prefix of `len_bytes` (1 or 2) bytes.
    fn vector(&mut self, len_bytes: u8, field: &str) -> Result<&'a [u8]> {
        let n = if len_bytes == 1 {
            usize::from(self.u8(field)?)
        } else {
            usize::from(self.u16(field)?)
        };
        self.take(n, field)
    }

    fn end(&self) -> Result<()> {
        ensure!(
            self.bytes.is_empty(),
            "{} has {} bytes too many",
            self.what,
            self.bytes.len()
        );
        Ok(())
    }
}

/// Parses one handshake record holding a whole ClientHello (`record`: the 5-byte record header
/// and its body); fails on anything malformed (a length that does not add up, a record of
/// another type, an odd suite list, bytes left over).
pub(crate) fn parse_client_hello(record: &[u8]) -> Result<ClientHello> {
    let mut r = Reader {
        bytes: record,
        what: "record",
    };
    ensure!(r.u8("type")? == 0x16, "not a handshake record");
    let record_version = r.u16("version")?;
    let body = r.vector(2, "body")?;
    r.end()?;
    let mut r = Reader {
        bytes: body,
        what: "handshake",
    };
    ensure!(r.u8("type")? == 0x01, "not a ClientHello");
    let len = r.u24("length")?;
    let hello = r.take(len, "body")?;
    r.end()?;
    let mut r = Reader {
        bytes: hello,
        what: "ClientHello",
    };
    let version = r.u16("version")?;
    r.take(32, "random")?;
    let session_id = r.vector(1, "session id")?;
    ensure!(session_id.len() <= 32, "session id longer than 32 bytes");
    let suite_bytes = r.vector(2, "cipher suites")?;
    ensure!(
        !suite_bytes.is_empty() && suite_bytes.len() % 2 == 0,
        "cipher suite list of {} bytes",
        suite_bytes.len()
    );
    let suites = suite_bytes
        .chunks_exact(2)
        .map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
        .collect();
    let compression = r.vector(1, "compression methods")?;
    ensure!(compression.contains(&0), "no null compression");
    let mut servername = None;
    if !r.bytes.is_empty() {
        let mut ext = Reader {
            bytes: r.vector(2, "extensions")?,
            what: "extensions",
        };
        while !ext.bytes.is_empty() {
            let kind = ext.u16("type")?;
            let data = ext.vector(2, "data")?;
            if kind == 0x0000 {
                servername = Some(parse_sni(data)?);
            }
        }
    }
    r.end()?;
    Ok(ClientHello {
        record_version,
        version,
        suites,
        servername,
    })
}

/// The host name of a `server_name` extension's data.
fn parse_sni(data: &[u8]) -> Result<String> {
    let mut r = Reader {
        bytes: data,
        what: "server_name",
    };
    let mut list = Reader {
        bytes: r.vector(2, "list")?,
        what: "server_name list",
    };
    r.end()?;
    ensure!(list.u8("name type")? == 0, "server_name not a host name");
    let name = list.vector(2, "host name")?;
    list.end()?;
    Ok(String::from_utf8_lossy(name).into_owned())
}

/// A handshake record holding a ServerHello that chooses `suite` at `version` (an empty
/// session id, null compression, no extensions).
pub(crate) fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    let mut hello = Vec::with_capacity(38 + 4);
    hello.extend_from_slice(&version.to_be_bytes());
    hello.extend((0u8..32).map(|i| i.wrapping_mul(29).wrapping_add(3)));
    hello.push(0); // session id
    hello.extend_from_slice(&suite.to_be_bytes());
    hello.push(0); // compression
    let len = u32::try_from(hello.len()).unwrap_or_default().to_be_bytes();
    let mut record = vec![0x16];
    record.extend_from_slice(&version.to_be_bytes());
    record.extend_from_slice(
        &u16::try_from(hello.len() + 4)
            .unwrap_or_default()
            .to_be_bytes(),
    );
    record.push(0x02);
    record.extend_from_slice(len.get(1..).unwrap_or_default());
    record.extend_from_slice(&hello);
    record
}

/// A fatal handshake_failure alert record at `version`.
fn handshake_failure(version: u16) -> Vec<u8> {
    let [hi, lo] = version.to_be_bytes();
    vec![0x15, hi, lo, 0, 2, 2, 40]
}

/// An in-process control server for the raw ClientHello: it listens on 127.0.0.1 (an ephemeral
/// port) for one connection, reads one ClientHello and answers a ServerHello choosing the first
/// offered suite among those it accepts, at the offered version if it accepts that version, or
/// else a handshake_failure alert.
pub(crate) struct RawControl {
    addr: String,
    thread: JoinHandle<Result<ClientHello>>,
}

impl RawControl {
    /// Starts a control that accepts the `versions` (e.g. 0x0300 for SSLv3) and `suites`
    /// (IANA codes); it waits 10 s at most for its client.
    pub(crate) fn start(versions: &[u16], suites: &[u16]) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").context("raw control: cannot listen")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?.to_string();
        let (versions, suites) = (versions.to_vec(), suites.to_vec());
        let thread = std::thread::Builder::new()
            .name("tls-raw-control".into())
            .spawn(move || serve_one(&listener, &versions, &suites))
            .context("raw control: cannot start its thread")?;
        Ok(RawControl { addr, thread })
    }

    /// The address to connect to, `127.0.0.1:PORT`.
    pub(crate) fn addr(&self) -> &str {
        &self.addr
    }

    /// Waits for the connection to be served; returns the ClientHello read, or why none was.
    pub(crate) fn finish(self) -> Result<ClientHello> {
        self.thread
            .join()
            .map_err(|_| anyhow!("raw control thread panicked"))?
    }
}

fn serve_one(listener: &TcpListener, versions: &[u16], suites: &[u16]) -> Result<ClientHello> {
    let start = Instant::now();
    let mut stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock && start.elapsed() < START_LIMIT => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(e).context("raw control: no client came"),
        }
    };
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut header = [0u8; 5];
    stream
        .read_exact(&mut header)
        .context("raw control: no record header")?;
    let [_, _, _, hi, lo] = header;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([hi, lo]))];
    stream
        .read_exact(&mut body)
        .context("raw control: record cut short")?;
    let mut record = header.to_vec();
    record.extend_from_slice(&body);
    let hello = parse_client_hello(&record).context("raw control")?;
    let chosen = versions
        .contains(&hello.version)
        .then(|| hello.suites.iter().find(|s| suites.contains(s)))
        .flatten();
    let answer = match chosen {
        Some(&suite) => server_hello(hello.version, suite),
        None => handshake_failure(hello.version),
    };
    stream.write_all(&answer)?;
    Ok(hello)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls_hello::{self, Answer};

    #[test]
    fn parses_our_client_hello() {
        // (case, servername, version, suites)
        let cases: &[(&str, Option<&str>, u16, &[u16])] = &[
            (
                "TLS 1.2 RC4-MD5 with SNI",
                Some("a.test"),
                0x0303,
                &[0x0004],
            ),
            ("TLS 1.2 two suites", None, 0x0303, &[0xc02f, 0x000a]),
            (
                "SSLv3 (no extensions)",
                Some("ignored.test"),
                0x0300,
                &[0x0004, 0x0005],
            ),
        ];
        for (case, name, version, suites) in cases {
            let hello = parse_client_hello(&tls_hello::client_hello(*name, *version, suites))
                .unwrap_or_else(|e| panic!("{case}: {e:#}"));
            assert_eq!(hello.version, *version, "{case}");
            assert_eq!(&hello.suites, suites, "{case}");
            let sni = if *version == 0x0300 { None } else { *name };
            assert_eq!(hello.servername.as_deref(), sni, "{case}");
            let record = if *version == 0x0300 { 0x0300 } else { 0x0301 };
            assert_eq!(hello.record_version, record, "{case}");
        }
    }

    #[test]
    fn rejects_malformed_client_hellos() {
        let good = tls_hello::client_hello(Some("a.test"), 0x0303, &[0x0004]);
        let mut long = good.clone();
        long.push(0);
        let mut odd = good.clone();
        // Suite list length 2 → 3 (offset: record 5, handshake 4, version 2, random 32, sid 1).
        odd[5 + 4 + 2 + 32 + 1 + 1] = 3;
        let mut alert = good.clone();
        alert[0] = 0x15;
        let cases: &[(&str, &[u8])] = &[
            ("cut short", &good[..good.len() - 1]),
            ("a byte too many", &long),
            ("odd suite list", &odd),
            ("not a handshake", &alert),
            ("empty", &[]),
        ];
        for (case, bytes) in cases {
            assert!(parse_client_hello(bytes).is_err(), "{case} was accepted");
        }
        assert!(parse_client_hello(&good).is_ok());
    }

    #[test]
    fn raw_probe_round_trip_with_the_control_server() {
        // (case, versions the control accepts, suites it accepts, version offered, suites
        // offered, answer wanted)
        type Case<'a> = (&'a str, &'a [u16], &'a [u16], u16, &'a [u16], Answer);
        let cases: &[Case] = &[
            (
                "RC4-MD5 over SSLv3",
                &[0x0300],
                &[0x0004],
                0x0300,
                &[0x0004],
                Answer::Accepted(0x0300),
            ),
            (
                "RC4-MD5 over TLS 1.2",
                &[0x0303],
                &[0x0004],
                0x0303,
                &[0x0004],
                Answer::Accepted(0x0303),
            ),
            (
                "first accepted of several",
                &[0x0303],
                &[0x000a],
                0x0303,
                &[0x0005, 0x000a],
                Answer::Accepted(0x0303),
            ),
            (
                "suite not accepted",
                &[0x0303],
                &[0x0005],
                0x0303,
                &[0x0004],
                Answer::Refused,
            ),
            (
                "version not accepted",
                &[0x0303],
                &[0x0004],
                0x0300,
                &[0x0004],
                Answer::Refused,
            ),
            (
                "accepts nothing",
                &[],
                &[],
                0x0303,
                &[0x0004],
                Answer::Refused,
            ),
        ];
        for (case, versions, accepted, version, offered, want) in cases {
            let control = RawControl::start(versions, accepted).unwrap();
            let answer = tls_hello::probe(control.addr(), Some("a.test"), *version, offered)
                .unwrap_or_else(|e| panic!("{case}: {e:#}"));
            assert_eq!(answer, *want, "{case}");
            let hello = control.finish().unwrap_or_else(|e| panic!("{case}: {e:#}"));
            assert_eq!(&hello.suites, offered, "{case}");
        }
    }

    #[test]
    fn server_hello_is_read_by_the_probe_parser() {
        let record = server_hello(0x0303, 0xc02f);
        assert_eq!(&record[..3], &[0x16, 0x03, 0x03]);
        assert_eq!(
            usize::from(u16::from_be_bytes([record[3], record[4]])),
            record.len() - 5
        );
        // Handshake type 2, its 3-byte length, then the version, as tls_hello::probe reads it.
        assert_eq!(record[5], 0x02);
        assert_eq!(usize::from(record[8]), record.len() - 9);
        assert_eq!(&record[9..11], &[0x03, 0x03]);
        assert_eq!(&record[5 + 39..5 + 41], &[0xc0, 0x2f]);
    }

    #[test]
    fn accept_port_reads_s_server_output() {
        assert_eq!(
            accept_port("Using default temp DH parameters\nACCEPT 127.0.0.1:38225\n"),
            Some(38225)
        );
        assert_eq!(accept_port("ACCEPT [::]:4433"), Some(4433));
        assert_eq!(accept_port("error"), None);
    }
}
