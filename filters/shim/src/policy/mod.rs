//! The policies a module can run: each policy's compile function, by its filter's name. Which
//! sections the combined module reads, their keys and their request order are
//! `policies::combined::SECTIONS`; a fourth policy is added there and in [`compile_for`].

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

/// The compile function of the policy `filter` names (`tls-guard`), or `None` for a filter this
/// crate has no policy for.
pub fn compile_for(filter: &str) -> Option<Compile> {
    match filter {
        headers::FILTER => Some(headers::compile),
        tls::FILTER => Some(tls::compile),
        allowlist::FILTER => Some(allowlist::compile),
        _ => None,
    }
}

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
        let compile = compile_for(section.filter).ok_or_else(|| {
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
