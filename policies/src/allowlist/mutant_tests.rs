//! Mutants (`mutants` feature off): the shipped policy refuses the `_mutant` field; (on): each
//! mutant switches off the one rule it names, and nothing else.

use super::*;

/// The Identity Server preset's JSON, with `_mutant` set to `mutant` when given.
fn preset_json(mutant: Option<&str>) -> Vec<u8> {
    let json = crate::presets::find("context-allowlist", "wso2-is")
        .unwrap()
        .json;
    let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
    if let (Some(m), Some(object)) = (mutant, value.as_object_mut()) {
        object.insert("_mutant".to_owned(), m.into());
    }
    serde_json::to_vec(&value).unwrap()
}

#[cfg(not(feature = "mutants"))]
#[test]
fn shipped_plan_refuses_mutant_field() {
    for mutant in ["dot_segments", "tail_rule", "nonsense"] {
        let err = AllowlistPlan::from_json(&preset_json(Some(mutant))).unwrap_err();
        assert_eq!(err.path().to_string(), "_mutant", "row `{mutant}`");
        assert!(
            err.to_string().contains("unknown field `_mutant`"),
            "row `{mutant}`: {err}"
        );
    }
}

#[cfg(feature = "mutants")]
mod switched {
    use super::*;
    use crate::attributes::AttributeTable;
    use crate::path::PathError;
    use crate::request::RequestHead;

    fn decide(
        mutant: Option<&str>,
        method: &str,
        target: &str,
        extra: &[(&str, &str)],
    ) -> Decision {
        let plan = AllowlistPlan::from_json(&preset_json(mutant)).unwrap();
        let mut pairs = vec![
            (":method".to_owned(), method.as_bytes().to_vec()),
            (":path".to_owned(), target.as_bytes().to_vec()),
            (":authority".to_owned(), b"is.example.com".to_vec()),
        ];
        pairs.extend(
            extra
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec())),
        );
        let conn = AttributeTable::default().with("source.address", "203.0.113.50:41000");
        plan.decide(&RequestHead::new(&pairs), &conn)
    }

    const ALLOWED: Decision = Decision::Allow(AllowReason::Allowlisted);
    const DENY_RULE: Decision = Decision::Deny {
        status: 403,
        reason: DenyReason::DenyRule,
    };
    const NOT_ALLOWLISTED: Decision = Decision::Deny {
        status: 403,
        reason: DenyReason::NotAllowlisted,
    };
    const fn refused(reason: DenyReason) -> Decision {
        Decision::Deny {
            status: 400,
            reason,
        }
    }
    const fn malformed(e: PathError) -> Decision {
        refused(DenyReason::MalformedPath(e))
    }

    type Row = (
        &'static str,
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
        Decision,
        Decision,
    );

    /// `(mutant, method, target, extra headers, shipped decision, the mutant's)`.
    const ROWS: &[Row] = &[
        (
            "percent_decoding",
            "GET",
            "/oauth2/%2e%2e/dashboard",
            &[],
            NOT_ALLOWLISTED,
            ALLOWED,
        ),
        (
            "percent_decoding",
            "GET",
            "/%63arbon",
            &[],
            DENY_RULE,
            NOT_ALLOWLISTED,
        ),
        (
            "dot_segments",
            "GET",
            "/oauth2/../dashboard",
            &[],
            NOT_ALLOWLISTED,
            ALLOWED,
        ),
        (
            "path_parameters",
            "GET",
            "/oauth2/..;/dashboard",
            &[],
            NOT_ALLOWLISTED,
            ALLOWED,
        ),
        (
            "merge_slashes",
            "GET",
            "//carbon",
            &[],
            DENY_RULE,
            NOT_ALLOWLISTED,
        ),
        (
            "backslash",
            "GET",
            "/oauth2/..\\carbon",
            &[],
            malformed(PathError::Backslash),
            ALLOWED,
        ),
        (
            "backslash",
            "GET",
            "/oauth2/..%5ccarbon",
            &[],
            malformed(PathError::EncodedBackslash),
            ALLOWED,
        ),
        (
            "encoded_separators",
            "GET",
            "/oauth2/..%2fcarbon",
            &[],
            malformed(PathError::EncodedSlash),
            ALLOWED,
        ),
        (
            "double_encoding",
            "GET",
            "/oauth2/%252e%252e/dashboard",
            &[],
            malformed(PathError::DoubleEncoding),
            ALLOWED,
        ),
        (
            "utf8",
            "GET",
            "/oauth2/%c0%ae%c0%ae/dashboard",
            &[],
            malformed(PathError::InvalidUtf8),
            ALLOWED,
        ),
        (
            "control_bytes",
            "GET",
            "/oauth2/%00/x",
            &[],
            malformed(PathError::EncodedControlCharacter),
            ALLOWED,
        ),
        (
            "confusables",
            "GET",
            "/oauth2/%ef%bc%8fx",
            &[],
            malformed(PathError::Confusable),
            ALLOWED,
        ),
        (
            "deny_case",
            "GET",
            "/CARBON",
            &[],
            DENY_RULE,
            NOT_ALLOWLISTED,
        ),
        (
            "deny_case",
            "GET",
            "/oauth2/INTROSPECT",
            &[],
            DENY_RULE,
            NOT_ALLOWLISTED,
        ),
        (
            "absolute_form",
            "GET",
            "http://evil.example/oauth2/jwks",
            &[],
            refused(DenyReason::InvalidHost),
            ALLOWED,
        ),
        (
            "tenant_valve",
            "GET",
            "/t/abc.com/api/users/v1/me/x/api/server/v1/applications",
            &[],
            DENY_RULE,
            NOT_ALLOWLISTED,
        ),
        (
            "raw_layer",
            "GET",
            "/oauth2/../commonauth",
            &[],
            NOT_ALLOWLISTED,
            ALLOWED,
        ),
        (
            "tail_rule",
            "GET",
            "/oauth2/carbon/admin",
            &[],
            NOT_ALLOWLISTED,
            ALLOWED,
        ),
        (
            "default_credentials",
            "GET",
            "/oauth2/jwks",
            &[("authorization", "Basic YWRtaW46YWRtaW4=")],
            Decision::Deny {
                status: 401,
                reason: DenyReason::DefaultCredentials,
            },
            ALLOWED,
        ),
        (
            "method_case",
            "get",
            "/oauth2/jwks",
            &[],
            refused(DenyReason::InvalidMethod),
            ALLOWED,
        ),
        (
            "method_override",
            "GET",
            "/oauth2/jwks",
            &[("x-http-method-override", "DELETE")],
            refused(DenyReason::MethodOverride),
            ALLOWED,
        ),
    ];

    #[test]
    fn each_mutant_switches_its_rule_off() {
        for (mutant, method, target, extra, shipped, mutated) in ROWS {
            assert_eq!(
                decide(None, method, target, extra),
                *shipped,
                "row `{mutant}` {target}: shipped"
            );
            assert_eq!(
                decide(Some(mutant), method, target, extra),
                *mutated,
                "row `{mutant}` {target}: mutant"
            );
        }
    }

    #[test]
    fn each_mutant_keeps_the_other_rules() {
        let controls: &[(&str, Decision)] = &[
            ("/carbon/admin/login.jsp", DENY_RULE),
            ("/oauth2/jwks", ALLOWED),
            ("/dashboard", NOT_ALLOWLISTED),
        ];
        let mut mutants: Vec<&str> = ROWS.iter().map(|r| r.0).collect();
        mutants.dedup();
        for mutant in mutants {
            for (target, want) in controls {
                assert_eq!(
                    decide(Some(mutant), "GET", target, &[]),
                    *want,
                    "row `{mutant}` {target}"
                );
            }
        }
    }

    #[test]
    fn unknown_mutant_is_a_config_error_at_its_field() {
        let err = AllowlistPlan::from_json(&preset_json(Some("nonsense"))).unwrap_err();
        assert_eq!(err.path().to_string(), "_mutant");
    }
}
