//! Clock and timer: `proxy_get_current_time_nanoseconds`, `proxy_set_tick_period_milliseconds`.
//!
//! The clock is the plugin's own, starting at 2023-11-14T22:13:20Z and moved only by the test
//! (`Plugin::advance`), so runs are repeatable.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::write_u64;
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;

fn now(caller: &mut Caller<'_, HostState>, out: u32) -> HostResult {
    let now = state(caller).now_ns;
    write_u64(caller, out, now, "return time")?;
    ok(Status::Ok)
}

fn set_tick(caller: &mut Caller<'_, HostState>, period_ms: u32) -> HostResult {
    state(caller).tick_period_ms = period_ms;
    ok(Status::Ok)
}

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_get_current_time_nanoseconds",
        |mut c: Caller<'_, HostState>, out: u32| {
            named("proxy_get_current_time_nanoseconds", now(&mut c, out))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_tick_period_milliseconds",
        |mut c: Caller<'_, HostState>, period: u32| {
            named(
                "proxy_set_tick_period_milliseconds",
                set_tick(&mut c, period),
            )
        },
    )?;
    Ok(())
}
