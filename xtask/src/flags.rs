//! Command-line flags of `cargo xtask`.

use clap::{Parser, Subcommand};

/// Project tasks for gateway-hardening.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Build, run and test the gateway-hardening filters"
)]
pub(crate) struct Xtask {
    #[command(subcommand)]
    pub(crate) cmd: Cmd,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Cmd {
    /// Criterion benchmarks (and their plots), then the load benchmark of the filters in real
    /// Envoy (wrk and h2load; direct_response and proxied).
    Bench {
        /// Only the Envoy load benchmark.
        #[arg(long)]
        envoy_only: bool,
        /// Rounds per variant (alternating A B A B; the table gives medians).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Seconds of load per round and request.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Only the variants whose name contains this text (Envoy alone and the native filters,
        /// the baselines, always run), e.g. `--only combined`.
        #[arg(long)]
        only: Option<String>,
    },
    /// Build the filters for wasm32-wasip1 (release) and the mock upstream.
    Build,
    /// The dmz-gateway under steady load for a bounded time, Envoy's memory sampled: fails when
    /// it grows faster than the threshold after the warm-up (not part of `test`).
    Soak {
        /// Minutes of load.
        #[arg(long, default_value_t = 10)]
        minutes: u64,
        /// The largest memory slope accepted, in MiB per million requests.
        #[arg(long, default_value_t = 1.0)]
        threshold: f64,
    },
    /// Install what is missing, build, start the mock WSO2 nodes and Envoy in the background.
    Up,
    /// Stop exactly the processes that `up` started.
    Down,
    /// Run up, send the attack corpus and legitimate requests through Envoy, print a table, run down.
    Demo,
    /// The project's one test command: fmt, clippy, unit tests, scenarios, end to end in Envoy.
    Test {
        /// Skip the end-to-end part (no Envoy): fmt, clippy, unit tests and scenarios only.
        #[arg(long)]
        no_e2e: bool,
        /// Run only the steps whose name contains this text (up and down run around any
        /// end-to-end step selected).
        #[arg(long)]
        only: Option<String>,
    },
    /// Check a plugin configuration file the way the filter's `on_configure` would.
    CheckConfig {
        /// The JSON plugin configuration.
        file: std::path::PathBuf,
        /// The filter it is for.
        #[arg(long, default_value = "context-allowlist")]
        filter: String,
        /// context-allowlist: also decide about this request (`'GET /t/a.com/oauth2/token'`) and
        /// print every landing of the product's routing model and the one that decided.
        #[arg(long, value_name = "'METHOD TARGET'")]
        request: Option<String>,
        /// The request's host (with `--request`).
        #[arg(long, default_value = "localhost")]
        host: String,
    },
    /// OCI images of the filters (tools/oci): `build [--variant compat|oci]` into
    /// target/oci/<filter>/, `push REGISTRY/PREFIX:TAG [--plain-http] [--ca-cert PEM]`,
    /// `pull REGISTRY/REPO@sha256:... --out FILE`; `cargo xtask oci --help` for the rest.
    #[command(disable_help_flag = true)]
    Oci {
        /// Passed on to the OCI tool.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Write envoy-examples/istio/wasmplugin-*.yaml from the presets and the images in
    /// target/oci (`--check`: only compare; `--image-prefix oci://REGISTRY/PREFIX`, `--tag`).
    #[command(disable_help_flag = true)]
    Istio {
        /// Passed on to the OCI tool's `istio` command.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build the policy playground into target/playground (the policies through wasm-bindgen,
    /// the page, every scenario test) and serve it on 127.0.0.1.
    Playground {
        /// The port on 127.0.0.1.
        #[arg(long, default_value_t = 18090)]
        port: u16,
        /// Instead of serving: check the page in headless Chromium and save the README's
        /// screenshots in playground/screenshots/.
        #[arg(long)]
        screenshots: bool,
    },
    /// Rewrite the plugin configurations inlined in envoy-examples/*/envoy.yaml from their
    /// plugin-config/*.json files (`--check`: fail when they differ instead).
    Examples {
        /// Only compare; exit non-zero on a difference.
        #[arg(long)]
        check: bool,
    },
}
