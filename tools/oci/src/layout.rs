//! The OCI Image Layout (image-spec `image-layout.md`): a directory with `oci-layout`
//! (`{"imageLayoutVersion":"1.0.0"}`), `index.json` (an image index naming the manifest, its tag
//! in `org.opencontainers.image.ref.name`) and `blobs/sha256/<hex>` for every blob, the manifest
//! included. `crane`, `skopeo` (`oci:DIR`) and `oras` (`--oci-layout`) read it as well.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail, ensure};
use serde::{Deserialize, Serialize};

use crate::digest::{hex_of, oci_digest};
use crate::image::{Descriptor, Image, Manifest};
use crate::spec::{self, annotation};

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Index {
    schema_version: u32,
    media_type: String,
    manifests: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OciLayout {
    image_layout_version: &'static str,
}

/// Writes `image` as a fresh layout in `dir` (removing what was there), tagged `tag`.
pub fn write(dir: &Path, image: &Image, tag: &str) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs)
        .with_context(|| format!("cannot create {}", blobs.display()))?;
    let all = image
        .blobs
        .iter()
        .map(|(d, b)| (d.as_str(), b.as_slice()))
        .chain([(image.manifest_digest.as_str(), image.manifest.as_slice())]);
    for (digest, bytes) in all {
        let hex = hex_of(digest).context("blob digest is not sha256")?;
        std::fs::write(blobs.join(hex), bytes)?;
    }
    let index = Index {
        schema_version: 2,
        media_type: spec::INDEX.to_owned(),
        manifests: vec![Descriptor {
            media_type: spec::MANIFEST.to_owned(),
            digest: image.manifest_digest.clone(),
            size: image.manifest.len() as u64,
            annotations: BTreeMap::from([(annotation::REF_NAME.to_owned(), tag.to_owned())]),
        }],
    };
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index)?)?;
    let layout = OciLayout {
        image_layout_version: "1.0.0",
    };
    std::fs::write(dir.join("oci-layout"), serde_json::to_vec(&layout)?)?;
    Ok(())
}

/// An image read back from a layout, every blob checked against its digest.
pub struct Loaded {
    /// The manifest bytes, exactly as stored.
    pub manifest_bytes: Vec<u8>,
    /// Their digest.
    pub manifest_digest: String,
    /// The parsed manifest.
    pub manifest: Manifest,
    /// The tag recorded in `index.json`.
    pub tag: Option<String>,
    /// Config and layer blobs (config first), with their media types.
    pub blobs: Vec<(Descriptor, Vec<u8>)>,
}

/// Reads the one image of the layout in `dir`.
pub fn read(dir: &Path) -> Result<Loaded> {
    let index_path = dir.join("index.json");
    let index: Index = serde_json::from_slice(&std::fs::read(&index_path).with_context(|| {
        format!(
            "no OCI layout in {}: run `cargo xtask oci build`",
            dir.display()
        )
    })?)
    .with_context(|| format!("bad {}", index_path.display()))?;
    let [entry] = index.manifests.as_slice() else {
        bail!("{} must name exactly one manifest", index_path.display());
    };
    let manifest_bytes = read_blob(dir, entry)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .with_context(|| format!("bad manifest {}", entry.digest))?;
    let mut blobs = Vec::new();
    for d in std::iter::once(&manifest.config).chain(&manifest.layers) {
        blobs.push((d.clone(), read_blob(dir, d)?));
    }
    Ok(Loaded {
        manifest_digest: entry.digest.clone(),
        manifest_bytes,
        manifest,
        tag: entry.annotations.get(annotation::REF_NAME).cloned(),
        blobs,
    })
}

fn read_blob(dir: &Path, d: &Descriptor) -> Result<Vec<u8>> {
    let hex = hex_of(&d.digest).with_context(|| format!("unsupported digest {}", d.digest))?;
    let path = dir.join("blobs/sha256").join(hex);
    let bytes = std::fs::read(&path).with_context(|| format!("missing blob {}", path.display()))?;
    ensure!(
        oci_digest(&bytes) == d.digest && bytes.len() as u64 == d.size,
        "blob {} does not match its descriptor (digest or size): the layout is corrupt",
        path.display()
    );
    Ok(bytes)
}
