//! The request method as the product's JAX-RS runtime reads it. Apache CXF dispatches methods
//! case-insensitively and honours `X-HTTP-Method-Override` (and `X-HTTP-Method`,
//! `X-Method-Override`) and a `_method` query parameter, so a rule limited to some methods
//! would be walked past: a method that is not upper case is refused (RFC 9110 §9.1: methods are
//! case-sensitive, the standard ones upper case), and the overrides are refused or stripped.

use serde::Deserialize;

use crate::request::RequestHead;

/// The method-override headers a back end may honour, lower-case.
pub const OVERRIDE_HEADERS: [&str; 3] = [
    "x-http-method-override",
    "x-http-method",
    "x-method-override",
];

/// The query parameter a back end may honour as the method.
pub const OVERRIDE_PARAMETER: &str = "_method";

/// What to do with a method override (`method_override`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverridePolicy {
    /// Answer 400 (the default).
    #[default]
    Refuse,
    /// Remove the headers and the `_method` parameters, then decide on the real method.
    Strip,
}

/// True when the method is empty or holds a lower-case letter.
pub(super) fn is_not_upper_case(method: &[u8]) -> bool {
    method.is_empty() || method.iter().any(u8::is_ascii_lowercase)
}

/// The override headers present in `request` (lower-case names).
pub(super) fn override_headers(request: &RequestHead<'_>) -> Vec<&'static str> {
    OVERRIDE_HEADERS
        .into_iter()
        .filter(|name| request.get(name).is_some())
        .collect()
}

/// True when the raw query holds a `_method` parameter (in any case, percent-encoded or not).
pub(super) fn query_has_override(query: &str) -> bool {
    query_pairs(query).any(|(name, _)| is_override_name(&name))
}

/// The query without its `_method` parameters (`None` when nothing is removed).
pub(super) fn strip_override(query: &str) -> Option<String> {
    if !query_has_override(query) {
        return None;
    }
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            !is_override_name(&decode(name))
        })
        .collect();
    Some(kept.join("&"))
}

fn is_override_name(name: &str) -> bool {
    name.eq_ignore_ascii_case(OVERRIDE_PARAMETER)
}

fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

fn decode(name: &str) -> String {
    query_pairs(name).next().map(|(k, _)| k).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_case_table() {
        for (method, refused) in [
            ("GET", false),
            ("POST", false),
            ("M-SEARCH", false),
            ("get", true),
            ("Get", true),
            ("pOST", true),
            ("delete", true),
            ("", true),
        ] {
            assert_eq!(
                is_not_upper_case(method.as_bytes()),
                refused,
                "row `{method}`"
            );
        }
    }

    #[test]
    fn method_parameter_table() {
        for (query, has, stripped) in [
            ("_method=DELETE", true, Some("")),
            ("a=1&_method=PUT&b=2", true, Some("a=1&b=2")),
            ("_METHOD=put", true, Some("")),
            ("%5Fmethod=DELETE&x", true, Some("x")),
            ("_method", true, Some("")),
            ("method=DELETE", false, None),
            ("x=_method", false, None),
        ] {
            assert_eq!(query_has_override(query), has, "row `{query}`");
            assert_eq!(strip_override(query).as_deref(), stripped, "row `{query}`");
        }
    }
}
