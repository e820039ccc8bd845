//! `cargo xtask oci build|push|pull` and `cargo xtask istio`: thin wrappers around the OCI tool
//! (`tools/oci`, package `oci-tool`), which holds the HTTP/TLS stack so that xtask stays light.
//! It runs in the dev profile (`cargo run -p oci-tool`): its dependencies are already optimised
//! (`[profile.dev.package."*"]`) and shared with `cargo test --workspace` and clippy, where the
//! release profile (LTO, one codegen unit: the `.wasm` settings) would compile reqwest and rustls
//! again for minutes.
//!
//! Test steps: [`reproducible_and_in_sync`] (offline) and [`roundtrip::registry_roundtrip`]
//! (end to end, a real registry on loopback and the pulled module in Envoy).

mod envoy;
mod registry;
pub(crate) mod roundtrip;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail, ensure};

use crate::project::{FILTERS, run, target_dir};

/// The OCI tool with `args` (see [`crate::project::workspace_bin`]).
pub(crate) fn tool<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = crate::project::workspace_bin("oci-tool");
    cmd.args(args);
    cmd
}

/// `cargo xtask oci ...`: passes the arguments on (`build`, `push`, `pull`, `--help`).
pub(crate) fn oci(args: &[String]) -> Result<()> {
    run(&mut tool(args))
}

/// `cargo xtask istio ...`: writes envoy-examples/istio/wasmplugin-*.yaml (`--check` compares).
pub(crate) fn istio(args: &[String]) -> Result<()> {
    run(tool(["istio"]).args(args))
}

/// Runs `cmd` and returns its output, echoing both streams.
pub(crate) fn output(cmd: &mut Command) -> Result<Output> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {shown}"))?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    Ok(out)
}

/// The image manifest digest recorded in `<dir>/<filter>/index.json`.
pub(crate) fn manifest_digest(dir: &Path, filter: &str) -> Result<String> {
    let path = dir.join(filter).join("index.json");
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?,
    )?;
    index
        .pointer("/manifests/0/digest")
        .and_then(|d| d.as_str())
        .map(str::to_owned)
        .with_context(|| format!("no manifest digest in {}", path.display()))
}

/// Every file under `dir` with its bytes, sorted by path.
fn tree(dir: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("cannot list {}", d.display()))? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir)?.to_path_buf();
                out.push((rel, std::fs::read(&p)?));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Builds every filter a second time, in a new empty target folder (`target/reproducible`,
/// removed before and after), and compares each `.wasm` byte for byte with the one
/// `cargo xtask build` made in `target/wasm32-wasip1/release`: the images below package those.
fn modules_rebuild_identical() -> Result<()> {
    let again = target_dir().join("reproducible");
    if again.exists() {
        std::fs::remove_dir_all(&again)?;
    }
    crate::build::wasm_release(FILTERS, Some(&again), &[])?;
    let mut differ = Vec::new();
    for f in FILTERS {
        let first = std::fs::read(crate::project::wasm_path(f))
            .with_context(|| format!("{f}: no module from `cargo xtask build`"))?;
        let name = format!("{}.wasm", f.replace('-', "_"));
        let second = std::fs::read(again.join("wasm32-wasip1/release").join(&name))?;
        match first.iter().zip(&second).position(|(a, b)| a != b) {
            None if first.len() == second.len() => {
                println!(
                    "{name}: rebuilt from an empty target folder, byte-identical ({} bytes)",
                    first.len()
                );
            }
            at => differ.push(format!(
                "{name} ({} and {} bytes, first difference at byte {})",
                first.len(),
                second.len(),
                at.unwrap_or(first.len().min(second.len()))
            )),
        }
    }
    std::fs::remove_dir_all(&again)?;
    ensure!(
        differ.is_empty(),
        "a second build differs: {}",
        differ.join(", ")
    );
    Ok(())
}

/// Offline step: the modules, built a second time from an empty target folder, are the same
/// bytes; `oci build` twice, each time from a removed `target/oci`, must give the same
/// bytes (every file of every layout); then the Istio manifests must match what `istio` would
/// write from these images and the presets.
pub(crate) fn reproducible_and_in_sync() -> Result<()> {
    modules_rebuild_identical()?;
    let dir = target_dir().join("oci");
    let mut builds = Vec::new();
    for round in 1..=2 {
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        run(&mut tool(["build"]))?;
        let digests: Vec<String> = FILTERS
            .iter()
            .map(|f| manifest_digest(&dir, f))
            .collect::<Result<_>>()?;
        println!("oci build #{round} from a clean target/oci:");
        for (f, d) in FILTERS.iter().zip(&digests) {
            println!("  {f:<18} {d}");
        }
        builds.push((digests, tree(&dir)?));
    }
    let [a, b] = builds.as_slice() else {
        bail!("expected two builds");
    };
    ensure!(a.0 == b.0, "the two builds gave different manifest digests");
    if a.1 != b.1 {
        let differ: Vec<String> =
            a.1.iter()
                .zip(&b.1)
                .filter(|(x, y)| x != y)
                .map(|(x, _)| x.0.display().to_string())
                .collect();
        bail!("the two builds differ in {}", differ.join(", "));
    }
    println!(
        "oci build: both builds byte-identical ({} files)",
        a.1.len()
    );
    run(&mut tool(["istio", "--check"]))?;
    println!("istio: envoy-examples/istio/wasmplugin-*.yaml match the presets and these images");
    Ok(())
}
