//! The Proxy-Wasm side of `HostState`: what the plugin and its current HTTP context hold.

use std::collections::BTreeMap;

use crate::abi::http_call::HttpCalls;
use crate::abi::log::Logs;
use crate::abi::metrics::Metrics;
use crate::abi::shared::Shared;
use crate::map::HeaderMap;
use crate::traffic::{Connection, HostKind, LocalResponse};

/// The callback the host is running, which decides which maps and buffers exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// No callback is running.
    Idle,
    /// `_initialize` or `proxy_on_context_create`.
    Setup,
    /// `proxy_on_vm_start`.
    VmStart,
    /// `proxy_on_configure`.
    Configure,
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
    /// `proxy_on_log`, `proxy_on_done`, `proxy_on_delete`.
    Log,
    /// `proxy_on_http_call_response`.
    HttpCallResponse,
    /// `proxy_on_tick`, `proxy_on_queue_ready` and other root-context callbacks.
    Root,
}

/// One HTTP context's request and response as the host holds them.
#[derive(Debug, Default)]
pub(crate) struct Stream {
    /// The HTTP context id.
    pub(crate) context_id: u32,
    pub(crate) request_headers: HeaderMap,
    pub(crate) request_trailers: HeaderMap,
    pub(crate) request_body: Vec<u8>,
    /// Present once the upstream (or a local response) has answered.
    pub(crate) response_headers: Option<HeaderMap>,
    pub(crate) response_trailers: HeaderMap,
    pub(crate) response_body: Vec<u8>,
    /// Set by `proxy_send_local_response`.
    pub(crate) local_response: Option<LocalResponse>,
    /// Stream types the guest resumed with `proxy_continue_stream`.
    pub(crate) continued: Vec<u32>,
    /// Stream types the guest closed with `proxy_close_stream`.
    pub(crate) closed: Vec<u32>,
    /// Properties set by the guest with `proxy_set_property`, keyed by NUL-joined path.
    pub(crate) set_properties: BTreeMap<Vec<u8>, Vec<u8>>,
    /// `request.id` (and the `x-request-id` header the host added).
    pub(crate) request_id: String,
    /// `request.protocol`, e.g. `HTTP/1.1`.
    pub(crate) protocol: String,
    /// Upstream connection properties, visible from the response on.
    pub(crate) upstream: Connection,
}

/// Everything the ABI functions read and write, for one plugin (one root context).
pub(crate) struct AbiState {
    /// Which host's property encodings to use.
    pub(crate) host: HostKind,
    /// The root context id (always 1).
    pub(crate) root_id: u32,
    /// The context the guest last made effective (or the one the host called).
    pub(crate) effective_context: u32,
    pub(crate) phase: Phase,
    pub(crate) vm_configuration: Vec<u8>,
    pub(crate) plugin_configuration: Vec<u8>,
    /// `plugin_name`, `plugin_root_id`, `cluster_name`, `route_name` and any extra
    /// plugin-level properties, keyed by NUL-joined path.
    pub(crate) plugin_properties: BTreeMap<Vec<u8>, Vec<u8>>,
    /// The downstream connection of the current HTTP context.
    pub(crate) connection: Connection,
    /// The current HTTP context, if any.
    pub(crate) stream: Option<Stream>,
    pub(crate) logs: Logs,
    pub(crate) metrics: Metrics,
    pub(crate) shared: Shared,
    pub(crate) http_calls: HttpCalls,
    /// Requested tick period in milliseconds (0: no ticks).
    pub(crate) tick_period_ms: u32,
    /// The controllable clock, in nanoseconds since the Unix epoch.
    pub(crate) now_ns: u64,
    /// Set when the guest called `proxy_done`.
    pub(crate) done_called: bool,
    /// Extra properties from the test (path → value bytes already encoded).
    pub(crate) extra_properties: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl AbiState {
    pub(crate) fn new(host: HostKind) -> Self {
        AbiState {
            host,
            root_id: 1,
            effective_context: 1,
            phase: Phase::Idle,
            vm_configuration: Vec::new(),
            plugin_configuration: Vec::new(),
            plugin_properties: BTreeMap::new(),
            connection: Connection::default(),
            stream: None,
            logs: Logs::default(),
            metrics: Metrics::default(),
            shared: Shared::default(),
            http_calls: HttpCalls::default(),
            tick_period_ms: 0,
            now_ns: 1_700_000_000_000_000_000,
            done_called: false,
            extra_properties: BTreeMap::new(),
        }
    }
}
