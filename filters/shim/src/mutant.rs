//! The kill matrix's mutants (`mutants` feature; test builds only, never in a shipped module):
//! a filter built with the feature reads `_mutant` off its plugin configuration, the name of one
//! rule it then never applies (host-test's `kill-matrix`, `cargo xtask test`). A shipped module
//! does not know the field and refuses the configuration, like any unknown field.

/// Splits `_mutant` off a plugin configuration that is a JSON object: the name it gives (one of
/// `names`) and the configuration without it, for the policy to compile. A configuration that
/// is not a JSON object, or has no `_mutant`, is returned unchanged.
///
/// # Errors
/// `<value> is not one of <names>` when the value is not one of `names`, or the configuration
/// cannot be written back.
pub fn split(json: &[u8], names: &[&str]) -> Result<(Option<String>, Vec<u8>), String> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(json) else {
        return Ok((None, json.to_vec()));
    };
    let Some(name) = value.as_object_mut().and_then(|o| o.remove("_mutant")) else {
        return Ok((None, json.to_vec()));
    };
    let name = match name.as_str() {
        Some(n) if names.contains(&n) => n.to_owned(),
        _ => {
            return Err(format!("{name} is not one of {}", names.join(", ")));
        }
    };
    let rest = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
    Ok((Some(name), rest))
}

/// [`split`] for a policy's compile function: the error as a configuration error at
/// `_mutant`.
///
/// # Errors
/// As [`split`].
pub fn split_config(
    json: &[u8],
    names: &[&str],
) -> Result<(Option<String>, Vec<u8>), policies::ConfigError> {
    split(json, names).map_err(|e| {
        policies::ConfigError::at(
            policies::field_path::FieldPath::root().key("_mutant"),
            policies::ConfigErrorKind::Syntax(e),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_takes_only_a_known_name_off_an_object() {
        let names = ["hsts", "csp"];
        type Want = Result<(Option<&'static str>, &'static str), ()>;
        let rows: &[(&str, &str, Want)] = &[
            (
                "named",
                r#"{"_mutant":"hsts","a":1}"#,
                Ok((Some("hsts"), r#"{"a":1}"#)),
            ),
            ("absent", r#"{"a":1}"#, Ok((None, r#"{"a":1}"#))),
            ("not an object", "[1]", Ok((None, "[1]"))),
            ("not json", "{", Ok((None, "{"))),
            ("unknown name", r#"{"_mutant":"tls"}"#, Err(())),
            ("not a string", r#"{"_mutant":1}"#, Err(())),
        ];
        for (row, input, want) in rows {
            let got = split(input.as_bytes(), &names);
            match (got, want) {
                (Ok((name, rest)), Ok((want_name, want_rest))) => {
                    assert_eq!(name.as_deref(), *want_name, "{row}");
                    assert_eq!(rest, want_rest.as_bytes(), "{row}");
                }
                (Err(e), Err(())) => assert!(e.contains("is not one of"), "{row}: {e}"),
                (got, _) => panic!("{row}: {got:?}"),
            }
        }
    }
}
