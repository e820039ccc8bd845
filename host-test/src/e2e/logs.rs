//! Reading what Envoy wrote during one test: its own log (the Wasm lines) and its access log
//! (response code details).

use std::path::Path;

/// The current size of `p` (0 when absent).
pub(crate) fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// The text of `p` from byte `start` on (empty when `p` is absent or shorter). Only that part
/// is read: the waits below call it every 5 ms, and Envoy's log grows to megabytes in a run.
pub(crate) fn read_from(p: &Path, start: u64) -> String {
    use std::io::{Read, Seek, SeekFrom};
    let mut bytes = Vec::new();
    if let Ok(mut file) = std::fs::File::open(p)
        && file.seek(SeekFrom::Start(start)).is_ok()
    {
        let _ = file.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
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
    fn read_from_gives_the_text_after_the_offset_only() {
        let dir = std::env::temp_dir().join(format!("logs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("envoy.log");
        std::fs::write(&p, "first\nsecond\n").unwrap();
        for (start, want) in [(0, "first\nsecond\n"), (6, "second\n"), (13, ""), (99, "")] {
            assert_eq!(read_from(&p, start), want, "row start={start}");
        }
        assert_eq!(read_from(&dir.join("absent.log"), 0), "");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wasm_log_lines_keep_level_and_message() {
        let text = "[2026-11-25 01:46:19.153][25290][info][wasm] [source/extensions/common/wasm/context.cc:1192] wasm log context-allowlist context-allowlist context-allowlist: context-allowlist request_id=1 decision=deny\n[x][1][info][main] other";
        assert_eq!(
            wasm_log_lines(text),
            vec!["[info] context-allowlist request_id=1 decision=deny"]
        );
    }
}
