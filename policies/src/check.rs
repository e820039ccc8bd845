//! One entry point that checks a plugin configuration for any filter, exactly as the filter's
//! `on_configure` does (parse, then compile); used by `cargo xtask check-config` and the test
//! host.

use crate::error::ConfigError;

/// The filters whose configurations [`check`] knows.
pub const FILTERS: &[&str] = &[
    "context-allowlist",
    "header-hardening",
    "tls-guard",
    "gateway-hardening",
];

/// Parses and compiles `json` as the plugin configuration of `filter`.
///
/// # Errors
/// `Err(None)` when `filter` is not one of [`FILTERS`]; `Err(Some(error))` naming the field and
/// line when the configuration is refused.
pub fn check(filter: &str, json: &[u8]) -> Result<(), Option<ConfigError>> {
    if !FILTERS.contains(&filter) {
        return Err(None);
    }
    crate::exchange::Module::compile(filter, json)
        .map(drop)
        .map_err(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_unknown_filter_and_names_field() {
        assert_eq!(check("nope", b"{}"), Err(None));
        let err = check("context-allowlist", b"{\"virtual_hosts\": 1}")
            .unwrap_err()
            .unwrap();
        assert_eq!(err.path().to_string(), "virtual_hosts");
        for preset in crate::presets::ALL {
            assert_eq!(
                check(preset.filter, preset.json.as_bytes()),
                Ok(()),
                "{}",
                preset.product
            );
        }
    }
}
