//! Images built from a small module: reproducible to the byte, readable back from the layout, in
//! the shape Istio's fetcher accepts, with the annotations the README promises.

// An integration test crate: clippy.toml's allow-*-in-tests covers `#[test]` functions, not
// the helpers beside them.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use oci_tool::digest::{oci_digest, sha256_hex};
use oci_tool::image::{self, Metadata, Variant};
use oci_tool::{layout, spec};

/// A module exporting `proxy_abi_version_0_2_1` (header, export section with one function export).
fn module() -> Vec<u8> {
    module_exporting("proxy_abi_version_0_2_1")
}

fn module_exporting(name: &str) -> Vec<u8> {
    let name = name.as_bytes();
    let mut body = vec![1, u8::try_from(name.len()).unwrap()];
    body.extend_from_slice(name);
    body.extend_from_slice(&[0x00, 0x00]);
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    m.push(7);
    m.push(u8::try_from(body.len()).unwrap());
    m.extend(body);
    m
}

fn meta() -> Metadata {
    Metadata {
        filter: "context-allowlist".into(),
        version: "0.1.0".into(),
        source: "https://github.com/gateway-hardening/gateway-hardening".into(),
        licenses: "Apache-2.0".into(),
        description: Some("test".into()),
    }
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("oci-tool-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Every file of a directory tree with its bytes, sorted by path.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn layout_is_byte_identical_across_builds() {
    for variant in [Variant::Compat, Variant::Oci] {
        let (a, b) = (temp("repro-a"), temp("repro-b"));
        let first = image::build(&module(), &meta(), variant).unwrap();
        layout::write(&a, &first, "0.1.0").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let second = image::build(&module(), &meta(), variant).unwrap();
        layout::write(&b, &second, "0.1.0").unwrap();
        assert_eq!(first.manifest_digest, second.manifest_digest, "{variant:?}");
        assert_eq!(files(&a), files(&b), "{variant:?}");
        // oci-layout, index.json, and the manifest, config and layer blobs.
        let n = if variant == Variant::Compat { 5 } else { 6 };
        assert_eq!(files(&a).len(), n, "{variant:?}");
        std::fs::remove_dir_all(&a).unwrap();
        std::fs::remove_dir_all(&b).unwrap();
    }
}

#[test]
fn different_module_gives_different_manifest_digest() {
    let other = module_exporting("proxy_abi_version_0_2_0");
    let a = image::build(&module(), &meta(), Variant::Compat).unwrap();
    let b = image::build(&other, &meta(), Variant::Compat).unwrap();
    assert_ne!(a.manifest_digest, b.manifest_digest);
}

#[test]
fn compat_image_has_one_tar_gzip_layer_istio_accepts() {
    let img = image::build(&module(), &meta(), Variant::Compat).unwrap();
    let dir = temp("compat");
    layout::write(&dir, &img, "0.1.0").unwrap();
    let loaded = layout::read(&dir).unwrap();
    assert_eq!(loaded.manifest_digest, oci_digest(&loaded.manifest_bytes));
    assert_eq!(loaded.tag.as_deref(), Some("0.1.0"));
    let m = &loaded.manifest;
    assert_eq!(m.media_type, spec::MANIFEST);
    assert_eq!(m.config.media_type, spec::IMAGE_CONFIG);
    assert_eq!(m.layers.len(), 1);
    assert_eq!(m.layers[0].media_type, spec::LAYER_TAR_GZIP);
    assert_eq!(m.annotations[spec::annotation::VARIANT], "compat");
    let blobs = loaded.blobs.clone();
    let module_out = image::extract_module(m, |d| {
        Ok(blobs
            .iter()
            .find(|(b, _)| b.digest == d.digest)
            .unwrap()
            .1
            .clone())
    })
    .unwrap();
    assert_eq!(module_out, module());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn oci_image_has_exactly_two_layers_config_then_wasm() {
    let img = image::build(&module(), &meta(), Variant::Oci).unwrap();
    let dir = temp("ocivariant");
    layout::write(&dir, &img, "0.1.0").unwrap();
    let loaded = layout::read(&dir).unwrap();
    let m = &loaded.manifest;
    let types: Vec<&str> = m.layers.iter().map(|l| l.media_type.as_str()).collect();
    assert_eq!(types, [spec::WASM_CONFIG, spec::WASM_LAYER]);
    // The Wasm layer is the module itself.
    assert_eq!(m.layers[1].digest, oci_digest(&module()));
    let runtime: serde_json::Value = serde_json::from_slice(&loaded.blobs[1].1).unwrap();
    assert_eq!(
        runtime,
        serde_json::json!({"type": "envoy_proxy", "abiVersions": ["v0.2.1"],
                           "config": {"root_ids": ["context-allowlist"]}})
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn manifest_annotations_name_source_version_and_module_digest() {
    let img = image::build(&module(), &meta(), Variant::Compat).unwrap();
    let m: image::Manifest = serde_json::from_slice(&img.manifest).unwrap();
    let a = &m.annotations;
    assert_eq!(a[spec::annotation::SOURCE], meta().source);
    assert_eq!(a[spec::annotation::VERSION], "0.1.0");
    assert_eq!(a[spec::annotation::MODULE_SHA256], sha256_hex(&module()));
    assert_eq!(img.module_sha256, sha256_hex(&module()));
}

#[test]
fn build_refuses_a_file_that_is_not_wasm() {
    let err = image::build(b"#!/bin/sh\n", &meta(), Variant::Compat)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("not a WebAssembly module"), "{err}");
}

#[test]
fn layout_read_refuses_a_tampered_blob() {
    let img = image::build(&module(), &meta(), Variant::Oci).unwrap();
    let dir = temp("tamper");
    layout::write(&dir, &img, "0.1.0").unwrap();
    let wasm_blob = dir.join("blobs/sha256").join(sha256_hex(&module()));
    let mut bytes = std::fs::read(&wasm_blob).unwrap();
    bytes[9] ^= 1;
    std::fs::write(&wasm_blob, bytes).unwrap();
    let err = layout::read(&dir).err().unwrap().to_string();
    assert!(err.contains("does not match its descriptor"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn extract_module_refuses_what_istio_refuses() {
    let img = image::build(&module(), &meta(), Variant::Oci).unwrap();
    let mut m: image::Manifest = serde_json::from_slice(&img.manifest).unwrap();
    // The oci variant with the runtime configuration as the manifest config (one layer): Istio's
    // `extractOCIArtifactImage` says "number of layers must be 2".
    m.layers.remove(0);
    let err = image::extract_module(&m, |_| Ok(module()))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("exactly two layers"), "{err}");
}
