//! `cargo xtask`: build, run and test gateway-hardening. One module per task.

mod build;
mod check_config;
mod down;
mod envoy_checks;
mod examples;
mod flags;
mod http;
mod oci;
mod project;
mod state;
mod test;
mod tools;
mod up;

use clap::Parser;
use flags::{Cmd, Xtask};

fn main() -> std::process::ExitCode {
    let flags = Xtask::parse();
    let result = match flags.cmd {
        Cmd::Build => build::build(),
        Cmd::Up => up::up(),
        Cmd::Down => down::down(),
        Cmd::Demo => Err(anyhow::anyhow!("demo: not built yet")),
        Cmd::Test { no_e2e } => test::test(no_e2e),
        Cmd::CheckConfig { file, filter } => check_config::check_config(&file, &filter),
        Cmd::Examples { check } => examples::examples(check),
        Cmd::Oci { args } => oci::oci(&args),
        Cmd::Istio { args } => oci::istio(&args),
        Cmd::OciE2e => oci::roundtrip::registry_roundtrip(),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
