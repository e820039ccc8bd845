//! The policy interface of a module: a [`Policy`] is one compiled plugin-configuration section
//! (shared by every HTTP context), a [`Stage`] its part of one request. `crate::module` runs the
//! stages of a module's policies in order, the request read once for all of them.

use std::rc::Rc;

use policies::request::RequestHead;

use crate::attributes::PhaseAttributes;

/// What a module's request callback read once for every stage.
pub struct RequestCtx<'a> {
    /// The request head (`proxy_get_header_map_pairs`, one host call).
    pub head: &'a RequestHead<'a>,
    /// The request id (`x-request-id` when sane, else a UUID v4 the module made).
    pub request_id: &'a str,
    /// Properties, each read at most once in this callback.
    pub attrs: &'a PhaseAttributes,
    /// The request has no body (`end_of_stream` of the headers callback).
    pub end_of_stream: bool,
    /// Whether the host logs `debug` lines (`proxy_get_log_level`, asked once per request).
    pub debug: bool,
}

/// What a stage did in one callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Done here: the next stage runs, then the stream goes on.
    Continue,
    /// The stage sent a local response: no later stage runs, the stream stops.
    Replied,
    /// The stage holds the request body until it is whole or over its bound (Envoy:
    /// `StopIterationAndBuffer`); later stages wait for it, as later filters of a chain do.
    Hold,
}

/// One policy's part of one request (its HTTP context state). Every callback defaults to
/// [`Flow::Continue`].
pub trait Stage {
    /// The request headers.
    fn on_request_headers(&mut self, req: &RequestCtx<'_>) -> Flow;

    /// A request body callback: `body_size` bytes buffered so far (bytes), `end_of_stream`.
    fn on_request_body(&mut self, _body_size: usize, _end_of_stream: bool) -> Flow {
        Flow::Continue
    }

    /// The request trailers (they end the body).
    fn on_request_trailers(&mut self) -> Flow {
        Flow::Continue
    }

    /// The response headers (the upstream's, or a local response's).
    fn on_response_headers(&mut self) -> Flow {
        Flow::Continue
    }
}

/// One compiled policy of a module, shared by every HTTP context.
pub trait Policy {
    /// A new stage for one request.
    fn stage(self: Rc<Self>) -> Box<dyn Stage>;
}

/// Compiles one plugin configuration (a single filter's, or one section of the combined
/// module's) into a policy; the error names the field and its line.
pub type Compile = fn(&[u8]) -> Result<Rc<dyn Policy>, policies::ConfigError>;
