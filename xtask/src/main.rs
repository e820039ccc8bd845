//! `cargo xtask`: build, run and test gateway-hardening. One module per task.

mod audit_e2e;
mod bench;
mod build;
mod certs;
mod chain_example;
mod check_config;
mod curl;
mod demo;
mod down;
mod envoy_checks;
mod envoy_yaml;
mod examples;
mod flags;
mod header_audit;
mod http;
mod kill_matrix;
mod oci;
mod ops;
mod playground;
mod project;
mod state;
mod test;
mod tls_e2e;
mod tls_scan;
mod tools;
mod up;

use clap::Parser;
use flags::{Cmd, Xtask};

fn main() -> std::process::ExitCode {
    let flags = Xtask::parse();
    let result = match flags.cmd {
        Cmd::Bench {
            envoy_only,
            rounds,
            seconds,
            only,
        } => bench::bench(envoy_only, rounds, seconds, only.as_deref()),
        Cmd::Build => build::build(),
        Cmd::Soak { minutes, threshold } => ops::soak::soak(minutes, threshold),
        Cmd::Up => up::up(),
        Cmd::Down => down::down(),
        Cmd::Demo => demo::demo(),
        Cmd::Test { no_e2e, only } => test::test(no_e2e, only.as_deref()),
        Cmd::CheckConfig {
            file,
            filter,
            request,
            host,
        } => check_config::check_config(&file, &filter).and_then(|()| match request {
            Some(r) => check_config::explain(&file, &filter, &r, &host),
            None => Ok(()),
        }),
        Cmd::Examples { check } => examples::examples(check),
        Cmd::Playground { port, screenshots } => playground::playground(port, screenshots),
        Cmd::Oci { args } => oci::oci(&args),
        Cmd::Istio { args } => oci::istio(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
