//! WASI preview 1 as Envoy offers it to a Proxy-Wasm module: not a sandboxed operating system
//! but a handful of answers, the ones of proxy-wasm-cpp-host (`src/exports.cc`, the
//! `wasi_unstable_*` functions, registered under both `wasi_unstable` and
//! `wasi_snapshot_preview1`). A module that works here works there:
//! - `fd_write` to stdout (1) or stderr (2) is a log line of the plugin at `info` or `error`
//!   (one trailing newline removed); any other descriptor is `EBADF` (8).
//! - `environ_*` and `args_*`: empty (Envoy passes only the `vm_config.environment_variables`
//!   an operator sets; the scenarios set none).
//! - `clock_time_get`: realtime from the plugin's clock (the one `proxy_get_current_time_nanoseconds`
//!   reads), monotonic the same; other clocks `ENOTSUP` (58). `clock_res_get`: 1 ns.
//! - `random_get`: the operating system's random bytes, at most 64 KiB a call (`EINVAL`, 28).
//! - `proc_exit`, `fd_seek`, `fd_close`: Envoy fails the VM; here they trap.
//! - `path_open` `ENOENT` (44), `fd_read` and `fd_prestat_dir_name` `ENOSYS` (52),
//!   `fd_prestat_get` and `fd_filestat_get` `EBADF`, `path_filestat_get` `ENOTSUP`,
//!   `fd_fdstat_get` a write-only character device for 1 and 2 (`EBADF` otherwise),
//!   `fd_fdstat_set_flags` `ENOSYS`, `sched_yield` and `poll_oneoff` (no events) success.
//!
//! A pointer outside guest memory traps (as every host function of this host does), where
//! Envoy answers `EFAULT`.

use wasmtime::{Caller, Linker, Result, bail};

use super::log::{LogLevel, push};
use super::memory::{read, write, write_u32, write_u64};
use super::{named, state};
use crate::host::HostState;
use crate::map::read_u32;

const SUCCESS: u32 = 0;
const EBADF: u32 = 8;
const EINVAL: u32 = 28;
const ENOENT: u32 = 44;
const ENOSYS: u32 = 52;
const ENOTSUP: u32 = 58;

/// proxy-wasm-cpp-host's `PROXY_WASM_HOST_WASI_RANDOM_GET_MAX_SIZE_BYTES`.
const RANDOM_MAX_BYTES: u32 = 64 * 1024;

/// The most iovecs one `fd_write` may pass (the host reads them all into one log line).
const MAX_IOVECS: u32 = 1024;

fn fd_write(c: &mut Caller<'_, HostState>, fd: u32, iovs: u32, n: u32, out: u32) -> Result<u32> {
    let level = match fd {
        1 => LogLevel::Info,
        2 => LogLevel::Error,
        _ => return Ok(EBADF),
    };
    if n > MAX_IOVECS {
        bail!("fd_write with {n} iovecs; the host takes at most {MAX_IOVECS}");
    }
    let table = read(c, iovs, n.saturating_mul(8), "iovec array")?;
    let mut text = Vec::new();
    for iov in table.chunks_exact(8) {
        let word = |at| read_u32(iov, at).unwrap_or(0);
        text.extend(read(c, word(0), word(4), "iovec buffer")?);
    }
    let written = u32::try_from(text.len()).unwrap_or(u32::MAX);
    if text.last() == Some(&b'\n') {
        text.pop();
    }
    if !text.is_empty() {
        push(state(c), level, String::from_utf8_lossy(&text).into_owned());
    }
    write_u32(c, out, written, "nwritten")?;
    Ok(SUCCESS)
}

fn zero_pair(c: &mut Caller<'_, HostState>, a: u32, b: u32) -> Result<u32> {
    write_u32(c, a, 0, "count")?;
    write_u32(c, b, 0, "buffer size")?;
    Ok(SUCCESS)
}

fn clock_time_get(c: &mut Caller<'_, HostState>, id: u32, out: u32) -> Result<u32> {
    if id > 1 {
        return Ok(ENOTSUP);
    }
    let now = state(c).now_ns;
    write_u64(c, out, now, "time")?;
    Ok(SUCCESS)
}

fn clock_res_get(c: &mut Caller<'_, HostState>, id: u32, out: u32) -> Result<u32> {
    if id > 1 {
        return Ok(ENOTSUP);
    }
    write_u64(c, out, 1, "resolution")?;
    Ok(SUCCESS)
}

fn random_get(c: &mut Caller<'_, HostState>, ptr: u32, len: u32) -> Result<u32> {
    if len > RANDOM_MAX_BYTES {
        return Ok(EINVAL);
    }
    let mut buf = vec![0u8; len as usize];
    if getrandom::fill(&mut buf).is_err() {
        bail!("the operating system gave no random bytes");
    }
    write(c, ptr, &buf, "random buffer")?;
    Ok(SUCCESS)
}

fn fdstat(c: &mut Caller<'_, HostState>, fd: u32, out: u32) -> Result<u32> {
    if fd != 1 && fd != 2 {
        return Ok(EBADF);
    }
    // 24 bytes: filetype 0, flags 0, rights_base FD_WRITE (64), rights_inheriting 0, as Envoy.
    let mut stat = [0u8; 24];
    if let Some(slot) = stat.get_mut(8..16) {
        slot.copy_from_slice(&64u64.to_le_bytes());
    }
    write(c, out, &stat, "fdstat")?;
    Ok(SUCCESS)
}

/// Registers the functions under `module` (`wasi_unstable` or `wasi_snapshot_preview1`).
fn add_module(linker: &mut Linker<HostState>, module: &str) -> Result<()> {
    type C<'a> = Caller<'a, HostState>;
    linker.func_wrap(
        module,
        "fd_write",
        |mut c: C<'_>, fd: u32, i: u32, n: u32, o: u32| {
            named("fd_write", fd_write(&mut c, fd, i, n, o))
        },
    )?;
    linker.func_wrap(
        module,
        "fd_read",
        |_: C<'_>, _: u32, _: u32, _: u32, _: u32| ENOSYS,
    )?;
    linker.func_wrap(
        module,
        "fd_seek",
        |_: C<'_>, _: u32, _: i64, _: u32, _: u32| -> Result<u32> {
            bail!("wasi fd_seek: Envoy fails the VM on it")
        },
    )?;
    linker.func_wrap(module, "fd_close", |_: C<'_>, _: u32| -> Result<u32> {
        bail!("wasi fd_close: Envoy fails the VM on it")
    })?;
    linker.func_wrap(module, "fd_fdstat_get", |mut c: C<'_>, fd: u32, o: u32| {
        named("fd_fdstat_get", fdstat(&mut c, fd, o))
    })?;
    linker.func_wrap(module, "fd_fdstat_set_flags", |_: C<'_>, _: u32, _: u32| {
        ENOSYS
    })?;
    linker.func_wrap(module, "fd_prestat_get", |_: C<'_>, _: u32, _: u32| EBADF)?;
    linker.func_wrap(
        module,
        "fd_prestat_dir_name",
        |_: C<'_>, _: u32, _: u32, _: u32| ENOSYS,
    )?;
    linker.func_wrap(module, "fd_filestat_get", |_: C<'_>, _: u32, _: u32| EBADF)?;
    linker.func_wrap(
        module,
        "path_open",
        |_: C<'_>, _: u32, _: u32, _: u32, _: u32, _: u32, _: i64, _: i64, _: u32, _: u32| ENOENT,
    )?;
    linker.func_wrap(
        module,
        "path_filestat_get",
        |_: C<'_>, _: u32, _: u32, _: u32, _: u32, _: u32| ENOTSUP,
    )?;
    linker.func_wrap(
        module,
        "environ_sizes_get",
        |mut c: C<'_>, a: u32, b: u32| named("environ_sizes_get", zero_pair(&mut c, a, b)),
    )?;
    linker.func_wrap(module, "environ_get", |_: C<'_>, _: u32, _: u32| SUCCESS)?;
    linker.func_wrap(module, "args_sizes_get", |mut c: C<'_>, a: u32, b: u32| {
        named("args_sizes_get", zero_pair(&mut c, a, b))
    })?;
    linker.func_wrap(module, "args_get", |_: C<'_>, _: u32, _: u32| SUCCESS)?;
    linker.func_wrap(
        module,
        "clock_time_get",
        |mut c: C<'_>, id: u32, _: i64, o: u32| {
            named("clock_time_get", clock_time_get(&mut c, id, o))
        },
    )?;
    linker.func_wrap(module, "clock_res_get", |mut c: C<'_>, id: u32, o: u32| {
        named("clock_res_get", clock_res_get(&mut c, id, o))
    })?;
    linker.func_wrap(module, "random_get", |mut c: C<'_>, p: u32, n: u32| {
        named("random_get", random_get(&mut c, p, n))
    })?;
    linker.func_wrap(module, "sched_yield", |_: C<'_>| SUCCESS)?;
    linker.func_wrap(
        module,
        "poll_oneoff",
        |mut c: C<'_>, _: u32, _: u32, _: u32, n: u32| -> Result<u32> {
            named(
                "poll_oneoff",
                write_u32(&mut c, n, 0, "nevents").map(|()| SUCCESS),
            )
        },
    )?;
    linker.func_wrap(module, "proc_exit", |_: C<'_>, code: u32| -> Result<()> {
        bail!("wasi proc_exit({code}): Envoy fails the VM on it")
    })?;
    Ok(())
}

/// Registers Envoy's WASI under both module names.
///
/// Errors: a name registered twice (only when `linker` already holds these functions).
pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    add_module(linker, "wasi_snapshot_preview1")?;
    add_module(linker, "wasi_unstable")
}
