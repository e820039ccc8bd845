//! The harness's SDK test filter: denies paths under the configured prefix with 403 (a local
//! response with a header, a log line and a counter), tags other requests with `x-guest:
//! <tls version or plain>`, and removes `server` from responses.

use proxy_wasm::hostcalls;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType, LogLevel, MetricType};

proxy_wasm::main! {{
    proxy_wasm::set_log_level(LogLevel::Trace);
    proxy_wasm::set_root_context(|_| Box::new(Root { prefix: String::new(), denied: 0 }));
}}

struct Root {
    prefix: String,
    denied: u32,
}

impl Context for Root {}

impl RootContext for Root {
    fn on_configure(&mut self, _size: usize) -> bool {
        let Ok(Some(bytes)) = hostcalls::get_buffer(
            proxy_wasm::types::BufferType::PluginConfiguration,
            0,
            usize::MAX,
        ) else {
            log::error!("sdk-guest: no plugin configuration");
            return false;
        };
        let Ok(prefix) = String::from_utf8(bytes) else {
            return false;
        };
        self.prefix = prefix;
        match hostcalls::define_metric(MetricType::Counter, "sdk_guest.denied") {
            Ok(id) => self.denied = id,
            Err(_) => return false,
        }
        !self.prefix.is_empty()
    }

    fn create_http_context(&self, _id: u32) -> Option<Box<dyn HttpContext>> {
        Some(Box::new(Http {
            prefix: self.prefix.clone(),
            denied: self.denied,
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

struct Http {
    prefix: String,
    denied: u32,
}

impl Context for Http {}

impl HttpContext for Http {
    fn on_http_request_headers(&mut self, _n: usize, _eos: bool) -> Action {
        let path = self
            .get_http_request_header_bytes(":path")
            .unwrap_or_default();
        if path.starts_with(self.prefix.as_bytes()) {
            let _ = hostcalls::increment_metric(self.denied, 1);
            log::info!(
                "sdk-guest decision=deny path={}",
                String::from_utf8_lossy(&path)
            );
            self.send_http_response(403, vec![("x-denied-by", "sdk-guest")], Some(b"denied"));
            return Action::Pause;
        }
        let tls = match hostcalls::get_property(vec!["connection", "tls_version"]) {
            Ok(Some(v)) => String::from_utf8_lossy(&v).into_owned(),
            _ => "plain".to_string(),
        };
        self.set_http_request_header("x-guest", Some(&tls));
        Action::Continue
    }

    fn on_http_response_headers(&mut self, _n: usize, _eos: bool) -> Action {
        self.set_http_response_header("server", None);
        Action::Continue
    }
}
