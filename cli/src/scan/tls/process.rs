//! Running the `openssl` command with a time limit.

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

/// The local `openssl version` (`OpenSSL 3.0.13 30 Jan 2024`), or why it cannot run.
pub(super) fn openssl_version() -> Result<String, String> {
    let out = Command::new("openssl")
        .arg("version")
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("openssl version: {}", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs `cmd` (with its stdout and stderr piped), writes `stdin` if given (then waits a second so
/// that the peer can answer, and closes it), and returns stdout and stderr together, or why it
/// could not run; kills it after `limit`.
pub(super) fn run_with_timeout(mut cmd: Command, stdin: Option<&[u8]>, limit: Duration) -> String {
    let Ok(mut child) = cmd.spawn() else {
        return "cannot run openssl".to_owned();
    };
    if let Some(mut pipe) = child.stdin.take() {
        if let Some(bytes) = stdin {
            let _ = pipe.write_all(bytes);
            std::thread::sleep(Duration::from_secs(1));
        }
        drop(pipe);
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                break;
            }
        }
    }
    match child.wait_with_output() {
        Ok(out) => {
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            text
        }
        Err(e) => e.to_string(),
    }
}
