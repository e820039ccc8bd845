//! `host-test`: run scenario files in the wasmtime host (`run`), in real Envoy (`e2e`), or in
//! both, failing on any disagreement (`diff`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use host_test::runner::{collect, run_file};

#[derive(Parser)]
#[command(
    name = "host-test",
    about = "Proxy-Wasm scenario runner (wasmtime host and real Envoy)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files (or folders of them) in the wasmtime host.
    Run {
        /// Scenario files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (mut passed, mut failed) = (0usize, 0usize);
    match cli.command {
        Command::Run { paths } => {
            let files = collect(&paths);
            if files.is_empty() {
                eprintln!("no scenario files under the given paths");
                failed += 1;
            }
            for file in files {
                for r in run_file(&file) {
                    let name = if r.id.is_empty() {
                        file.display().to_string()
                    } else {
                        format!("{} {}", file.display(), r.id)
                    };
                    if r.verdict.passed() {
                        passed += 1;
                        println!("ok   {name}");
                    } else if r.id.is_empty() {
                        failed += 1;
                        println!("FAIL {}", r.verdict.failures.join("; "));
                    } else {
                        failed += 1;
                        println!("FAIL {name}: {}", r.verdict.failures.join("; "));
                    }
                }
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
