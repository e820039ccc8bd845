//! Writes `envoy-examples/istio/wasmplugin-<filter>.yaml`: one Istio `WasmPlugin`
//! (`extensions.istio.io/v1alpha1`) per filter, with the `pluginConfig` taken from the filter's
//! WSO2 Identity Server preset and `sha256` pinned to the image manifest digest of the image that
//! `oci build` made (for `oci://` URLs Istio compares `sha256` with the manifest digest; see
//! istio/istio `pkg/wasm/imagefetcher.go`, `PrepareFetch`, `actualDigest = d.Hex`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::digest::hex_of;
use crate::spec::annotation;

/// Where each filter sits in the ingress gateway's HTTP filter chain. Istio inserts `AUTHN`
/// plugins before its own authentication filters and orders one phase by `priority`, highest
/// first (WasmPlugin reference, `priority`).
pub struct Placement {
    /// The filter.
    pub filter: &'static str,
    /// `AUTHN`, `AUTHZ` or `STATS`.
    pub phase: &'static str,
    /// Higher runs first within the phase.
    pub priority: i32,
    /// Why there, written into the manifest.
    pub why: &'static str,
}

/// The three filters, outermost first, then the combined module (one WasmPlugin that replaces
/// the three).
pub const PLACEMENTS: [Placement; 4] = [
    Placement {
        filter: "header-hardening",
        phase: "AUTHN",
        priority: 300,
        why: "Outermost, so that every response passes it on the way out, the local replies of the other filters and of Istio's authn/authz included",
    },
    Placement {
        filter: "tls-guard",
        phase: "AUTHN",
        priority: 200,
        why: "Checks the connection (TLS version, SNI against :authority) before any path decision",
    },
    Placement {
        filter: "context-allowlist",
        phase: "AUTHN",
        priority: 100,
        why: "Denies the admin contexts before Istio's own authentication and authorization filters see the request",
    },
    Placement {
        filter: COMBINED,
        phase: "AUTHN",
        priority: 300,
        why: "The three policies in one VM (header-hardening's request checks, tls-guard, context-allowlist; every answer hardened on the way out): apply this WasmPlugin instead of the three single ones, not beside them",
    },
];

/// The combined module: its preset is the single filters' presets as its sections.
pub const COMBINED: &str = "gateway-hardening";

/// The combined module's sections: (key, the single filter whose preset fills it), in request
/// order (policies/src/combined.rs).
const SECTIONS: [(&str, &str); 3] = [
    ("header_hardening", "header-hardening"),
    ("tls_guard", "tls-guard"),
    ("context_allowlist", "context-allowlist"),
];

/// Options of `oci-tool istio`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The repository root (for `policies/presets/`).
    pub root: PathBuf,
    /// Where `oci build` wrote the layouts (`target/oci`).
    pub oci_dir: PathBuf,
    /// `oci://registry/prefix`: each image is `<prefix>/<filter>:<tag>`.
    pub image_prefix: String,
    /// The tag the images are pushed under.
    pub tag: String,
    /// The namespace of the ingress gateway.
    pub namespace: String,
    /// `FAIL_RELOAD` (Istio 1.27 and later) or `FAIL_CLOSE`.
    pub fail_strategy: String,
}

/// The product whose preset the manifests carry.
pub const PRESET_PRODUCT: &str = "wso2-is";

/// The file name of a filter's manifest.
pub fn file_name(filter: &str) -> String {
    format!("wasmplugin-{filter}.yaml")
}

/// Renders the manifest of `p`.
pub fn render(p: &Placement, opts: &Options) -> Result<String> {
    if !matches!(opts.fail_strategy.as_str(), "FAIL_RELOAD" | "FAIL_CLOSE") {
        bail!(
            "fail strategy must be FAIL_RELOAD or FAIL_CLOSE (never FAIL_OPEN for a security filter)"
        );
    }
    let layout_dir = opts.oci_dir.join(p.filter);
    let image = crate::layout::read(&layout_dir)?;
    let manifest_hex = hex_of(&image.manifest_digest).context("manifest digest is not sha256")?;
    let module_hex = image
        .manifest
        .annotations
        .get(annotation::MODULE_SHA256)
        .with_context(|| {
            format!(
                "{} lacks the module digest annotation",
                layout_dir.display()
            )
        })?;
    let preset_rel = format!("policies/presets/{}/{PRESET_PRODUCT}.json", p.filter);
    let preset = if p.filter == COMBINED {
        combined_preset(&opts.root)?
    } else {
        read_preset(&opts.root.join(&preset_rel))?
    };
    let url = format!(
        "{}/{}:{}",
        opts.image_prefix.trim_end_matches('/'),
        p.filter,
        opts.tag
    );
    let fail_note = if opts.fail_strategy == "FAIL_RELOAD" {
        "A trap answers 503 for that request and reloads the VM (Istio 1.27+; FAIL_CLOSE before)"
    } else {
        "A trap answers 503 and the VM stays down until the proxy restarts"
    };
    let mut y = String::new();
    let from_preset = match &preset {
        Some(_) => format!(" and from {preset_rel}"),
        None => format!("; {} has no {PRESET_PRODUCT} preset yet", p.filter),
    };
    y.push_str(&format!(
        "# Generated by `cargo xtask istio` from the image that `cargo xtask oci build` makes from\n\
         # this commit (target/oci/{}){from_preset}. Regenerate, don't edit.\n",
        p.filter
    ));
    y.push_str("apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata:\n");
    y.push_str(&format!(
        "  name: {}\n  namespace: {}\n",
        p.filter, opts.namespace
    ));
    y.push_str("spec:\n  selector:\n    matchLabels:\n      istio: ingressgateway\n");
    y.push_str(&format!("  url: {url}\n"));
    y.push_str(&format!(
        "  # The image manifest digest: for oci:// URLs Istio compares sha256 with it. The module\n  \
         # itself (plugin.wasm) has SHA-256 {module_hex}.\n  sha256: {manifest_hex}\n"
    ));
    y.push_str("  imagePullPolicy: IfNotPresent\n");
    y.push_str(&format!("  pluginName: {}\n", p.filter));
    y.push_str(&format!(
        "  # {}.\n  phase: {}\n  priority: {}\n",
        p.why, p.phase, p.priority
    ));
    y.push_str(&format!(
        "  # {fail_note}.\n  failStrategy: {}\n",
        opts.fail_strategy
    ));
    y.push_str("  type: HTTP\n");
    match preset {
        Some(config) => {
            y.push_str("  pluginConfig:\n");
            y.push_str(&crate::yaml::mapping(&config, 4));
        }
        None => y.push_str(&format!(
            "  # No {preset_rel} yet: the filter gets an empty plugin configuration.\n"
        )),
    }
    Ok(y)
}

/// The combined module's preset: each single filter's preset as its section (none when a
/// single filter has none).
pub fn combined_preset(root: &Path) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
    let mut sections = serde_json::Map::new();
    for (key, filter) in SECTIONS {
        let path = root.join(format!("policies/presets/{filter}/{PRESET_PRODUCT}.json"));
        let Some(preset) = read_preset(&path)? else {
            return Ok(None);
        };
        sections.insert(key.to_owned(), serde_json::Value::Object(preset));
    }
    Ok(Some(sections))
}

fn read_preset(path: &Path) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    match serde_json::from_slice(&text)
        .with_context(|| format!("bad JSON in {}", path.display()))?
    {
        serde_json::Value::Object(m) => Ok(Some(m)),
        _ => bail!("{} is not a JSON object", path.display()),
    }
}

/// Writes every manifest into `out`, or with `check` only compares and lists the stale ones.
pub fn generate(opts: &Options, out: &Path, check: bool) -> Result<()> {
    let mut stale = Vec::new();
    for p in &PLACEMENTS {
        let text = render(p, opts)?;
        let path = out.join(file_name(p.filter));
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.display().to_string());
            }
        } else {
            std::fs::create_dir_all(out)?;
            std::fs::write(&path, text)?;
            println!("istio: wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        bail!(
            "out of date (the preset or the module changed): {}; run `cargo xtask istio`",
            stale.join(", ")
        );
    }
    Ok(())
}
