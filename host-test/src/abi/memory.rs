//! Checked reads and writes of guest memory.
//!
//! Every guest pointer and length is checked against the memory's current size before use
//! (`checked_add`, then `get(range)`): a bad pointer or length is a trap that names the host
//! function and the range, never undefined behaviour. The spec lets a host answer
//! `INVALID_MEMORY_ACCESS` instead; this host traps, so a test sees the bug at once.

use wasmtime::{Caller, Extern, Memory};
use wasmtime::{Result, bail, format_err};

use crate::host::HostState;

/// The most bytes the host reads from one guest argument (16 MiB); a guest passing more
/// (a 1 GiB header map) traps with a message saying so.
pub const MAX_GUEST_INPUT: u32 = 16 << 20;
/// The most bytes the host hands back to the guest in one call (16 MiB).
pub const MAX_HOST_OUTPUT: usize = 16 << 20;

fn memory(caller: &mut Caller<'_, HostState>) -> Result<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Ok(m),
        _ => bail!("the module exports no linear memory named `memory`"),
    }
}

/// Copies `len` bytes at guest address `ptr`; `what` names the argument in errors.
///
/// Errors (traps): `len` above [`MAX_GUEST_INPUT`], or the range outside guest memory.
pub(crate) fn read(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    len: u32,
    what: &str,
) -> Result<Vec<u8>> {
    if len > MAX_GUEST_INPUT {
        bail!("guest passed {what} of {len} bytes; the host reads at most {MAX_GUEST_INPUT} bytes");
    }
    let mem = memory(caller)?;
    let data = mem.data(&*caller);
    let start = ptr as usize;
    let end = start
        .checked_add(len as usize)
        .ok_or_else(|| format_err!("{what}: length overflows"))?;
    data.get(start..end).map(<[u8]>::to_vec).ok_or_else(|| {
        format_err!(
            "out-of-bounds guest pointer: {what} at {ptr:#x}+{len} is outside the {}-byte memory",
            data.len()
        )
    })
}

/// Reads `len` bytes at `ptr` as UTF-8 text (lossy); same errors as [`read`].
pub(crate) fn read_string(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    len: u32,
    what: &str,
) -> Result<String> {
    Ok(String::from_utf8_lossy(&read(caller, ptr, len, what)?).into_owned())
}

/// Writes `bytes` at guest address `ptr`; traps when the range is outside guest memory.
pub(crate) fn write(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    bytes: &[u8],
    what: &str,
) -> Result<()> {
    let mem = memory(caller)?;
    let data = mem.data_mut(&mut *caller);
    let size = data.len();
    let start = ptr as usize;
    let end = start
        .checked_add(bytes.len())
        .ok_or_else(|| format_err!("{what}: length overflows"))?;
    let slot = data.get_mut(start..end).ok_or_else(|| {
        format_err!(
            "out-of-bounds guest pointer: {what} at {ptr:#x}+{} is outside the {size}-byte memory",
            bytes.len()
        )
    })?;
    slot.copy_from_slice(bytes);
    Ok(())
}

/// Writes a little-endian `u32` at `ptr` (a `size_t` or `uint32_t` out-parameter).
pub(crate) fn write_u32(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    value: u32,
    what: &str,
) -> Result<()> {
    write(caller, ptr, &value.to_le_bytes(), what)
}

/// Writes a little-endian `u64` at `ptr`.
pub(crate) fn write_u64(
    caller: &mut Caller<'_, HostState>,
    ptr: u32,
    value: u64,
    what: &str,
) -> Result<()> {
    write(caller, ptr, &value.to_le_bytes(), what)
}

/// Hands `bytes` to the guest: allocates with the module's `proxy_on_memory_allocate` (or
/// `malloc`), copies, and writes the pointer and size to `ptr_out` and `size_out`.
/// Empty data is returned as a null pointer and size 0, as Envoy does.
///
/// Errors (traps): more than [`MAX_HOST_OUTPUT`] bytes, no allocator export, the allocator
/// trapping or returning a pointer outside memory, out-of-bounds out-parameters.
pub(crate) fn return_bytes(
    caller: &mut Caller<'_, HostState>,
    bytes: &[u8],
    ptr_out: u32,
    size_out: u32,
) -> Result<()> {
    if bytes.len() > MAX_HOST_OUTPUT {
        bail!(
            "the host will not return {} bytes (limit {MAX_HOST_OUTPUT})",
            bytes.len()
        );
    }
    let len = u32::try_from(bytes.len())?;
    let addr = if bytes.is_empty() {
        0
    } else {
        allocate(caller, len)?
    };
    if !bytes.is_empty() {
        write(caller, addr, bytes, "allocated buffer")?;
    }
    write_u32(caller, ptr_out, addr, "return data pointer")?;
    write_u32(caller, size_out, len, "return data size")
}

/// Calls the guest allocator for `len` bytes and checks the pointer it returns.
pub(crate) fn allocate(caller: &mut Caller<'_, HostState>, len: u32) -> Result<u32> {
    let func = ["proxy_on_memory_allocate", "malloc"]
        .iter()
        .find_map(|name| caller.get_export(name).and_then(Extern::into_func))
        .ok_or_else(|| {
            format_err!("the module exports neither proxy_on_memory_allocate nor malloc")
        })?;
    let typed = func
        .typed::<u32, u32>(&*caller)
        .map_err(|e| format_err!("proxy_on_memory_allocate has the wrong signature: {e}"))?;
    let addr = typed
        .call(&mut *caller, len)
        .map_err(|e| format_err!("proxy_on_memory_allocate({len}) trapped: {e:#}"))?;
    let size = memory(caller)?.data_size(&*caller);
    let fits = (addr as usize)
        .checked_add(len as usize)
        .is_some_and(|end| end <= size);
    if addr == 0 || !fits {
        bail!("proxy_on_memory_allocate({len}) returned {addr:#x}, outside the {size}-byte memory");
    }
    Ok(addr)
}
