//! OCI images of the gateway-hardening filters, in the Wasm image specification Istio implements
//! (see [`spec`]), and the Istio `WasmPlugin` manifests that load them.
//!
//! - [`image`] builds an image (compat or oci variant) from a `.wasm`, byte-for-byte reproducibly;
//!   [`layout`] writes and reads it as an OCI image layout directory; [`fresh`] refuses a stale
//!   module.
//! - [`registry`] pushes and pulls with `oci-client` (credentials from [`auth`]).
//! - [`istio`] writes the `WasmPlugin` manifests (YAML by [`yaml`]).
#![forbid(unsafe_code)]

pub mod auth;
pub mod compat;
pub mod digest;
pub mod fresh;
pub mod image;
pub mod istio;
pub mod layout;
pub mod registry;
pub mod spec;
pub mod wasm;
pub mod yaml;
