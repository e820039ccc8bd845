//! `playground-e2e`: serves the playground page (`target/playground/`) on loopback, and checks
//! it in headless Chromium over WebDriver (Debian's `chromium` and `chromium-driver`): the page
//! loads every preset, shows a configuration error at its line, and for every test of every
//! scenario file gives the same status, upstream reach and local response as the wasmtime host
//! gave for the `.wasm` module (`scenarios.json`, written by `host-test playground`).
//! `cargo xtask playground` and `cargo xtask test` run it.

mod browser;
mod cases;
mod checks;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Serve the playground page, or check it in headless Chromium")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the page's folder on loopback until interrupted.
    Serve {
        /// The built page (`cargo xtask playground` writes target/playground).
        dir: PathBuf,
        /// The port on 127.0.0.1.
        #[arg(long, default_value_t = 18090)]
        port: u16,
    },
    /// Check the page in headless Chromium; prints `N passed, N failed`.
    Check {
        /// The built page, with its scenarios.json.
        dir: PathBuf,
        /// ChromeDriver.
        #[arg(long, default_value = "/usr/bin/chromedriver")]
        chromedriver: PathBuf,
        /// Chromium.
        #[arg(long, default_value = "/usr/bin/chromium")]
        chromium: PathBuf,
        /// Also save screenshots of the page at three steps in this folder.
        #[arg(long)]
        screenshots: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve { dir, port } => serve::forever(&dir, port).await.map(|()| true),
        Command::Check {
            dir,
            chromedriver,
            chromium,
            screenshots,
        } => {
            let tools = browser::Tools {
                chromedriver,
                chromium,
            };
            checks::run(&dir, &tools, screenshots.as_deref()).await
        }
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("playground-e2e: {e:#}");
            ExitCode::FAILURE
        }
    }
}
