//! Failure modes: how a node misbehaves (slow answers, resets, a 503 storm, hanging, garbage), set
//! with `--mode` at start and changed at run time through the loopback control listener
//! (`--control ADDR`: `GET`/`POST /__mock/mode`).

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::server::log;

/// The delay of `slow` when none is given.
pub(crate) const DEFAULT_SLOW: Duration = Duration::from_secs(10);
/// The control listener's one path.
pub(crate) const CONTROL_PATH: &str = "/__mock/mode";
/// What `garbage` writes instead of an HTTP response: not a status line, not HTTP at all.
pub(crate) const GARBAGE: &[u8] = b"\x00\xffMOCK-WSO2 GARBAGE \x16\x03\x01 not http\r\n\r\n\x7f";
/// Control request bodies are small: a mode name and a delay.
const CONTROL_BODY_LIMIT: usize = 256;

/// How a node answers every request (the health check's included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Answers as the product would.
    Normal,
    /// Answers as `Normal`, after the delay.
    Slow(Duration),
    /// Accepts each connection and resets it (RST, `SO_LINGER` 0) without reading; a request on
    /// a connection that was open before the switch gets the same reset instead of an answer.
    Reset,
    /// Answers every request with 503.
    Storm503,
    /// Reads the request and never answers; the connection stays open until the mode changes
    /// (then it is closed without an answer) or the node stops.
    Hang,
    /// Reads the request, writes [`GARBAGE`] (bytes that are not HTTP) and closes.
    Garbage,
}

impl FromStr for Mode {
    type Err = String;

    /// `normal`, `slow` (10 s), `slow=MS` (milliseconds), `reset`, `storm503`, `hang`,
    /// `garbage`; surrounding whitespace is ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (name, arg) = match s.split_once('=') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let mode = match name {
            "normal" => Mode::Normal,
            "slow" => Mode::Slow(arg.map_or(Ok(DEFAULT_SLOW), parse_ms)?),
            "reset" => Mode::Reset,
            "storm503" => Mode::Storm503,
            "hang" => Mode::Hang,
            "garbage" => Mode::Garbage,
            _ => {
                return Err(format!(
                    "unknown mode {s:?}: normal, slow[=MS], reset, storm503, hang or garbage"
                ));
            }
        };
        if arg.is_some() && !matches!(mode, Mode::Slow(_)) {
            return Err(format!("mode {name} takes no argument"));
        }
        Ok(mode)
    }
}

fn parse_ms(arg: &str) -> Result<Duration, String> {
    arg.parse::<u64>()
        .map(Duration::from_millis)
        .map_err(|_| format!("slow=MS needs milliseconds, not {arg:?}"))
}

impl fmt::Display for Mode {
    /// The form [`Mode::from_str`] reads back (`slow=MS` always names its delay).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::Normal => f.write_str("normal"),
            Mode::Slow(d) => write!(f, "slow={}", d.as_millis()),
            Mode::Reset => f.write_str("reset"),
            Mode::Storm503 => f.write_str("storm503"),
            Mode::Hang => f.write_str("hang"),
            Mode::Garbage => f.write_str("garbage"),
        }
    }
}

/// A node's current mode, shared by every listener and the control listener.
#[derive(Debug)]
pub(crate) struct Modes {
    node: String,
    tx: watch::Sender<Mode>,
}

impl Modes {
    /// Starts in `mode`; `node` names the node in the log line of every change.
    pub(crate) fn new(node: &str, mode: Mode) -> Self {
        Modes {
            node: node.to_owned(),
            tx: watch::Sender::new(mode),
        }
    }

    /// The mode now.
    pub(crate) fn get(&self) -> Mode {
        *self.tx.borrow()
    }

    /// Switches to `mode` and logs `mock-wso2 node=NAME mode=MODE`.
    pub(crate) fn set(&self, mode: Mode) {
        self.tx.send_replace(mode);
        log(&format!("mock-wso2 node={} mode={mode}", self.node));
    }

    /// Resolves once the mode is no longer `mode`.
    pub(crate) async fn left(&self, mode: Mode) {
        let mut rx = self.tx.subscribe();
        // The sender lives as long as `self`, so `wait_for` cannot fail while we borrow it.
        let _ = rx.wait_for(|m| *m != mode).await;
    }
}

/// Binds the control listener; only a loopback address is accepted (it is unauthenticated).
pub(crate) async fn bind_control(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    if !addr.ip().is_loopback() {
        anyhow::bail!("--control {addr}: the control listener must be on a loopback address");
    }
    TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}

/// Serves `GET /__mock/mode` (the mode now) and `POST /__mock/mode` (body: a mode, e.g.
/// `slow=2000`; answers the new mode) until `stop` changes.
pub(crate) async fn run_control(
    listener: TcpListener,
    modes: Arc<Modes>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => break,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let modes = modes.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: Request<Incoming>| {
                let modes = modes.clone();
                async move { Ok::<_, Infallible>(control(&modes, req).await) }
            });
            let conn = http1::Builder::new()
                .timer(TokioTimer::new())
                .serve_connection(TokioIo::new(stream), service);
            let _ = conn.await;
        });
    }
}

/// One control request.
async fn control(modes: &Modes, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = Limited::new(body, CONTROL_BODY_LIMIT).collect().await;
    if parts.uri.path() != CONTROL_PATH {
        return text(StatusCode::NOT_FOUND, format!("only {CONTROL_PATH}\n"));
    }
    match parts.method {
        Method::GET => text(StatusCode::OK, format!("{}\n", modes.get())),
        Method::POST => {
            let Ok(body) = body else {
                return text(StatusCode::PAYLOAD_TOO_LARGE, "body too large\n".into());
            };
            let spec = String::from_utf8_lossy(&body.to_bytes()).into_owned();
            match spec.parse::<Mode>() {
                Ok(mode) => {
                    modes.set(mode);
                    text(StatusCode::OK, format!("{mode}\n"))
                }
                Err(e) => text(StatusCode::BAD_REQUEST, format!("{e}\n")),
            }
        }
        _ => {
            let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "GET or POST\n".into());
            r.headers_mut().insert(
                hyper::header::ALLOW,
                hyper::header::HeaderValue::from_static("GET, POST"),
            );
            r
        }
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_print_back() {
        let cases = [
            ("normal", Mode::Normal),
            ("slow", Mode::Slow(DEFAULT_SLOW)),
            (" slow=250\n", Mode::Slow(Duration::from_millis(250))),
            ("reset", Mode::Reset),
            ("storm503", Mode::Storm503),
            ("hang", Mode::Hang),
            ("garbage", Mode::Garbage),
        ];
        for (spec, mode) in cases {
            assert_eq!(spec.parse::<Mode>(), Ok(mode), "{spec:?}");
            assert_eq!(mode.to_string().parse::<Mode>(), Ok(mode));
        }
        assert_eq!(Mode::Slow(DEFAULT_SLOW).to_string(), "slow=10000");
    }

    #[test]
    fn bad_modes_are_refused() {
        for spec in ["", "slowly", "slow=", "slow=1s", "hang=5", "RESET", "storm"] {
            assert!(spec.parse::<Mode>().is_err(), "{spec:?}");
        }
    }

    #[test]
    fn the_garbage_is_not_an_http_status_line() {
        assert!(!GARBAGE.starts_with(b"HTTP/"));
    }

    #[tokio::test]
    async fn left_resolves_only_after_a_change() {
        let modes = Arc::new(Modes::new("t", Mode::Hang));
        let waiting = tokio::spawn({
            let modes = modes.clone();
            async move { modes.left(Mode::Hang).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished());
        modes.set(Mode::Hang);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "the same mode again is no change");
        modes.set(Mode::Normal);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn control_listener_refuses_a_non_loopback_address() {
        let addr: SocketAddr = "0.0.0.0:0".parse().unwrap();
        let err = bind_control(addr).await.unwrap_err().to_string();
        assert!(err.contains("loopback"), "{err}");
    }
}
