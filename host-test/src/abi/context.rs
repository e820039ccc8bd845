//! Context and stream control: `proxy_set_effective_context`, `proxy_done`,
//! `proxy_continue_stream`, `proxy_close_stream`.
//!
//! Stream types (`proxy_stream_type_t`): 0 HTTP request, 1 HTTP response, 2 downstream,
//! 3 upstream. Only HTTP streams exist here; 2 and 3 answer `BadArgument`, as an unknown
//! context id does for `proxy_set_effective_context`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;

fn set_effective(caller: &mut Caller<'_, HostState>, id: u32) -> HostResult {
    let st = state(caller);
    let known = id == st.root_id || st.stream.as_ref().is_some_and(|s| s.context_id == id);
    if !known {
        return ok(Status::BadArgument);
    }
    st.effective_context = id;
    ok(Status::Ok)
}

fn done(caller: &mut Caller<'_, HostState>) -> HostResult {
    state(caller).done_called = true;
    ok(Status::Ok)
}

fn stream_op(caller: &mut Caller<'_, HostState>, stream_type: u32, close: bool) -> HostResult {
    if stream_type > 1 {
        return ok(Status::BadArgument);
    }
    let Some(stream) = state(caller).stream.as_mut() else {
        return ok(Status::NotFound);
    };
    if close {
        stream.closed.push(stream_type);
    } else {
        stream.continued.push(stream_type);
    }
    ok(Status::Ok)
}

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_set_effective_context",
        |mut c: Caller<'_, HostState>, id: u32| {
            named("proxy_set_effective_context", set_effective(&mut c, id))
        },
    )?;
    linker.func_wrap("env", "proxy_done", |mut c: Caller<'_, HostState>| {
        named("proxy_done", done(&mut c))
    })?;
    linker.func_wrap(
        "env",
        "proxy_continue_stream",
        |mut c: Caller<'_, HostState>, t: u32| {
            named("proxy_continue_stream", stream_op(&mut c, t, false))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_close_stream",
        |mut c: Caller<'_, HostState>, t: u32| {
            named("proxy_close_stream", stream_op(&mut c, t, true))
        },
    )?;
    Ok(())
}
