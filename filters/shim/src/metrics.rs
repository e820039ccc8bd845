//! Counters through the Proxy-Wasm metric ABI, defined once in the root context and shared by
//! every HTTP context. Envoy shows them as `wasmcustom.<name>` in `/stats` and
//! `/stats/prometheus`; names follow `gateway_hardening.<filter>.<what>[.<reason>]`.

use proxy_wasm::hostcalls;
use proxy_wasm::types::MetricType;

/// A set of counters, looked up by their suffix after `gateway_hardening.<filter>.`.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    ids: Vec<(String, u32)>,
    filter: String,
}

impl Counters {
    /// The filter's name in `snake_case` (`context_allowlist`), as in the counter names.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Defines `gateway_hardening.<filter>.<suffix>` for every suffix. A counter the host
    /// refuses to define is logged and left out (its increments are then dropped).
    pub fn define(filter: &str, suffixes: impl IntoIterator<Item = String>) -> Self {
        let snake = filter.replace('-', "_");
        let prefix = format!("gateway_hardening.{snake}");
        let mut ids = Vec::new();
        for suffix in suffixes {
            let name = format!("{prefix}.{suffix}");
            match hostcalls::define_metric(MetricType::Counter, &name) {
                Ok(id) => ids.push((suffix, id)),
                Err(status) => crate::log::warn(&format!(
                    "{filter}: cannot define metric {name}: {status:?}"
                )),
            }
        }
        Self { ids, filter: snake }
    }

    /// Adds one to the counter `suffix`; unknown suffixes are ignored.
    pub fn inc(&self, suffix: &str) {
        self.add(suffix, 1);
    }

    /// Adds `n` to the counter `suffix` in one host call (none when `n` is 0); unknown
    /// suffixes are ignored.
    pub fn add(&self, suffix: &str, n: u32) {
        if n == 0 {
            return;
        }
        if let Some((_, id)) = self.ids.iter().find(|(s, _)| s == suffix) {
            let _ = hostcalls::increment_metric(*id, i64::from(n));
        }
    }
}

/// The counter suffixes a filter's `source` names literally in `.inc("…")` and `.add("…", n)`
/// calls, for the filters' own tests: an increment of a suffix that [`Counters::define`] never
/// defined is dropped without a trace at run time, so each filter checks that every name it
/// writes is one it defines.
pub fn literal_suffixes(source: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for call in [".inc(", ".add("] {
        for (at, _) in source.match_indices(call) {
            let rest = source
                .get(at + call.len()..)
                .unwrap_or_default()
                .trim_start();
            if let Some(quoted) = rest.strip_prefix('"')
                && let Some(end) = quoted.find('"')
            {
                out.extend(quoted.get(..end));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::literal_suffixes;

    #[test]
    fn literal_suffixes_reads_inc_and_add_calls() {
        let src = "c.inc(\"a.b\"); c.add(\n    \"n\", 2); c.inc(&format!(\"x.{r}\")); d.add(1, 2);";
        assert_eq!(literal_suffixes(src), ["a.b", "n"]);
    }
}
