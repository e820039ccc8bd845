//! `HostState`, the typed data of one `Store`, and the limits put on a guest.

use std::fmt::Write as _;

use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};

use crate::state::AbiState;

/// The largest linear memory a guest may grow to, in bytes (256 MiB).
pub const MAX_MEMORY_BYTES: usize = 256 << 20;
/// The most table elements a guest may have.
pub const MAX_TABLE_ELEMENTS: usize = 1 << 20;
/// Fuel (about one unit per Wasm instruction) granted to each callback: a guest that loops
/// forever traps with "all fuel consumed" instead of hanging the test.
pub const FUEL_PER_CALLBACK: u64 = 2_000_000_000;

/// The data of one `Store`: limits, and the Proxy-Wasm state of one plugin (WASI keeps none:
/// `abi/wasi.rs`).
pub struct HostState {
    pub(crate) limits: Limits,
    pub(crate) abi: AbiState,
}

impl HostState {
    pub(crate) fn new(abi: AbiState) -> Self {
        HostState {
            limits: Limits::default(),
            abi,
        }
    }
}

/// wasmtime's `StoreLimits` (memory and table caps), remembering what they refused so that the
/// trap that follows (a guest allocator aborting) is reported with its cause.
pub(crate) struct Limits {
    inner: StoreLimits,
    /// Human-readable notes about refused growth, drained when a trap is reported.
    pub(crate) refused: Vec<String>,
}

impl Default for Limits {
    fn default() -> Self {
        let inner = StoreLimitsBuilder::new()
            .memory_size(MAX_MEMORY_BYTES)
            .table_elements(MAX_TABLE_ELEMENTS)
            .instances(1)
            .build();
        Limits {
            inner,
            refused: Vec::new(),
        }
    }
}

impl Limits {
    /// Takes the notes about refused growth, as `; note: …` text (empty when none).
    pub(crate) fn take_notes(&mut self) -> String {
        let mut out = String::new();
        for note in self.refused.drain(..) {
            let _ = write!(out, "; note: {note}");
        }
        out
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

impl ResourceLimiter for Limits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if !allowed {
            self.refused.push(format!(
                "the host refused to grow guest memory from {} to {} (limit {})",
                mib(current),
                mib(desired),
                mib(MAX_MEMORY_BYTES)
            ));
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.table_growing(current, desired, maximum)?;
        if !allowed {
            self.refused.push(format!(
                "the host refused to grow a table from {current} to {desired} elements"
            ));
        }
        Ok(allowed)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}
