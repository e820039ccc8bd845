//! Configuration errors name the field; presets compile.

use super::*;
use crate::error::ConfigErrorKind;

/// `(what, virtual host JSON, field path of the error, expected kind)`.
type ErrorCase = (
    &'static str,
    &'static str,
    &'static str,
    fn(&ConfigErrorKind) -> bool,
);

const ERRORS: &[ErrorCase] = &[
    (
        "header name with a space",
        r#""headers": [{"name": "X Bad", "set": "1"}]"#,
        "virtual_hosts[0].headers[0].name",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderName(_)),
    ),
    (
        "CR LF in a value (header injection)",
        r#""headers": [{"name": "X-A", "set": "ok\r\nSet-Cookie: evil=1"}]"#,
        "virtual_hosts[0].headers[0].set",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderValue { .. }),
    ),
    (
        "NUL in a default value",
        r#""headers": [{"name": "X-A", "default": "a\u0000b"}]"#,
        "virtual_hosts[0].headers[0].default",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderValue { .. }),
    ),
    (
        "empty value",
        r#""headers": [{"name": "X-A", "set": ""}]"#,
        "virtual_hosts[0].headers[0].set",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderValue { .. }),
    ),
    (
        "set and remove together",
        r#""headers": [{"name": "Server", "set": "x", "remove": true}]"#,
        "virtual_hosts[0].headers[0]",
        |k| matches!(k, ConfigErrorKind::Contradiction(_)),
    ),
    (
        "no action",
        r#""headers": [{"name": "Server"}]"#,
        "virtual_hosts[0].headers[0]",
        |k| matches!(k, ConfigErrorKind::Contradiction(_)),
    ),
    (
        "set then remove of the same header",
        r#""headers": [{"name": "Server", "set": "x"}, {"name": "server", "remove": true}]"#,
        "virtual_hosts[0].headers[1].name",
        |k| matches!(k, ConfigErrorKind::Contradiction(_)),
    ),
    (
        "Set-Cookie is the cookies' field",
        r#""headers": [{"name": "Set-Cookie", "remove": true}]"#,
        "virtual_hosts[0].headers[0].name",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderName(_)),
    ),
    (
        "HSTS is the hsts field's",
        r#""headers": [{"name": "Strict-Transport-Security", "set": "max-age=1"}]"#,
        "virtual_hosts[0].headers[0].name",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderName(_)),
    ),
    (
        "route glob that never matches a normalised path",
        r#""routes": [{"paths": ["/a/../b"], "headers": []}]"#,
        "virtual_hosts[0].routes[0].paths[0]",
        |k| matches!(k, ConfigErrorKind::InvalidGlob { .. }),
    ),
    (
        "route header rule",
        r#""routes": [{"paths": ["/a"], "headers": [{"name": "X-A", "set": "\u0007"}]}]"#,
        "virtual_hosts[0].routes[0].headers[0].set",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderValue { .. }),
    ),
    (
        "cache glob",
        r#""cache": {"no_store_paths": ["/ok", "oauth2"]}"#,
        "virtual_hosts[0].cache.no_store_paths[1]",
        |k| matches!(k, ConfigErrorKind::InvalidGlob { .. }),
    ),
    (
        "preload without includeSubDomains",
        r#""hsts": {"include_subdomains": false, "preload": true}"#,
        "virtual_hosts[0].hsts.preload",
        |k| matches!(k, ConfigErrorKind::Contradiction(_)),
    ),
    (
        "SameSite=None without Secure",
        r#""cookies": [{"names": ["a"], "secure": false, "same_site": "None"}]"#,
        "virtual_hosts[0].cookies[0].same_site",
        |k| matches!(k, ConfigErrorKind::Contradiction(_)),
    ),
    (
        "cookie name glob with a space",
        r#""cookies": [{"names": ["JSESS ION"]}]"#,
        "virtual_hosts[0].cookies[0].names[0]",
        |k| matches!(k, ConfigErrorKind::InvalidGlob { .. }),
    ),
    (
        "unknown SameSite",
        r#""cookies": [{"names": ["a"], "same_site": "Loose"}]"#,
        "virtual_hosts[0].cookies[0].same_site",
        |k| matches!(k, ConfigErrorKind::Syntax(_)),
    ),
    (
        "session minimum too small",
        r#""session_cookies": {"min_bits": 8}"#,
        "virtual_hosts[0].session_cookies.min_bits",
        |k| matches!(k, ConfigErrorKind::OutOfRange { .. }),
    ),
    (
        "Clear-Site-Data without quotes",
        r#""logout": {"paths": ["/logout"], "clear_site_data": "cache, cookies"}"#,
        "virtual_hosts[0].logout.clear_site_data",
        |k| matches!(k, ConfigErrorKind::InvalidHeaderValue { .. }),
    ),
    (
        "regex that does not compile",
        r#""input_validation": {"paths": ["/a"], "patterns": ["ok", "(unclosed"]}"#,
        "virtual_hosts[0].input_validation.patterns[1]",
        |k| matches!(k, ConfigErrorKind::InvalidRegex { .. }),
    ),
    (
        "regex over the size limit",
        r#""input_validation": {"paths": ["/a"], "patterns": ["\\w{1000}{1000}"]}"#,
        "virtual_hosts[0].input_validation.patterns[0]",
        |k| matches!(k, ConfigErrorKind::InvalidRegex { .. }),
    ),
    (
        "reject status 500",
        r#""input_validation": {"paths": ["/a"], "status": 500}"#,
        "virtual_hosts[0].input_validation.status",
        |k| matches!(k, ConfigErrorKind::InvalidStatus { .. }),
    ),
    (
        "input validation without paths",
        r#""input_validation": {"paths": []}"#,
        "virtual_hosts[0].input_validation.paths",
        |k| matches!(k, ConfigErrorKind::Empty),
    ),
    (
        "unknown field",
        r#""header": []"#,
        "virtual_hosts[0].header",
        |k| matches!(k, ConfigErrorKind::Syntax(_)),
    ),
];

#[test]
fn compile_fails_naming_the_field() {
    for (what, fields, path, kind) in ERRORS {
        let json = format!("{{\"virtual_hosts\": [{{\"domains\": [\"*\"], {fields}}}]}}");
        let err = HeaderPlan::from_json(json.as_bytes()).expect_err(what);
        assert_eq!(err.path().to_string(), *path, "{what}: {err}");
        assert!(kind(err.kind()), "{what}: {err}");
        assert!(err.location().is_some(), "{what}: no line in {err}");
    }
}

#[test]
fn compile_fails_on_bad_domain_and_empty_hosts() {
    let err = HeaderPlan::from_json(br#"{"virtual_hosts": [{"domains": ["a.*.b"]}]}"#).unwrap_err();
    assert_eq!(err.path().to_string(), "virtual_hosts[0].domains[0]");
    let err = HeaderPlan::from_json(br#"{"virtual_hosts": []}"#).unwrap_err();
    assert!(matches!(err.kind(), ConfigErrorKind::Empty));
}

#[test]
fn every_preset_and_the_example_compile() {
    for product in ["wso2-is", "wso2-apim", "wso2-mi"] {
        preset(product);
    }
    plan(MINIMAL);
}
