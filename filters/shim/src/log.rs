//! Logging through `proxy_log`. Every line a filter writes is built by
//! `policies::logline::line`, which escapes client-controlled values.

use proxy_wasm::hostcalls;
use proxy_wasm::types::LogLevel;

/// Logs `message` at `level`; a host that refuses the call loses the line, never the request.
pub fn write(level: LogLevel, message: &str) {
    let _ = hostcalls::log(level, message);
}

/// Whether the host writes lines at `level` (`proxy_get_log_level`; Envoy answers with its `wasm`
/// logger's level, which `/logging` changes at run time). Lets a filter skip building a line the
/// host would drop; a host that cannot say gets every line.
pub fn enabled(level: LogLevel) -> bool {
    hostcalls::get_log_level().map_or(true, |host| level as u32 >= host as u32)
}

/// Logs at `info`.
pub fn info(message: &str) {
    write(LogLevel::Info, message);
}

/// Logs at `debug`.
pub fn debug(message: &str) {
    write(LogLevel::Debug, message);
}

/// Logs at `warn`.
pub fn warn(message: &str) {
    write(LogLevel::Warn, message);
}

/// Logs at `error`.
pub fn error(message: &str) {
    write(LogLevel::Error, message);
}

/// Logs at `debug` the trace of a decision (`policies::trace`, one line of JSON after
/// `<filter> request_id=<id> trace=`): the normalisation steps, the landings, the rule, the
/// connection facts and header edits that decided. Callers build the trace only when
/// [`enabled`] says the host writes `debug` lines.
pub fn trace(request_id: &str, trace: &policies::trace::Trace) {
    match serde_json::to_string(trace) {
        Ok(json) => debug(&format!(
            "{} request_id={} trace={json}",
            trace.policy,
            policies::logline::escape(request_id.as_bytes())
        )),
        Err(e) => error(&format!("{}: cannot write a trace: {e}", trace.policy)),
    }
}
