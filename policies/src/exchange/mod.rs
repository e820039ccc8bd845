//! One exchange (a request, its connection, the upstream's answer) through a module's policies,
//! natively: what the playground runs in the browser and the scenario runner explains a failing
//! test with. It follows the filters' module (`filter_shim::module`): the policies see the
//! request headers in order (header-hardening, tls-guard, context-allowlist, as
//! [`crate::combined::SECTIONS`]), then a held body, until one answers with a local response;
//! the answer (the upstream's or the local response) passes the policies that saw the request,
//! in reverse. Every decision comes with its trace ([`crate::trace`]).
//!
//! The playground's Chromium test holds this model to the `.wasm` modules: for every test of
//! every scenario file, the same status and the same local response as the wasmtime host.

mod input;
mod module;
mod run;
mod value;

pub use input::{Exchange, RequestInput, UpstreamInput};
pub use module::{Module, PolicyPlan};
pub use run::{ExchangeOutcome, Header};
pub use value::{Bytes, HostKind, PropertyValue};

#[cfg(test)]
mod tests;
