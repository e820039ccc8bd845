//! What Envoy does with a plugin configuration the filter refuses: `on_configure` returns
//! false, `envoy --mode validate` fails with the field named in its log, and a static bootstrap
//! does not start (exit code 1). Tested with real Envoy.

use std::process::Command;

use anyhow::{Context, Result, bail, ensure};

use crate::project::{root, run_dir};
use crate::tools;

/// A bad configuration for the context-allowlist filter, and the field its error must name.
const BAD: (&str, &str) = (
    r#"{"virtual_hosts": [{"domains": ["*"], "allow": ["/oauth2/*"], "internal_sources": ["10.0.0.0/33"]}]}"#,
    "virtual_hosts[0].internal_sources[0]",
);

/// Writes the example with the allowlist configuration replaced by [`BAD`], then checks that
/// `--mode validate` and a normal start both fail and the log names the field.
pub(crate) fn invalid_config_is_refused() -> Result<()> {
    let example = std::fs::read_to_string(root().join(crate::up::CONFIG))?;
    let bad_yaml = replace_block(&example, "# plugin-config/context-allowlist.json", BAD.0)?
        // The example's Envoy is up during the end-to-end steps: an admin port of its own, or
        // the start fails on `cannot bind` before any plugin configuration is read.
        .replace("port_value: 9901", "port_value: 0");
    let path = run_dir().join("invalid-plugin-config.yaml");
    std::fs::write(&path, bad_yaml)?;
    for mode in [
        &["--mode", "validate"][..],
        &["--base-id-path", "/dev/null"][..],
    ] {
        let out = Command::new(tools::envoy())
            .current_dir(root())
            .args(mode)
            .args(["--use-dynamic-base-id", "-c"])
            .arg(&path)
            .output()
            .context("cannot run envoy")?;
        let log = String::from_utf8_lossy(&out.stderr);
        ensure!(
            !out.status.success(),
            "envoy {mode:?} accepted an invalid plugin configuration"
        );
        ensure!(
            out.status.code() == Some(1),
            "envoy {mode:?} exited with {:?}, expected 1",
            out.status.code()
        );
        if !log.contains(BAD.1) {
            bail!(
                "envoy {mode:?} failed, but its log does not name `{}`:\n{log}",
                BAD.1
            );
        }
        let named = log.lines().find(|l| l.contains(BAD.1)).unwrap_or_default();
        println!("envoy {mode:?}: exit 1; log: {}", named.trim());
    }
    Ok(())
}

/// Replaces the block after `marker` (and its `value: |` line) by `json` on one line.
pub(crate) fn replace_block(yaml: &str, marker: &str, json: &str) -> Result<String> {
    let mut out = Vec::new();
    let mut lines = yaml.lines().peekable();
    let mut replaced = false;
    while let Some(line) = lines.next() {
        out.push(line.to_owned());
        if line.trim() != marker {
            continue;
        }
        let value = lines.next().context("marker without value line")?;
        out.push(value.to_owned());
        let indent = value.len() - value.trim_start().len() + 2;
        while lines
            .peek()
            .is_some_and(|l| l.len() - l.trim_start().len() >= indent)
        {
            lines.next();
        }
        out.push(format!("{}{json}", " ".repeat(indent)));
        replaced = true;
    }
    ensure!(replaced, "no `{marker}` block in the example");
    Ok(out.join("\n"))
}
