//! Refuses a missing or stale `.wasm`. Cargo writes, beside each artifact, a dep-info file
//! (`context_allowlist.d`, Makefile syntax: `artifact: source source ...`) listing every local
//! source file the artifact was built from, path dependencies included; the module is stale when
//! one of them is newer than it or gone.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

/// What to run to get fresh modules.
pub const BUILD_COMMAND: &str = "cargo xtask build";

/// Reads `wasm` after checking that it exists and is at least as new as every source in its
/// dep-info file.
pub fn read_fresh(wasm: &Path) -> Result<Vec<u8>> {
    let built = modified(wasm).map_err(|_| {
        anyhow::anyhow!("{} is missing: run `{BUILD_COMMAND}` first", wasm.display())
    })?;
    let dep_info = wasm.with_extension("d");
    let text = std::fs::read_to_string(&dep_info).with_context(|| {
        format!(
            "{} has no dep-info file {} (not built by cargo?): run `{BUILD_COMMAND}`",
            wasm.display(),
            dep_info.display()
        )
    })?;
    for source in dep_info_sources(&text) {
        match modified(&source) {
            Ok(t) if t <= built => {}
            Ok(_) => bail!(
                "{} is stale: {} changed after it was built; run `{BUILD_COMMAND}`",
                wasm.display(),
                source.display()
            ),
            Err(_) => bail!(
                "{} is stale: its source {} is gone; run `{BUILD_COMMAND}`",
                wasm.display(),
                source.display()
            ),
        }
    }
    std::fs::read(wasm).with_context(|| format!("cannot read {}", wasm.display()))
}

fn modified(p: &Path) -> std::io::Result<SystemTime> {
    std::fs::metadata(p)?.modified()
}

/// The prerequisites of every rule in a dep-info file (`\ ` is an escaped space, a trailing `\`
/// continues the line).
pub fn dep_info_sources(text: &str) -> Vec<PathBuf> {
    let joined = text.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let Some((_, deps)) = split_rule(line) else {
            continue;
        };
        let mut current = String::new();
        let mut chars = deps.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    current.push(' ');
                    chars.next();
                }
                c if c.is_whitespace() => {
                    if !current.is_empty() {
                        out.push(PathBuf::from(std::mem::take(&mut current)));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            out.push(PathBuf::from(current));
        }
    }
    out
}

/// Splits `target: deps` at the first `: ` (a colon followed by a space or the line end), so
/// that a path with a colon inside stays whole.
fn split_rule(line: &str) -> Option<(&str, &str)> {
    if let Some(i) = line.find(": ") {
        return Some((line.get(..i)?, line.get(i + 2..)?));
    }
    line.strip_suffix(':').map(|t| (t, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_sources_handles_escaped_spaces_and_continuations() {
        let text = "/t/a.wasm: /s/lib.rs /s/my\\ dir/x.rs \\\n /s/y.rs\n\n/t/b: \n";
        assert_eq!(
            dep_info_sources(text),
            vec![
                PathBuf::from("/s/lib.rs"),
                PathBuf::from("/s/my dir/x.rs"),
                PathBuf::from("/s/y.rs")
            ]
        );
    }

    #[test]
    fn read_fresh_refuses_missing_stale_and_orphaned_modules() {
        let dir = std::env::temp_dir().join(format!("oci-tool-fresh-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wasm = dir.join("f.wasm");
        let src = dir.join("lib.rs");
        let err = read_fresh(&wasm).unwrap_err().to_string();
        assert!(
            err.contains("missing") && err.contains(BUILD_COMMAND),
            "{err}"
        );

        std::fs::write(&src, "").unwrap();
        std::fs::write(&wasm, b"\0asm").unwrap();
        std::fs::write(
            dir.join("f.d"),
            format!("{}: {}\n", wasm.display(), src.display()),
        )
        .unwrap();
        let past = SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&wasm)
            .unwrap()
            .set_modified(past)
            .unwrap();
        let err = read_fresh(&wasm).unwrap_err().to_string();
        assert!(err.contains("stale") && err.contains("lib.rs"), "{err}");

        std::fs::File::options()
            .write(true)
            .open(&src)
            .unwrap()
            .set_modified(past - std::time::Duration::from_secs(60))
            .unwrap();
        assert_eq!(read_fresh(&wasm).unwrap(), b"\0asm");

        std::fs::remove_file(&src).unwrap();
        let err = read_fresh(&wasm).unwrap_err().to_string();
        assert!(err.contains("gone"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
