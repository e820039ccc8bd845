//! The one place a verdict is applied, whichever policy gave it: counted, logged with the
//! request id, then answered (a local response) or let through.

use policies::logline::{self, LoggedDecision};
use policies::reason::Reason;
use policies::verdict::Verdict;

use crate::metrics::DecisionCounters;
use crate::{log, reply};

/// The log line's context: which filter, which request.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The filter's name (`tls-guard`), the line's first word.
    pub filter: &'a str,
    /// The request id (`x-request-id`, or the one the module made).
    pub request_id: &'a str,
    /// The raw request target, escaped in the line.
    pub target: &'a [u8],
    /// Whether the host logs `debug` lines (asked once per request: [`RequestCtx::debug`]).
    ///
    /// [`RequestCtx::debug`]: crate::stage::RequestCtx::debug
    pub debug: bool,
}

impl Line<'_> {
    /// Writes one decision line (`policies::logline::line`: the filter, the request id, the
    /// decision, `reason`, the escaped target, then `fields`) with `level` (`log::info`, …).
    pub fn write(
        &self,
        level: fn(&str),
        decision: LoggedDecision,
        reason: &str,
        fields: &[(&str, &[u8])],
    ) {
        level(&logline::line(
            self.filter,
            self.request_id,
            decision,
            reason,
            self.target,
            fields,
        ));
    }
}

/// A policy's own way to send a denial's local response: `(status, reason name)`.
pub type Send<'a> = &'a dyn Fn(u16, &str);

/// What applying a verdict did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The request or response goes on.
    Continue,
    /// A local response was sent: the caller stops the stream (`Action::Pause`).
    Replied,
}

/// Applies `verdict`:
/// - [`Verdict::Allow`]: counts `allowed.<reason>`, logs at `debug` when that level is on;
/// - [`Verdict::Deny`]: counts `denied.<reason>`, logs at `info`, sends a local response of
///   `status` with response code details `gateway_hardening.<filter>.<reason>`;
/// - [`Verdict::Redirect`]: counts `redirected.<reason>` when the filter defined it, logs at
///   `info` as a denial, sends `308` with `Location`;
/// - [`Verdict::ShadowDeny`]: counts `shadow_denied.<reason>`, logs `decision=shadow_deny`.
///
/// `fields` are the log line's extra `key=value` pairs (escaped there). A denial's local
/// response is `send(status, reason)` when given (header-hardening hardens its own with its
/// configured rules), else `reply::send` with `reply::headers` (the hardened local-reply set).
pub fn apply<A: Reason, D: Reason>(
    counters: &DecisionCounters<A, D>,
    verdict: &Verdict<A, D>,
    line: Line<'_>,
    fields: &[(&str, &[u8])],
    send: Option<Send<'_>>,
) -> Applied {
    let write = |level: fn(&str), decision: LoggedDecision| {
        line.write(level, decision, verdict.reason_name(), fields);
    };
    match verdict {
        Verdict::Allow(reason) => {
            counters.allowed(*reason);
            if line.debug {
                write(log::debug, LoggedDecision::Allow);
            }
            Applied::Continue
        }
        Verdict::ShadowDeny(reason) => {
            counters.denied(*reason, true);
            write(log::info, LoggedDecision::ShadowDeny);
            Applied::Continue
        }
        Verdict::Deny { status, reason } => {
            counters.denied(*reason, false);
            write(log::info, LoggedDecision::Deny);
            if let Some(send) = send {
                send(*status, reason.name());
                return Applied::Replied;
            }
            reply::send(
                *status,
                &reply::details(counters.filter(), reason.name()),
                line.request_id,
                &[],
            );
            Applied::Replied
        }
        Verdict::Redirect { location, reason } => {
            counters.redirected(*reason);
            write(log::info, LoggedDecision::Deny);
            reply::send(
                308,
                &reply::details(counters.filter(), reason.name()),
                line.request_id,
                &[("location", location)],
            );
            Applied::Replied
        }
    }
}
