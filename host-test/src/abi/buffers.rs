//! Buffers: `proxy_get_buffer_bytes`, `proxy_set_buffer_bytes`, `proxy_get_buffer_status`.
//!
//! Buffer types (`proxy_buffer_type_t`): 0 request body (in `proxy_on_request_body`), 1
//! response body (in `proxy_on_response_body`), 4 HTTP call response body (in
//! `proxy_on_http_call_response`), 6 VM configuration (in `proxy_on_vm_start`), 7 plugin
//! configuration (in `proxy_on_configure`). Types 2, 3, 5 and 8 exist in the ABI but never
//! here: `NotFound`, like a buffer outside its callback. Numbers above 8: `BadArgument`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read, return_bytes, write_u32};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;
use crate::state::{AbiState, Phase};

/// The buffer `buffer_type` if it exists in the current callback.
fn buffer_mut(st: &mut AbiState, buffer_type: u32) -> Result<&mut Vec<u8>, Status> {
    let phase = st.phase;
    match (buffer_type, phase) {
        (0, Phase::RequestBody) => st.stream.as_mut().map(|s| &mut s.request_body),
        (1, Phase::ResponseBody) => st.stream.as_mut().map(|s| &mut s.response_body),
        (4, Phase::HttpCallResponse) => st.http_calls.current.as_mut().map(|r| &mut r.body),
        (6, Phase::VmStart) => Some(&mut st.vm_configuration),
        (7, Phase::Configure) => Some(&mut st.plugin_configuration),
        (0..=8, _) => None,
        _ => return Err(Status::BadArgument),
    }
    .ok_or(Status::NotFound)
}

fn get_bytes(
    caller: &mut Caller<'_, HostState>,
    buffer_type: u32,
    start: u32,
    max: u32,
    out: (u32, u32),
) -> HostResult {
    let bytes = match buffer_mut(state(caller), buffer_type) {
        Ok(buf) => {
            let start = start as usize;
            if start > buf.len() {
                return ok(Status::BadArgument);
            }
            let end = start.saturating_add(max as usize).min(buf.len());
            buf.get(start..end).unwrap_or_default().to_vec()
        }
        Err(status) => return ok(status),
    };
    return_bytes(caller, &bytes, out.0, out.1)?;
    ok(Status::Ok)
}

fn set_bytes(
    caller: &mut Caller<'_, HostState>,
    buffer_type: u32,
    start: u32,
    size: u32,
    value: (u32, u32),
) -> HostResult {
    let value = read(caller, value.0, value.1, "buffer data")?;
    if !matches!(buffer_type, 0 | 1) {
        return ok(if buffer_type <= 8 {
            Status::NotFound
        } else {
            Status::BadArgument
        });
    }
    match buffer_mut(state(caller), buffer_type) {
        Ok(buf) => {
            let start = (start as usize).min(buf.len());
            let end = start.saturating_add(size as usize).min(buf.len());
            buf.splice(start..end, value);
            ok(Status::Ok)
        }
        Err(status) => ok(status),
    }
}

fn get_status(
    caller: &mut Caller<'_, HostState>,
    buffer_type: u32,
    size: u32,
    flags: u32,
) -> HostResult {
    let len = match buffer_mut(state(caller), buffer_type) {
        Ok(buf) => buf.len(),
        Err(status) => return ok(status),
    };
    write_u32(caller, size, u32::try_from(len)?, "return buffer size")?;
    write_u32(caller, flags, 0, "return buffer flags")?;
    ok(Status::Ok)
}

type C<'a> = Caller<'a, HostState>;

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_get_buffer_bytes",
        |mut c: C<'_>, t: u32, start: u32, max: u32, op: u32, os: u32| {
            named(
                "proxy_get_buffer_bytes",
                get_bytes(&mut c, t, start, max, (op, os)),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_buffer_bytes",
        |mut c: C<'_>, t: u32, start: u32, size: u32, vp: u32, vn: u32| {
            named(
                "proxy_set_buffer_bytes",
                set_bytes(&mut c, t, start, size, (vp, vn)),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_buffer_status",
        |mut c: C<'_>, t: u32, size: u32, flags: u32| {
            named(
                "proxy_get_buffer_status",
                get_status(&mut c, t, size, flags),
            )
        },
    )?;
    Ok(())
}
