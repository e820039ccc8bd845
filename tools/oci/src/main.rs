//! `oci-tool`: build, push and pull the filters' OCI images; write the Istio manifests.
//! Normally run through `cargo xtask oci ...` and `cargo xtask istio`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use oci_tool::image::{Metadata, Variant};
use oci_tool::registry::{self, Transport};
use oci_tool::{auth, digest, fresh, image, istio, layout};

/// The modules this workspace ships (`policies::check::FILTERS`, the one list).
const FILTERS: &[&str] = policies::check::FILTERS;

#[derive(Debug, Parser)]
#[command(
    name = "oci-tool",
    about = "OCI images of the gateway-hardening filters"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Args)]
struct TransportArgs {
    /// Plain HTTP instead of TLS; refused unless the registry is on loopback.
    #[arg(long)]
    plain_http: bool,
    /// A PEM CA certificate to trust besides the system's roots (a private registry's CA).
    #[arg(long)]
    ca_cert: Option<PathBuf>,
}

impl TransportArgs {
    fn transport(&self) -> Transport {
        Transport {
            plain_http: self.plain_http,
            ca_cert: self.ca_cert.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Pack each filter's release .wasm into an OCI image layout under target/oci/<filter>/.
    Build {
        /// Which Wasm image variant.
        #[arg(long, value_enum, default_value_t = Variant::Compat)]
        variant: Variant,
        /// Output directory (one layout per filter inside).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Filters to pack (all by default).
        filters: Vec<String>,
    },
    /// Push the layouts under target/oci/ as REGISTRY/PREFIX/<filter>:TAG.
    Push {
        /// REGISTRY/PREFIX:TAG, e.g. registry.example.com/gateway-hardening:0.1.0.
        reference: String,
        /// Where the layouts are.
        #[arg(long)]
        oci_dir: Option<PathBuf>,
        /// Push only these filters.
        #[arg(long = "filter")]
        filters: Vec<String>,
        #[command(flatten)]
        transport: TransportArgs,
    },
    /// Pull REGISTRY/REPO@sha256:... (or :TAG) and write its module.
    Pull {
        /// The image, preferably by digest.
        reference: String,
        /// Where to write the module.
        #[arg(long)]
        out: PathBuf,
        /// Fail unless the module has this SHA-256 (hex).
        #[arg(long)]
        expect_module_sha256: Option<String>,
        #[command(flatten)]
        transport: TransportArgs,
    },
    /// Write envoy-examples/istio/wasmplugin-<filter>.yaml from the presets and target/oci.
    Istio {
        /// oci://REGISTRY/PREFIX the images are pushed under.
        #[arg(long, default_value = "oci://registry.example.com/gateway-hardening")]
        image_prefix: String,
        /// The tag (the workspace version by default).
        #[arg(long, default_value = env!("CARGO_PKG_VERSION"))]
        tag: String,
        /// The ingress gateway's namespace.
        #[arg(long, default_value = "istio-system")]
        namespace: String,
        /// FAIL_RELOAD (Istio 1.27+) or FAIL_CLOSE.
        #[arg(long, default_value = "FAIL_RELOAD")]
        fail_strategy: String,
        /// Output directory.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Only compare with the files; fail when they differ.
        #[arg(long)]
        check: bool,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse().cmd) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oci-tool: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Build {
            variant,
            out,
            filters,
        } => build(variant, &out.unwrap_or_else(oci_dir), &selected(filters)?),
        Cmd::Push {
            reference,
            oci_dir: dir,
            filters,
            transport,
        } => runtime()?.block_on(push(
            &reference,
            &dir.unwrap_or_else(oci_dir),
            &selected(filters)?,
            &transport.transport(),
        )),
        Cmd::Pull {
            reference,
            out,
            expect_module_sha256,
            transport,
        } => runtime()?.block_on(pull(
            &reference,
            &out,
            expect_module_sha256.as_deref(),
            &transport.transport(),
        )),
        Cmd::Istio {
            image_prefix,
            tag,
            namespace,
            fail_strategy,
            out,
            check,
        } => {
            let opts = istio::Options {
                root: root(),
                oci_dir: oci_dir(),
                image_prefix,
                tag,
                namespace,
                fail_strategy,
            };
            let out = out.unwrap_or_else(|| root().join("envoy-examples/istio"));
            istio::generate(&opts, &out, check)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The repository root (this crate is `tools/oci`).
fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or(manifest.clone(), Path::to_path_buf)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

fn oci_dir() -> PathBuf {
    target_dir().join("oci")
}

fn selected(filters: Vec<String>) -> Result<Vec<String>> {
    if filters.is_empty() {
        return Ok(FILTERS.iter().map(|f| (*f).to_owned()).collect());
    }
    for f in &filters {
        if !FILTERS.contains(&f.as_str()) {
            bail!("unknown filter `{f}` (known: {})", FILTERS.join(", "));
        }
    }
    Ok(filters)
}

/// A crate's `description = "..."` from its Cargo.toml.
fn crate_description(filter: &str) -> Option<String> {
    let toml =
        std::fs::read_to_string(root().join("filters").join(filter).join("Cargo.toml")).ok()?;
    let line = toml.lines().find(|l| l.starts_with("description = \""))?;
    let value = line.strip_prefix("description = \"")?.strip_suffix('"')?;
    Some(value.to_owned())
}

fn build(variant: Variant, out: &Path, filters: &[String]) -> Result<()> {
    for filter in filters {
        let wasm = target_dir()
            .join("wasm32-wasip1/release")
            .join(format!("{}.wasm", filter.replace('-', "_")));
        let module = fresh::read_fresh(&wasm)?;
        let meta = Metadata {
            filter: filter.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            source: env!("CARGO_PKG_REPOSITORY").to_owned(),
            licenses: env!("CARGO_PKG_LICENSE").to_owned(),
            description: crate_description(filter),
        };
        let img = image::build(&module, &meta, variant)
            .with_context(|| format!("cannot pack {}", wasm.display()))?;
        let dir = out.join(filter);
        layout::write(&dir, &img, &meta.version)?;
        println!("{filter}:");
        println!(
            "  image manifest digest {}  (Istio `sha256` for oci:// URLs)",
            img.manifest_digest
        );
        println!(
            "  module sha256         {}  ({}, {} bytes)",
            img.module_sha256,
            wasm.display(),
            module.len()
        );
        println!(
            "  layout                {} ({variant:?} variant, tag {})",
            dir.display(),
            meta.version
        );
    }
    Ok(())
}

async fn push(reference: &str, dir: &Path, filters: &[String], t: &Transport) -> Result<()> {
    let prefix = registry::parse_reference(reference)?;
    if prefix.digest().is_some() || prefix.tag().is_none() {
        bail!("`{reference}`: give a tag (REGISTRY/PREFIX:TAG), not a digest");
    }
    let (auth, source) = auth::for_registry(prefix.registry())?;
    eprintln!("push: credentials for {}: {source}", prefix.registry());
    let client = registry::client(prefix.registry(), t)?;
    let mut failed = Vec::new();
    for filter in filters {
        let target = registry::filter_reference(&prefix, filter);
        let result = async {
            let image = layout::read(&dir.join(filter))?;
            registry::push(&client, &target, &auth, &image).await?;
            Ok::<_, anyhow::Error>(image)
        }
        .await;
        match result {
            Ok(image) => println!(
                "pushed {}@{}  (module sha256 {})",
                target.whole(),
                image.manifest_digest,
                image
                    .manifest
                    .annotations
                    .get(oci_tool::spec::annotation::MODULE_SHA256)
                    .map_or("?", String::as_str)
            ),
            Err(e) => {
                eprintln!("NOT pushed {}: {e:#}", target.whole());
                failed.push(filter.as_str());
            }
        }
    }
    if !failed.is_empty() {
        let pushed = filters.len() - failed.len();
        bail!(
            "{} of {} images not pushed ({}){}",
            failed.len(),
            filters.len(),
            failed.join(", "),
            if pushed > 0 {
                format!("; the {pushed} shown as pushed above are complete")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

async fn pull(reference: &str, out: &Path, expect: Option<&str>, t: &Transport) -> Result<()> {
    let r = registry::parse_reference(reference)?;
    let (auth, _) = auth::for_registry(r.registry())?;
    let client = registry::client(r.registry(), t)?;
    let pulled = registry::pull(&client, &r, &auth).await?;
    let module_sha = digest::sha256_hex(&pulled.module);
    let annotated = pulled
        .manifest
        .annotations
        .get(oci_tool::spec::annotation::MODULE_SHA256);
    if let Some(a) = annotated
        && *a != module_sha
    {
        bail!("{reference}: the module has SHA-256 {module_sha}, the image's annotation says {a}");
    }
    if let Some(want) = expect
        && want != module_sha
    {
        bail!("{reference}: the module has SHA-256 {module_sha}, expected {want}");
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(out, &pulled.module)
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "pulled {reference}: manifest {}, module sha256 {module_sha} ({} bytes) -> {}",
        pulled.manifest_digest,
        pulled.module.len(),
        out.display()
    );
    Ok(())
}
