//! Running every scenario file against the combined module (`gateway_hardening.wasm`) instead
//! of its filter's own: the file's plugin configuration becomes the section of its policy
//! (`{"tls_guard": …}`), every other policy switched off, and the file's expectations (answers,
//! log lines, counters) stay as written, since the combined module names each policy as its
//! single filter does. `host-test run --combined`, `host-test diff --combined`.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use super::ScenarioFile;

/// The combined module's filter name.
pub const FILTER: &str = "gateway-hardening";

/// The filters whose policies the combined module runs, each as the section named by the
/// filter's name in snake_case (`policies/src/combined.rs`, `SECTIONS`; host-test reads the
/// modules as a client would and does not link the policies).
pub const POLICIES: [&str; 3] = ["header-hardening", "tls-guard", "context-allowlist"];

static COMBINED: AtomicBool = AtomicBool::new(false);

/// From now on, [`super::load`] gives every file as run against the combined module.
pub fn run_combined() {
    COMBINED.store(true, Ordering::SeqCst);
}

/// Whether [`run_combined`] was called.
pub fn is_on() -> bool {
    COMBINED.load(Ordering::SeqCst)
}

/// `file` (at `path`) as a file of the combined module: its filter's section key around its
/// plugin configuration. A file of another filter (the combined module's own, a test's), or whose configuration is not
/// JSON (a file about a refused configuration's bytes), or cannot be read, is left as it is.
pub(crate) fn convert(file: &mut ScenarioFile, path: &Path) {
    if !POLICIES.contains(&file.meta.filter.as_str()) {
        return;
    }
    let Ok(bytes) = super::resolve::plugin_configuration(&file.meta, path) else {
        return;
    };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return;
    };
    with_section(file, value);
}

/// Makes `file` a file of the combined module whose one section is `section`, under the key of
/// `file`'s filter (its name in snake_case, as in policies/src/combined.rs).
pub(crate) fn with_section(file: &mut ScenarioFile, section: serde_json::Value) {
    let mut sections = serde_json::Map::new();
    sections.insert(file.meta.filter.replace('-', "_"), section);
    file.meta.config = Some(serde_json::Value::Object(sections));
    file.meta.config_file = None;
    file.meta.preset = None;
    FILTER.clone_into(&mut file.meta.filter);
}
