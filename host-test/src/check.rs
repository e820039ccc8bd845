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
}

/// The result of checking one test in one host.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// Each failed expectation, as a sentence.
    pub failures: Vec<String>,
    /// Expectations this host could not observe.
    pub unobservable: Vec<String>,
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
    v
}

fn status(want: Option<u32>, obs: &Observed, out: &mut Vec<String>) {
    if let Some(want) = want
        && obs.status != Some(want)
    {
        out.push(match obs.status {
            Some(got) => format!("status: expected {want}, got {got}"),
            None => format!("status: expected {want}, got no response"),
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
            "expected the request to reach the upstream; it did not".to_string()
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
