//! Local response: `proxy_send_local_response`.
//!
//! Records the response on the current HTTP context; the exchange then stops forwarding and
//! hands the response to the client (through `proxy_on_response_headers`, as Envoy sends a
//! local reply through the encoder filters). Outside an HTTP context: `BadArgument`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read, read_string};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;
use crate::map::deserialize;
use crate::traffic::LocalResponse;

fn send(
    caller: &mut Caller<'_, HostState>,
    status: u32,
    details: (u32, u32),
    body: (u32, u32),
    headers: (u32, u32),
    grpc_status: i32,
) -> HostResult {
    let details = read_string(caller, details.0, details.1, "status code details")?;
    let body = read(caller, body.0, body.1, "local response body")?;
    let headers = read(caller, headers.0, headers.1, "local response headers")?;
    let Ok(headers) = deserialize(&headers) else {
        return ok(Status::ParseFailure);
    };
    if !(100..=999).contains(&status) {
        return ok(Status::BadArgument);
    }
    let Some(stream) = state(caller).stream.as_mut() else {
        return ok(Status::BadArgument);
    };
    stream.local_response = Some(LocalResponse {
        status,
        details,
        headers,
        body,
        grpc_status,
    });
    ok(Status::Ok)
}

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_send_local_response",
        |mut c: Caller<'_, HostState>,
         status: u32,
         dp: u32,
         dn: u32,
         bp: u32,
         bn: u32,
         hp: u32,
         hn: u32,
         grpc: i32| {
            let r = send(&mut c, status, (dp, dn), (bp, bn), (hp, hn), grpc);
            named("proxy_send_local_response", r)
        },
    )?;
    Ok(())
}
