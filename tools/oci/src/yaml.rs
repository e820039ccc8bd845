//! Writes a JSON value as block-style YAML, for the `pluginConfig` of the generated manifests.
//! Strings are written double-quoted with JSON's escapes (all of them valid YAML double-quoted
//! escapes), so nothing is left to YAML's plain-scalar typing (`no`, `on`, `1e3`, `*`...).
//! Keys are sorted.

use serde_json::{Map, Value};

/// The mapping `map` as YAML lines indented by `indent` spaces.
pub fn mapping(map: &Map<String, Value>, indent: usize) -> String {
    let mut out = String::new();
    write_map(&mut out, map, indent);
    out
}

fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize) {
    let pad = " ".repeat(indent);
    // Sorted here: serde_json's map keeps insertion order when some crate in the build enables
    // its `preserve_order` feature, and the output must not depend on that.
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in entries {
        out.push_str(&pad);
        out.push_str(&key(k));
        out.push(':');
        write_nested(out, v, indent + 2);
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        match item {
            Value::Object(m) if !m.is_empty() => {
                // The first entry goes on the dash's line: write at `indent + 2`, then put the
                // dash into the first line's indentation.
                let mut nested = String::new();
                write_map(&mut nested, m, indent + 2);
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(nested.get(indent + 2..).unwrap_or_default());
            }
            Value::Array(a) if !a.is_empty() => {
                let mut nested = String::new();
                write_seq(&mut nested, a, indent + 2);
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(nested.get(indent + 2..).unwrap_or_default());
            }
            scalar => {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

/// After `key:`: a scalar or empty collection on the same line, else the block below it.
fn write_nested(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, indent);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, indent);
        }
        scalar => {
            out.push(' ');
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

/// A scalar or an empty collection in flow style (JSON text is valid YAML flow).
fn inline(v: &Value) -> String {
    match v {
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        other => other.to_string(),
    }
}

/// A mapping key: plain when it is an identifier-like word YAML 1.1 does not read as a boolean
/// or null, else double-quoted.
fn key(k: &str) -> String {
    const SPECIAL: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    let plain = k
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        && !SPECIAL.contains(&k.to_ascii_lowercase().as_str());
    if plain {
        k.to_owned()
    } else {
        Value::String(k.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_writes_block_yaml() {
        let v = serde_json::json!({
            "mode": "enforce",
            "deny_status": 403,
            "empty": [],
            "no": true,
            "hosts": [{"name": "a", "domains": ["*", "x"]}, {}],
            "nested": [[1, 2]],
        });
        let text = mapping(v.as_object().unwrap(), 2);
        let want = r#"  deny_status: 403
  empty: []
  hosts:
    - domains:
        - "*"
        - "x"
      name: "a"
    - {}
  mode: "enforce"
  nested:
    - - 1
      - 2
  "no": true
"#;
        assert_eq!(text, want);
    }
}
