//! Findings written for people ([`text`]), for scripts ([`json`]) and for code-scanning tools
//! ([`sarif`], SARIF 2.1.0, OASIS Standard; GitHub code scanning reads it).
//!
//! SARIF is written with a few serde structs of the fields we fill rather than the
//! `serde-sarif` crate, whose build script generates its types from the JSON schema
//! (schemafy, syn, prettyplease) and which brings strum and typed-builder: more compile time
//! than these hundred lines.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::finding::Finding;
use crate::guidelines;
use crate::lint::rules;

/// One finding a line: `severity guideline rule location path: message (fix: ...)`, suppressed
/// ones marked with their reason; then a count.
pub fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let at = if f.path.is_empty() {
            f.location.clone()
        } else {
            format!("{} {}", f.location, f.path)
        };
        let sup = f
            .suppressed
            .as_ref()
            .map(|r| format!(" [suppressed: {r}]"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{} {} {} {at}: {}{sup}\n    fix: {}\n",
            f.severity.as_str(),
            f.guideline,
            f.rule,
            f.message,
            f.fix
        ));
    }
    let suppressed = findings.iter().filter(|f| f.suppressed.is_some()).count();
    out.push_str(&format!(
        "{} finding(s), {} suppressed\n",
        findings.len(),
        suppressed
    ));
    out
}

/// The findings as a JSON array of [`Finding`] objects.
pub fn json(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(findings).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// The schema this output follows.
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    information_uri: &'a str,
    rules: Vec<RuleDescriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor<'a> {
    id: &'a str,
    short_description: Message,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleProperties<'a> {
    guideline: &'a str,
    guideline_title: &'a str,
    tags: Vec<&'a str>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'a str,
    message: Message,
    locations: Vec<Location<'a>>,
    properties: ResultProperties<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    guideline: &'a str,
    fix: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

/// SARIF's `uri` is a URI reference (§3.4.3): a relative path as written, an absolute one as a
/// `file://` URI; spaces and `%` escaped.
fn uri_of(location: &str) -> String {
    let escaped = location.replace('%', "%25").replace(' ', "%20");
    if escaped.starts_with('/') {
        format!("file://{escaped}")
    } else {
        escaped
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
    kind: &'a str,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'a str,
    justification: &'a str,
}

/// The findings as a SARIF 2.1.0 log: one run of the `gateway-hardening` driver, a rule
/// descriptor per rule found (id, short description, the guideline in its properties), a
/// result per finding with its file as the physical location and its configuration path as the
/// logical location; a suppressed finding carries an `external` suppression with the reason.
pub fn sarif(findings: &[Finding]) -> String {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut descriptors = Vec::new();
    for f in findings {
        if index.contains_key(f.rule) {
            continue;
        }
        index.insert(f.rule, descriptors.len());
        let rule = rules::find(f.rule);
        let guideline = rule.map_or(f.guideline, |r| r.guideline);
        let title = guidelines::ALL
            .iter()
            .find(|g| g.id == guideline)
            .map_or("", |g| g.title);
        descriptors.push(RuleDescriptor {
            id: f.rule,
            short_description: Message {
                text: rule.map_or_else(|| f.message.clone(), |r| r.summary.to_owned()),
            },
            properties: RuleProperties {
                guideline,
                guideline_title: title,
                tags: vec!["security", guideline],
            },
        });
    }
    let results = findings
        .iter()
        .map(|f| SarifResult {
            rule_id: f.rule,
            rule_index: index.get(f.rule).copied().unwrap_or(0),
            level: f.severity.as_str(),
            message: Message {
                text: format!("{} Fix: {}", f.message, f.fix),
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: uri_of(&f.location),
                    },
                },
                logical_locations: if f.path.is_empty() {
                    Vec::new()
                } else {
                    vec![LogicalLocation {
                        fully_qualified_name: &f.path,
                        kind: "member",
                    }]
                },
            }],
            properties: ResultProperties {
                guideline: f.guideline,
                fix: &f.fix,
            },
            suppressions: f
                .suppressed
                .as_deref()
                .map(|j| {
                    vec![Suppression {
                        kind: "external",
                        justification: j,
                    }]
                })
                .unwrap_or_default(),
        })
        .collect();
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "gateway-hardening",
                    information_uri: "https://github.com/gateway-hardening/gateway-hardening",
                    rules: descriptors,
                },
            },
            results,
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn finding(suppressed: Option<&str>) -> Finding {
        Finding {
            rule: "hsts-missing",
            guideline: "P11",
            severity: Severity::Error,
            location: "envoy.yaml".into(),
            path: "static_resources.listeners[0]".into(),
            message: "no HSTS".into(),
            fix: "add it".into(),
            suppressed: suppressed.map(str::to_owned),
        }
    }

    #[test]
    fn sarif_has_the_required_top_level_fields_and_suppressions() {
        let v: serde_json::Value =
            serde_json::from_str(&sarif(&[finding(None), finding(Some("lab only"))])).unwrap();
        assert_eq!(v["$schema"], SARIF_SCHEMA);
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "gateway-hardening");
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 1);
        assert_eq!(
            run["tool"]["driver"]["rules"][0]["properties"]["guideline"],
            "P11"
        );
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0]["ruleId"], "hsts-missing");
        assert_eq!(results[0]["level"], "error");
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "envoy.yaml"
        );
        assert_eq!(
            results[0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "static_resources.listeners[0]"
        );
        assert!(results[0].get("suppressions").is_none());
        assert_eq!(
            uri_of("/etc/envoy/my envoy.yaml"),
            "file:///etc/envoy/my%20envoy.yaml"
        );
        assert_eq!(results[1]["suppressions"][0]["kind"], "external");
        assert_eq!(results[1]["suppressions"][0]["justification"], "lab only");
    }

    #[test]
    fn text_and_json_name_every_finding() {
        let t = text(&[finding(Some("lab only"))]);
        assert!(t.contains("error P11 hsts-missing envoy.yaml static_resources.listeners[0]: no HSTS [suppressed: lab only]"), "{t}");
        assert!(t.ends_with("1 finding(s), 1 suppressed\n"));
        let j: serde_json::Value = serde_json::from_str(&json(&[finding(None)])).unwrap();
        assert_eq!(j[0]["rule"], "hsts-missing");
        assert!(j[0].get("suppressed").is_none());
    }
}
