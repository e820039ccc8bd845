//! HTTP fields: `proxy_get_header_map_size`, `_pairs`, `proxy_set_header_map_pairs`,
//! `proxy_get_header_map_value`, `proxy_add_`/`proxy_replace_`/`proxy_remove_header_map_value`.
//!
//! Map types (`proxy_map_type_t`): 0 request headers, 1 request trailers, 2 response headers,
//! 3 response trailers, 4/5 gRPC metadata (never available here), 6/7 HTTP call response
//! headers/trailers. A map that does not exist in the current callback answers `BadArgument`,
//! as Envoy does; a missing key answers `NotFound`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read, return_bytes, write_u32};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;
use crate::map::{HeaderMap, deserialize, serialize};
use crate::state::{AbiState, Phase};

/// The map `map_type` if it exists in the current callback.
pub(crate) fn map_mut(st: &mut AbiState, map_type: u32) -> Result<&mut HeaderMap, Status> {
    let in_call = st.phase == Phase::HttpCallResponse;
    match map_type {
        0..=3 => {
            let stream = st.stream.as_mut().ok_or(Status::BadArgument)?;
            match map_type {
                0 => Ok(&mut stream.request_headers),
                1 => Ok(&mut stream.request_trailers),
                2 => stream.response_headers.as_mut().ok_or(Status::BadArgument),
                _ if stream.response_headers.is_some() => Ok(&mut stream.response_trailers),
                _ => Err(Status::BadArgument),
            }
        }
        6 | 7 if in_call => {
            let resp = st.http_calls.current.as_mut().ok_or(Status::BadArgument)?;
            Ok(if map_type == 6 {
                &mut resp.headers
            } else {
                &mut resp.trailers
            })
        }
        _ => Err(Status::BadArgument),
    }
}

fn get_size(caller: &mut Caller<'_, HostState>, map_type: u32, out: u32) -> HostResult {
    let size = match map_mut(state(caller), map_type) {
        Ok(map) => serialize(map).len(),
        Err(status) => return ok(status),
    };
    write_u32(caller, out, u32::try_from(size)?, "return map size")?;
    ok(Status::Ok)
}

fn get_pairs(caller: &mut Caller<'_, HostState>, map_type: u32, ptr: u32, size: u32) -> HostResult {
    let bytes = match map_mut(state(caller), map_type) {
        Ok(map) => serialize(map),
        Err(status) => return ok(status),
    };
    return_bytes(caller, &bytes, ptr, size)?;
    ok(Status::Ok)
}

fn set_pairs(caller: &mut Caller<'_, HostState>, map_type: u32, ptr: u32, len: u32) -> HostResult {
    let bytes = read(caller, ptr, len, "serialised header map")?;
    let Ok(new) = deserialize(&bytes) else {
        return ok(Status::ParseFailure);
    };
    match map_mut(state(caller), map_type) {
        Ok(map) => {
            *map = HeaderMap::new();
            for (n, v) in new.pairs() {
                map.add(n, v);
            }
            ok(Status::Ok)
        }
        Err(status) => ok(status),
    }
}

fn get_value(
    caller: &mut Caller<'_, HostState>,
    map_type: u32,
    key: (u32, u32),
    out: (u32, u32),
) -> HostResult {
    let key = read(caller, key.0, key.1, "header name")?;
    let value = match map_mut(state(caller), map_type) {
        Ok(map) => match map.get(&key) {
            Some(v) => v.to_vec(),
            None => return ok(Status::NotFound),
        },
        Err(status) => return ok(status),
    };
    return_bytes(caller, &value, out.0, out.1)?;
    ok(Status::Ok)
}

#[derive(Clone, Copy)]
enum Edit {
    Add,
    Replace,
}

fn edit(
    caller: &mut Caller<'_, HostState>,
    how: Edit,
    map_type: u32,
    key: (u32, u32),
    value: (u32, u32),
) -> HostResult {
    let key = read(caller, key.0, key.1, "header name")?;
    let value = read(caller, value.0, value.1, "header value")?;
    match map_mut(state(caller), map_type) {
        Ok(map) => {
            match how {
                Edit::Add => map.add(&key, &value),
                Edit::Replace => map.replace(&key, &value),
            }
            ok(Status::Ok)
        }
        Err(status) => ok(status),
    }
}

fn remove(caller: &mut Caller<'_, HostState>, map_type: u32, kp: u32, kn: u32) -> HostResult {
    let key = read(caller, kp, kn, "header name")?;
    match map_mut(state(caller), map_type) {
        Ok(map) => {
            map.remove(&key);
            ok(Status::Ok)
        }
        Err(status) => ok(status),
    }
}

type C<'a> = Caller<'a, HostState>;

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_get_header_map_size",
        |mut c: C<'_>, t: u32, o: u32| named("proxy_get_header_map_size", get_size(&mut c, t, o)),
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_pairs",
        |mut c: C<'_>, t: u32, p: u32, s: u32| {
            named("proxy_get_header_map_pairs", get_pairs(&mut c, t, p, s))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_header_map_pairs",
        |mut c: C<'_>, t: u32, p: u32, n: u32| {
            named("proxy_set_header_map_pairs", set_pairs(&mut c, t, p, n))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_value",
        |mut c: C<'_>, t: u32, kp: u32, kn: u32, op: u32, os: u32| {
            named(
                "proxy_get_header_map_value",
                get_value(&mut c, t, (kp, kn), (op, os)),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_add_header_map_value",
        |mut c: C<'_>, t: u32, kp: u32, kn: u32, vp: u32, vn: u32| {
            named(
                "proxy_add_header_map_value",
                edit(&mut c, Edit::Add, t, (kp, kn), (vp, vn)),
            )
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_replace_header_map_value",
        |mut c: C<'_>, t: u32, kp: u32, kn: u32, vp: u32, vn: u32| {
            let r = edit(&mut c, Edit::Replace, t, (kp, kn), (vp, vn));
            named("proxy_replace_header_map_value", r)
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_remove_header_map_value",
        |mut c: C<'_>, t: u32, kp: u32, kn: u32| {
            named("proxy_remove_header_map_value", remove(&mut c, t, kp, kn))
        },
    )?;
    Ok(())
}
