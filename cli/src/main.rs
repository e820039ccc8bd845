//! `gateway-hardening`: check an Envoy or Istio configuration and a running deployment against
//! the WSO2 production-deployment guidelines (P1-P22, O1-O9, N1-N7), and write the evidence an
//! auditor reads. Exit codes: 0 nothing at or above the threshold, 1 findings (or a failed
//! guideline), 2 bad input (a file that is not Envoy's or Istio's shape, a bad argument).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use gateway_hardening_cli::finding::{Finding, Severity};
use gateway_hardening_cli::grade::Exchange;
use gateway_hardening_cli::http::Target;
use gateway_hardening_cli::{audit, guidelines, lint, output, ports, scan};

#[derive(Parser)]
#[command(name = "gateway-hardening", version, about)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Note,
    Warning,
    Error,
    Never,
}

#[derive(Subcommand)]
enum Cmd {
    /// Lint Envoy bootstrap, LDS and CDS files (YAML or JSON) and Istio WasmPlugin, Gateway and
    /// DestinationRule manifests against the guidelines.
    Lint {
        /// The files to read.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Exit 1 when an unsuppressed finding is at or above this severity.
        #[arg(long, value_enum, default_value = "warning")]
        fail_on: FailOn,
        /// Where relative certificate file names resolve (Envoy resolves them against its
        /// working directory).
        #[arg(long, default_value = ".")]
        cert_root: PathBuf,
    },
    /// TCP connect scan of a host on loopback or your own network, against the ports you expect.
    Ports {
        /// The host's IP address.
        host: std::net::IpAddr,
        /// Ports to try: a list of ports and ranges (`1-1024,8080,9443`); default: the products'
        /// default and clustering ports and the expected ones.
        #[arg(long)]
        ports: Option<String>,
        /// The ports that should be open (`10443,10080`).
        #[arg(long, default_value = "")]
        expect: String,
        /// Connect timeout per port, in milliseconds.
        #[arg(long, default_value_t = 300)]
        timeout_ms: u64,
        /// Allow a public address (scan only hosts you run).
        #[arg(long)]
        allow_public: bool,
    },
    /// Scan a TLS listener or grade HTTP answers' headers.
    Scan {
        #[command(subcommand)]
        what: ScanCmd,
    },
    /// Audit a running deployment: lint, TLS scan, header grade, bypass and credentials probes,
    /// port audit; writes audit.md, audit.json and audit.html.
    Audit {
        /// The gateway's URL as clients use it (`https://is.example.com`).
        #[arg(long)]
        gateway: String,
        #[command(flatten)]
        conn: Connection,
        /// Configuration files to lint (repeatable).
        #[arg(long = "config")]
        configs: Vec<PathBuf>,
        /// Where relative certificate file names in the configurations resolve.
        #[arg(long, default_value = ".")]
        cert_root: PathBuf,
        /// The ports expected open on the gateway's host (`10443,10080,9901`).
        #[arg(long)]
        expect_ports: Option<String>,
        /// A route to grade (repeatable): a request target, prefixed `public:` for public
        /// metadata or `logout:` for a logout endpoint. Default: a WSO2 Identity Server's.
        #[arg(long = "route")]
        routes: Vec<String>,
        /// Where to write audit.md, audit.json and audit.html.
        #[arg(long, default_value = "gateway-hardening-audit")]
        out: PathBuf,
        /// Per connection and answer, in milliseconds.
        #[arg(long, default_value_t = 5000)]
        timeout_ms: u64,
    },
    /// The guidelines and what a gateway takes of each.
    Guidelines {
        /// Print the README's Markdown table.
        #[arg(long)]
        markdown: bool,
    },
}

/// How to reach an HTTP(S) target: where to connect, what to trust.
#[derive(clap::Args)]
struct Connection {
    /// Connect here instead of resolving the URL's host (`127.0.0.1:10443`).
    #[arg(long)]
    connect: Option<SocketAddr>,
    /// PEM trust anchors for the server's certificate.
    #[arg(long)]
    ca: Option<PathBuf>,
    /// Do not verify the server's certificate.
    #[arg(long)]
    insecure: bool,
}

impl Connection {
    /// `target` with these settings applied.
    fn apply(&self, target: &mut Target) {
        if let Some(addr) = self.connect {
            target.connect = addr.to_string();
        }
        target.ca.clone_from(&self.ca);
        target.insecure = self.insecure;
    }
}

#[derive(Subcommand)]
enum ScanCmd {
    /// Which TLS versions and cipher suites a listener offers (needs the `openssl` command).
    Tls {
        /// `host:port` or an `https://` URL.
        target: String,
        /// The TLS server name (SNI); default: the URL's host.
        #[arg(long)]
        servername: Option<String>,
    },
    /// Grade the headers of each URL's answer against the OWASP Secure Headers Project's lists.
    Headers {
        /// The URLs (`https://is.example.com/oauth2/token`).
        #[arg(required = true)]
        urls: Vec<String>,
        #[command(flatten)]
        conn: Connection,
        /// The answers are public metadata (caching allowed).
        #[arg(long)]
        public: bool,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gateway-hardening: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.cmd {
        Cmd::Lint {
            files,
            format,
            fail_on,
            cert_root,
        } => lint_cmd(&files, format, fail_on, cert_root),
        Cmd::Ports {
            host,
            ports: list,
            expect,
            timeout_ms,
            allow_public,
        } => {
            let expected = if expect.trim().is_empty() {
                Vec::new()
            } else {
                ports::parse_ports(&expect)?
            };
            let list = match list {
                Some(l) => ports::parse_ports(&l)?,
                None => {
                    let mut l = ports::default_ports();
                    l.extend(&expected);
                    l.sort_unstable();
                    l.dedup();
                    l
                }
            };
            let opts = ports::Options {
                timeout: Duration::from_millis(timeout_ms),
                allow_public,
                ..ports::Options::default()
            };
            let report = ports::scan(host, &list, &expected, &opts)?;
            print!("{}", ports::summary(&report));
            Ok(exit(&report.findings, Severity::Warning))
        }
        Cmd::Scan { what } => scan_cmd(what),
        Cmd::Audit {
            gateway,
            conn,
            configs,
            cert_root,
            expect_ports,
            routes,
            out,
            timeout_ms,
        } => {
            let opts = audit::Options {
                gateway,
                connect: conn.connect,
                ca: conn.ca,
                insecure: conn.insecure,
                configs,
                cert_root,
                expect_ports: expect_ports
                    .as_deref()
                    .map(ports::parse_ports)
                    .transpose()?,
                routes: if routes.is_empty() {
                    audit::default_routes()
                } else {
                    routes.iter().map(|r| audit::Route::parse(r)).collect()
                },
                timeout: Duration::from_millis(timeout_ms),
            };
            let report = audit::run(&opts);
            write_report(&report, &out)?;
            println!("{}", report.summary());
            for row in report
                .rows
                .iter()
                .filter(|r| r.verdict == audit::Verdict::Fail)
            {
                println!(
                    "fail {} {}: {}",
                    row.guideline.id, row.guideline.title, row.reason
                );
            }
            println!("report: {}/audit.{{md,json,html}}", out.display());
            Ok(if report.failed() {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Cmd::Guidelines { markdown } => {
            if markdown {
                print!("{}", guidelines::markdown_table());
            } else {
                for g in guidelines::ALL {
                    println!("{:<4} {:<9} {}", g.id, g.part.as_str(), g.title);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn lint_cmd(
    files: &[PathBuf],
    format: Format,
    fail_on: FailOn,
    cert_root: PathBuf,
) -> Result<ExitCode> {
    let opts = lint::Options { cert_root };
    let mut findings = Vec::new();
    for file in files {
        findings.extend(lint::lint_file(file, &opts)?);
    }
    match format {
        Format::Text => print!("{}", output::text(&findings)),
        Format::Json => println!("{}", output::json(&findings)),
        Format::Sarif => println!("{}", output::sarif(&findings)),
    }
    Ok(match fail_on {
        FailOn::Never => ExitCode::SUCCESS,
        FailOn::Note => exit(&findings, Severity::Note),
        FailOn::Warning => exit(&findings, Severity::Warning),
        FailOn::Error => exit(&findings, Severity::Error),
    })
}

fn scan_cmd(what: ScanCmd) -> Result<ExitCode> {
    match what {
        ScanCmd::Tls { target, servername } => {
            let (addr, name) = match target.strip_prefix("https://") {
                Some(_) => {
                    let (t, _) = Target::from_url(&target)?;
                    (t.connect.clone(), Some(t.server_name().to_owned()))
                }
                None => (target.clone(), None),
            };
            let report = scan::tls::scan(&addr, servername.or(name).as_deref())?;
            print!("{report}");
            Ok(exit(&report.findings(), Severity::Warning))
        }
        ScanCmd::Headers { urls, conn, public } => {
            let mut requests = Vec::new();
            for url in &urls {
                let (mut target, request_target) = Target::from_url(url)?;
                conn.apply(&mut target);
                let exchange = Exchange {
                    tls: target.tls,
                    sensitive: !public,
                    logout: false,
                };
                requests.push(scan::headers::Request {
                    target,
                    request_target,
                    exchange,
                });
            }
            let results = scan::headers::scan(&requests);
            let mut findings = Vec::new();
            for r in &results {
                print!("{}", scan::headers::summary(r));
                findings.extend(r.findings.iter().cloned());
            }
            Ok(exit(&findings, Severity::Warning))
        }
    }
}

fn exit(findings: &[Finding], threshold: Severity) -> ExitCode {
    if findings.iter().any(|f| f.fails(threshold)) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn write_report(report: &audit::Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for (name, text) in [
        ("audit.md", report.markdown()),
        ("audit.json", report.json()),
        ("audit.html", report.html()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}
