//! The lint against fixtures (`cli/tests/fixtures/lint/`, each `<name>.yaml|json` with its `<name>.expected`: one
//! `rule guideline path` line per finding, `suppressed` appended for a suppressed one, in the
//! order found; or `error: <text the LintError must contain>`) and against the shipped
//! examples, which must lint clean.

// A test binary: the workspace denies these outside #[test] functions; here the helpers are
// tests too (a failure names the fixture).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use super::{LintError, Options, lint_file, lint_str};
use crate::finding::{Finding, Severity};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lint")
}

fn line(f: &Finding) -> String {
    let sup = if f.suppressed.is_some() {
        " suppressed"
    } else {
        ""
    };
    format!("{} {} {}{sup}", f.rule, f.guideline, f.path)
}

/// Runs every fixture; returns the failures, each naming its fixture.
fn run_fixtures() -> (usize, Vec<String>) {
    let dir = fixtures();
    let opts = Options {
        cert_root: dir.clone(),
    };
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for p in &names {
        let expected_path = p.with_extension("expected");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no .expected", p.display()));
        let expected: Vec<&str> = expected
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        let got: Vec<String> = match lint_file(p, &opts) {
            Ok(f) => f.iter().map(line).collect(),
            Err(e) => vec![format!("error: {e}")],
        };
        let ok = if let Some(want) = expected.first().and_then(|l| l.strip_prefix("error: ")) {
            expected.len() == 1
                && got.len() == 1
                && got[0].starts_with("error: ")
                && got[0].contains(want)
        } else {
            got == expected
        };
        if !ok {
            failures.push(format!(
                "{}:\n  expected:\n    {}\n  got:\n    {}",
                p.file_name().unwrap().to_string_lossy(),
                expected.join("\n    "),
                got.join("\n    ")
            ));
        }
    }
    (names.len(), failures)
}

#[test]
fn fixtures_give_exactly_their_expected_findings() {
    let (count, failures) = run_fixtures();
    assert!(count >= 15, "only {count} fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn unsuppressed_at_warning(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.fails(Severity::Warning))
        .map(|f| format!("{} {} {}: {}", f.rule, f.guideline, f.path, f.message))
        .collect()
}

#[test]
fn dmz_gateway_example_lints_clean_with_its_certificates() {
    // The example's certificates, generated as `cargo xtask certs` does, under <tmp>/target/certs
    // (envoy.yaml names them relative to the repository root).
    let tmp = std::env::temp_dir().join(format!("gh-lint-certs-{}", std::process::id()));
    certgen::generate(&tmp.join("target/certs")).unwrap();
    let opts = Options {
        cert_root: tmp.clone(),
    };
    let findings = lint_file(&root().join("envoy-examples/dmz-gateway/envoy.yaml"), &opts).unwrap();
    let _ = std::fs::remove_dir_all(&tmp);
    let bad = unsuppressed_at_warning(&findings);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The deliberate deviations are there, suppressed with a reason.
    for rule in [
        "plaintext-listener",
        "cert-wso2-default",
        "upstream-plaintext",
    ] {
        assert!(
            findings
                .iter()
                .any(|f| f.rule == rule && f.suppressed.as_deref().is_some_and(|r| !r.is_empty())),
            "{rule} not found suppressed"
        );
    }
    // Certificates were read: nothing unreadable.
    assert!(!findings.iter().any(|f| f.rule == "cert-unreadable"));
}

#[test]
fn dmz_gateway_example_without_certificates_warns_not_checked() {
    let opts = Options {
        cert_root: std::env::temp_dir().join("gh-lint-no-such-dir"),
    };
    let findings = lint_file(&root().join("envoy-examples/dmz-gateway/envoy.yaml"), &opts).unwrap();
    let unreadable: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == "cert-unreadable")
        .collect();
    assert!(!unreadable.is_empty());
    assert!(
        unreadable
            .iter()
            .all(|f| f.severity == Severity::Warning && f.message.contains("not checked"))
    );
}

#[test]
fn istio_examples_lint_clean() {
    let dir = root().join("envoy-examples/istio");
    let mut seen = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        seen += 1;
        let findings = lint_file(&p, &Options::default()).unwrap();
        let bad = unsuppressed_at_warning(&findings);
        assert!(bad.is_empty(), "{}: {}", p.display(), bad.join("\n"));
    }
    assert!(seen >= 5, "only {seen} Istio manifests");
}

#[test]
fn shape_error_names_file_path_and_unknown_kind() {
    let err = lint_str(
        "x.yaml",
        "static_resources:\n  listeners:\n  - name: a\n    address: 5\n",
        &Options::default(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, LintError::Shape { path, .. } if path == "static_resources.listeners[0].address"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("x.yaml:4:14: static_resources.listeners[0].address: "),
        "{err}"
    );
    let err = lint_str("y.yaml", "foo: 1\n", &Options::default()).unwrap_err();
    assert!(matches!(err, LintError::UnknownKind { .. }), "{err}");
    let err = lint_str("z.yaml", "a: [1,\n", &Options::default()).unwrap_err();
    assert!(
        matches!(err, LintError::Syntax { line: Some(_), .. }),
        "{err}"
    );
}

#[test]
fn certificate_files_over_1_mib_are_not_read() {
    let big = std::env::temp_dir().join(format!("gh-lint-big-{}.crt", std::process::id()));
    std::fs::write(&big, vec![b'A'; 1024 * 1024 + 1]).unwrap();
    let yaml = format!(
        "static_resources:\n  clusters:\n  - name: product\n    transport_socket:\n      name: tls\n      typed_config:\n        '@type': type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext\n        common_tls_context:\n          validation_context:\n            trusted_ca:\n              filename: '{}'\n",
        big.display()
    );
    let findings = lint_str("big.yaml", &yaml, &Options::default()).unwrap();
    let _ = std::fs::remove_file(&big);
    assert!(
        findings
            .iter()
            .any(|f| f.rule == "cert-unreadable" && f.message.contains("larger than 1 MiB")),
        "{findings:?}"
    );
}
