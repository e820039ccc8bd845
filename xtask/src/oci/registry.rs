//! A real OCI registry on loopback for the end-to-end step: Debian's `docker-registry` (the CNCF
//! distribution registry, 2.8), configured by a file of our own (listen address, storage under
//! `target/`, optional TLS and htpasswd auth), started as our child and stopped when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::project::run;

/// The registry binary Debian's package installs.
const BINARY: &str = "/usr/bin/docker-registry";

/// Installs `docker-registry` (and `htpasswd` from apache2-utils) when missing.
pub(super) fn ensure_installed() -> Result<()> {
    let htpasswd = Command::new("htpasswd").arg("-h").output().is_ok();
    if !Path::new(BINARY).exists() || !htpasswd {
        crate::tools::apt_install(&["docker-registry", "apache2-utils"])?;
    }
    let out = Command::new(BINARY).arg("--version").output()?;
    println!("registry: {}", String::from_utf8_lossy(&out.stdout).trim());
    Ok(())
}

/// A port that was free a moment ago on 127.0.0.1.
pub(super) fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A CA and a server certificate for 127.0.0.1 signed by it (PEM files in `dir`).
pub(super) struct Certs {
    pub(super) ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

/// Makes [`Certs`] with openssl (P-256 keys, valid two days).
pub(super) fn certs(dir: &Path) -> Result<Certs> {
    std::fs::create_dir_all(dir)?;
    let p = |n: &str| dir.join(n);
    let ossl = |args: &[&str]| {
        let mut cmd = Command::new("openssl");
        cmd.current_dir(dir).args(args).stderr(Stdio::null());
        run(&mut cmd)
    };
    let newkey = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    ossl(
        &[
            &["req", "-x509"],
            &newkey[..],
            &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
            &["-subj", "/CN=gateway-hardening test registry CA"],
            &["-addext", "basicConstraints=critical,CA:TRUE"],
            &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ]
        .concat(),
    )?;
    ossl(
        &[
            &["req"],
            &newkey[..],
            &["-keyout", "server.key", "-out", "server.csr"],
            &["-subj", "/CN=127.0.0.1"],
        ]
        .concat(),
    )?;
    std::fs::write(
        p("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n\
         extendedKeyUsage=serverAuth\n",
    )?;
    ossl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ])?;
    Ok(Certs {
        ca: p("ca.pem"),
        cert: p("server.pem"),
        key: p("server.key"),
    })
}

/// An htpasswd file (bcrypt, the only hash the registry accepts) with one user.
pub(super) fn htpasswd(dir: &Path, user: &str, password: &str) -> Result<PathBuf> {
    let out = Command::new("htpasswd")
        .args(["-Bbn", user, password])
        .output()
        .context("cannot run htpasswd")?;
    if !out.status.success() {
        bail!("htpasswd failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let path = dir.join("htpasswd");
    std::fs::write(&path, out.stdout)?;
    Ok(path)
}

/// A running registry; stopped (SIGTERM, then SIGKILL after 5 s) when dropped.
pub(super) struct Registry {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub(super) addr: String,
    log: PathBuf,
}

impl Registry {
    /// Starts a registry with its own config file and storage in `dir`.
    pub(super) fn start(dir: &Path, tls: Option<&Certs>, htpasswd: Option<&Path>) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: {addr}\n",
            dir.join("storage").display()
        );
        if let Some(c) = tls {
            config.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                c.cert.display(),
                c.key.display()
            ));
        }
        if let Some(h) = htpasswd {
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: gateway-hardening-test\n    path: {}\n",
                h.display()
            ));
        }
        let config_path = dir.join("config.yml");
        std::fs::write(&config_path, config)?;
        let log = dir.join("registry.log");
        let log_file = std::fs::File::create(&log)?;
        let child = Command::new(BINARY)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("cannot start {BINARY}"))?;
        let mut registry = Self { child, addr, log };
        registry.wait_ready()?;
        println!(
            "registry: {} on {} ({}{}), config {}",
            BINARY,
            registry.addr,
            if tls.is_some() { "TLS" } else { "plain HTTP" },
            if htpasswd.is_some() {
                ", htpasswd auth"
            } else {
                ", no auth"
            },
            config_path.display()
        );
        Ok(registry)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let sock: SocketAddr = self.addr.parse()?;
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("the registry exited ({status}):\n{}", self.log_tail());
            }
            if TcpStream::connect_timeout(&sock, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "the registry is not listening on {} after 15 s:\n{}",
            self.addr,
            self.log_tail()
        )
    }

    /// The last lines of the registry's log.
    pub(super) fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let skip = lines.len().saturating_sub(10);
        lines.into_iter().skip(skip).collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
