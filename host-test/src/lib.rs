//! A wasmtime host for the Proxy-Wasm ABI 0.2.1 that runs compiled filters offline, and the
//! scenario runners (this host, and real Envoy for differential runs).
//!
//! # Example: one request through a plugin
//!
//! ```no_run
//! use host_test::{Connection, ModuleSource, Plugin, Request, Response};
//!
//! let mut plugin = Plugin::builder(ModuleSource::Path("target/wasm32-wasip1/release/context_allowlist.wasm".into()))
//!     .configuration(r#"{"allow":["/oauth2/*"]}"#)
//!     .start()?;
//! let ex = plugin.exchange(
//!     &Connection::new().source("10.1.2.3:40000".parse()?),
//!     &Request::get("/carbon/admin/login.jsp").authority("is.example.com"),
//!     &Response::ok(),
//! )?;
//! assert_eq!(ex.status(), Some(403));
//! assert!(!ex.reached_upstream());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "wasmtime-host")]
pub mod abi;
pub mod answers;
pub mod check;
pub mod differences;
pub mod e2e;
#[cfg(feature = "wasmtime-host")]
pub mod engine;
pub mod error;
#[cfg(feature = "wasmtime-host")]
pub mod exchange;
#[cfg(feature = "wasmtime-host")]
mod flow;
#[cfg(feature = "wasmtime-host")]
pub mod host;
#[cfg(feature = "wasmtime-host")]
pub mod kill;
pub mod map;
#[cfg(feature = "wasmtime-host")]
pub mod playground;
#[cfg(feature = "wasmtime-host")]
pub mod plugin;
#[cfg(feature = "wasmtime-host")]
pub mod runner;
pub mod scenario;
#[cfg(feature = "wasmtime-host")]
pub mod stand_in;
#[cfg(feature = "wasmtime-host")]
mod state;
pub mod traffic;

#[cfg(feature = "wasmtime-host")]
pub use abi::http_call::{HttpCall, HttpCallResponse};
#[cfg(feature = "wasmtime-host")]
pub use abi::log::{LogLevel, LogLine};
#[cfg(feature = "wasmtime-host")]
pub use abi::metrics::{Metric, MetricKind};
#[cfg(feature = "wasmtime-host")]
pub use abi::properties::Value as PropertyValue;
pub use error::{Error, Result};
#[cfg(feature = "wasmtime-host")]
pub use exchange::{Action, Callback, ClientResponse, Exchange, UpstreamRequest};
pub use map::HeaderMap;
#[cfg(feature = "wasmtime-host")]
pub use plugin::{ModuleSource, Plugin, PluginBuilder};
pub use traffic::{Connection, HostKind, LocalResponse, Request, Response};
