//! One HTTP context: a request and its response through a plugin, and what came out.

use crate::abi::http_call::HttpCallResponse;
use crate::abi::log::LogLine;
use crate::error::Result;
use crate::map::HeaderMap;
use crate::plugin::Plugin;
use crate::state::{Phase, Stream};
use crate::traffic::{Connection, LocalResponse, Request, Response};

/// An HTTP callback of the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    /// `proxy_on_request_headers`.
    RequestHeaders,
    /// `proxy_on_request_body`.
    RequestBody,
    /// `proxy_on_request_trailers`.
    RequestTrailers,
    /// `proxy_on_response_headers`.
    ResponseHeaders,
    /// `proxy_on_response_body`.
    ResponseBody,
    /// `proxy_on_response_trailers`.
    ResponseTrailers,
}

/// `proxy_action_t`: what a callback returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// 0: go on.
    Continue,
    /// 1: stop until `proxy_continue_stream` (or, with a local response, for good).
    Pause,
    /// Any other number.
    Other(u32),
}

impl Action {
    pub(crate) fn from_abi(n: u32) -> Self {
        match n {
            0 => Action::Continue,
            1 => Action::Pause,
            n => Action::Other(n),
        }
    }
}

/// The request as the upstream received it (after every filter change).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamRequest {
    /// Headers, pseudo-headers (`:path`, `:method`…) included.
    pub headers: HeaderMap,
    /// Body.
    pub body: Vec<u8>,
    /// Trailers.
    pub trailers: HeaderMap,
}

/// The response as the client received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientResponse {
    /// `:status`.
    pub status: u32,
    /// Headers without `:status`.
    pub headers: HeaderMap,
    /// Body.
    pub body: Vec<u8>,
}

/// What happened to one request: actions, local response, upstream request, client response.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The HTTP context id.
    pub context_id: u32,
    /// Each callback the host ran and the action it returned, in order.
    pub actions: Vec<(Callback, Action)>,
    /// The local response the module sent, if any.
    pub local_response: Option<LocalResponse>,
    /// The request as the upstream saw it; `None` when it never reached the upstream.
    pub upstream_request: Option<UpstreamRequest>,
    /// The response as the client saw it; `None` when the stream stayed paused.
    pub client_response: Option<ClientResponse>,
    /// The callback that paused without resuming, if any.
    pub stalled_at: Option<Callback>,
    /// Stream types the module closed with `proxy_close_stream`.
    pub closed: Vec<u32>,
    /// Lines the module logged during this exchange.
    pub logs: Vec<LogLine>,
}

impl Exchange {
    /// True when the request reached the upstream.
    pub fn reached_upstream(&self) -> bool {
        self.upstream_request.is_some()
    }
    /// The client's status, if it got a response.
    pub fn status(&self) -> Option<u32> {
        self.client_response.as_ref().map(|r| r.status)
    }
    /// The action `callback` returned, if it ran.
    pub fn action(&self, callback: Callback) -> Option<Action> {
        self.actions
            .iter()
            .find(|(c, _)| *c == callback)
            .map(|(_, a)| *a)
    }
}

/// Answers for `proxy_http_call`s made while the request is paused, in order.
pub type CallAnswers = Vec<HttpCallResponse>;

/// Builds the request header map the module sees, as Envoy's HTTP connection manager hands it
/// over: `:authority`, `:path`, `:method`, `:scheme`, the headers, `x-forwarded-proto` and
/// `x-request-id` (added when absent).
pub fn request_header_map(request: &Request, request_id: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.add(b":authority", &request.authority);
    h.add(b":path", &request.path);
    h.add(b":method", &request.method);
    h.add(b":scheme", &request.scheme);
    for (n, v) in request.headers.pairs() {
        if !n.eq_ignore_ascii_case(b"host") {
            h.add(n, v);
        }
    }
    if h.get(b"x-forwarded-proto").is_none() {
        h.add(b"x-forwarded-proto", &request.scheme);
    }
    if h.get(b"x-request-id").is_none() {
        h.add(b"x-request-id", request_id.as_bytes());
    }
    h
}

impl Plugin {
    /// Sends `request` on `connection` through a new HTTP context; if it reaches the upstream,
    /// `upstream` answers it. Runs the request callbacks, the response callbacks (on the
    /// upstream response or on the module's local response, as Envoy encodes a local reply
    /// through the filter chain), then `proxy_on_done`, `proxy_on_log`, `proxy_on_delete`.
    ///
    /// Errors: a trap in any callback ([`crate::Error::Trap`]); the plugin is dead afterwards.
    pub fn exchange(
        &mut self,
        connection: &Connection,
        request: &Request,
        upstream: &Response,
    ) -> Result<Exchange> {
        self.exchange_with_calls(connection, request, upstream, Vec::new())
    }

    /// Like [`Plugin::exchange`], answering HTTP calls made while paused with `answers`.
    pub fn exchange_with_calls(
        &mut self,
        connection: &Connection,
        request: &Request,
        upstream: &Response,
        answers: CallAnswers,
    ) -> Result<Exchange> {
        let id = self.next_context_id;
        self.next_context_id = self.next_context_id.wrapping_add(1).max(2);
        let request_id = request
            .headers
            .get_str("x-request-id")
            .unwrap_or_else(|| format!("00000000-0000-4000-8000-{id:012x}"));
        let log_start = self.store.data().abi.logs.total();
        let abi = &mut self.store.data_mut().abi;
        abi.connection = connection.clone();
        abi.stream = Some(Stream {
            context_id: id,
            request_headers: request_header_map(request, &request_id),
            request_trailers: request.trailers.clone(),
            request_id,
            protocol: request.protocol.clone(),
            upstream: upstream.upstream.clone(),
            ..Stream::default()
        });
        let mut run = crate::flow::Run {
            plugin: self,
            id,
            ex: Exchange::new(id),
            answers,
        };
        let flow = run.flow(request, upstream);
        let mut ex = run.ex;
        let end = self.end(id);
        flow?;
        end?;
        if let Some(s) = self.store.data_mut().abi.stream.take() {
            ex.closed = s.closed;
        }
        ex.logs = self.store.data().abi.logs.since(log_start).to_vec();
        Ok(ex)
    }

    fn end(&mut self, id: u32) -> Result<()> {
        self.call::<u32, u32>("proxy_on_done", Phase::Log, id, id)?;
        self.call::<u32, ()>("proxy_on_log", Phase::Log, id, id)?;
        self.call::<u32, ()>("proxy_on_delete", Phase::Log, id, id)?;
        Ok(())
    }
}

impl Exchange {
    pub(crate) fn new(context_id: u32) -> Self {
        Exchange {
            context_id,
            actions: Vec::new(),
            local_response: None,
            upstream_request: None,
            client_response: None,
            stalled_at: None,
            closed: Vec::new(),
            logs: Vec::new(),
        }
    }
}
