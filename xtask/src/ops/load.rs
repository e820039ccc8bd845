//! A bounded load for the operations checks: `workers` threads send `GET path?n=<i>` (one
//! connection per request, HTTP/1.1, through `gateway_hardening_cli::http`) until `max` requests
//! or `max_time` or [`Load::finish`], and remember each answer: its number, status and the mock
//! node that served it (`x-mock-upstream`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use gateway_hardening_cli::http::{self, Target};

/// One request's answer.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Its number (`?n=`), from 0.
    pub(crate) n: u64,
    /// When it was answered, from the start of the load.
    pub(crate) at: Duration,
    /// The status, or the error when there was no answer.
    pub(crate) status: Result<u16, String>,
    /// The mock node that served it (`x-mock-upstream`), if one did.
    pub(crate) node: Option<String>,
}

impl Outcome {
    /// Whether the client got what it asked for: a 2xx.
    pub(crate) fn ok(&self) -> bool {
        matches!(self.status, Ok(s) if (200..300).contains(&s))
    }
}

/// A running load.
pub(crate) struct Load {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
    start: Instant,
    workers: Vec<JoinHandle<Vec<Outcome>>>,
}

/// Starts `workers` threads against `addr` (`127.0.0.1:10000`): `GET {path}?n=<i>` (or `&n=`
/// when `path` has a query), at most `max` requests in all and for at most `max_time`.
pub(crate) fn start(
    addr: &str,
    path: &str,
    workers: usize,
    max: u64,
    max_time: Duration,
) -> Result<Load> {
    let (mut target, _) = Target::from_url(&format!("http://{addr}/"))
        .with_context(|| format!("bad address {addr}"))?;
    target.timeout = Duration::from_secs(20);
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let sep = if path.contains('?') { '&' } else { '?' };
    let workers = (0..workers.max(1))
        .map(|_| {
            let (stop, sent, target) = (Arc::clone(&stop), Arc::clone(&sent), target.clone());
            let path = path.to_owned();
            std::thread::spawn(move || {
                let mut out = Vec::new();
                while !stop.load(Ordering::Relaxed) && start.elapsed() < max_time {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if n >= max {
                        break;
                    }
                    let answer = http::send(&target, "GET", &format!("{path}{sep}n={n}"), &[]);
                    out.push(Outcome {
                        n,
                        at: start.elapsed(),
                        node: answer.as_ref().ok().and_then(|r| {
                            r.get("x-mock-upstream")
                                .first()
                                .map(|v| String::from_utf8_lossy(v).into_owned())
                        }),
                        status: answer.map(|r| r.status).map_err(|e| e.to_string()),
                    });
                }
                out
            })
        })
        .collect();
    Ok(Load {
        stop,
        sent,
        start,
        workers,
    })
}

impl Load {
    /// Time since the load started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Requests started so far.
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Stops the workers (each finishes its request in flight) and returns every answer,
    /// ordered by number.
    pub(crate) fn finish(self) -> Vec<Outcome> {
        self.stop.store(true, Ordering::Relaxed);
        let mut all: Vec<Outcome> = Vec::new();
        for worker in self.workers {
            match worker.join() {
                Ok(outcomes) => all.extend(outcomes),
                // Its answers are lost: counted as one failure, never as none.
                Err(_) => all.push(Outcome {
                    n: u64::MAX,
                    at: self.start.elapsed(),
                    status: Err("a load worker panicked".to_owned()),
                    node: None,
                }),
            }
        }
        all.sort_by_key(|o| o.n);
        all
    }
}

/// `sent N, failed N` and up to five failures with their number, time and status.
pub(crate) fn summary(outcomes: &[Outcome]) -> String {
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.ok()).collect();
    let mut s = format!("sent {}, failed {}", outcomes.len(), failed.len());
    for o in failed.iter().take(5) {
        s.push_str(&format!(
            "\n  n={} at {:.2} s: {}",
            o.n,
            o.at.as_secs_f64(),
            match &o.status {
                Ok(st) => st.to_string(),
                Err(e) => e.clone(),
            }
        ));
    }
    s
}
