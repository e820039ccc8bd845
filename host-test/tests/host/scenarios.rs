//! Scenario files: schema errors with file, line and field; a run against a WAT filter of our
//! own; missing modules naming the build command.

use crate::common;

use std::path::PathBuf;

use host_test::runner::run_file_in;
use host_test::scenario::load;

/// A fresh folder for one test (tests run in parallel: each gets its own). A helper of the
/// tests: failing to create it fails the test.
#[allow(clippy::unwrap_used)]
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("host-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A filter that denies `/carbon...` with 403 and a log line, counts denials, and adds
/// `x-seen: 1` to requests it lets through. Written as `probe.wasm` (WAT text; wasmtime
/// compiles it).
const PROBE: &str = r#"
  (data (i32.const 16) ":path")
  (data (i32.const 32) "denied /carbon")
  (data (i32.const 64) "probe.denied")
  (data (i32.const 96) "x-seen")
  (data (i32.const 112) "1")
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $proxy_get_header_map_value (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 0) (i32.const 4)))
    (if (i32.eq (i32.load8_u (i32.add (i32.load (i32.const 0)) (i32.const 1))) (i32.const 99))
      (then
        (drop (call $proxy_log (i32.const 2) (i32.const 32) (i32.const 14)))
        (drop (call $proxy_define_metric (i32.const 0) (i32.const 64) (i32.const 12) (i32.const 12)))
        (drop (call $proxy_increment_metric (i32.load (i32.const 12)) (i64.const 1)))
        (drop (call $proxy_send_local_response (i32.const 403) (i32.const 0) (i32.const 0)
          (i32.const 32) (i32.const 6) (i32.const 0) (i32.const 0) (i32.const -1)))
        (return (i32.const 1))))
    (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 96) (i32.const 6) (i32.const 112) (i32.const 1)))
    (i32.const 0))
"#;

const GOOD: &str = r#"
meta:
  filter: probe
  config: { any: thing }
tests:
  - id: carbon-denied
    request: { path: /carbon/admin }
    expect:
      status: 403
      local_response: { status: 403, body_contains: [denied] }
      log: { contains: ["denied /carbon"] }
      metrics: { probe.denied: 1 }
  - id: other-allowed
    request: { path: /oauth2/token, headers: { x-a: [one, two] } }
    upstream: { status: 201, headers: { server: WSO2 Carbon Server } }
    expect:
      status: 201
      upstream_request: { path: /oauth2/token, headers: { equal: { x-seen: "1", x-a: one } } }
      response_headers: { equal: { server: WSO2 Carbon Server } }
      log: { not_contains: ["denied"] }
  - id: wrong-expectation
    request: { path: /x }
    expect: { status: 404 }
"#;

#[test]
fn run_file_checks_each_expectation() {
    let d = dir("run");
    std::fs::write(d.join("probe.wasm"), common::wat(PROBE)).unwrap();
    std::fs::write(d.join("s.yaml"), GOOD).unwrap();
    let results = run_file_in(&d.join("s.yaml"), &d);
    let verdicts: Vec<(String, Vec<String>)> = results
        .iter()
        .map(|r| (r.id.clone(), r.verdict.failures.clone()))
        .collect();
    assert_eq!(verdicts[0], ("carbon-denied".to_string(), vec![]));
    assert_eq!(verdicts[1], ("other-allowed".to_string(), vec![]));
    assert_eq!(verdicts[2].0, "wrong-expectation");
    assert_eq!(
        verdicts[2].1,
        vec!["status: expected 404, got 200".to_string()]
    );
}

/// `admin_reached` is judged by where the product would land what the upstream received
/// (`mock_wso2::dispatch` of its `:path`), not by the status.
const LANDINGS: &str = r#"
meta:
  filter: probe
  config: {}
tests:
  - id: denied-lands-nowhere
    request: { path: /carbon/admin/login.jsp }
    expect: { admin_reached: false }
  - id: public-landing
    request: { path: /t/abc.com/oauth2/token }
    expect: { status: 200, admin_reached: false }
  - id: tomcat-refuses-it
    request: { path: /%2e%2e/services }
    expect: { admin_reached: false }
  - id: let-through-to-the-server-api
    request: { path: /t/abc.com/api/users/v1/me/x/api/server/v1/applications }
    expect: { status: 200, admin_reached: false }
  - id: internal-admin
    request: { path: /services/UserAdmin }
    expect: { admin_reached: true }
  - id: expected-admin-but-denied
    request: { path: /carbon }
    expect: { admin_reached: true }
"#;

#[test]
fn admin_reached_names_the_landing() {
    let d = dir("landing");
    std::fs::write(d.join("probe.wasm"), common::wat(PROBE)).unwrap();
    std::fs::write(d.join("s.yaml"), LANDINGS).unwrap();
    let results = run_file_in(&d.join("s.yaml"), &d);
    let by_id = |id: &str| {
        results
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.verdict.clone())
            .unwrap()
    };
    for id in [
        "denied-lands-nowhere",
        "public-landing",
        "tomcat-refuses-it",
        "internal-admin",
    ] {
        let v = by_id(id);
        assert!(v.passed(), "{id}: {:?}", v.failures);
        assert_eq!(v.admin_landing, None, "{id}");
    }
    let bypass = by_id("let-through-to-the-server-api");
    assert_eq!(
        bypass.failures,
        vec!["admin_reached: dispatched to /api /server/v1/applications (admin)".to_string()]
    );
    assert_eq!(
        bypass.admin_landing.as_deref(),
        Some(bypass.failures[0].as_str())
    );
    let denied = by_id("expected-admin-but-denied");
    assert_eq!(
        denied.failures,
        vec![
            "admin_reached: expected an admin landing; the request never reached the upstream"
                .to_string()
        ]
    );
    assert_eq!(denied.admin_landing, None);
}

#[test]
fn missing_module_names_the_build_command() {
    let d = dir("missing");
    std::fs::write(d.join("s.yaml"), GOOD).unwrap();
    let results = run_file_in(&d.join("s.yaml"), &d);
    assert_eq!(results.len(), 1);
    let msg = &results[0].verdict.failures[0];
    assert!(
        msg.contains("cargo build --release --target wasm32-wasip1 -p probe"),
        "{msg}"
    );
}

#[test]
fn schema_error_names_file_line_and_field() {
    let d = dir("schema");
    let text = "meta:\n  filter: probe\n  preset: wso2-is\ntests:\n  - id: a\n    expect:\n      statuss: 403\n";
    std::fs::write(d.join("bad.yaml"), text).unwrap();
    let err = load(&d.join("bad.yaml")).unwrap_err();
    assert_eq!(err.line, 7);
    assert_eq!(err.field, "tests[0].expect.statuss");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:7:", d.join("bad.yaml").display())),
        "{err}"
    );
}

#[test]
fn wrong_type_is_reported_at_its_line() {
    let d = dir("type");
    let text = "meta:\n  filter: probe\n  config: {}\ntests:\n  - id: a\n    request:\n      method: GET\n    expect:\n      status: \"403\"\n";
    std::fs::write(d.join("bad.yaml"), text).unwrap();
    let err = load(&d.join("bad.yaml")).unwrap_err();
    assert_eq!(
        (err.line, err.field.as_str()),
        (9, "tests[0].expect.status"),
        "{err}"
    );
}

#[test]
fn two_configuration_sources_are_refused() {
    let d = dir("two");
    let text = "meta:\n  filter: probe\n  config: {}\n  preset: wso2-is\ntests:\n  - id: a\n    expect: { status: 200 }\n";
    std::fs::write(d.join("bad.yaml"), text).unwrap();
    let err = load(&d.join("bad.yaml")).unwrap_err();
    assert_eq!(err.field, "meta", "{err}");
}

#[test]
fn duplicate_test_ids_are_refused() {
    let d = dir("dup");
    let text = "meta:\n  filter: probe\n  config: {}\ntests:\n  - id: a\n    expect: { status: 200 }\n  - id: a\n    expect: { status: 200 }\n";
    std::fs::write(d.join("bad.yaml"), text).unwrap();
    let err = load(&d.join("bad.yaml")).unwrap_err();
    assert_eq!(err.line, 7, "{err}");
    assert!(err.message.contains("duplicate test id"), "{err}");
}

#[test]
fn invalid_yaml_is_reported_with_its_line() {
    let d = dir("yaml");
    std::fs::write(d.join("bad.yaml"), "meta:\n  filter: [probe\n").unwrap();
    let err = load(&d.join("bad.yaml")).unwrap_err();
    assert!(err.message.contains("not valid YAML"), "{err}");
    assert!(err.line >= 2, "{err}");
}
