//! Listeners, connections and the one request handler that every listener shares.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderValue;
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Uri};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::mock_reply::{self, X_MOCK_REPLY};
use crate::pages::{self, Context};
use crate::reply::{Reply, escape};
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
    let graceful = GracefulShutdown::new();
    loop {
        let accepted = tokio::select! {
            accepted = bound.listener.accept() => accepted,
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
        let node = node.clone();
        let watcher = graceful.watcher();
        match bound.tls.clone() {
            None => {
                tokio::spawn(serve(stream, node, watcher));
            }
            Some(acceptor) => {
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => serve(tls, node, watcher).await,
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
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// Serves HTTP/1.1 on one connection.
async fn serve<S>(stream: S, node: Arc<Node>, watcher: hyper_util::server::graceful::Watcher)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req: Request<Incoming>| {
        let node = node.clone();
        async move { Ok::<_, Infallible>(handle(&node, req).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    // A client that goes away mid-request is not worth a log line.
    let _ = watcher.watch(conn).await;
}

/// Reads and drops the body, answers, and logs one line.
async fn handle(node: &Node, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    // Errors (a client that sent too much or broke off) do not change the answer.
    let _ = Limited::new(body, BODY_LIMIT).collect().await;
    let target = raw_target(&parts.uri);
    let response = respond(node, &parts, &target);
    log(&format!(
        "mock-wso2 node={} method={} target={} status={}",
        node.name,
        escape(parts.method.as_str().as_bytes()),
        escape(target.as_bytes()),
        response.status().as_u16()
    ));
    response
}

/// The answer to a request, from its head alone.
pub(crate) fn respond(node: &Node, parts: &Parts, target: &str) -> Response<Full<Bytes>> {
    let mut overrides = parts.headers.get_all(X_MOCK_REPLY).iter();
    let reply = match (overrides.next(), overrides.next()) {
        (Some(_), Some(_)) => bad_request("more than one x-mock-reply header".into()),
        (Some(value), None) => mock_reply::decode(value.as_bytes()).unwrap_or_else(bad_request),
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
    reply.finish(&node.header, target.as_bytes())
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
