//! The dmz-gateway example with the single filters chained where it runs the combined module:
//! each `gateway-hardening` Wasm filter of `envoy.yaml` becomes its sections' filters, in
//! order, each with its section's plugin configuration (`examples::COMBINED` names the files).
//! The differential run sends every scenario to both and compares the answers.

use anyhow::{Context, Result, bail};

use crate::examples::{COMBINED, plugin_config_dir};
use crate::project::wasm_path;

/// The combined module's filter name in the example.
const COMBINED_FILTER: &str = "gateway-hardening";

/// `envoy_yaml`'s text with every combined filter replaced by the chain of its sections.
///
/// Errors: a combined filter without a `# plugin-config/<file>` comment naming one of
/// `COMBINED`'s files, or a section's file that cannot be read.
pub(crate) fn chain_yaml(envoy_yaml: &str) -> Result<String> {
    let lines: Vec<&str> = envoy_yaml.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut i = 0;
    let mut replaced = 0;
    while let Some(line) = lines.get(i) {
        if line.trim() != format!("- name: {COMBINED_FILTER}") {
            out.push((*line).to_owned());
            i += 1;
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let end = (i + 1..lines.len())
            .find(|&j| {
                lines.get(j).is_some_and(|l| {
                    let l_indent = l.len() - l.trim_start().len();
                    !l.trim().is_empty() && l_indent <= indent
                })
            })
            .unwrap_or(lines.len());
        let block = lines.get(i..end).unwrap_or_default();
        let file = block
            .iter()
            .find_map(|l| l.trim().strip_prefix("# plugin-config/"))
            .with_context(|| {
                format!(
                    "line {}: a combined filter names no plugin-config file",
                    i + 1
                )
            })?;
        let Some((_, sections)) = COMBINED.iter().find(|(f, _)| *f == file) else {
            bail!(
                "line {}: plugin-config/{file} is not a combined configuration",
                i + 1
            );
        };
        for (key, section_file) in *sections {
            let config = std::fs::read_to_string(plugin_config_dir().join(section_file))
                .with_context(|| format!("cannot read plugin-config/{section_file}"))?;
            let name = key.replace('_', "-");
            let filter = crate::envoy_yaml::wasm_filter(&name, &wasm_path(&name), &config);
            // `wasm_filter` indents its list item by 6.
            for l in filter.lines().filter(|l| !l.trim().is_empty()) {
                out.push(format!("{}{}", " ".repeat(indent), l.get(6..).unwrap_or(l)));
            }
        }
        replaced += 1;
        i = end;
    }
    if replaced == 0 {
        bail!("no `- name: {COMBINED_FILTER}` filter to replace");
    }
    let mut text = out.join("\n");
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_combined_filter_becomes_its_sections_in_order() {
        let yaml = "\
      http_filters:
      - name: envoy.filters.http.set_filter_state
        typed_config: {}
      - name: gateway-hardening
        typed_config:
          config:
            configuration:
              # plugin-config/gateway-hardening.json
              value: |
                {}
      - name: envoy.filters.http.router
";
        let chain = chain_yaml(yaml).unwrap();
        let names: Vec<&str> = chain
            .lines()
            .filter_map(|l| l.strip_prefix("      - name: "))
            .collect();
        assert_eq!(
            names,
            [
                "envoy.filters.http.set_filter_state",
                "header-hardening",
                "tls-guard",
                "context-allowlist",
                "envoy.filters.http.router"
            ]
        );
        assert!(chain.contains("tls_guard.wasm"), "{chain}");
        assert!(!chain.contains("gateway_hardening.wasm"), "{chain}");
    }

    #[test]
    fn a_combined_filter_without_its_file_is_refused() {
        let yaml = "  - name: gateway-hardening\n    typed_config: {}\n";
        assert!(chain_yaml(yaml).is_err());
    }
}
