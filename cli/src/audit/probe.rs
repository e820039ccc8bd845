//! The audit's probes of a running gateway: the admin contexts in the encodings WSO2's Tomcat
//! and its valves decode (N6, N7, P19), and the default administrator credentials (P18). Each
//! request is sent byte for byte ([`crate::http::send`]): a client library would normalise the
//! very encodings that are the test.
//!
//! A probe passes when the answer shows the request did not reach the product's admin surface:
//! a 4xx other than 401 (the gateway's refusal, or the product's own "not found"), or a redirect
//! to `https:` (a plaintext listener that only redirects). A 2xx, any other 3xx (the console's
//! login redirect), a 401 (the admin API asking for credentials: it was reached) or a 5xx (the
//! gateway forwarded it) fail. The default credentials pass on anything but a 2xx.

use std::fmt::Write as _;

use crate::finding::{Finding, Severity};
use crate::http::{self, Target};

use super::verdict::Check;

/// One admin-context request: the raw request target and the technique it tries.
struct Probe {
    target: &'static str,
    technique: &'static str,
}

const fn p(target: &'static str, technique: &'static str) -> Probe {
    Probe { target, technique }
}

/// The built-in set: the WSO2 admin contexts (`envoy-examples/mock-wso2/src/dispatch.rs`'s
/// `ADMIN_PREFIXES`, from the products' web applications) plain, in tenant and organisation
/// forms, and in the encodings of `host-test/scenarios/context-allowlist/bypass/`.
const PROBES: &[Probe] = &[
    p("/carbon/admin/login.jsp", "plain"),
    p("/services/RemoteUserStoreManagerService", "plain"),
    p("/console/", "plain"),
    p("/api/server/v1/applications", "plain"),
    p("/scim2/Users", "plain"),
    p("/fileupload/toolsAny", "plain"),
    p("/registry/resource", "plain"),
    p("/api/am/admin/v4/settings", "plain"),
    p("/api/am/publisher/v4/apis", "plain"),
    p("/publisher/", "plain"),
    p("/admin/", "plain"),
    p("/management/login", "plain"),
    p("/oauth2/introspect", "plain"),
    p("/t/carbon.super/carbon/admin/login.jsp", "tenant form"),
    p(
        "/t/acme.com/services/RemoteUserStoreManagerService",
        "tenant form",
    ),
    p("/t/acme.com/api/server/v1/users", "tenant form"),
    p("/o/carbon/admin/login.jsp", "organisation form"),
    p(
        "/t/acme.com/o/10084a8d-113f-4211-a0d5-efe36b082211/api/server/v1/applications",
        "organisation form",
    ),
    p("/CARBON/admin/login.jsp", "case"),
    p("/t/acme.com/CARBON", "case in tenant form"),
    p("/carbon;jsessionid=1/admin/login.jsp", "path parameter"),
    p(
        "/oauth2/..;/carbon/admin/login.jsp",
        "path parameter dot segment",
    ),
    p("/oidc/..;/services/x", "path parameter dot segment"),
    p("/oauth2/../carbon/admin/login.jsp", "dot segment"),
    p("/oauth2/./../services/x", "dot segment"),
    p("/oauth2/%2e%2e/carbon/admin", "encoded dot segment"),
    p("/.well-known/%2E%2E/services", "encoded dot segment"),
    p("/%63arbon/admin/login.jsp", "percent-encoded letter"),
    p("/oauth2/../%73ervices/x", "percent-encoded letter"),
    p("/oauth2/%252e%252e/%2563arbon", "double encoding"),
    p("/oauth2/..%2fcarbon", "encoded slash"),
    p("/oauth2/..%5ccarbon", "encoded backslash"),
    p("/oauth2/..\\carbon", "backslash"),
    p("//carbon/admin/login.jsp", "merged slashes"),
    p("/oauth2/%c0%ae%c0%ae%c0%afcarbon/admin", "overlong UTF-8"),
    p("/oauth2/%00/../carbon", "NUL byte"),
];

/// One request: method, target, headers.
type Request<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// WSO2's default administrator credentials, admin:admin, as HTTP Basic (RFC 7617).
const BASIC_ADMIN_ADMIN: &str = "Basic YWRtaW46YWRtaW4=";

/// Whether an answer to an admin-context request shows it did not reach the admin surface.
fn admin_refused(status: u16, headers: &[(String, Vec<u8>)]) -> bool {
    match status {
        401 => false,
        400..=499 => true,
        301 | 302 | 303 | 307 | 308 => headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("location")
                && v.get(..8)
                    .is_some_and(|s| s.eq_ignore_ascii_case(b"https://"))
        }),
        _ => false,
    }
}

/// Sends every admin-context probe to `target` and returns the check (covers N6, N7, P19).
///
/// `control` is a request target the gateway must serve (2xx): a gateway that refuses
/// everything refuses every probe too, and proves nothing; a control that is not served is a
/// warning on each guideline.
pub fn admin_contexts(target: &Target, location: &str, control: &str) -> Check {
    let covers = &["N6", "N7", "P19"];
    let mut output = String::new();
    let mut findings = Vec::new();
    let control_answer = http::send(target, "GET", control, &[]);
    let served = matches!(&control_answer, Ok(r) if (200..300).contains(&r.status));
    let _ = writeln!(
        output,
        "control {} GET {control} (a request the gateway must serve)",
        match &control_answer {
            Ok(r) => r.status.to_string(),
            Err(e) => format!("no answer: {e}"),
        }
    );
    if !served && control_answer.is_ok() {
        for id in covers {
            findings.push(Finding {
                rule: "admin-probe-inconclusive",
                guideline: id,
                severity: Severity::Warning,
                location: location.to_owned(),
                path: control.to_owned(),
                message: format!(
                    "the control request `GET {control}` was not served either: refusing the admin contexts proves nothing when everything is refused"
                ),
                fix: "give the audit a route the gateway serves (--route public:/path)".to_owned(),
                suppressed: None,
            });
        }
    }
    let mut errors = 0;
    let mut first_error: Option<String> = None;
    for probe in PROBES {
        match http::send(target, "GET", probe.target, &[]) {
            Ok(resp) => {
                let refused = admin_refused(resp.status, &resp.headers);
                let _ = writeln!(
                    output,
                    "{} {:<3} {:<12} {}",
                    if refused { "refused" } else { "REACHED" },
                    resp.status,
                    probe.technique,
                    probe.target
                );
                if !refused {
                    for id in covers {
                        findings.push(Finding {
                            rule: "admin-context-reached",
                            guideline: id,
                            severity: Severity::Error,
                            location: location.to_owned(),
                            path: probe.target.to_owned(),
                            message: format!(
                                "`GET {}` ({}) was answered {}: the admin context is reachable",
                                probe.target, probe.technique, resp.status
                            ),
                            fix: "deny the admin contexts at the gateway in every form the product routes (context-allowlist with the product's preset)".to_owned(),
                            suppressed: None,
                        });
                    }
                }
            }
            Err(e) => {
                errors += 1;
                let _ = writeln!(
                    output,
                    "error   {:<16} {}: {e}",
                    probe.technique, probe.target
                );
                first_error.get_or_insert_with(|| format!("GET {}: {e}", probe.target));
            }
        }
    }
    if errors == PROBES.len() {
        return Check::unreachable(
            "bypass probe (admin contexts)",
            "admin-probe-unreachable",
            covers,
            location,
            first_error.as_deref().unwrap_or("no answer"),
        );
    }
    if errors > 0 {
        for id in covers {
            findings.push(Finding {
                rule: "admin-probe-no-answer",
                guideline: id,
                severity: Severity::Warning,
                location: location.to_owned(),
                path: String::new(),
                message: format!("{errors} of {} probes got no answer", PROBES.len()),
                fix: "look at the gateway's access log for these requests".to_owned(),
                suppressed: None,
            });
        }
    }
    let _ = writeln!(
        output,
        "{} probes, {} reached an admin context, {errors} unanswered",
        PROBES.len(),
        findings.iter().filter(|f| f.guideline == "N6").count()
    );
    Check {
        name: format!("bypass probe ({} admin-context requests)", PROBES.len()),
        covers: covers.to_vec(),
        skipped: None,
        findings,
        output,
    }
}

/// Sends WSO2's default administrator credentials (admin:admin, HTTP Basic) to the token
/// endpoint and the SCIM2 self-service endpoint; any 2xx fails P18.
pub fn default_credentials(target: &Target, location: &str) -> Check {
    let covers = &["P18"];
    let requests: [Request<'_>; 2] = [
        (
            "POST",
            "/oauth2/token?grant_type=client_credentials",
            &[
                ("authorization", BASIC_ADMIN_ADMIN),
                ("content-length", "0"),
            ],
        ),
        ("GET", "/scim2/Me", &[("authorization", BASIC_ADMIN_ADMIN)]),
    ];
    let mut output = String::new();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    for (method, path, headers) in requests {
        match http::send(target, method, path, headers) {
            Ok(resp) => {
                let accepted = (200..300).contains(&resp.status);
                let _ = writeln!(
                    output,
                    "{} {} {method} {path} with Authorization: {BASIC_ADMIN_ADMIN}",
                    if accepted { "ACCEPTED" } else { "refused" },
                    resp.status
                );
                if accepted {
                    findings.push(Finding {
                        rule: "default-credentials-accepted",
                        guideline: "P18",
                        severity: Severity::Error,
                        location: location.to_owned(),
                        path: path.to_owned(),
                        message: format!("`{method} {path}` with admin:admin was answered {}", resp.status),
                        fix: "change the admin password; refuse the default credentials at the gateway (context-allowlist's default-credentials check)".to_owned(),
                        suppressed: None,
                    });
                }
            }
            Err(e) => errors.push(format!("{method} {path}: {e}")),
        }
    }
    if errors.len() == requests.len() {
        return Check::unreachable(
            "default credentials probe",
            "credentials-probe-unreachable",
            covers,
            location,
            &errors.join("; "),
        );
    }
    for e in errors {
        let _ = writeln!(output, "error {e}");
    }
    Check {
        name: "default credentials probe (admin:admin)".to_owned(),
        covers: covers.to_vec(),
        skipped: None,
        findings,
        output,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_counts_as_refused() {
        let https = vec![(
            "Location".to_owned(),
            b"https://is.example/carbon/".to_vec(),
        )];
        let http = vec![("location".to_owned(), b"/carbon/admin/login.jsp".to_vec())];
        type Case<'a> = (&'a str, u16, &'a [(String, Vec<u8>)], bool);
        let cases: &[Case<'_>] = &[
            ("gateway refusal", 403, &[], true),
            ("not found", 404, &[], true),
            ("bad request", 400, &[], true),
            ("admin API asks for credentials", 401, &[], false),
            ("served", 200, &[], false),
            ("console login redirect", 302, &http, false),
            ("plaintext redirect to https", 308, &https, true),
            ("forwarded, upstream failed", 502, &[], false),
        ];
        for (name, status, headers, want) in cases {
            assert_eq!(admin_refused(*status, headers), *want, "{name}");
        }
    }

    #[test]
    fn probes_are_origin_form_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for probe in PROBES {
            assert!(probe.target.starts_with('/'), "{}", probe.target);
            assert!(seen.insert(probe.target), "duplicate {}", probe.target);
            assert!(!probe.target.contains(' '), "{}", probe.target);
        }
    }
}
