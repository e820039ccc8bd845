//! A Proxy-Wasm module over one or more policies: one root context that compiles the plugin
//! configuration, one HTTP context per request that reads the request head once and runs every
//! policy's [`Stage`] in order (as the filters of a chain would run, without a VM, a context and
//! a header map per filter). A single filter is a module of one policy; `gateway_hardening.wasm`
//! one of three.

use std::rc::Rc;

use policies::logline::{self, LoggedDecision};
use policies::request::RequestHead;
use proxy_wasm::traits::{Context, HttpContext, RootContext};
use proxy_wasm::types::{Action, ContextType};

use crate::attributes::PhaseAttributes;
use crate::stage::{Flow, Policy, RequestCtx, Stage};
use crate::{headers, log, reply};

/// How a module reads its plugin configuration into policies, in request order.
pub type Load = fn(&[u8]) -> Result<Vec<Rc<dyn Policy>>, policies::ConfigError>;

/// The root context of a module named `name` (`context-allowlist`, `gateway-hardening`).
pub struct ModuleRoot {
    name: &'static str,
    load: Load,
    /// `None` until a configuration is accepted: then every request is refused.
    policies: Option<Rc<Vec<Rc<dyn Policy>>>>,
}

impl ModuleRoot {
    /// A root context that compiles its plugin configuration with `load`.
    pub fn new(name: &'static str, load: Load) -> Self {
        Self {
            name,
            load,
            policies: None,
        }
    }
}

impl Context for ModuleRoot {}

impl RootContext for ModuleRoot {
    fn on_configure(&mut self, _plugin_configuration_size: usize) -> bool {
        // On an error Envoy rejects the listener (or exits when it is in the bootstrap), and the
        // old configuration, if any, stays.
        self.policies = crate::configure(self.name, self.load).map(Rc::new);
        self.policies.is_some()
    }

    fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
        let stages = self
            .policies
            .as_ref()
            .map(|p| p.iter().map(|p| Rc::clone(p).stage()).collect());
        Some(Box::new(ModuleHttp {
            name: self.name,
            stages,
            ran: 0,
        }))
    }

    fn get_type(&self) -> Option<ContextType> {
        Some(ContextType::HttpContext)
    }
}

/// One request through every stage.
struct ModuleHttp {
    name: &'static str,
    /// `None` when no configuration was accepted (fail closed).
    stages: Option<Vec<Box<dyn Stage>>>,
    /// How many stages saw the request headers: only those see the answer, as Envoy runs the
    /// response callback of no filter whose request callback never ran.
    ran: usize,
}

impl Context for ModuleHttp {}

/// The callback's action after the stages' flows: stop on a local response or a held body.
fn action(flow: Flow) -> Action {
    match flow {
        Flow::Continue => Action::Continue,
        Flow::Replied | Flow::Hold => Action::Pause,
    }
}

/// Runs `each` on the stages in order until one does not continue.
fn run<'a>(
    stages: impl Iterator<Item = &'a mut Box<dyn Stage>>,
    mut each: impl FnMut(&mut dyn Stage) -> Flow,
) -> Flow {
    for stage in stages {
        let flow = each(stage.as_mut());
        if flow != Flow::Continue {
            return flow;
        }
    }
    Flow::Continue
}

impl HttpContext for ModuleHttp {
    fn on_http_request_headers(&mut self, _num_headers: usize, end_of_stream: bool) -> Action {
        let pairs = headers::request().unwrap_or_default();
        let head = RequestHead::new(&pairs);
        let request_id = crate::request_id(&head);
        let Some(stages) = self.stages.as_mut() else {
            log::error(&logline::line(
                self.name,
                &request_id,
                LoggedDecision::Deny,
                "not_configured",
                head.target(),
                &[],
            ));
            reply::send(
                500,
                &reply::details(&self.name.replace('-', "_"), "not_configured"),
                &request_id,
                &[],
            );
            return Action::Pause;
        };
        let attrs = PhaseAttributes::default();
        let req = RequestCtx {
            head: &head,
            request_id: &request_id,
            attrs: &attrs,
            end_of_stream,
            debug: log::enabled(proxy_wasm::types::LogLevel::Debug),
        };
        let ran = &mut self.ran;
        action(run(stages.iter_mut(), |s| {
            *ran += 1;
            s.on_request_headers(&req)
        }))
    }

    fn on_http_request_body(&mut self, body_size: usize, end_of_stream: bool) -> Action {
        let Some(stages) = self.stages.as_mut() else {
            return Action::Continue;
        };
        action(run(stages.iter_mut(), |s| {
            s.on_request_body(body_size, end_of_stream)
        }))
    }

    fn on_http_request_trailers(&mut self, _num_trailers: usize) -> Action {
        let Some(stages) = self.stages.as_mut() else {
            return Action::Continue;
        };
        action(run(stages.iter_mut(), |s| s.on_request_trailers()))
    }

    fn on_http_response_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
        let Some(stages) = self.stages.as_mut() else {
            return Action::Continue;
        };
        // Answers pass the stages that saw the request, in reverse, as they pass a chain's
        // filters.
        let ran = self.ran.min(stages.len());
        action(run(stages.iter_mut().take(ran).rev(), |s| {
            s.on_response_headers()
        }))
    }
}

/// Writes a module's entry point (`_initialize`, through the SDK's `main!`): the panic hook,
/// the log level, and a [`ModuleRoot`] named `$name` that loads its plugin configuration with
/// `$load` (a [`Load`]). The calling crate depends on `proxy-wasm`.
#[macro_export]
macro_rules! module {
    ($name:expr, $load:expr) => {
        /// The module's entry point (`_initialize`), which the SDK's `main!` writes.
        #[allow(missing_docs)]
        mod entry {
            proxy_wasm::main! {{
                $crate::install_panic_hook($name);
                proxy_wasm::set_log_level(proxy_wasm::types::LogLevel::Trace);
                proxy_wasm::set_root_context(|_| -> Box<dyn proxy_wasm::traits::RootContext> {
                    Box::new($crate::module::ModuleRoot::new($name, $load))
                });
            }}
        }
    };
}
