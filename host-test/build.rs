//! Builds the SDK test filter (`sdk-guest/`) for wasm32-wasip1 into OUT_DIR with its own
//! target folder, and passes its path to the tests as `SDK_GUEST_WASM`. When it cannot be
//! built (no wasm32-wasip1 target, no registry), `SDK_GUEST_ERROR` says why and the SDK tests
//! fail with that message.

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to.join("src"))?;
    std::fs::copy(from.join("Cargo.toml"), to.join("Cargo.toml"))?;
    std::fs::copy(from.join("src/lib.rs"), to.join("src/lib.rs"))?;
    Ok(())
}

fn main() {
    println!("cargo:rerun-if-changed=sdk-guest/Cargo.toml");
    if std::env::var_os("CARGO_FEATURE_WASMTIME_HOST").is_none() {
        // The Envoy runner alone (`--no-default-features`) has no use for the test guest.
        println!("cargo:rustc-env=SDK_GUEST_WASM=");
        println!(
            "cargo:rustc-env=SDK_GUEST_ERROR=host-test was built without the wasmtime-host feature"
        );
        return;
    }
    println!("cargo:rerun-if-changed=sdk-guest/src/lib.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let src = out.join("sdk-guest");
    let target = out.join("sdk-guest-target");
    let wasm = target.join("wasm32-wasip1/release/sdk_guest.wasm");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let result = copy(&manifest.join("sdk-guest"), &src)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            let output = Command::new(cargo)
                .args([
                    "build",
                    "--release",
                    "--quiet",
                    "--target",
                    "wasm32-wasip1",
                    "--manifest-path",
                ])
                .arg(src.join("Cargo.toml"))
                .arg("--target-dir")
                .arg(&target)
                .env_remove("RUSTFLAGS")
                .env_remove("CARGO_ENCODED_RUSTFLAGS")
                .env_remove("CARGO_TARGET_DIR")
                // `cargo xtask test` lints the workspace through clippy-driver; the guest is not ours to lint.
                .env_remove("RUSTC_WORKSPACE_WRAPPER")
                .env_remove("CLIPPY_ARGS")
                .output()
                .map_err(|e| e.to_string())?;
            if output.status.success() {
                Ok(())
            } else {
                Err(String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .take(5)
                    .collect::<Vec<_>>()
                    .join(" | "))
            }
        });
    match result {
        Ok(()) => {
            println!("cargo:rustc-env=SDK_GUEST_WASM={}", wasm.display());
            println!("cargo:rustc-env=SDK_GUEST_ERROR=");
        }
        Err(e) => {
            println!("cargo:warning=sdk-guest not built: {e}");
            println!("cargo:rustc-env=SDK_GUEST_WASM=");
            println!(
                "cargo:rustc-env=SDK_GUEST_ERROR=cargo build --target wasm32-wasip1 of host-test/sdk-guest failed: {e}"
            );
        }
    }
}
