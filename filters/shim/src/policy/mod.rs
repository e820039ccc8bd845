//! The policies a module can run, one registry: each policy's filter name, its section in the
//! combined module's plugin configuration, and its compile function. A fourth policy is added
//! here (and in `policies`), and every module, single or combined, knows it.
//!
//! Order is the request order of the dmz-gateway example's chain: header-hardening's request
//! checks, tls-guard, context-allowlist; answers pass them in reverse.

pub mod allowlist;
pub mod headers;
mod headers_counters;
#[cfg(feature = "mutants")]
mod headers_mutant;
pub mod tls;
#[cfg(feature = "mutants")]
mod tls_mutant;

use std::rc::Rc;

use policies::ConfigError;
use policies::ConfigErrorKind;
use policies::field_path::FieldPath;

use crate::stage::{Compile, Policy};

/// One policy of the registry.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// The filter's name (`tls-guard`): its single module, log lines, counters.
    pub filter: &'static str,
    /// Its key in the combined module's plugin configuration (`tls_guard`).
    pub key: &'static str,
    /// Compiles its plugin configuration (the single filter's, or the section's).
    pub compile: Compile,
}

/// Every policy, in request order.
pub const SECTIONS: [Section; 3] = [
    Section {
        filter: headers::FILTER,
        key: "header_hardening",
        compile: headers::compile,
    },
    Section {
        filter: tls::FILTER,
        key: "tls_guard",
        compile: tls::compile,
    },
    Section {
        filter: allowlist::FILTER,
        key: "context_allowlist",
        compile: allowlist::compile,
    },
];

/// Loads the combined module's plugin configuration (`policies::combined`): a JSON object with
/// a section per policy (`header_hardening`, `tls_guard`, `context_allowlist`), each the single
/// filter's schema; an absent (or `null`) section switches that policy off.
///
/// # Errors
/// The refused section's error, its path starting with the section's key and its line and
/// column in the whole document; an unknown key, not an object, no section at all.
pub fn combined(json: &[u8]) -> Result<Vec<Rc<dyn Policy>>, ConfigError> {
    let mut policies = Vec::new();
    for (section, text) in policies::combined::split(json)? {
        let compile = SECTIONS
            .iter()
            .find(|s| s.filter == section.filter)
            .map(|s| s.compile)
            .ok_or_else(|| {
                ConfigError::at(
                    FieldPath::root().key(section.key),
                    ConfigErrorKind::Syntax("no policy in this module".to_owned()),
                )
            })?;
        let policy = compile(text.as_bytes())
            .map_err(|e| policies::combined::in_section(e, section.key, json))?;
        policies.push(policy);
    }
    Ok(policies)
}
