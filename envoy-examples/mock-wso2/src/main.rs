//! `mock-wso2`: a small upstream that answers like a WSO2 product (Identity Server, API Manager,
//! Micro Integrator), for the Envoy examples and the end-to-end tests. See README.md.

mod fault;
mod ids;
mod mock_reply;
mod pages;
mod reply;
mod routes;
mod server;
mod tls;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser;
use hyper::header::HeaderValue;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::fault::{Mode, Modes};
use crate::server::{Node, log};
use crate::tls::HttpsSpec;

/// Serves WSO2-looking answers on every listener given, until SIGTERM or SIGINT.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Node name, sent as `x-mock-upstream` on every response.
    #[arg(long)]
    node: String,
    /// Plain HTTP/1.1 listener address (repeatable), e.g. 127.0.0.1:18080.
    #[arg(long = "listen", value_name = "ADDR")]
    listen: Vec<SocketAddr>,
    /// HTTPS listener (repeatable): ADDR,CERT_PEM,KEY_PEM. TLS 1.2 and 1.3, ALPN http/1.1.
    #[arg(long = "https", value_name = "ADDR,CERT_PEM,KEY_PEM")]
    https: Vec<HttpsSpec>,
    /// Random bytes in a JSESSIONID (Tomcat's default sessionIdLength is 16).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    session_id_bytes: u16,
    /// Failure mode at start: normal, slow[=MS] (default 10000), reset, storm503, hang, garbage.
    #[arg(long, default_value = "normal", value_name = "MODE")]
    mode: Mode,
    /// Loopback control listener: `GET /__mock/mode` reads the mode, `POST /__mock/mode` with a
    /// mode as the body changes it while the node runs.
    #[arg(long, value_name = "ADDR")]
    control: Option<SocketAddr>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")
        .and_then(|runtime| runtime.block_on(run(args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock-wso2: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    if args.listen.is_empty() && args.https.is_empty() {
        anyhow::bail!("nothing to serve: give at least one --listen or --https");
    }
    let header = HeaderValue::from_str(&args.node)
        .with_context(|| format!("--node {:?} cannot be a header value", args.node))?;
    let modes = Arc::new(Modes::new(&args.node, args.mode));
    let node = Arc::new(Node {
        name: args.node,
        header,
        session_id_bytes: usize::from(args.session_id_bytes),
        modes: modes.clone(),
    });
    let control = match args.control {
        Some(addr) => Some(fault::bind_control(addr).await?),
        None => None,
    };

    let mut bound = Vec::new();
    for addr in args.listen {
        bound.push(server::bind(addr, None).await?);
    }
    for spec in args.https {
        let config = tls::server_config(&spec.cert, &spec.key)?;
        bound.push(server::bind(spec.addr, Some(TlsAcceptor::from(config))).await?);
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    for b in bound {
        let addr = b.listener.local_addr().context("local address")?;
        log(&format!("mock-wso2 node={} listening on {addr}", node.name));
        tasks.spawn(server::run(b, node.clone(), stop_rx.clone()));
    }
    if let Some(listener) = control {
        let addr = listener.local_addr().context("local address")?;
        log(&format!(
            "mock-wso2 node={} control on {addr} mode={}",
            node.name,
            modes.get()
        ));
        tasks.spawn(fault::run_control(listener, modes, stop_rx.clone()));
    }

    let signal = shutdown_signal().await?;
    log(&format!(
        "mock-wso2 node={} stopping on {signal}",
        node.name
    ));
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Waits for SIGTERM or SIGINT and names the one that came.
async fn shutdown_signal() -> anyhow::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).context("SIGTERM handler")?;
        let mut int = signal(SignalKind::interrupt()).context("SIGINT handler")?;
        tokio::select! {
            _ = term.recv() => Ok("SIGTERM"),
            _ = int.recv() => Ok("SIGINT"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.context("Ctrl-C handler")?;
        Ok("Ctrl-C")
    }
}
