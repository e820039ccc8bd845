//! Keeps the plugin configurations inlined in `envoy-examples/*/envoy.yaml` equal to their
//! source files: a block that follows a comment line `# plugin-config/<name>.json` and a
//! `value: |` line is that file's text, indented.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::project::root;

/// Rewrites the inlined blocks (or, with `check`, fails naming each stale one).
pub(crate) fn examples(check: bool) -> Result<()> {
    let mut stale = Vec::new();
    for config in example_configs()? {
        let text = std::fs::read_to_string(&config)?;
        let synced = sync(&text, config.parent().unwrap_or(Path::new(".")))
            .with_context(|| format!("in {}", config.display()))?;
        if synced != text {
            if check {
                stale.push(config.display().to_string());
            } else {
                std::fs::write(&config, synced)?;
                println!("examples: rewrote {}", config.display());
            }
        }
    }
    if !stale.is_empty() {
        bail!(
            "plugin configurations inlined in {} differ from plugin-config/*.json: run `cargo xtask examples`",
            stale.join(", ")
        );
    }
    Ok(())
}

/// Every `envoy-examples/*/*.yaml` that inlines a plugin configuration.
pub(crate) fn example_configs() -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root().join("envoy-examples"))? {
        let dir = dir?.path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir)? {
            let f = f?.path();
            if f.extension().is_some_and(|e| e == "yaml")
                && std::fs::read_to_string(&f)?.contains("# plugin-config/")
            {
                out.push(f);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn sync(text: &str, dir: &Path) -> Result<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        out.push((*line).to_owned());
        i += 1;
        let Some(file) = line
            .trim()
            .strip_prefix("# ")
            .filter(|f| f.starts_with("plugin-config/"))
        else {
            continue;
        };
        let value_line = lines.get(i).copied().unwrap_or_default();
        if value_line.trim() != "value: |" {
            bail!("`{}` must be followed by `value: |`", line.trim());
        }
        out.push(value_line.to_owned());
        i += 1;
        let indent = value_line.len() - value_line.trim_start().len() + 2;
        while lines
            .get(i)
            .is_some_and(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= indent)
        {
            i += 1;
        }
        let json = std::fs::read_to_string(dir.join(file))
            .with_context(|| format!("cannot read {file}"))?;
        out.extend(json.lines().map(|l| format!("{}{l}", " ".repeat(indent))));
    }
    let mut joined = out.join("\n");
    joined.push('\n');
    Ok(joined)
}
