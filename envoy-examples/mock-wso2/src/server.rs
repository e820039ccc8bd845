//! Listeners, connections and the one request handler that every listener shares.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use mock_wso2::dispatch::{Dispatch, dispatch};

use crate::fault::{GARBAGE, Mode, Modes};
use crate::mock_reply::{self, X_MOCK_REPLY};
use crate::pages::{self, Context};
use crate::reply::{Reply, X_MOCK_ADMIN, X_MOCK_DISPATCH, X_MOCK_TENANT, escape, header_value};
use crate::routes::route;

/// How long a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long open connections get to finish after SIGTERM/SIGINT.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Request bodies are read (and dropped) up to this size, so keep-alive connections stay usable.
const BODY_LIMIT: usize = 8 << 20;

/// What every request handler needs: the node's name and settings.
#[derive(Debug)]
pub(crate) struct Node {
    /// `--node`.
    pub(crate) name: String,
    /// `--node` as a header value, checked once at start.
    pub(crate) header: HeaderValue,
    /// `--session-id-bytes`.
    pub(crate) session_id_bytes: usize,
    /// `--mode`, changed at run time through `--control`.
    pub(crate) modes: Arc<Modes>,
}

/// A bound listener, plain or TLS.
pub(crate) struct Bound {
    /// The socket.
    pub(crate) listener: TcpListener,
    /// `Some` for an HTTPS listener.
    pub(crate) tls: Option<TlsAcceptor>,
}

/// Accepts connections until `stop` changes, then gives open connections a grace period.
pub(crate) async fn run(bound: Bound, node: Arc<Node>, mut stop: watch::Receiver<bool>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = bound.listener.accept() => accepted,
            // Reap finished connections so the set stays small.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            _ = stop.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                log(&format!("mock-wso2 node={} accept error: {e}", node.name));
                // Out of file descriptors and the like: do not spin.
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        if node.modes.get() == Mode::Reset {
            reset(&stream);
            drop(stream);
            log(&format!("mock-wso2 node={} reset {peer}", node.name));
            continue;
        }
        let node = node.clone();
        let stop = stop.clone();
        match bound.tls.clone() {
            None => {
                connections.spawn(serve(stream, node, stop));
            }
            Some(acceptor) => {
                connections.spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => serve(tls, node, stop).await,
                        Ok(Err(e)) => log(&format!(
                            "mock-wso2 node={} tls handshake from {peer} failed: {e}",
                            node.name
                        )),
                        Err(_) => log(&format!(
                            "mock-wso2 node={} tls handshake from {peer} timed out",
                            node.name
                        )),
                    }
                });
            }
        }
    }
    drop(bound);
    let drained = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
    // Dropping the set aborts what is still open.
}

/// Sets `SO_LINGER` to 0, so that closing the socket sends RST instead of FIN.
fn reset(stream: &TcpStream) {
    // `set_zero_linger` needs tokio 1.50 (the workspace asks for 1.48); a zero linger never
    // blocks on close, which is what the deprecation warns about.
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
}

/// A connection's stream and the TCP socket under it.
pub(crate) trait Socket: AsyncRead + AsyncWrite + Unpin + Send + 'static {
    /// The TCP socket (for TLS, the one under the session).
    fn tcp(&self) -> &TcpStream;
}

impl Socket for TcpStream {
    fn tcp(&self) -> &TcpStream {
        self
    }
}

impl Socket for TlsStream<TcpStream> {
    fn tcp(&self) -> &TcpStream {
        self.get_ref().0
    }
}

/// How a request ends a connection instead of getting an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abort {
    /// RST (`reset`).
    Reset,
    /// Non-HTTP bytes, then FIN (`garbage`).
    Garbage,
    /// FIN, no answer (`hang`, once the mode changes).
    Close,
}

/// Serves HTTP/1.1 on one connection, until the client closes it, a failure mode ends it, or
/// `stop` changes (then the connection finishes its request in flight and closes).
async fn serve<S: Socket>(mut stream: S, node: Arc<Node>, mut stop: watch::Receiver<bool>) {
    let (abort_tx, mut abort_rx) = mpsc::channel::<Abort>(1);
    let service = service_fn(move |req: Request<Incoming>| {
        let node = node.clone();
        let abort_tx = abort_tx.clone();
        async move {
            match handle(&node, req).await {
                Ok(response) => Ok::<_, Infallible>(response),
                Err(abort) => {
                    // serve() drops this connection when it reads the abort: wait for that.
                    let _ = abort_tx.send(abort).await;
                    std::future::pending().await
                }
            }
        }
    });
    let abort = {
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .serve_connection(TokioIo::new(&mut stream), service);
        let mut conn = std::pin::pin!(conn);
        let mut stopping = false;
        loop {
            tokio::select! {
                // A client that goes away mid-request is not worth a log line.
                _ = conn.as_mut() => break None,
                abort = abort_rx.recv() => break abort,
                _ = stop.changed(), if !stopping => {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    };
    match abort {
        None | Some(Abort::Close) => {}
        Some(Abort::Reset) => reset(stream.tcp()),
        Some(Abort::Garbage) => {
            let _ = stream.write_all(GARBAGE).await;
            let _ = stream.shutdown().await;
        }
    }
}

/// Reads and drops the body, answers as the node's mode says, and logs one line; `Err` when the
/// mode ends the connection instead of answering.
async fn handle(node: &Node, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Abort> {
    let (parts, body) = req.into_parts();
    // Errors (a client that sent too much or broke off) do not change the answer.
    let _ = Limited::new(body, BODY_LIMIT).collect().await;
    let target = raw_target(&parts.uri);
    let mode = node.modes.get();
    let outcome = match mode {
        Mode::Normal => Ok(respond(node, &parts, &target)),
        Mode::Slow(delay) => {
            tokio::time::sleep(delay).await;
            Ok(respond(node, &parts, &target))
        }
        Mode::Storm503 => {
            let body = format!("mock-wso2 {}: storm503\n", node.name);
            let reply = Reply::text(StatusCode::SERVICE_UNAVAILABLE, body);
            Ok(reply.finish(&node.header, target.as_bytes()))
        }
        Mode::Reset => Err(Abort::Reset),
        Mode::Garbage => Err(Abort::Garbage),
        Mode::Hang => {
            node.modes.left(Mode::Hang).await;
            Err(Abort::Close)
        }
    };
    let status = match (&outcome, mode) {
        (Ok(response), _) => response.status().as_u16().to_string(),
        (Err(_), mode) => mode.to_string(),
    };
    log(&format!(
        "mock-wso2 node={} method={} target={} status={status}",
        node.name,
        escape(parts.method.as_str().as_bytes()),
        escape(target.as_bytes()),
    ));
    outcome
}

/// The answer to a request, from its head alone: the `x-mock-reply` override if there is one,
/// else 400 if Tomcat would refuse the target, else the route's answer; every answer carries where
/// WSO2 would land the request (`x-mock-dispatch`, `x-mock-tenant`, `x-mock-admin`).
pub(crate) fn respond(node: &Node, parts: &Parts, target: &str) -> Response<Full<Bytes>> {
    let landing = dispatch(target);
    let mut overrides = parts.headers.get_all(X_MOCK_REPLY).iter();
    let reply = match (overrides.next(), overrides.next()) {
        (Some(_), Some(_)) => bad_request("more than one x-mock-reply header".into()),
        (Some(value), None) => mock_reply::decode(value.as_bytes()).unwrap_or_else(bad_request),
        (None, _) if landing.is_err() => {
            let reason = landing.as_ref().err().map_or("", String::as_str);
            bad_request(format!("refused as Tomcat would: {reason}"))
        }
        (None, _) => {
            let cx = Context {
                node: &node.name,
                session_id_bytes: node.session_id_bytes,
                target,
            };
            pages::reply(&route(&parts.method, parts.uri.path()), &cx).unwrap_or_else(|e| {
                Reply::text(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n"))
            })
        }
    };
    let mut response = reply.finish(&node.header, target.as_bytes());
    landing_headers(response.headers_mut(), landing.as_ref().ok());
    response
}

/// Sets `x-mock-dispatch`, `x-mock-admin` and (for a tenant) `x-mock-tenant`, replacing any the
/// reply set; `None` is a target Tomcat refuses.
fn landing_headers(headers: &mut HeaderMap, landing: Option<&Dispatch>) {
    headers.remove(X_MOCK_TENANT);
    let Some(d) = landing else {
        headers.insert(X_MOCK_DISPATCH, HeaderValue::from_static("- -"));
        headers.insert(X_MOCK_ADMIN, HeaderValue::from_static("false"));
        return;
    };
    let value = format!("{} {}", d.webapp, encode_path(&d.path));
    headers.insert(X_MOCK_DISPATCH, header_value(value.as_bytes()));
    if let Some(tenant) = &d.tenant {
        headers.insert(X_MOCK_TENANT, header_value(tenant.as_bytes()));
    }
    let admin = if d.admin { "true" } else { "false" };
    headers.insert(X_MOCK_ADMIN, HeaderValue::from_static(admin));
}

/// A decoded path as a header value: `%`, space, controls and non-ASCII bytes percent-encoded
/// (upper-case hex), so the value is one token of visible ASCII that decodes back to the path.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn bad_request(reason: String) -> Reply {
    Reply::text(StatusCode::BAD_REQUEST, format!("{reason}\n"))
}

/// The request target as received: origin form (`/path?query`) as is; absolute form in full.
pub(crate) fn raw_target(uri: &Uri) -> String {
    match (uri.scheme(), uri.path_and_query()) {
        (None, Some(pq)) => pq.as_str().to_owned(),
        _ => uri.to_string(),
    }
}

/// Writes one line to stdout; a closed stdout is not a reason to stop serving.
pub(crate) fn log(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
}

/// Binds an address; for an HTTPS listener, `tls` is `Some`.
pub(crate) async fn bind(addr: SocketAddr, tls: Option<TlsAcceptor>) -> anyhow::Result<Bound> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    Ok(Bound { listener, tls })
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn node() -> Node {
        Node {
            name: "n1".into(),
            header: HeaderValue::from_static("n1"),
            session_id_bytes: 16,
            modes: Arc::new(Modes::new("n1", Mode::Normal)),
        }
    }

    fn parts(method: &str, target: &str, headers: &[(&str, &str)]) -> Parts {
        let mut req = Request::builder().method(method).uri(target);
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        req.body(()).unwrap().into_parts().0
    }

    #[test]
    fn raw_targets_are_kept() {
        for t in ["/a;x=1/b", "/%2e%2e/", "//x", "/a?b=%2F&c", "*"] {
            assert_eq!(raw_target(&t.parse().unwrap()), t);
        }
        let abs: Uri = "http://h:1/%2e?q".parse().unwrap();
        assert_eq!(raw_target(&abs), "http://h:1/%2e?q");
    }

    #[test]
    fn override_replaces_the_route_but_keeps_mock_headers() {
        let spec =
            URL_SAFE_NO_PAD.encode(r#"{"status":503,"headers":[["server","x"]],"body":"b"}"#);
        let p = parts("GET", "/carbon/", &[("x-mock-reply", &spec)]);
        let resp = respond(&node(), &p, "/carbon/");
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["server"], "x");
        assert_eq!(resp.headers()["x-mock-upstream"], "n1");
        assert_eq!(resp.headers()["x-mock-path"], "/carbon/");
    }

    #[test]
    fn every_answer_carries_the_landing() {
        let p = parts("GET", "/t/a.com/commonauth", &[]);
        let resp = respond(&node(), &p, "/t/a.com/commonauth");
        assert_eq!(resp.status(), 302);
        assert_eq!(resp.headers()["x-mock-dispatch"], "/ /commonauth");
        assert_eq!(resp.headers()["x-mock-tenant"], "a.com");
        assert_eq!(resp.headers()["x-mock-admin"], "false");

        let p = parts("GET", "/a/%2e%2e/%2e%2e/carbon", &[]);
        let resp = respond(&node(), &p, "/a/%2e%2e/%2e%2e/carbon");
        assert_eq!(resp.status(), 400);
        assert_eq!(resp.headers()["x-mock-dispatch"], "- -");
        assert_eq!(resp.headers()["x-mock-admin"], "false");
        assert!(!resp.headers().contains_key("x-mock-tenant"));
        assert_eq!(resp.headers()["x-mock-path"], "/a/%2e%2e/%2e%2e/carbon");
    }

    #[test]
    fn landing_paths_are_encoded_for_the_header() {
        assert_eq!(encode_path("/a b%c/\u{e9}\n"), "/a%20b%25c/%C3%A9%0A");
        assert_eq!(encode_path("/x;y=1"), "/x;y=1");
    }

    #[test]
    fn malformed_or_repeated_override_is_400() {
        let p = parts("GET", "/", &[("x-mock-reply", "%%%")]);
        let resp = respond(&node(), &p, "/");
        assert_eq!(resp.status(), 400);
        assert_eq!(resp.headers()["server"], "WSO2 Carbon Server");
        let ok = URL_SAFE_NO_PAD.encode(r#"{"status":200}"#);
        let p = parts("GET", "/", &[("x-mock-reply", &ok), ("x-mock-reply", &ok)]);
        assert_eq!(respond(&node(), &p, "/").status(), 400);
    }
}
