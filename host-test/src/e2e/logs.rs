//! Reading what Envoy wrote during one test: its own log (the Wasm lines) and its access log
//! (response code details).

use std::path::Path;

/// The current size of `p` (0 when absent).
pub(crate) fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// The text of `p` from byte `start` on.
pub(crate) fn read_from(p: &Path, start: u64) -> String {
    let bytes = std::fs::read(p).unwrap_or_default();
    let from = usize::try_from(start).unwrap_or(0).min(bytes.len());
    String::from_utf8_lossy(bytes.get(from..).unwrap_or_default()).into_owned()
}

/// Waits until the complete lines `p` has after byte `start` satisfy `done`, polling every
/// 5 ms for at most `cap`. Returns whether they did.
pub(crate) fn wait_until(
    p: &Path,
    start: u64,
    cap: std::time::Duration,
    done: impl Fn(&str) -> bool,
) -> bool {
    let deadline = std::time::Instant::now() + cap;
    loop {
        let text = read_from(p, start);
        let complete = text.rsplit_once('\n').map_or("", |(done, _)| done);
        if done(complete) {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Envoy's `[time][tid][level][wasm] [file:line] wasm log <names>: message` lines, as
/// `[level] message` like the wasmtime host's.
pub fn wasm_log_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let at = l.find("][wasm] ")?;
            let level = l.get(..at)?.rsplit('[').next()?;
            let rest = l.get(at..)?;
            let msg = rest
                .find("wasm log ")
                .and_then(|i| rest.get(i..))
                .and_then(|r| r.split_once(": "))
                .map(|(_, m)| m);
            Some(format!("[{level}] {}", msg.unwrap_or(rest)))
        })
        .collect()
}

/// The `details` of this test's access log line: the one with our request id, else the last
/// line written during the test (Envoy may replace a client's `x-request-id`; tests run one
/// at a time).
pub(crate) fn access_details(text: &str, request_id: &str) -> Option<String> {
    let lines: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let line = lines
        .iter()
        .find(|v| v.get("request_id").and_then(|r| r.as_str()) == Some(request_id))
        .or(lines.last())?;
    line.get("details")
        .and_then(|d| d.as_str())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wasm_log_lines_keep_level_and_message() {
        let text = "[2026-11-25 01:46:19.153][25290][info][wasm] [source/extensions/common/wasm/context.cc:1192] wasm log context-allowlist context-allowlist context-allowlist: context-allowlist request_id=1 decision=deny\n[x][1][info][main] other";
        assert_eq!(
            wasm_log_lines(text),
            vec!["[info] context-allowlist request_id=1 decision=deny"]
        );
    }
}
