//! The page's folder as static files on loopback (tower-http's `ServeDir`: media types by
//! extension, `application/wasm` for the module, `index.html` for `/`).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

/// Starts serving `dir` on 127.0.0.1:`port` (0: any free port) in the background; returns the
/// page's URL (`http://127.0.0.1:PORT/`).
///
/// # Errors
/// The port cannot be bound.
pub(crate) async fn start(dir: &Path, port: u16) -> anyhow::Result<String> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .with_context(|| format!("binding 127.0.0.1:{port}"))?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback_service(ServeDir::new(dir));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("playground-e2e: the static server stopped: {e}");
        }
    });
    Ok(format!("http://{addr}/"))
}

/// Serves `dir` on 127.0.0.1:`port` until Ctrl-C.
///
/// # Errors
/// `dir` has no `index.html`, or the port cannot be bound.
pub(crate) async fn forever(dir: &Path, port: u16) -> anyhow::Result<()> {
    anyhow::ensure!(
        dir.join("index.html").is_file(),
        "{} has no index.html: run `cargo xtask playground` to build the page",
        dir.display()
    );
    let url = start(dir, port).await?;
    println!(
        "the playground: {url} (serving {}; Ctrl-C stops)",
        dir.display()
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
