//! Keeps the plugin configurations inlined in `envoy-examples/*/envoy.yaml` equal to their
//! source files: a block that follows a comment line `# plugin-config/<name>.json` and a
//! `value: |` line is that file's text, indented. The combined module's files
//! (`plugin-config/gateway-hardening*.json`, [`COMBINED`]) are made first, from the single
//! filters' files: each is that file's text as a section.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::project::root;

/// The dmz-gateway example's combined configurations: the file, and its sections (the key and
/// the single filter's file that fills it), in request order.
pub(crate) const COMBINED: [(&str, &[(&str, &str)]); 2] = [
    (
        "gateway-hardening.json",
        &[
            ("header_hardening", "header-hardening.json"),
            ("tls_guard", "tls-guard.json"),
            ("context_allowlist", "context-allowlist-https.json"),
        ],
    ),
    (
        "gateway-hardening-plain.json",
        &[
            ("header_hardening", "header-hardening.json"),
            ("context_allowlist", "context-allowlist.json"),
        ],
    ),
];

/// The dmz-gateway example's `plugin-config` folder.
pub(crate) fn plugin_config_dir() -> PathBuf {
    root().join("envoy-examples/dmz-gateway/plugin-config")
}

/// The text of a combined configuration: each section's file, indented, under its key.
fn combined_text(sections: &[(&str, &str)]) -> Result<String> {
    let mut parts = Vec::new();
    for (key, file) in sections {
        let text = std::fs::read_to_string(plugin_config_dir().join(file))
            .with_context(|| format!("cannot read plugin-config/{file}"))?;
        let indented: Vec<String> = text
            .trim_end()
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if i == 0 {
                    l.to_owned()
                } else {
                    format!("  {l}")
                }
            })
            .collect();
        parts.push(format!("  \"{key}\": {}", indented.join("\n")));
    }
    Ok(format!("{{\n{}\n}}\n", parts.join(",\n")))
}

/// Rewrites the inlined blocks (or, with `check`, fails naming each stale one).
pub(crate) fn examples(check: bool) -> Result<()> {
    let mut stale = Vec::new();
    for (file, sections) in COMBINED {
        let path = plugin_config_dir().join(file);
        let text = combined_text(sections)?;
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            if check {
                stale.push(path.display().to_string());
            } else {
                std::fs::write(&path, text)?;
                println!("examples: wrote {}", path.display());
            }
        }
    }
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
    let readme = root().join("README.md");
    let text = std::fs::read_to_string(&readme)?;
    let synced = sync_guidelines(&text).with_context(|| format!("in {}", readme.display()))?;
    if synced != text {
        if check {
            stale.push(readme.display().to_string());
        } else {
            std::fs::write(&readme, synced)?;
            println!(
                "examples: rewrote the guideline table of {}",
                readme.display()
            );
        }
    }
    if !stale.is_empty() {
        bail!(
            "{} differ from plugin-config/*.json or cli/src/guidelines.rs: run `cargo xtask examples`",
            stale.join(", ")
        );
    }
    Ok(())
}

/// The README's guideline table sits between these lines; `cargo xtask examples` writes it from
/// `gateway_hardening_cli::guidelines`, the data the audit report uses.
const GUIDELINES_START: &str =
    "<!-- guideline table: written by `cargo xtask examples` from cli/src/guidelines.rs -->\n";
const GUIDELINES_END: &str = "<!-- end of guideline table -->\n";

/// `text` with the guideline table between the markers replaced by the current one.
fn sync_guidelines(text: &str) -> Result<String> {
    let (head, rest) = text
        .split_once(GUIDELINES_START)
        .context("no guideline table start marker")?;
    let (_, tail) = rest
        .split_once(GUIDELINES_END)
        .context("no guideline table end marker")?;
    Ok(format!(
        "{head}{GUIDELINES_START}{}{GUIDELINES_END}{tail}",
        gateway_hardening_cli::guidelines::markdown_table()
    ))
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
