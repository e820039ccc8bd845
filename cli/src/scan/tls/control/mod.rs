//! Controls for the TLS scan's refusals. A row that finds a version or suite refused
//! stands only if the very same client attempt succeeds against a local server that does accept
//! it; else the local client (an OpenSSL built without TLS 1.0, say, or a raw ClientHello that
//! lost a suite) may never have offered it. Two kinds of control server, both on 127.0.0.1 with
//! an ephemeral port:
//! - [`OpensslServers`]: `openssl s_server` processes, one per configuration, for the attempts
//!   made with `openssl s_client`, with RSA 2048 and EC P-256 certificates (and DSA, for DSS
//!   suites) generated into a temporary folder; killed, and the folder removed, on drop;
//! - [`RawControl`]: a thread that reads one raw ClientHello and answers a ServerHello when it
//!   offers an accepted suite at an accepted version, for the attempts made with
//!   [`super::hello::probe`] ([`raw`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail, ensure};

use super::process::run_with_timeout;

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
            "gateway-hardening-tls-control-{}-{nanos}-{}",
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

mod raw;
#[cfg(test)]
mod tests;

pub(crate) use raw::RawControl;
