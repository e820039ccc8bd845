//! HTTP calls: `proxy_http_call`, `proxy_get_status`.
//!
//! The host records each call; the test answers it with `Plugin::answer_http_call`, which
//! runs `proxy_on_http_call_response`. A call without `:method`, `:path` or `:authority`, or
//! to an upstream the test did not allow (when it set a list), answers `BadArgument`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read, read_string, return_bytes, write_u32};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;
use crate::map::{HeaderMap, deserialize};

/// A call the module made, waiting for the test's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCall {
    /// The token `proxy_http_call` returned.
    pub token: u32,
    /// The context that made the call.
    pub context_id: u32,
    /// Upstream (cluster) name.
    pub upstream: String,
    /// Request headers, pseudo-headers included.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Vec<u8>,
    /// Request trailers.
    pub trailers: HeaderMap,
    /// Timeout in milliseconds.
    pub timeout_ms: u32,
}

/// The answer to a call, readable during `proxy_on_http_call_response`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpCallResponse {
    /// Response headers (`:status` included); empty when the call failed.
    pub headers: HeaderMap,
    /// Body.
    pub body: Vec<u8>,
    /// Trailers.
    pub trailers: HeaderMap,
}

/// Pending calls and the response being delivered.
#[derive(Debug, Default)]
pub(crate) struct HttpCalls {
    pub(crate) next_token: u32,
    pub(crate) pending: Vec<HttpCall>,
    pub(crate) current: Option<HttpCallResponse>,
    /// When set, only these upstream names are accepted.
    pub(crate) known_upstreams: Option<Vec<String>>,
}

/// Most calls waiting at once per plugin.
const MAX_PENDING: usize = 10_000;

#[allow(clippy::too_many_arguments)]
fn http_call(
    caller: &mut Caller<'_, HostState>,
    upstream: (u32, u32),
    headers: (u32, u32),
    body: (u32, u32),
    trailers: (u32, u32),
    timeout_ms: u32,
    out: u32,
) -> HostResult {
    let upstream = read_string(caller, upstream.0, upstream.1, "upstream name")?;
    let headers = read(caller, headers.0, headers.1, "call headers")?;
    let body = read(caller, body.0, body.1, "call body")?;
    let trailers = read(caller, trailers.0, trailers.1, "call trailers")?;
    let (Ok(headers), Ok(trailers)) = (deserialize(&headers), deserialize(&trailers)) else {
        return ok(Status::ParseFailure);
    };
    let st = state(caller);
    let complete = [&b":method"[..], b":path", b":authority"]
        .iter()
        .all(|h| headers.get(h).is_some());
    let known = st
        .http_calls
        .known_upstreams
        .as_ref()
        .is_none_or(|k| k.contains(&upstream));
    if !complete || !known {
        return ok(Status::BadArgument);
    }
    if st.http_calls.pending.len() >= MAX_PENDING {
        return ok(Status::InternalFailure);
    }
    st.http_calls.next_token = st.http_calls.next_token.wrapping_add(1).max(1);
    let token = st.http_calls.next_token;
    let context_id = st.effective_context;
    st.http_calls.pending.push(HttpCall {
        token,
        context_id,
        upstream,
        headers,
        body,
        trailers,
        timeout_ms,
    });
    write_u32(caller, out, token, "return call token")?;
    ok(Status::Ok)
}

fn get_status(caller: &mut Caller<'_, HostState>, code_out: u32, msg: (u32, u32)) -> HostResult {
    let Some(resp) = state(caller).http_calls.current.clone() else {
        return ok(Status::NotFound);
    };
    let code = resp
        .headers
        .get(b":status")
        .and_then(|s| String::from_utf8_lossy(s).parse().ok());
    write_u32(caller, code_out, code.unwrap_or(0), "return status code")?;
    return_bytes(caller, b"", msg.0, msg.1)?;
    ok(Status::Ok)
}

type C<'a> = Caller<'a, HostState>;

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_http_call",
        |mut c: C<'_>,
         up: u32,
         un: u32,
         hp: u32,
         hn: u32,
         bp: u32,
         bn: u32,
         tp: u32,
         tn: u32,
         timeout: u32,
         out: u32| {
            let r = http_call(&mut c, (up, un), (hp, hn), (bp, bn), (tp, tn), timeout, out);
            named("proxy_http_call", r)
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_status",
        |mut c: C<'_>, code: u32, mp: u32, ms: u32| {
            named("proxy_get_status", get_status(&mut c, code, (mp, ms)))
        },
    )?;
    Ok(())
}
