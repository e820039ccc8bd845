//! Access log rotation under load (guideline P20): the example's logrotate configuration
//! (`envoy-examples/dmz-gateway/logrotate/envoy-access-log`, with the example's log path and a
//! 1 KiB size so that every run rotates) runs about once a second while load goes through the
//! gateway; Envoy reopens its log on `POST /reopen_logs`. Then every line of every rotated file
//! is read back (compressed ones with `zcat`): each request sent has exactly one line.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail, ensure};

use super::load;
use crate::project::{root, run_dir};

/// The access log file of the example (its `path`, from the repository root).
const LOG: &str = "target/run/access.jsonl";

/// The load's bounds: requests and time.
const MAX_REQUESTS: u64 = 40_000;
const MAX_TIME: Duration = Duration::from_secs(40);

/// Runs the check; prints requests sent, rotations and lines counted.
pub(crate) fn rotation_loses_no_line() -> Result<()> {
    crate::tools::ensure_command("logrotate", "logrotate")?;
    let log = root().join(LOG);
    let dir = run_dir().join("logrotate");
    std::fs::create_dir_all(&dir)?;
    let conf = dir.join("envoy-access-log");
    let shipped = std::fs::read_to_string(
        root().join("envoy-examples/dmz-gateway/logrotate/envoy-access-log"),
    )?;
    ensure!(
        shipped.contains("/var/log/envoy/access.log {") && shipped.contains("size 100M"),
        "the shipped logrotate configuration changed shape"
    );
    let text = shipped
        .replace("/var/log/envoy/access.log", &log.display().to_string())
        .replace("size 100M", "size 1k")
        .replace("rotate 14", "rotate 1000");
    std::fs::write(&conf, text)?;
    let state = dir.join("state");
    let tag = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis();
    let path = format!("/oauth2/jwks?rotation={tag}");
    let load = load::start("127.0.0.1:10000", &path, 4, MAX_REQUESTS, MAX_TIME)?;
    let done = Arc::new(AtomicBool::new(false));
    let rotated = Arc::new(AtomicU32::new(0));
    let rotator = {
        let (done, conf, state) = (Arc::clone(&done), conf.clone(), state.clone());
        let rotated = Arc::clone(&rotated);
        std::thread::spawn(move || -> Result<()> {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(700));
                let out = Command::new("logrotate")
                    .arg("-f")
                    .arg("-s")
                    .arg(&state)
                    .arg(&conf)
                    .output()
                    .context("cannot run logrotate")?;
                if !out.status.success() {
                    bail!(
                        "logrotate failed: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    );
                }
                rotated.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
    };
    // The load runs until four rotations have happened under it (the first ones can be slow: the
    // log holds every earlier step's lines), within its bounds.
    while (rotated.load(Ordering::Relaxed) < 4 || load.sent() < 2_000)
        && load.sent() < MAX_REQUESTS
        && load.elapsed() < MAX_TIME
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let outcomes = load.finish();
    let rotations = rotated.load(Ordering::Relaxed);
    done.store(true, Ordering::Relaxed);
    rotator
        .join()
        .map_err(|_| anyhow::anyhow!("the rotation thread panicked"))??;
    // Envoy flushes its access log every 10 ms (`up` starts it so).
    std::thread::sleep(Duration::from_millis(500));
    let (files, lines) = count_lines(&log, &format!("rotation={tag}&n="))?;
    let answered = outcomes.len() as u64;
    let missing: Vec<u64> = (0..answered).filter(|n| !lines.contains_key(n)).collect();
    let twice: Vec<u64> = lines
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(n, _)| *n)
        .collect();
    let total: u64 = lines.values().sum();
    println!(
        "access log rotation under load: {}; {rotations} rotations; {total} lines in {files} files for {answered} requests",
        load::summary(&outcomes),
    );
    ensure!(rotations >= 3, "only {rotations} rotations during the load");
    ensure!(
        missing.is_empty() && twice.is_empty() && total == answered,
        "lines lost or doubled: {} missing (first {:?}), {} twice (first {:?})",
        missing.len(),
        missing.iter().take(5).collect::<Vec<_>>(),
        twice.len(),
        twice.iter().take(5).collect::<Vec<_>>()
    );
    ensure!(
        outcomes.iter().all(load::Outcome::ok),
        "requests failed during the rotation"
    );
    Ok(())
}

/// Reads `log` and every rotated file beside it (`log.N`, `log.N.gz`); returns how many files
/// and, per request number found after `marker`, how many lines name it.
fn count_lines(log: &std::path::Path, marker: &str) -> Result<(usize, BTreeMap<u64, u64>)> {
    let dir = log.parent().context("log without a directory")?;
    let name = log
        .file_name()
        .and_then(|n| n.to_str())
        .context("bad log name")?;
    let mut counts = BTreeMap::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if file != name && !file.starts_with(&format!("{name}.")) {
            continue;
        }
        files += 1;
        let out = Command::new("zcat")
            .arg("-f")
            .arg(&path)
            .output()
            .context("cannot run zcat")?;
        ensure!(out.status.success(), "zcat -f {} failed", path.display());
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if let Some(rest) = line.split(marker).nth(1) {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(n) = digits.parse::<u64>() {
                    *counts.entry(n).or_insert(0) += 1;
                }
            }
        }
    }
    Ok((files, counts))
}
