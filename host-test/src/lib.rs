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

pub mod abi;
pub mod check;
pub mod differences;
pub mod e2e;
pub mod engine;
pub mod error;
pub mod exchange;
mod flow;
pub mod host;
pub mod map;
pub mod plugin;
pub mod runner;
pub mod scenario;
mod state;
pub mod traffic;

pub use abi::http_call::{HttpCall, HttpCallResponse};
pub use abi::log::{LogLevel, LogLine};
pub use abi::metrics::{Metric, MetricKind};
pub use abi::properties::Value as PropertyValue;
pub use error::{Error, Result};
pub use exchange::{Action, Callback, ClientResponse, Exchange, UpstreamRequest};
pub use map::HeaderMap;
pub use plugin::{ModuleSource, Plugin, PluginBuilder};
pub use traffic::{Connection, HostKind, LocalResponse, Request, Response};
