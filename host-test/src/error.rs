//! The errors of the host: loading a module, running its callbacks, reading scenario files.

use std::path::PathBuf;

/// What went wrong while loading or running a Proxy-Wasm module.
///
/// Every variant names the module function or host function involved, so a failing test says
/// where to look. A guest that misbehaves never panics the host: it ends in one of these.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The `.wasm` file is missing; `build` is the command that produces it.
    #[error("module {path} not found: build it with `{build}` (or `cargo xtask build`)")]
    ModuleMissing {
        /// Where the module was looked up.
        path: PathBuf,
        /// The command that builds it.
        build: String,
    },
    /// The `.wasm` file is older than a source file it is built from.
    #[error(
        "module {path} is older than {newer}: rebuild it with `{build}` (or `cargo xtask build`)"
    )]
    ModuleStale {
        /// The module.
        path: PathBuf,
        /// A source file changed after the module was built.
        newer: PathBuf,
        /// The command that rebuilds it.
        build: String,
    },
    /// The bytes are not a WebAssembly module wasmtime can compile.
    #[error("cannot compile module {name}: {message}")]
    Compile {
        /// The file name or `<bytes>`.
        name: String,
        /// wasmtime's message.
        message: String,
    },
    /// The module imports a function this host does not provide.
    #[error("module imports `{module}::{name}`, which this host does not provide")]
    UnknownImport {
        /// Import module, e.g. `env`.
        module: String,
        /// Import name, e.g. `proxy_get_foo`.
        name: String,
    },
    /// The module does not export `proxy_abi_version_0_2_1` (or `_0_2_0`).
    #[error("module is not a Proxy-Wasm 0.2.x module: it exports {found}")]
    AbiVersion {
        /// The `proxy_abi_version_*` exports found, or `no proxy_abi_version_* function`.
        found: String,
    },
    /// A callback the host needs is not exported.
    #[error(
        "module does not export `{function}` (or exports it with another signature): {message}"
    )]
    MissingExport {
        /// The export name.
        function: &'static str,
        /// wasmtime's message.
        message: String,
    },
    /// The guest trapped (or a host function trapped it) while the host called `function`.
    #[error("guest trapped in `{function}`: {message}")]
    Trap {
        /// The module export the host was calling, e.g. `proxy_on_request_headers`.
        function: String,
        /// The trap, with the host function that raised it when there is one.
        message: String,
    },
    /// `proxy_on_vm_start` returned false.
    #[error("proxy_on_vm_start returned false (the VM configuration was rejected)")]
    VmStartRejected,
    /// `proxy_on_configure` returned false: the plugin configuration was rejected.
    #[error("proxy_on_configure returned false: the plugin configuration was rejected{logs}")]
    ConfigureRejected {
        /// The module's log lines, prefixed by `; logs: ` when there are any.
        logs: String,
    },
    /// The instance was broken by an earlier trap; like Envoy's fail-closed VM, it stays dead.
    #[error("the plugin's VM trapped earlier and is dead: {0}")]
    Dead(String),
    /// Anything else (instantiation, I/O).
    #[error("{0}")]
    Other(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
