//! Builds the image of one filter: blobs and the manifest, as exact bytes (the manifest digest
//! is the SHA-256 of these bytes, so they are written once here and pushed unchanged).
//! JSON objects are structs with a fixed field order and `BTreeMap`s, so the bytes depend on the
//! inputs only.

use std::collections::BTreeMap;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::digest::{oci_digest, sha256_hex};
use crate::spec::{self, annotation};

/// Which layout of the Wasm image specification to produce (see [`crate::spec`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Variant {
    /// One `tar+gzip` layer holding `plugin.wasm`, standard OCI media types: accepted by every
    /// registry and by docker/podman/crane, and the variant Istio tries first.
    Compat,
    /// The Wasm artifact media types: two layers, the runtime configuration (JSON) and the raw
    /// module (whose layer digest is then the module's SHA-256).
    Oci,
}

/// An OCI content descriptor (image-spec `descriptor.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The referenced content's media type.
    pub media_type: String,
    /// `sha256:<hex>` of the content.
    pub digest: String,
    /// Size in bytes.
    pub size: u64,
    /// Descriptor annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    fn of(media_type: &str, bytes: &[u8], annotations: BTreeMap<String, String>) -> Self {
        Self {
            media_type: media_type.to_owned(),
            digest: oci_digest(bytes),
            size: bytes.len() as u64,
            annotations,
        }
    }
}

/// An image manifest (image-spec `manifest.md`; Docker's schema 2 has the same shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Always 2.
    pub schema_version: u32,
    /// [`spec::MANIFEST`] (or Docker's, when pulled).
    #[serde(default)]
    pub media_type: String,
    /// The config blob.
    pub config: Descriptor,
    /// The layers, in order.
    pub layers: Vec<Descriptor>,
    /// Manifest annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// What the annotations say about the packaged module.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// The filter (crate) name, e.g. `context-allowlist`.
    pub filter: String,
    /// The packaged version (the workspace version).
    pub version: String,
    /// The source repository URL.
    pub source: String,
    /// The SPDX license expression.
    pub licenses: String,
    /// One line about the filter (its crate description).
    pub description: Option<String>,
}

/// A built image: its blobs and manifest.
pub struct Image {
    /// The manifest bytes.
    pub manifest: Vec<u8>,
    /// `sha256:<hex>` of [`Image::manifest`]: what Istio's `sha256` compares for `oci://` URLs.
    pub manifest_digest: String,
    /// Every blob the manifest references (config first), with its digest.
    pub blobs: Vec<(String, Vec<u8>)>,
    /// The module's SHA-256 (hex).
    pub module_sha256: String,
}

/// The oci variant's runtime configuration (spec.md, "Envoy WASM Filter Specification": `type`
/// `envoy_proxy`, the ABI versions, `config.root_ids`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuntimeConfig<'a> {
    r#type: &'a str,
    abi_versions: Vec<String>,
    config: RootIds<'a>,
}

#[derive(Serialize)]
struct RootIds<'a> {
    root_ids: [&'a str; 1],
}

/// The manifest's config in both variants: an OCI image configuration (image-spec `config.md`:
/// `architecture`, `os` and `rootfs` are required; Go names WebAssembly/WASI `wasm`/`wasip1`),
/// with one `diff_ids` entry per layer (the digest of its uncompressed content).
#[derive(Serialize)]
struct ImageConfig<'a> {
    architecture: &'a str,
    os: &'a str,
    rootfs: RootFs,
}

#[derive(Serialize)]
struct RootFs {
    r#type: &'static str,
    diff_ids: Vec<String>,
}

fn image_config(diff_ids: Vec<String>) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(&ImageConfig {
        architecture: "wasm",
        os: "wasip1",
        rootfs: RootFs {
            r#type: "layers",
            diff_ids,
        },
    })?)
}

/// One blob with its descriptor's media type and annotations.
type Blob = (&'static str, Vec<u8>, BTreeMap<String, String>);

fn titled(title: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(annotation::TITLE.to_owned(), title.to_owned())])
}

/// Builds the image of `module` in `variant`.
pub fn build(module: &[u8], meta: &Metadata, variant: Variant) -> Result<Image> {
    let module_sha256 = sha256_hex(module);
    let abi_versions = crate::wasm::proxy_abi_versions(module)?;
    let mut annotations = BTreeMap::from([
        (annotation::SOURCE.to_owned(), meta.source.clone()),
        (annotation::VERSION.to_owned(), meta.version.clone()),
        (annotation::TITLE.to_owned(), meta.filter.clone()),
        (annotation::LICENSES.to_owned(), meta.licenses.clone()),
        (annotation::MODULE_SHA256.to_owned(), module_sha256.clone()),
    ]);
    if let Some(d) = &meta.description {
        annotations.insert(annotation::DESCRIPTION.to_owned(), d.clone());
    }
    // The layers, and the digests of their uncompressed contents for the image config.
    let (layers, diff_ids): (Vec<Blob>, Vec<String>) = match variant {
        Variant::Compat => {
            annotations.insert(annotation::VARIANT.to_owned(), "compat".to_owned());
            let packed = crate::compat::pack(module)?;
            let layer = (spec::LAYER_TAR_GZIP, packed.tar_gz, BTreeMap::new());
            (vec![layer], vec![packed.diff_id])
        }
        Variant::Oci => {
            let runtime = serde_json::to_vec(&RuntimeConfig {
                r#type: "envoy_proxy",
                abi_versions,
                config: RootIds {
                    root_ids: [&meta.filter],
                },
            })?;
            let diff_ids = vec![oci_digest(&runtime), oci_digest(module)];
            let layers = vec![
                (spec::WASM_CONFIG, runtime, titled("runtime-config.json")),
                (spec::WASM_LAYER, module.to_vec(), titled(spec::PLUGIN_WASM)),
            ];
            (layers, diff_ids)
        }
    };
    let config = (spec::IMAGE_CONFIG, image_config(diff_ids)?, BTreeMap::new());
    assemble(config, layers, annotations, module_sha256)
}

fn assemble(
    config: Blob,
    layers: Vec<Blob>,
    annotations: BTreeMap<String, String>,
    module_sha256: String,
) -> Result<Image> {
    let manifest = Manifest {
        schema_version: 2,
        media_type: spec::MANIFEST.to_owned(),
        config: Descriptor::of(config.0, &config.1, config.2),
        layers: layers
            .iter()
            .map(|l| Descriptor::of(l.0, &l.1, l.2.clone()))
            .collect(),
        annotations,
    };
    let manifest_bytes = serde_json::to_vec(&manifest)?;
    let mut blobs = vec![(manifest.config.digest.clone(), config.1)];
    for (d, l) in manifest.layers.iter().zip(layers) {
        blobs.push((d.digest.clone(), l.1));
    }
    Ok(Image {
        manifest_digest: oci_digest(&manifest_bytes),
        manifest: manifest_bytes,
        blobs,
        module_sha256,
    })
}

/// The module inside an image, found the way Istio's fetcher does: the compat variant (last
/// layer `tar+gzip` holding `plugin.wasm`) first, then the oci variant (exactly two layers, one
/// of them the Wasm layer). `blob` returns the bytes of a descriptor.
pub fn extract_module(
    manifest: &Manifest,
    mut blob: impl FnMut(&Descriptor) -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    let last = manifest
        .layers
        .last()
        .ok_or_else(|| anyhow::anyhow!("the image has no layers"))?;
    if last.media_type == spec::LAYER_TAR_GZIP || last.media_type == spec::DOCKER_LAYER_TAR_GZIP {
        return crate::compat::unpack(&blob(last)?);
    }
    let wasm = manifest
        .layers
        .iter()
        .find(|l| l.media_type == spec::WASM_LAYER);
    match wasm {
        Some(wasm) if manifest.layers.len() == 2 => blob(wasm),
        _ => anyhow::bail!(
            "neither Wasm image variant: the last layer is {}, not tar+gzip, and the image does not \
             have exactly two layers with one {} (it has {})",
            last.media_type,
            spec::WASM_LAYER,
            manifest.layers.len()
        ),
    }
}
