//! A plugin: one module instance in its own `Store`, with its root context configured.

use std::path::PathBuf;
use std::time::Duration;

use wasmtime::{Instance, Module, Store, WasmBacktrace, WasmParams, WasmResults};

use crate::abi::http_call::{HttpCall, HttpCallResponse};
use crate::abi::log::{LogLevel, LogLine};
use crate::abi::metrics::Metric;
use crate::engine::{compile, compile_path, engine, linker};
use crate::error::{Error, Result};
use crate::host::{FUEL_PER_CALLBACK, HostState};
use crate::state::{AbiState, Phase};
use crate::traffic::HostKind;

/// Where a module comes from.
#[derive(Clone)]
pub enum ModuleSource {
    /// A `.wasm` file, compiled once per process.
    Path(PathBuf),
    /// Module bytes: binary, or WAT text.
    Bytes(Vec<u8>),
    /// An already compiled module (from [`crate::engine::compile`]).
    Module(Module),
}

/// Settings for [`Plugin::start`]; build with [`Plugin::builder`].
#[derive(Clone)]
pub struct PluginBuilder {
    source: ModuleSource,
    configuration: Vec<u8>,
    vm_configuration: Vec<u8>,
    host: HostKind,
    log_level: LogLevel,
    plugin_name: String,
    root_id: String,
    properties: Vec<(Vec<u8>, Vec<u8>)>,
    known_upstreams: Option<Vec<String>>,
    allow_on_headers_stop_iteration: bool,
}

impl PluginBuilder {
    /// Sets the plugin configuration (the bytes `proxy_on_configure` reads; usually JSON).
    pub fn configuration(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.configuration = bytes.as_ref().to_vec();
        self
    }
    /// Sets the VM configuration (read in `proxy_on_vm_start`).
    pub fn vm_configuration(mut self, bytes: impl AsRef<[u8]>) -> Self {
        self.vm_configuration = bytes.as_ref().to_vec();
        self
    }
    /// Chooses the property encodings (default Envoy).
    pub fn host(mut self, host: HostKind) -> Self {
        self.host = host;
        self
    }
    /// The level `proxy_get_log_level` reports (default `Trace`: every line is kept).
    pub fn log_level(mut self, level: LogLevel) -> Self {
        self.log_level = level;
        self
    }
    /// `plugin_name` (default `test`).
    pub fn name(mut self, name: &str) -> Self {
        self.plugin_name = name.to_string();
        self
    }
    /// `plugin_root_id` (default empty).
    pub fn root_id(mut self, root_id: &str) -> Self {
        self.root_id = root_id.to_string();
        self
    }
    /// Adds a property with its already-encoded value; `path` segments are joined by `.`
    /// here for convenience (`"node.id"`), or give NUL-joined bytes through the scenario API.
    pub fn property(mut self, path: &str, value: impl AsRef<[u8]>) -> Self {
        let path = path.replace('.', "\0").into_bytes();
        self.properties.push((path, value.as_ref().to_vec()));
        self
    }
    /// Restricts `proxy_http_call` to these upstream names (others answer `BadArgument`).
    pub fn upstreams(mut self, names: &[&str]) -> Self {
        self.known_upstreams = Some(names.iter().map(|s| s.to_string()).collect());
        self
    }
    /// Envoy's `PluginConfig.allow_on_headers_stop_iteration` (Envoy 1.35 and later; default
    /// false). Off, a `Pause` from `proxy_on_request_headers`/`proxy_on_response_headers` stops
    /// the whole stream, as Envoy's default does (proxy-wasm-cpp-host turns `StopIteration` into
    /// `StopAllIterationAndWatermark`): the body and trailers reach the module only after
    /// `proxy_continue_stream`. On, the pause stops the headers only: the module still gets the
    /// body and trailers, and `Continue` from one of them sends the headers on.
    pub fn allow_on_headers_stop_iteration(mut self, allow: bool) -> Self {
        self.allow_on_headers_stop_iteration = allow;
        self
    }
    /// Instantiates the module and configures its root context: `_initialize`,
    /// `proxy_on_context_create`, `proxy_on_vm_start`, `proxy_on_configure`.
    ///
    /// Errors: [`Error::Compile`], [`Error::UnknownImport`], [`Error::AbiVersion`],
    /// [`Error::Trap`], [`Error::VmStartRejected`], [`Error::ConfigureRejected`].
    pub fn start(self) -> Result<Plugin> {
        Plugin::start(self)
    }
}

/// One instantiated module with a configured root context (id 1). Independent of every
/// other `Plugin`: its own store, memory, logs, metrics and shared data.
pub struct Plugin {
    pub(crate) store: Store<HostState>,
    instance: Instance,
    pub(crate) next_context_id: u32,
    dead: Option<String>,
    /// [`PluginBuilder::allow_on_headers_stop_iteration`].
    pub(crate) allow_on_headers_stop_iteration: bool,
}

impl Plugin {
    /// The size of the module's linear memory (its exported `memory`), in bytes: what its heap
    /// has grown to (a Wasm memory never shrinks). 0 when the module exports none.
    pub fn memory_bytes(&mut self) -> usize {
        self.instance
            .get_memory(&mut self.store, "memory")
            .map_or(0, |m| m.data_size(&self.store))
    }

    /// Starts building a plugin from `source`.
    pub fn builder(source: ModuleSource) -> PluginBuilder {
        PluginBuilder {
            source,
            configuration: Vec::new(),
            vm_configuration: Vec::new(),
            host: HostKind::Envoy,
            log_level: LogLevel::Trace,
            plugin_name: "test".to_string(),
            root_id: String::new(),
            properties: Vec::new(),
            known_upstreams: None,
            allow_on_headers_stop_iteration: false,
        }
    }

    fn start(b: PluginBuilder) -> Result<Plugin> {
        let module = match b.source {
            ModuleSource::Path(p) => compile_path(&p)?,
            ModuleSource::Bytes(bytes) => compile(&bytes, "<bytes>")?,
            ModuleSource::Module(m) => m,
        };
        check_exports(&module)?;
        let linker = linker()?;
        let mut abi = AbiState::new(b.host);
        abi.vm_configuration = b.vm_configuration;
        abi.plugin_configuration = b.configuration;
        abi.logs.level = b.log_level;
        abi.http_calls.known_upstreams = b.known_upstreams;
        for (k, v) in [
            ("plugin_name", b.plugin_name.as_str()),
            ("plugin_root_id", b.root_id.as_str()),
            ("plugin_vm_id", ""),
        ] {
            abi.plugin_properties
                .insert(k.as_bytes().to_vec(), v.as_bytes().to_vec());
        }
        abi.extra_properties.extend(b.properties);
        let mut store = Store::new(engine(), HostState::new(abi));
        store.limiter(|s| &mut s.limits);
        for import in module.imports() {
            if !crate::engine::provides(import.module(), import.name()) {
                return Err(Error::UnknownImport {
                    module: import.module().to_string(),
                    name: import.name().to_string(),
                });
            }
        }
        store
            .set_fuel(FUEL_PER_CALLBACK)
            .map_err(|e| Error::Other(e.to_string()))?;
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| Error::Trap {
                function: "instantiate".to_string(),
                message: format!("{e:#}"),
            })?;
        let mut plugin = Plugin {
            store,
            instance,
            next_context_id: 2,
            dead: None,
            allow_on_headers_stop_iteration: b.allow_on_headers_stop_iteration,
        };
        plugin.call::<(), ()>("_initialize", Phase::Setup, 1, ())?;
        plugin.call::<(u32, u32), ()>("proxy_on_context_create", Phase::Setup, 1, (1, 0))?;
        let vm_len = len32(plugin.store.data().abi.vm_configuration.len());
        let started =
            plugin.call::<(u32, u32), u32>("proxy_on_vm_start", Phase::VmStart, 1, (1, vm_len))?;
        if started == Some(0) {
            return Err(Error::VmStartRejected);
        }
        let cfg_len = len32(plugin.store.data().abi.plugin_configuration.len());
        let configured = plugin.call::<(u32, u32), u32>(
            "proxy_on_configure",
            Phase::Configure,
            1,
            (1, cfg_len),
        )?;
        if configured == Some(0) {
            let mut logs = String::new();
            for l in plugin.logs() {
                logs.push_str(if logs.is_empty() { "; logs: " } else { " | " });
                logs.push_str(&l.message);
            }
            return Err(Error::ConfigureRejected { logs });
        }
        Ok(plugin)
    }

    /// Calls the export `function` with `params` as context `context_id` in `phase`.
    /// Returns `None` when the module does not export it (the callback is skipped).
    ///
    /// Errors: [`Error::Dead`] after an earlier trap, [`Error::MissingExport`] when the export
    /// has another signature, [`Error::Trap`] when the call traps (the plugin is then dead).
    pub(crate) fn call<P: WasmParams, R: WasmResults>(
        &mut self,
        function: &'static str,
        phase: Phase,
        context_id: u32,
        params: P,
    ) -> Result<Option<R>> {
        if let Some(reason) = &self.dead {
            return Err(Error::Dead(reason.clone()));
        }
        let Some(func) = self.instance.get_func(&mut self.store, function) else {
            return Ok(None);
        };
        let typed = func
            .typed::<P, R>(&self.store)
            .map_err(|e| Error::MissingExport {
                function,
                message: format!("{e:#}"),
            })?;
        let abi = &mut self.store.data_mut().abi;
        let saved = (abi.phase, abi.effective_context);
        abi.phase = phase;
        abi.effective_context = context_id;
        let _ = self.store.set_fuel(FUEL_PER_CALLBACK);
        let result = typed.call(&mut self.store, params);
        let abi = &mut self.store.data_mut().abi;
        abi.phase = saved.0;
        abi.effective_context = saved.1;
        match result {
            Ok(r) => Ok(Some(r)),
            Err(e) => {
                let notes = self.store.data_mut().limits.take_notes();
                let message = format!("{}{notes}", describe(&e));
                self.dead = Some(format!("{function}: {message}"));
                Err(Error::Trap {
                    function: function.to_string(),
                    message,
                })
            }
        }
    }

    /// The lines the module logged since it started (the latest 50 000 to 100 000 when it
    /// logged more).
    pub fn logs(&self) -> &[LogLine] {
        &self.store.data().abi.logs.lines
    }

    /// The value of the metric named `name` (counter or gauge value, histogram count).
    pub fn metric(&self, name: &str) -> Option<i64> {
        self.store.data().abi.metrics.value(name)
    }

    /// Every metric the module defined.
    pub fn metrics(&self) -> &[Metric] {
        &self.store.data().abi.metrics.defined
    }

    /// Shared data stored under `key`, with its CAS.
    pub fn shared_data(&self, key: &[u8]) -> Option<(&[u8], u32)> {
        self.store
            .data()
            .abi
            .shared
            .data
            .get(key)
            .map(|(v, cas)| (v.as_slice(), *cas))
    }

    /// The tick period the module asked for, in milliseconds (0: none).
    pub fn tick_period_ms(&self) -> u32 {
        self.store.data().abi.tick_period_ms
    }

    /// True once the module called `proxy_done`.
    pub fn done_called(&self) -> bool {
        self.store.data().abi.done_called
    }

    /// Calls waiting for an answer.
    pub fn pending_http_calls(&self) -> &[HttpCall] {
        &self.store.data().abi.http_calls.pending
    }

    /// Answers call `token` by running `proxy_on_http_call_response` in the context that
    /// made it. Errors: `Error::Other` for an unknown token, or a trap.
    pub fn answer_http_call(&mut self, token: u32, response: HttpCallResponse) -> Result<()> {
        let calls = &mut self.store.data_mut().abi.http_calls;
        let Some(pos) = calls.pending.iter().position(|c| c.token == token) else {
            return Err(Error::Other(format!(
                "no pending HTTP call with token {token}"
            )));
        };
        let call = calls.pending.remove(pos);
        let args = (
            call.context_id,
            token,
            len32(response.headers.len()),
            len32(response.body.len()),
            len32(response.trailers.len()),
        );
        calls.current = Some(response);
        let r = self.call::<(u32, u32, u32, u32, u32), ()>(
            "proxy_on_http_call_response",
            Phase::HttpCallResponse,
            call.context_id,
            args,
        );
        self.store.data_mut().abi.http_calls.current = None;
        r.map(|_| ())
    }

    /// Runs `proxy_on_tick` once on the root context.
    pub fn tick(&mut self) -> Result<()> {
        self.call::<u32, ()>("proxy_on_tick", Phase::Root, 1, 1)
            .map(|_| ())
    }

    /// Moves the plugin's clock forward by `by`, running `proxy_on_tick` once per elapsed
    /// tick period; returns how many ticks ran.
    pub fn advance(&mut self, by: Duration) -> Result<u64> {
        let period = u128::from(self.tick_period_ms());
        let abi = &mut self.store.data_mut().abi;
        let ns = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        abi.now_ns = abi.now_ns.saturating_add(ns);
        let ticks = by.as_millis().checked_div(period).unwrap_or(0);
        let ticks = u64::try_from(ticks).unwrap_or(u64::MAX);
        for _ in 0..ticks {
            self.tick()?;
        }
        Ok(ticks)
    }

    /// Runs `proxy_on_queue_ready` for every queue enqueued to since the last delivery.
    pub fn deliver_queues(&mut self) -> Result<()> {
        let ready = std::mem::take(&mut self.store.data_mut().abi.shared.ready);
        for id in ready {
            self.call::<(u32, u32), ()>("proxy_on_queue_ready", Phase::Root, 1, (1, id))?;
        }
        Ok(())
    }
}

/// A trap as one line: the host function's context and the cause, without the backtrace.
fn describe(e: &wasmtime::Error) -> String {
    let parts: Vec<String> = e
        .chain()
        .map(|c| c.to_string())
        .filter(|c| !c.starts_with("error while executing at wasm backtrace"))
        .collect();
    let mut text = parts.join(": ");
    if let Some(bt) = e.downcast_ref::<WasmBacktrace>()
        && let Some(name) = bt.frames().first().and_then(|f| f.func_name())
    {
        text.push_str(&format!(" (in guest function `{name}`)"));
    }
    text
}

/// Checks the ABI version export: `proxy_abi_version_0_2_1` or `proxy_abi_version_0_2_0`.
fn check_exports(module: &Module) -> Result<()> {
    let versions: Vec<String> = module
        .exports()
        .map(|e| e.name().to_string())
        .filter(|n| n.starts_with("proxy_abi_version_"))
        .collect();
    if versions
        .iter()
        .any(|v| v == "proxy_abi_version_0_2_1" || v == "proxy_abi_version_0_2_0")
    {
        return Ok(());
    }
    let found = if versions.is_empty() {
        "no proxy_abi_version_* function".to_string()
    } else {
        versions.join(", ")
    };
    Err(Error::AbiVersion { found })
}

pub(crate) fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
