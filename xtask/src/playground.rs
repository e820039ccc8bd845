//! `cargo xtask playground`: builds the policy playground into `target/playground/` (the
//! `policies` crate for wasm32-unknown-unknown through wasm-bindgen, the page from
//! `playground/web/`, and `scenarios.json`: every scenario test with the wasmtime host's answer)
//! and serves it on loopback; the test step checks the page in headless Chromium
//! (`playground-e2e check`).
//!
//! wasm-bindgen-cli must be the exact version of the `wasm-bindgen` crate in `Cargo.lock`: when
//! the one on `PATH` is another (or none), it is installed with `cargo install --locked`.
//! Chromium and ChromeDriver are Debian's (`chromium`, `chromium-driver`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::JoinHandle;

use anyhow::{Context as _, Result, bail};

use crate::project::{cargo, cargo_linted, root, run, target_dir, workspace_bin};
use crate::tools::{ensure_command, ensure_target};

/// Where the page is built: a folder a user can publish as static files.
pub(crate) fn out_dir() -> PathBuf {
    target_dir().join("playground")
}

/// `cargo xtask playground`: builds the page; then serves it on 127.0.0.1:`port` until
/// interrupted, or with `screenshots`, checks it in Chromium and saves the README's screenshots
/// in `playground/screenshots/`.
pub(crate) fn playground(port: u16, screenshots: bool) -> Result<()> {
    build()?;
    let e2e = e2e_binary(false)?;
    if screenshots {
        prepare_browser()?;
        return run(Command::new(e2e)
            .arg("check")
            .arg(out_dir())
            .arg("--screenshots")
            .arg(root().join("playground/screenshots")));
    }
    run(Command::new(e2e)
        .arg("serve")
        .arg(out_dir())
        .args(["--port", &port.to_string()]))
}

/// The test step: the page built, then checked in headless Chromium against the wasmtime
/// host's answers for every scenario test (`N passed, N failed`).
pub(crate) fn chromium_check() -> Result<()> {
    if let Some(prepared) = take_background() {
        prepared
            .join()
            .map_err(|_| anyhow::anyhow!("the background installation panicked"))??;
    }
    build()?;
    prepare_browser()?;
    run(Command::new(e2e_binary(false)?).arg("check").arg(out_dir()))
}

/// `playground-e2e`, linted (`-D warnings`) and built in its own target folder: it is left out
/// of the suite's one host build (`project::APART`). `niced` for the background build.
fn e2e_binary(niced: bool) -> Result<PathBuf> {
    let dir = target_dir().join("playground-e2e");
    let mut build = cargo_linted();
    build
        .args(["build", "--quiet", "-p", "playground-e2e", "--target-dir"])
        .arg(&dir);
    if niced {
        let mut nice = Command::new("nice");
        nice.args(["-n", "10"])
            .arg(build.get_program())
            .args(build.get_args());
        for (k, v) in build.get_envs() {
            if let Some(v) = v {
                nice.env(k, v);
            }
        }
        if let Some(d) = build.get_current_dir() {
            nice.current_dir(d);
        }
        build = nice;
    }
    run(&mut build)?;
    Ok(dir.join("debug/playground-e2e"))
}

/// Builds the page into [`out_dir`]: the wasm module and its JavaScript glue, the page's files,
/// and `scenarios.json` (`host-test playground`, which also checks that the policies run
/// natively agree with the `.wasm` module on every scenario test).
pub(crate) fn build() -> Result<()> {
    ensure_target("wasm32-unknown-unknown")?;
    let bindgen = ensure_wasm_bindgen()?;
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "playground",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    let out = out_dir();
    std::fs::create_dir_all(&out)?;
    let wasm = target_dir().join("wasm32-unknown-unknown/release/playground.wasm");
    run(Command::new(bindgen)
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            "playground",
        ])
        .arg("--out-dir")
        .arg(&out)
        .arg(&wasm))?;
    copy_dir(&root().join("playground/web"), &out)?;
    crate::build::build()?;
    run(workspace_bin("host-test")
        .args(["playground", "--out"])
        .arg(out.join("scenarios.json")))?;
    println!("the playground is in {}", out.display());
    Ok(())
}

/// The `wasm-bindgen` crate's version in `Cargo.lock`.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"")
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    bail!("Cargo.lock has no package {package}")
}

/// `wasm-bindgen` of the locked version: the one on `PATH` when it reports that version, else
/// installed with `cargo install --locked wasm-bindgen-cli --version =V` (into cargo's bin
/// folder; built in its own target folder so that it never waits for the workspace's build).
fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let version = locked_version("wasm-bindgen")?;
    let want = format!("wasm-bindgen {version}");
    let reports = |cmd: &Path| {
        Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == want)
    };
    let installed = cargo_bin().join("wasm-bindgen");
    for candidate in [PathBuf::from("wasm-bindgen"), installed.clone()] {
        if reports(&candidate) {
            return Ok(candidate);
        }
    }
    eprintln!("xtask: installing wasm-bindgen-cli {version} (cargo install --locked)");
    run(Command::new("nice")
        .args(["-n", "10"])
        .arg(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        // --force: cargo's own record may say installed while the binary is missing or
        // another version (it would then do nothing and succeed).
        .args([
            "install",
            "--locked",
            "--force",
            "--quiet",
            "wasm-bindgen-cli",
            "--version",
        ])
        .arg(format!("={version}"))
        .arg("--target-dir")
        .arg(target_dir().join("wasm-bindgen-cli")))?;
    if !reports(&installed) {
        bail!(
            "{} does not report {want} after its installation",
            installed.display()
        );
    }
    Ok(installed)
}

/// Cargo's bin folder (`$CARGO_HOME/bin`, default `~/.cargo/bin`).
fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

/// Debian's Chromium and ChromeDriver.
fn prepare_browser() -> Result<()> {
    ensure_command("chromium", "chromium")?;
    ensure_command("chromedriver", "chromium-driver")
}

static BACKGROUND: std::sync::Mutex<Option<JoinHandle<Result<()>>>> = std::sync::Mutex::new(None);

/// Starts installing and building what the Chromium step needs (the wasm32-unknown-unknown
/// target, wasm-bindgen-cli, Chromium and ChromeDriver, `playground-e2e`) in a background
/// thread, the compilations niced, so that a cold run does it while the Envoy steps run;
/// [`chromium_check`] waits for it.
pub(crate) fn prepare_in_background() {
    let handle = std::thread::spawn(|| {
        ensure_target("wasm32-unknown-unknown")?;
        prepare_browser()?;
        ensure_wasm_bindgen()?;
        e2e_binary(true).map(drop)
    });
    if let Ok(mut slot) = BACKGROUND.lock() {
        *slot = Some(handle);
    }
}

fn take_background() -> Option<JoinHandle<Result<()>>> {
    BACKGROUND.lock().ok()?.take()
}

/// Copies the files of `from` (not its folders) into `to`.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        if path.is_file()
            && let Some(name) = path.file_name()
        {
            std::fs::copy(&path, to.join(name))
                .with_context(|| format!("copying {}", path.display()))?;
        }
    }
    Ok(())
}
