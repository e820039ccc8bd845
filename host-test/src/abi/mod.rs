//! The Proxy-Wasm ABI 0.2.1 host functions, one module per area.
//!
//! [`add_to_linker`] registers WASI preview 1 as Envoy offers it (`wasi.rs`) and every `env.proxy_*` function the Rust SDK
//! (proxy-wasm 0.2.5) imports. Each host function returns a [`Status`]; a guest error that the
//! ABI cannot express as a status (an out-of-bounds pointer, an oversized argument) is a trap
//! whose message starts with the host function's name.

pub(crate) mod buffers;
pub(crate) mod context;
pub(crate) mod grpc;
pub(crate) mod headers;
pub(crate) mod http_call;
pub(crate) mod local_response;
pub(crate) mod log;
pub mod memory;
pub(crate) mod metrics;
pub mod properties;
pub(crate) mod shared;
pub(crate) mod timer;
pub(crate) mod wasi;

use wasmtime::{Caller, Linker};

use crate::host::HostState;
use crate::state::AbiState;

/// `proxy_status_t`: what a host function returns to the guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// The key, property, queue or metric does not exist.
    NotFound = 1,
    /// An unknown map, buffer or stream type, or an argument out of range.
    BadArgument = 2,
    /// A value could not be serialised.
    SerializationFailure = 3,
    /// A serialised map from the guest could not be parsed.
    ParseFailure = 4,
    /// A pointer outside guest memory (this host traps instead; kept for completeness).
    InvalidMemoryAccess = 6,
    /// The queue is empty.
    Empty = 7,
    /// Shared data changed since the guest read it.
    CasMismatch = 8,
    /// The host failed.
    InternalFailure = 10,
    /// The host does not implement the operation.
    Unimplemented = 12,
}

/// Host function result: a status, or a trap.
pub(crate) type HostResult = wasmtime::Result<u32>;

/// Turns a status into the `i32` the guest receives.
pub(crate) fn ok(status: Status) -> HostResult {
    Ok(status as u32)
}

/// Prefixes a trap with the host function's name.
pub(crate) fn named<T>(function: &str, r: wasmtime::Result<T>) -> wasmtime::Result<T> {
    r.map_err(|e| e.context(format!("host function `{function}`")))
}

/// The plugin's Proxy-Wasm state inside the store.
pub(crate) fn state<'a>(caller: &'a mut Caller<'_, HostState>) -> &'a mut AbiState {
    &mut caller.data_mut().abi
}

/// Registers WASI preview 1 as Envoy offers it (modules `wasi_snapshot_preview1` and
/// `wasi_unstable`) and every Proxy-Wasm host
/// function (module `env`) in `linker`.
///
/// Errors: a name registered twice (only when `linker` already holds these functions).
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    wasi::add(linker)?;
    log::add(linker)?;
    headers::add(linker)?;
    buffers::add(linker)?;
    properties::add(linker)?;
    local_response::add(linker)?;
    metrics::add(linker)?;
    shared::add(linker)?;
    http_call::add(linker)?;
    timer::add(linker)?;
    context::add(linker)?;
    grpc::add(linker)?;
    Ok(())
}
