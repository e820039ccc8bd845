//! The compat variant's layer: a tar holding one file, `plugin.wasm`, gzip-compressed; built
//! byte-for-byte reproducibly (ustar header with mtime 0, uid/gid 0, mode 0644, no user names;
//! gzip header with mtime 0, no file name, OS "unknown"; a fixed compression level).

use std::io::{Read, Write};

use anyhow::{Context, Result, bail};
use flate2::Compression;

use crate::spec::PLUGIN_WASM;

/// A packed layer: the compressed blob and the digest of the uncompressed tar (the image
/// config's `rootfs.diff_ids` entry, image-spec `config.md`).
pub struct Layer {
    /// `tar+gzip` bytes, the layer blob.
    pub tar_gz: Vec<u8>,
    /// `sha256:<hex>` of the uncompressed tar.
    pub diff_id: String,
}

/// Packs `module` as `plugin.wasm` in a gzip-compressed tar.
pub fn pack(module: &[u8]) -> Result<Layer> {
    let mut header = tar::Header::new_ustar();
    header.set_path(PLUGIN_WASM)?;
    header.set_size(u64::try_from(module.len())?);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(&header, module)?;
    let tar = builder.into_inner()?;
    let diff_id = crate::digest::oci_digest(&tar);
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    gz.write_all(&tar)?;
    Ok(Layer {
        tar_gz: gz.finish()?,
        diff_id,
    })
}

/// Reads `plugin.wasm` out of a gzip-compressed tar, as Istio's `extractWasmPluginBinary` does
/// (the first entry whose base name is `plugin.wasm`).
pub fn unpack(tar_gz: &[u8]) -> Result<Vec<u8>> {
    let gz = flate2::read::GzDecoder::new(tar_gz);
    let mut archive = tar::Archive::new(gz);
    for entry in archive.entries().context("layer is not a tar+gzip")? {
        let mut entry = entry.context("layer is not a tar+gzip")?;
        let path = entry.path()?.into_owned();
        if path.file_name().and_then(|n| n.to_str()) == Some(PLUGIN_WASM) {
            let mut out = Vec::new();
            entry.read_to_end(&mut out)?;
            return Ok(out);
        }
    }
    bail!("no {PLUGIN_WASM} in the layer")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_is_reproducible_and_unpacks() {
        let module = b"\0asm\x01\0\0\0 some module bytes".repeat(100);
        let a = pack(&module).unwrap();
        let b = pack(&module).unwrap();
        assert_eq!(a.tar_gz, b.tar_gz);
        assert_eq!(a.diff_id, b.diff_id);
        assert_eq!(unpack(&a.tar_gz).unwrap(), module);
        // gzip header: magic, CM=8, FLG=0 (no name), MTIME=0, XFL=2 (best), OS=255.
        assert_eq!(&a.tar_gz[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
    }

    #[test]
    fn unpack_refuses_layer_without_plugin_wasm() {
        let mut header = tar::Header::new_ustar();
        header.set_path("other.wasm").unwrap();
        header.set_size(1);
        header.set_cksum();
        let mut builder = tar::Builder::new(Vec::new());
        builder.append(&header, &b"x"[..]).unwrap();
        let tar = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(&tar).unwrap();
        let err = unpack(&gz.finish().unwrap()).unwrap_err().to_string();
        assert!(err.contains("no plugin.wasm"), "{err}");
        assert!(unpack(b"not gzip").is_err());
    }
}
