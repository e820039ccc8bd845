//! Logging: `proxy_log`, `proxy_get_log_level`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read_string, write_u32};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;

/// `proxy_log_level_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// 0
    Trace,
    /// 1
    Debug,
    /// 2
    Info,
    /// 3
    Warn,
    /// 4
    Error,
    /// 5
    Critical,
}

impl LogLevel {
    /// The level for an ABI number, `None` for an unknown one.
    pub fn from_abi(n: u32) -> Option<Self> {
        Some(match n {
            0 => LogLevel::Trace,
            1 => LogLevel::Debug,
            2 => LogLevel::Info,
            3 => LogLevel::Warn,
            4 => LogLevel::Error,
            5 => LogLevel::Critical,
            _ => return None,
        })
    }

    /// Lower-case name, as Envoy prints it (`info`, `warn`…).
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
            LogLevel::Critical => "critical",
        }
    }
}

/// One line the module logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Its level.
    pub level: LogLevel,
    /// The message, lossy UTF-8.
    pub message: String,
    /// The context that was effective when it was logged.
    pub context_id: u32,
}

/// Lines logged by the module, and the level the host reports.
#[derive(Debug)]
pub(crate) struct Logs {
    pub(crate) lines: Vec<LogLine>,
    /// Lines dropped from the front so far (to keep at most `MAX_LINES`).
    pub(crate) dropped: usize,
    pub(crate) level: LogLevel,
}

impl Default for Logs {
    fn default() -> Self {
        Logs {
            lines: Vec::new(),
            dropped: 0,
            level: LogLevel::Trace,
        }
    }
}

impl Logs {
    /// Lines logged since the module started, dropped ones included.
    pub(crate) fn total(&self) -> usize {
        self.dropped + self.lines.len()
    }

    /// The kept lines from position `since` (a former `total()`) on.
    pub(crate) fn since(&self, since: usize) -> &[LogLine] {
        let from = since.saturating_sub(self.dropped);
        self.lines.get(from..).unwrap_or_default()
    }
}

/// Most lines kept per plugin; beyond that the older half is dropped.
const MAX_LINES: usize = 100_000;

fn log(caller: &mut Caller<'_, HostState>, level: u32, ptr: u32, len: u32) -> HostResult {
    let Some(level) = LogLevel::from_abi(level) else {
        return ok(Status::BadArgument);
    };
    let message = read_string(caller, ptr, len, "log message")?;
    push(state(caller), level, message);
    ok(Status::Ok)
}

/// Keeps one log line of the effective context (`proxy_log`, and WASI `fd_write` to stdout or
/// stderr, which Envoy also logs).
pub(crate) fn push(st: &mut crate::state::AbiState, level: LogLevel, message: String) {
    let context_id = st.effective_context;
    if st.logs.lines.len() >= MAX_LINES {
        st.logs.lines.drain(..MAX_LINES / 2);
        st.logs.dropped += MAX_LINES / 2;
    }
    st.logs.lines.push(LogLine {
        level,
        message,
        context_id,
    });
}

fn get_log_level(caller: &mut Caller<'_, HostState>, out: u32) -> HostResult {
    let level = state(caller).logs.level as u32;
    write_u32(caller, out, level, "return log level")?;
    ok(Status::Ok)
}

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_log",
        |mut c: Caller<'_, HostState>, l: u32, p: u32, n: u32| {
            named("proxy_log", log(&mut c, l, p, n))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_log_level",
        |mut c: Caller<'_, HostState>, out: u32| {
            named("proxy_get_log_level", get_log_level(&mut c, out))
        },
    )?;
    Ok(())
}
