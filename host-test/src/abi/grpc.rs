//! gRPC calls and foreign functions, which this host does not offer: `proxy_grpc_call` and
//! `proxy_grpc_stream` answer `BadArgument` (no gRPC service is configured, as Envoy answers
//! for an unknown cluster); `proxy_grpc_send`, `proxy_grpc_cancel`, `proxy_grpc_close` answer
//! `NotFound` (no such stream); `proxy_call_foreign_function` answers `NotFound`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::{Status, named, ok};
use crate::host::HostState;

type C<'a> = Caller<'a, HostState>;

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_grpc_call",
        |_: C<'_>,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32,
         _: u32| { named("proxy_grpc_call", ok(Status::BadArgument)) },
    )?;
    linker.func_wrap(
        "env",
        "proxy_grpc_stream",
        |_: C<'_>, _: u32, _: u32, _: u32, _: u32, _: u32, _: u32, _: u32, _: u32, _: u32| {
            named("proxy_grpc_stream", ok(Status::BadArgument))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_grpc_send",
        |_: C<'_>, _: u32, _: u32, _: u32, _: u32| named("proxy_grpc_send", ok(Status::NotFound)),
    )?;
    linker.func_wrap("env", "proxy_grpc_cancel", |_: C<'_>, _: u32| {
        named("proxy_grpc_cancel", ok(Status::NotFound))
    })?;
    linker.func_wrap("env", "proxy_grpc_close", |_: C<'_>, _: u32| {
        named("proxy_grpc_close", ok(Status::NotFound))
    })?;
    linker.func_wrap(
        "env",
        "proxy_call_foreign_function",
        |_: C<'_>, _: u32, _: u32, _: u32, _: u32, _: u32, _: u32| {
            named("proxy_call_foreign_function", ok(Status::NotFound))
        },
    )?;
    Ok(())
}
