//! The combined module's plugin configuration (`gateway_hardening.wasm`): a JSON object with a
//! section per policy, each the single filter's schema; an absent (or `null`) section switches
//! that policy off. Errors name the field with the section in front
//! (`tls_guard.min_version`), and the line and column in the whole document.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// One policy's section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Section {
    /// The key in the combined configuration (`tls_guard`).
    pub key: &'static str,
    /// The single filter whose schema the section has (`tls-guard`).
    pub filter: &'static str,
}

/// Every section, in request order (the dmz-gateway chain's: header-hardening's request
/// checks, tls-guard, context-allowlist; answers pass them in reverse).
pub const SECTIONS: [Section; 3] = [
    Section {
        key: "header_hardening",
        filter: crate::headers::FILTER,
    },
    Section {
        key: "tls_guard",
        filter: crate::tls::FILTER,
    },
    Section {
        key: "context_allowlist",
        filter: crate::allowlist::FILTER,
    },
];

/// The sections `json` gives, in request order, each with its JSON text (a slice of `json`).
///
/// # Errors
/// Not a JSON object, an unknown key, or no section at all (a module that enforces nothing is
/// a misconfiguration, refused rather than let through).
pub fn split(json: &[u8]) -> Result<Vec<(Section, &str)>, ConfigError> {
    let map: BTreeMap<String, Option<&RawValue>> = serde_json::from_slice(json)
        .map_err(|e| ConfigError::json_syntax(&e, " (expected an object of sections)"))?;
    if let Some(unknown) = map.keys().find(|k| !SECTIONS.iter().any(|s| s.key == *k)) {
        return Err(ConfigError::at(
            FieldPath::root().key(unknown),
            ConfigErrorKind::Syntax(format!("unknown section, expected one of {}", keys())),
        )
        .located_in(json));
    }
    let sections: Vec<(Section, &str)> = SECTIONS
        .iter()
        .filter_map(|s| Some((*s, map.get(s.key).copied().flatten()?.get())))
        .collect();
    if sections.is_empty() {
        return Err(ConfigError::at(
            FieldPath::root(),
            ConfigErrorKind::Syntax(format!("no section; give at least one of {}", keys())),
        ));
    }
    Ok(sections)
}

/// `err`, an error of section `key`'s configuration, as an error of the whole document `json`:
/// the path with the key in front, the line and column found again in `json`.
pub fn in_section(err: ConfigError, key: &str, json: &[u8]) -> ConfigError {
    let mut path = FieldPath::root().key(key);
    for segment in err.path().segments() {
        path = match segment {
            crate::field_path::Segment::Key(k) => path.key(k),
            crate::field_path::Segment::Index(i) => path.index(*i),
        };
    }
    ConfigError::at(path, err.kind().clone()).located_in(json)
}

/// The combined module's name (`gateway_hardening.wasm`).
pub const MODULE: &str = "gateway-hardening";

/// Checks the combined configuration as `gateway_hardening.wasm`'s `on_configure` does: every
/// section by its filter's compile ([`crate::exchange::Module::compile`]).
///
/// # Errors
/// The first refused section's error, with the section in its path.
pub fn check(json: &[u8]) -> Result<(), ConfigError> {
    crate::exchange::Module::compile(MODULE, json).map(drop)
}

fn keys() -> String {
    SECTIONS
        .iter()
        .map(|s| s.key)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_checked_by_their_filters_and_errors_name_the_section() {
        // (row, configuration, Ok(filters in order) or Err(path))
        type Row<'a> = (&'a str, &'a str, Result<&'a [&'a str], &'a str>);
        let rows: &[Row<'_>] = &[
            (
                "two sections, request order",
                r#"{"context_allowlist": {"virtual_hosts": [{"domains": ["*"], "allow": ["/a"]}]}, "header_hardening": {"virtual_hosts": [{"domains": ["*"]}]}}"#,
                Ok(&["header-hardening", "context-allowlist"]),
            ),
            (
                "null is off",
                r#"{"tls_guard": null, "header_hardening": {"virtual_hosts": [{"domains": ["*"]}]}}"#,
                Ok(&["header-hardening"]),
            ),
            ("no section", "{}", Err(".")),
            ("only null", r#"{"tls_guard": null}"#, Err(".")),
            (
                "unknown key",
                r#"{"header_hardening": {"virtual_hosts": [{"domains": ["*"]}]}, "tls": {}}"#,
                Err("tls"),
            ),
            ("not an object", "[]", Err(".")),
            (
                "field inside a section",
                "{\"header_hardening\": {\"virtual_hosts\": [{\"domains\": [\"*\"]}]},\n \"context_allowlist\": {\"virtual_hosts\": 1}}",
                Err("context_allowlist.virtual_hosts"),
            ),
        ];
        for (row, json, want) in rows {
            let split_filters =
                split(json.as_bytes()).map(|v| v.iter().map(|(s, _)| s.filter).collect::<Vec<_>>());
            match (check(json.as_bytes()), want) {
                (Ok(()), Ok(filters)) => assert_eq!(split_filters.unwrap(), *filters, "{row}"),
                (Err(e), Err(path)) => assert_eq!(e.path().to_string(), *path, "{row}: {e}"),
                (got, _) => panic!("{row}: {got:?}"),
            }
        }
        let err = check("{\"header_hardening\": {\"virtual_hosts\": [{\"domains\": [\"*\"]}]},\n \"context_allowlist\": {\"virtual_hosts\": 1}}".as_bytes()).unwrap_err();
        assert_eq!(
            err.location().map(|l| l.0),
            Some(2),
            "line in the whole document"
        );
    }
}
