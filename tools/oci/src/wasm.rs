//! Just enough of the WebAssembly binary format (Core spec §5.5 "Modules") to refuse a file that
//! is not a module and to read which Proxy-Wasm ABI versions a module exports
//! (`proxy_abi_version_0_2_1` and the like), for the oci variant's runtime configuration.

use anyhow::{Context, Result, bail};

/// `\0asm` followed by binary format version 1 (§5.5.16).
const HEADER: [u8; 8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/// The export section's id (§5.5.10).
const EXPORT_SECTION: u8 = 7;
const ABI_PREFIX: &str = "proxy_abi_version_";

/// Checks the module header and returns the Proxy-Wasm ABI versions the module exports, as
/// `v0.2.1` (sorted; empty for a module that exports none, such as a stub).
pub fn proxy_abi_versions(module: &[u8]) -> Result<Vec<String>> {
    if module.get(..8) != Some(&HEADER[..]) {
        bail!("not a WebAssembly module (no `\\0asm` version 1 header)");
    }
    let mut r = Reader {
        bytes: module,
        pos: 8,
    };
    let mut versions = Vec::new();
    while r.pos < module.len() {
        let id = r.byte()?;
        let size = usize::try_from(r.leb_u32()?)?;
        let end = r.pos.checked_add(size).context("section size overflows")?;
        if end > module.len() {
            bail!("section {id} runs past the end of the module");
        }
        if id == EXPORT_SECTION {
            for _ in 0..r.leb_u32()? {
                let len = usize::try_from(r.leb_u32()?)?;
                let name = r.take(len)?;
                let _kind = r.byte()?;
                let _index = r.leb_u32()?;
                if let Some(v) = std::str::from_utf8(name)
                    .ok()
                    .and_then(|n| n.strip_prefix(ABI_PREFIX))
                {
                    versions.push(format!("v{}", v.replace('_', ".")));
                }
            }
        }
        r.pos = end;
    }
    versions.sort();
    Ok(versions)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.pos).context("module truncated")?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).context("length overflows")?;
        let s = self.bytes.get(self.pos..end).context("module truncated")?;
        self.pos = end;
        Ok(s)
    }

    /// An unsigned LEB128 of at most 5 bytes (§5.2.2 "Integers").
    fn leb_u32(&mut self) -> Result<u32> {
        let mut value: u32 = 0;
        for shift in [0u32, 7, 14, 21, 28] {
            let b = self.byte()?;
            value |= u32::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        bail!("LEB128 integer longer than 5 bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with one export section exporting `proxy_abi_version_0_2_1` and `memory`.
    fn module_with_exports(names: &[&str]) -> Vec<u8> {
        let mut body = vec![u8::try_from(names.len()).unwrap()];
        for n in names {
            body.push(u8::try_from(n.len()).unwrap());
            body.extend_from_slice(n.as_bytes());
            body.extend_from_slice(&[0x00, 0x00]);
        }
        let mut m = HEADER.to_vec();
        m.push(EXPORT_SECTION);
        m.push(u8::try_from(body.len()).unwrap());
        m.extend(body);
        m
    }

    #[test]
    fn proxy_abi_versions_reads_exports() {
        let m = module_with_exports(&["memory", "proxy_abi_version_0_2_1"]);
        assert_eq!(proxy_abi_versions(&m).unwrap(), vec!["v0.2.1"]);
        assert!(proxy_abi_versions(&HEADER).unwrap().is_empty());
    }

    #[test]
    fn proxy_abi_versions_refuses_non_module_and_truncation() {
        assert!(proxy_abi_versions(b"PK\x03\x04 not wasm").is_err());
        let mut m = module_with_exports(&["proxy_abi_version_0_2_1"]);
        m.truncate(m.len() - 3);
        assert!(proxy_abi_versions(&m).is_err());
    }
}
