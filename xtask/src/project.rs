//! Paths in the repository and running commands.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The repository root (the parent of this crate).
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or(manifest.clone(), Path::to_path_buf)
}

/// `target/` (honouring `CARGO_TARGET_DIR`).
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Where `up` keeps logs and its state file.
pub(crate) fn run_dir() -> PathBuf {
    target_dir().join("run")
}

/// The release `.wasm` of a filter (`context-allowlist` → `context_allowlist.wasm`).
pub(crate) fn wasm_path(filter: &str) -> PathBuf {
    target_dir()
        .join("wasm32-wasip1/release")
        .join(format!("{}.wasm", filter.replace('-', "_")))
}

/// Workspace members left out of the suite's one host build (`--exclude`): `playground-e2e`
/// (WebDriver, its Unicode tables, a web server) is built on its own, in the background while
/// the Envoy steps run (`crate::playground`), so a cold run does not wait for it.
pub(crate) const APART: &[&str] = &["--exclude", "playground-e2e"];

/// The modules this workspace ships: the one list, `policies::check::FILTERS`.
pub(crate) const FILTERS: &[&str] = policies::check::FILTERS;

/// `cargo`, as the one that runs us.
pub(crate) fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// `cargo` with clippy as the workspace's compiler wrapper (`RUSTC_WORKSPACE_WRAPPER`, the way
/// `cargo clippy` runs it, with `-D warnings`): a `cargo test` through it lints every workspace
/// crate while it builds it, so the suite lints and builds the host crates in one compilation
/// instead of checking every dependency a second time for a separate `cargo clippy`.
/// Dependencies are compiled by plain rustc, as always. Used for every host `cargo test` of
/// `cargo xtask test` (the same wrapper everywhere, or cargo rebuilds); never for the `.wasm`
/// builds (clippy-driver compiles with MIR optimisations off: the shipped bytes would differ).
pub(crate) fn cargo_linted() -> Command {
    let mut cmd = cargo();
    cmd.env("RUSTC_WORKSPACE_WRAPPER", "clippy-driver").env(
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
    );
    cmd
}

static IN_TEST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks this process as `cargo xtask test`: from then on [`workspace_bin`] runs the binaries
/// that the unit-test build made.
pub(crate) fn set_in_test() {
    IN_TEST.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// A command that runs the workspace binary `name` (`host-test`, `oci-tool`) with `args` to
/// follow. Normally `cargo run --quiet -p name --`. Inside `cargo xtask test` it is
/// `target/debug/name` as `cargo test --workspace` built it (built once per process with
/// `--no-run`, a no-op after the unit-test step): `cargo run` resolves features without the
/// dev-dependencies and would compile wasmtime and the TLS stack a second time. When that build
/// fails, it falls back to `cargo run`, which then shows the errors.
pub(crate) fn workspace_bin(name: &str) -> Command {
    package_bin(name, name)
}

/// [`workspace_bin`] for a binary whose package has another name (`gateway-hardening` of
/// `gateway-hardening-cli`).
pub(crate) fn package_bin(package: &str, name: &str) -> Command {
    if let Some(binary) = test_build_bin(name) {
        let mut cmd = Command::new(binary);
        cmd.current_dir(root());
        return cmd;
    }
    let mut cmd = cargo();
    cmd.args(["run", "--quiet", "-p", package, "--bin", name, "--"]);
    cmd.current_dir(root());
    cmd
}

/// Inside `cargo xtask test`, `target/debug/name` as `cargo test --workspace --no-run` built it
/// (a no-op after the unit-test step; run once per process); `None` outside a test run or when
/// that build failed or made no such binary.
fn test_build_bin(name: &str) -> Option<PathBuf> {
    static TEST_BUILD: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let built = in_test()
        && *TEST_BUILD.get_or_init(|| {
            cargo_linted()
                .args(["test", "--workspace", "--no-run", "--quiet"])
                .args(APART)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        });
    let binary = target_dir().join("debug").join(name);
    (built && binary.is_file()).then_some(binary)
}

/// The mock upstream's binary: inside `cargo xtask test` the one the unit-test build made (its
/// integration tests need it; dependencies optimised by the dev profile), so the suite never
/// compiles tokio, hyper and rustls a second time with the release profile's LTO; otherwise
/// `target/release/mock-wso2`, which [`crate::build::build`] makes.
pub(crate) fn mock_binary() -> PathBuf {
    test_build_bin("mock-wso2").unwrap_or_else(|| target_dir().join("release/mock-wso2"))
}

/// Whether this process is `cargo xtask test` (see [`set_in_test`]).
pub(crate) fn in_test() -> bool {
    IN_TEST.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs `cmd` with inherited output; an error names the command when it fails.
pub(crate) fn run(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}
