//! The expectations of a scenario test, one function per expectation, checked against what a
//! host observed (the wasmtime host or real Envoy). A check whose input the host cannot
//! observe (Envoy's upstream request headers, for example) is skipped and noted.

use std::collections::BTreeMap;

use crate::map::HeaderMap;
use crate::scenario::{Expect, HeaderExpect, LocalExpect, LogExpect, UpstreamExpect};

/// What one host showed for one test.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// The client's status; `None` when no response came.
    pub status: Option<u32>,
    /// Response headers as the client saw them.
    pub response_headers: HeaderMap,
    /// Response body as the client saw it.
    pub response_body: Vec<u8>,
    /// Whether the request reached the upstream.
    pub reached_upstream: bool,
    /// Response code details of a local response, when the host can tell.
    pub local_details: Option<String>,
    /// The `:path` the upstream received, when known.
    pub upstream_path: Option<String>,
    /// The headers the upstream received; `None` when the host cannot observe them.
    pub upstream_headers: Option<HeaderMap>,
    /// Module log lines during the test; `None` when not observable.
    pub logs: Option<Vec<String>>,
    /// Metric changes during the test by name; `None` when not observable.
    pub metric_deltas: Option<BTreeMap<String, i64>>,
    /// The callback at which the module paused the stream and never resumed it (this host).
    pub stalled_at: Option<String>,
    /// Where the product landed the request the upstream got; `None` when it did not reach the
    /// upstream, or when the host cannot tell (Envoy: no `x-mock-admin` on the answer).
    pub landing: Option<Landing>,
}

/// Where WSO2 Identity Server routes a request that reached it: the mock's `x-mock-dispatch` and
/// `x-mock-admin` in Envoy runs, `mock_wso2::dispatch` of the upstream's `:path` in the wasmtime
/// host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    /// `<webapp> <path>` (`/api /server/v1/applications`, `/ /commonauth`); `- -` when Tomcat
    /// itself refuses the request, followed by the reason when known.
    pub dispatch: String,
    /// Whether that landing is an administrative surface.
    pub admin: bool,
}

impl Landing {
    /// The landing `mock_wso2::dispatch` computes for the request target `path` (a refusal by
    /// Tomcat is `- -`, not an admin surface).
    #[cfg(feature = "wasmtime-host")]
    pub fn of_target(path: &str) -> Landing {
        match mock_wso2::dispatch::dispatch(path) {
            Ok(d) => Landing {
                dispatch: format!("{} {}", d.webapp, d.path),
                admin: d.admin,
            },
            Err(reason) => Landing {
                dispatch: format!("- - (Tomcat refuses it: {reason})"),
                admin: false,
            },
        }
    }
}

/// The result of checking one test in one host.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// Each failed expectation, as a sentence.
    pub failures: Vec<String>,
    /// Expectations this host could not observe.
    pub unobservable: Vec<String>,
    /// Set when the test expects `admin_reached: false` and the request landed on an admin
    /// surface (or reached the upstream where the landing cannot be told): the failure, also in
    /// `failures`. No expected difference may excuse it.
    pub admin_landing: Option<String>,
}

impl Verdict {
    /// True when nothing failed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Checks every expectation in `expect` against `obs`.
pub fn check(expect: &Expect, obs: &Observed) -> Verdict {
    let mut v = Verdict::default();
    status(expect.status, obs, &mut v.failures);
    reached(expect, obs, &mut v.failures);
    if let Some(l) = &expect.local_response {
        local(l, obs, &mut v);
    }
    headers(
        "response header",
        &expect.response_headers,
        &obs.response_headers,
        &mut v.failures,
    );
    body_contains(
        "response body",
        &expect.response_body_contains,
        &obs.response_body,
        &mut v.failures,
    );
    if let Some(u) = &expect.upstream_request {
        upstream(u, obs, &mut v);
    }
    logs(&expect.log, obs, &mut v);
    metrics(&expect.metrics, obs, &mut v);
    admin_reached(expect.admin_reached, obs, &mut v);
    v
}

/// `admin_reached`: judged by where the request landed, not by its status. A request that never
/// reached the upstream landed nowhere.
fn admin_reached(want: Option<bool>, obs: &Observed, v: &mut Verdict) {
    let Some(want) = want else { return };
    if !obs.reached_upstream {
        if want {
            v.failures.push(
                "admin_reached: expected an admin landing; the request never reached the upstream"
                    .to_string(),
            );
        }
        return;
    }
    match (&obs.landing, want) {
        (None, false) => {
            // Fail closed: what cannot be told cannot be shown harmless.
            let m = "admin_reached: the request reached the upstream, but where it landed is \
                     unknown (no x-mock-admin on the answer)"
                .to_string();
            v.failures.push(m.clone());
            v.admin_landing = Some(m);
        }
        (None, true) => v.failures.push(
            "admin_reached: expected an admin landing; where it landed is unknown".to_string(),
        ),
        (Some(l), false) if l.admin => {
            let m = format!("admin_reached: dispatched to {} (admin)", l.dispatch);
            v.failures.push(m.clone());
            v.admin_landing = Some(m);
        }
        (Some(l), true) if !l.admin => v.failures.push(format!(
            "admin_reached: expected an admin landing; dispatched to {} (not admin)",
            l.dispatch
        )),
        _ => {}
    }
}

fn status(want: Option<u32>, obs: &Observed, out: &mut Vec<String>) {
    if let Some(want) = want
        && obs.status != Some(want)
    {
        out.push(match obs.status {
            Some(got) => format!("status: expected {want}, got {got}"),
            None => match &obs.stalled_at {
                Some(at) => format!(
                    "status: expected {want}, got no response (the module paused the stream in {at} and never resumed it)"
                ),
                None => format!("status: expected {want}, got no response"),
            },
        });
    }
}

fn reached(expect: &Expect, obs: &Observed, out: &mut Vec<String>) {
    let want = expect
        .reached_upstream
        .or(expect.local_response.as_ref().map(|_| false))
        .or(expect.upstream_request.as_ref().map(|_| true));
    if let Some(want) = want
        && want != obs.reached_upstream
    {
        out.push(if want {
            match &obs.stalled_at {
                Some(at) => format!(
                    "expected the request to reach the upstream; it did not (the module paused the stream in {at} and never resumed it)"
                ),
                None => "expected the request to reach the upstream; it did not".to_string(),
            }
        } else {
            "expected the request not to reach the upstream; it did".to_string()
        });
    }
}

fn local(l: &LocalExpect, obs: &Observed, v: &mut Verdict) {
    if obs.reached_upstream {
        return; // already reported by `reached`
    }
    if let Some(want) = l.status
        && obs.status != Some(want)
    {
        v.failures.push(format!(
            "local response status: expected {want}, got {:?}",
            obs.status
        ));
    }
    if let Some(want) = &l.details {
        match &obs.local_details {
            Some(got) if got == want => {}
            Some(got) => v.failures.push(format!(
                "local response details: expected `{want}`, got `{got}`"
            )),
            None => v.unobservable.push("local_response.details".to_string()),
        }
    }
    headers(
        "local response header",
        &l.headers,
        &obs.response_headers,
        &mut v.failures,
    );
    body_contains(
        "local response body",
        &l.body_contains,
        &obs.response_body,
        &mut v.failures,
    );
}

/// Checks `present`, `absent`, `equal`, `contains` on `map`.
pub fn headers(what: &str, e: &HeaderExpect, map: &HeaderMap, out: &mut Vec<String>) {
    for name in &e.present {
        if map.get(name.as_bytes()).is_none() {
            out.push(format!("{what} `{name}`: expected present, absent"));
        }
    }
    for name in &e.absent {
        if let Some(v) = map.get_str(name) {
            out.push(format!("{what} `{name}`: expected absent, got `{v}`"));
        }
    }
    for (name, want) in &e.equal {
        match map.get_str(name) {
            Some(got) if got == *want => {}
            Some(got) => out.push(format!("{what} `{name}`: expected `{want}`, got `{got}`")),
            None => out.push(format!("{what} `{name}`: expected `{want}`, absent")),
        }
    }
    for (name, want) in &e.contains {
        match map.get_str(name) {
            Some(got) if got.contains(want.as_str()) => {}
            Some(got) => out.push(format!(
                "{what} `{name}`: expected to contain `{want}`, got `{got}`"
            )),
            None => out.push(format!(
                "{what} `{name}`: expected to contain `{want}`, absent"
            )),
        }
    }
}

fn body_contains(what: &str, wants: &[String], body: &[u8], out: &mut Vec<String>) {
    let text = String::from_utf8_lossy(body);
    for want in wants {
        if !text.contains(want.as_str()) {
            let shown: String = text.chars().take(200).collect();
            out.push(format!(
                "{what}: expected to contain `{want}`, got `{shown}`"
            ));
        }
    }
}

fn upstream(u: &UpstreamExpect, obs: &Observed, v: &mut Verdict) {
    if !obs.reached_upstream {
        return;
    }
    if let Some(want) = &u.path {
        match &obs.upstream_path {
            Some(got) if got == want => {}
            Some(got) => v
                .failures
                .push(format!("upstream path: expected `{want}`, got `{got}`")),
            None => v.unobservable.push("upstream_request.path".to_string()),
        }
    }
    let e = &u.headers;
    let any = !(e.present.is_empty()
        && e.absent.is_empty()
        && e.equal.is_empty()
        && e.contains.is_empty());
    match (&obs.upstream_headers, any) {
        (Some(map), true) => headers("upstream request header", e, map, &mut v.failures),
        (None, true) => v.unobservable.push("upstream_request.headers".to_string()),
        _ => {}
    }
}

fn logs(e: &LogExpect, obs: &Observed, v: &mut Verdict) {
    if e.contains.is_empty() && e.not_contains.is_empty() {
        return;
    }
    let Some(lines) = &obs.logs else {
        v.unobservable.push("log".to_string());
        return;
    };
    for want in &e.contains {
        if !lines.iter().any(|l| l.contains(want.as_str())) {
            v.failures.push(format!(
                "log: no line contains `{want}` ({} lines)",
                lines.len()
            ));
        }
    }
    for bad in &e.not_contains {
        if let Some(l) = lines.iter().find(|l| l.contains(bad.as_str())) {
            v.failures
                .push(format!("log: a line contains `{bad}`: {l}"));
        }
    }
}

fn metrics(want: &BTreeMap<String, i64>, obs: &Observed, v: &mut Verdict) {
    if want.is_empty() {
        return;
    }
    let Some(deltas) = &obs.metric_deltas else {
        v.unobservable.push("metrics".to_string());
        return;
    };
    for (name, delta) in want {
        let got = deltas.get(name).copied().unwrap_or(0);
        if got != *delta {
            v.failures.push(format!(
                "metric `{name}`: expected change {delta:+}, got {got:+}"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect_no_admin() -> Expect {
        Expect {
            admin_reached: Some(false),
            ..Expect::default()
        }
    }

    #[test]
    fn an_admin_landing_fails_and_is_marked() {
        let obs = Observed {
            reached_upstream: true,
            landing: Some(Landing {
                dispatch: "/api /server/v1/applications".to_string(),
                admin: true,
            }),
            ..Observed::default()
        };
        let v = check(&expect_no_admin(), &obs);
        assert_eq!(
            v.failures,
            vec!["admin_reached: dispatched to /api /server/v1/applications (admin)".to_string()]
        );
        assert_eq!(v.admin_landing.as_deref(), Some(v.failures[0].as_str()));
    }

    #[test]
    fn an_unknown_landing_fails_closed() {
        let obs = Observed {
            reached_upstream: true,
            landing: None,
            ..Observed::default()
        };
        let v = check(&expect_no_admin(), &obs);
        assert_eq!(v.failures.len(), 1);
        assert!(v.admin_landing.is_some(), "{:?}", v.failures);
    }

    #[test]
    fn a_public_landing_or_none_passes() {
        let public = Observed {
            reached_upstream: true,
            landing: Some(Landing {
                dispatch: "/oauth2 /token".to_string(),
                admin: false,
            }),
            ..Observed::default()
        };
        assert!(check(&expect_no_admin(), &public).passed());
        assert!(check(&expect_no_admin(), &Observed::default()).passed());
    }
}
