//! The differential run: scenario tests sent to the real Envoy started by `cargo xtask up`,
//! checked with the same expectations as in the wasmtime host.
//!
//! Each test goes to the listeners and protocols its `envoy:` names, over HTTP/1.1 (the
//! scenario's exact bytes over TCP or TLS) or HTTP/2 (h2c prior knowledge, or ALPN `h2` on a
//! TLS listener). Before a file's first test on a listener, the plugin configuration Envoy
//! runs there (from `/config_dump`) is compared with the scenario's, as JSON.

pub mod admin;
pub mod http1;
pub mod http2;
pub mod logs;
pub mod state;
pub mod transport;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::check::{Landing, Observed};
use crate::scenario::{Case, LogExpect, Protocol, ScenarioFile, convert, resolve};
use state::RunState;
use transport::{TlsParams, connect};

/// Where one test is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Envoy listener name.
    pub listener: String,
    /// HTTP version.
    pub protocol: Protocol,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = match self.protocol {
            Protocol::Http1 => "http1",
            Protocol::Http2 => "http2",
        };
        write!(f, "envoy {}/{p}", self.listener)
    }
}

/// What Envoy showed for one test on one target.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The request was sent and the response read.
    Observed(Box<Observed>),
    /// The test cannot be sent this way (the reason says why).
    Skipped(String),
    /// Sending failed, or Envoy runs another plugin configuration.
    Error(String),
}

/// The targets of `case`: its `envoy:` or the file's, protocols defaulting to both.
/// Returns the skip reason when the test says `skip`.
pub fn targets(file: &ScenarioFile, case: &Case) -> Result<Vec<Target>, String> {
    let Some(t) = case.envoy.as_ref().or(file.meta.envoy.as_ref()) else {
        return Ok(Vec::new());
    };
    if let Some(reason) = &t.skip {
        return Err(reason.clone());
    }
    if file.meta.host == crate::scenario::HostName::Kong {
        return Err("meta.host is kong; Envoy encodes properties its own way".to_string());
    }
    let protocols = if t.protocols.is_empty() {
        vec![Protocol::Http1, Protocol::Http2]
    } else {
        t.protocols.clone()
    };
    Ok(t.listeners
        .iter()
        .flat_map(|l| {
            protocols.iter().map(move |p| Target {
                listener: l.clone(),
                protocol: *p,
            })
        })
        .collect())
}

/// Sends scenario tests to Envoy, one at a time.
pub struct EnvoyRunner {
    state: RunState,
    dump: Option<serde_json::Value>,
    checked: HashMap<(PathBuf, String), Result<(), String>>,
    counter: u64,
}

impl EnvoyRunner {
    /// Reads the state file (default `target/run/state.json`). Errors say to run `cargo xtask up`.
    pub fn new(state_file: Option<&Path>) -> Result<Self, String> {
        let path = state_file.map_or_else(state::default_path, Path::to_path_buf);
        Ok(EnvoyRunner {
            state: RunState::load(&path)?,
            dump: None,
            checked: HashMap::new(),
            counter: 0,
        })
    }

    /// Waits until Envoy has written what one test's request logged (Envoy writes its logs on
    /// a flush timer, `cargo xtask up`: every 10 ms): the request's access log line (written
    /// when the stream ends, so every log line of the request has been written before it),
    /// then, when the test reads the log (`expected`), the lines it expects and two more
    /// flushes; a test that names lines that must be absent waits 300 ms instead, as a line
    /// not yet flushed would pass it. At most 300 ms for each wait; a state without the logs'
    /// paths waits 300 ms.
    fn wait_for_logs(
        &self,
        access_start: Option<u64>,
        log_start: Option<u64>,
        expected: Option<&LogExpect>,
    ) {
        let cap = std::time::Duration::from_millis(300);
        let (Some(access), Some(access_start)) = (&self.state.access_log, access_start) else {
            std::thread::sleep(cap);
            return;
        };
        logs::wait_until(access, access_start, cap, |text| !text.is_empty());
        let Some(expected) = expected else {
            return;
        };
        if !expected.not_contains.is_empty() {
            std::thread::sleep(cap);
            return;
        }
        if let (Some(log), Some(start)) = (&self.state.envoy_log, log_start) {
            logs::wait_until(log, start, cap, |text| {
                let lines = logs::wasm_log_lines(text);
                expected
                    .contains
                    .iter()
                    .all(|e| lines.iter().any(|l| l.contains(e.as_str())))
            });
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    fn dump(&mut self) -> Result<&serde_json::Value, String> {
        if self.dump.is_none() {
            let body = admin::get(&self.state.admin, "/config_dump")?;
            self.dump =
                Some(serde_json::from_slice(&body).map_err(|e| format!("/config_dump: {e}"))?);
        }
        self.dump
            .as_ref()
            .ok_or_else(|| "no config dump".to_string())
    }

    fn listener_is_tls(&mut self, listener: &str) -> bool {
        let Ok(dump) = self.dump() else { return false };
        dump.to_string()
            .contains(&format!("\"name\":\"{listener}\""))
            && {
                let mut tls = false;
                if let Some(configs) = dump.get("configs").and_then(|c| c.as_array()) {
                    for c in configs {
                        for l in c
                            .get("static_listeners")
                            .and_then(|l| l.as_array())
                            .into_iter()
                            .flatten()
                        {
                            let l = l.get("listener");
                            if l.and_then(|l| l.get("name")).and_then(|n| n.as_str())
                                == Some(listener)
                            {
                                tls = l.is_some_and(|l| l.to_string().contains("transport_socket"));
                            }
                        }
                    }
                }
                tls
            }
    }

    /// Checks once per file and listener that Envoy runs the scenario's plugin configuration.
    pub fn check_configuration(
        &mut self,
        file: &ScenarioFile,
        path: &Path,
        listener: &str,
    ) -> Result<(), String> {
        let key = (path.to_path_buf(), listener.to_string());
        if let Some(r) = self.checked.get(&key) {
            return r.clone();
        }
        let r = self.compare_configuration(file, path, listener);
        self.checked.insert(key, r.clone());
        r
    }

    fn compare_configuration(
        &mut self,
        file: &ScenarioFile,
        path: &Path,
        listener: &str,
    ) -> Result<(), String> {
        let ours = resolve::plugin_configuration(&file.meta, path).map_err(|e| e.to_string())?;
        let filter = file.meta.filter.clone();
        let module_file = format!("{}.wasm", filter.replace('-', "_"));
        let found = admin::wasm_plugins(self.dump()?, listener, &filter, &module_file);
        let Some(plugin) = found.first() else {
            return Err(format!(
                "Envoy listener `{listener}` runs no `{filter}` Wasm filter (or no such listener)"
            ));
        };
        if let Some(want) = file.meta.allow_on_headers_stop_iteration
            && plugin.allow_on_headers_stop_iteration != want
        {
            return Err(format!(
                "Envoy listener `{listener}` runs `{filter}` with allow_on_headers_stop_iteration: {}, the scenario says {want}",
                plugin.allow_on_headers_stop_iteration
            ));
        }
        let theirs = &plugin.configuration;
        let parsed = (
            serde_json::from_slice::<serde_json::Value>(&ours),
            serde_json::from_str::<serde_json::Value>(theirs),
        );
        match parsed {
            (Ok(a), Ok(b)) => match admin::json_difference(&a, &b, "") {
                None => Ok(()),
                Some(at) => Err(format!(
                    "plugin configuration differs: Envoy listener `{listener}` runs another `{filter}` configuration (first difference at `{at}`)"
                )),
            },
            _ if ours == theirs.as_bytes() => Ok(()),
            _ => Err(format!(
                "plugin configuration differs from the one on Envoy listener `{listener}`"
            )),
        }
    }

    /// Sends `case` to `target` and observes the outcome.
    pub fn observe(
        &mut self,
        file: &ScenarioFile,
        path: &Path,
        case: &Case,
        target: &Target,
    ) -> Outcome {
        match self.try_observe(file, path, case, target) {
            Ok(o) => o,
            Err(e) => Outcome::Error(e),
        }
    }

    fn try_observe(
        &mut self,
        file: &ScenarioFile,
        path: &Path,
        case: &Case,
        target: &Target,
    ) -> Result<Outcome, String> {
        let addr = self
            .state
            .listeners
            .get(&target.listener)
            .cloned()
            .ok_or_else(|| format!("no listener `{}` in the state file", target.listener))?;
        let raw = convert::raw_bytes(&case.request)?;
        if raw.is_some() && target.protocol == Protocol::Http2 {
            return Ok(Outcome::Skipped(
                "request.raw is HTTP/1 bytes; not sent over HTTP/2".to_string(),
            ));
        }
        let source = match &case.connection.source {
            None => None,
            Some(s) => {
                let ip: IpAddr = s
                    .parse::<std::net::SocketAddr>()
                    .map_err(|e| format!("connection.source: {e}"))?
                    .ip();
                if !ip.is_loopback() {
                    return Ok(Outcome::Skipped(format!(
                        "connection.source {ip} is outside 127.0.0.0/8, so the client cannot bind it"
                    )));
                }
                Some(ip)
            }
        };
        let listener_tls = self.listener_is_tls(&target.listener);
        let tls = match (&case.connection.tls, listener_tls) {
            (Some(t), true) => Some(TlsParams {
                version: t.version.clone(),
                sni: t.sni.clone(),
                client_cert: t.client_cert.clone(),
                alpn: if target.protocol == Protocol::Http2 {
                    b"h2"
                } else {
                    b"http/1.1"
                },
            }),
            (None, false) => None,
            (Some(_), false) => {
                return Ok(Outcome::Skipped(format!(
                    "connection.tls, but listener `{}` is plaintext",
                    target.listener
                )));
            }
            (None, true) => {
                return Ok(Outcome::Skipped(format!(
                    "listener `{}` is TLS; the test gives no connection.tls",
                    target.listener
                )));
            }
        };
        self.check_configuration(file, path, &target.listener)?;
        let wants_metrics = !case.expect.metrics.is_empty();
        let wants_logs =
            !(case.expect.log.contains.is_empty() && case.expect.log.not_contains.is_empty());
        let wants_details = case
            .expect
            .local_response
            .as_ref()
            .is_some_and(|l| l.details.is_some());
        let before = if wants_metrics {
            Some(admin::wasm_stats(&self.state.admin)?)
        } else {
            None
        };
        let log_start = self.state.envoy_log.as_ref().map(|p| logs::file_len(p));
        let access_start = self.state.access_log.as_ref().map(|p| logs::file_len(p));
        self.counter += 1;
        let request_id = format!(
            "00000000-0000-4000-8000-{:06x}{:06x}",
            std::process::id() & 0xff_ffff,
            self.counter & 0xff_ffff
        );
        let mut extra = vec![("x-request-id".to_string(), request_id.clone())];
        if let Some(reply) = mock_reply(case) {
            extra.push(("x-mock-reply".to_string(), reply));
        }
        let mut conn = connect(&addr, source, tls.as_ref(), &self.state.certs)?;
        let resp = match (raw, target.protocol) {
            (Some(raw), _) => http1::send(&mut conn, &http1::insert_headers(&raw, &extra))?,
            (None, Protocol::Http1) => {
                let r = &case.request;
                let bytes = http1::build(
                    &r.method,
                    &r.path,
                    &r.authority,
                    &r.headers.0,
                    &extra,
                    r.body.as_deref().unwrap_or_default().as_bytes(),
                    &r.trailers.0,
                );
                http1::send(&mut conn, &bytes)?
            }
            (None, Protocol::Http2) => {
                let r = &case.request;
                let scheme: &[u8] = if tls.is_some() { b"https" } else { b"http" };
                let pseudo: [(&str, &[u8]); 4] = [
                    (":method", r.method.as_bytes()),
                    (":scheme", scheme),
                    (":authority", r.authority.as_bytes()),
                    (":path", r.path.as_bytes()),
                ];
                let mut headers = r.headers.0.clone();
                headers.extend(extra.iter().cloned());
                http2::request(
                    &mut conn,
                    &pseudo,
                    &headers,
                    r.body.as_deref().unwrap_or_default().as_bytes(),
                )?
            }
        };
        if wants_logs || wants_details {
            let expected = wants_logs.then_some(&case.expect.log);
            self.wait_for_logs(access_start, log_start, expected);
        }
        let after = if wants_metrics {
            Some(admin::wasm_stats(&self.state.admin)?)
        } else {
            None
        };
        let metric_deltas = before.zip(after).map(|(b, a)| {
            a.iter()
                .map(|(k, v)| (k.clone(), v - b.get(k).copied().unwrap_or(0)))
                .collect::<BTreeMap<_, _>>()
        });
        let logs = match (&self.state.envoy_log, log_start) {
            (Some(p), Some(start)) if wants_logs => {
                Some(logs::wasm_log_lines(&logs::read_from(p, start)))
            }
            _ => None,
        };
        let local_details = match (&self.state.access_log, access_start) {
            (Some(p), Some(start)) if wants_details => {
                logs::access_details(&logs::read_from(p, start), &request_id)
            }
            _ => None,
        };
        let reached = resp.headers.get(b"x-mock-upstream").is_some();
        let landing = if reached {
            landing(&resp.headers)
        } else {
            None
        };
        Ok(Outcome::Observed(Box::new(Observed {
            status: Some(resp.status),
            upstream_path: if reached {
                resp.headers.get_str("x-mock-path")
            } else {
                None
            },
            reached_upstream: reached,
            response_headers: resp.headers,
            response_body: resp.body,
            local_details: if reached { None } else { local_details },
            upstream_headers: None,
            stalled_at: None,
            landing,
            logs,
            metric_deltas,
        })))
    }
}

/// Where the mock says the product landed the request: `x-mock-dispatch` and `x-mock-admin`
/// (`None` without `x-mock-admin`: the landing is then unknown).
fn landing(headers: &crate::map::HeaderMap) -> Option<Landing> {
    let admin = headers.get_str("x-mock-admin")?;
    Some(Landing {
        dispatch: headers
            .get_str("x-mock-dispatch")
            .unwrap_or_else(|| "(no x-mock-dispatch)".to_string()),
        // Fail closed: anything but `false` counts as an admin landing.
        admin: !admin.trim().eq_ignore_ascii_case("false"),
    })
}

/// The `x-mock-reply` value that makes the mock upstream answer the scenario's `upstream`.
fn mock_reply(case: &Case) -> Option<String> {
    let u = case.upstream.as_ref()?;
    let json = serde_json::json!({
        "status": u.status,
        "headers": u.headers.0.iter().map(|(n, v)| [n, v]).collect::<Vec<_>>(),
        "body": u.body.clone().unwrap_or_default(),
    });
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json.to_string()))
}
