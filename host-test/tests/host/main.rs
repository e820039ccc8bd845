//! host-test's integration tests, one test binary (each file under `tests/` would be its own
//! binary linking wasmtime: about 14 minutes of a cold CI build and 7 GB of disk for 12 of them).
//! The wasmtime host's tests need the default `wasmtime-host` feature; the TLS transport's do not.

#[cfg(feature = "wasmtime-host")]
mod abi_buffers;
#[cfg(feature = "wasmtime-host")]
mod abi_calls_context;
#[cfg(feature = "wasmtime-host")]
mod abi_headers;
#[cfg(feature = "wasmtime-host")]
mod abi_memory;
#[cfg(feature = "wasmtime-host")]
mod abi_metrics_shared;
#[cfg(feature = "wasmtime-host")]
mod abi_properties;
#[cfg(feature = "wasmtime-host")]
mod abi_wasi;
#[cfg(feature = "wasmtime-host")]
mod common;
#[cfg(feature = "wasmtime-host")]
mod kill_matrix;
#[cfg(feature = "wasmtime-host")]
mod lifecycle;
#[cfg(feature = "wasmtime-host")]
mod product_routing_corpus;
#[cfg(feature = "wasmtime-host")]
mod scenarios;
#[cfg(feature = "wasmtime-host")]
mod sdk_guest;
mod tls;
