//! header-hardening's counters, after `gateway_hardening.header_hardening.`: its refusals
//! (`denied.<reason>`, `shadow_denied.<reason>`, [`Refusal`]) and what it did to answers
//! ([`Extra`]), each counted by position.

use filter_shim::metrics::{DecisionCounters, NoReason};
use policies::headers::InputCause;
use policies::reason::Reason;

/// The counters of this filter.
pub(crate) type HardeningCounters = DecisionCounters<NoReason, Refusal>;

/// Defines every counter of this filter (in the root context, once).
pub(crate) fn define(filter: &str) -> HardeningCounters {
    let extra: Vec<&str> = Extra::ALL.iter().map(|e| e.name()).collect();
    DecisionCounters::define(filter, &extra)
}

/// Why header-hardening refuses a request or an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// An input matched a pattern.
    InputValidation,
    /// A form body over `max_body_bytes` (413).
    InputBodyTooLarge,
    /// A form body the filter cannot read as the product does.
    InputUnreadableBody,
    /// `session_cookies.strict`: a weak session id (502).
    WeakSessionId,
}

impl Reason for Refusal {
    const NAMES: &'static [&'static str] = &[
        "input_validation",
        "input_body_too_large",
        "input_unreadable_body",
        "weak_session_id",
    ];

    fn index(self) -> usize {
        match self {
            Self::InputValidation => 0,
            Self::InputBodyTooLarge => 1,
            Self::InputUnreadableBody => 2,
            Self::WeakSessionId => 3,
        }
    }
}

impl From<InputCause> for Refusal {
    fn from(cause: InputCause) -> Self {
        match cause {
            InputCause::Pattern => Self::InputValidation,
            InputCause::BodyTooLarge => Self::InputBodyTooLarge,
            InputCause::UnreadableBody => Self::InputUnreadableBody,
        }
    }
}

/// What the filter did to answers, one counter each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extra {
    ResponsesHardened,
    HeadersAdded,
    HeadersReplaced,
    HeadersRemoved,
    CookiesHardened,
    CookiesMalformed,
    WeakSessionIds,
    NoStore,
    UnknownHost,
    WeakValuesReplaced,
    WeakValuesKept,
    CookiesDropped,
    BroadDomainSessions,
    SessionInUrl,
    InputBodiesInspected,
}

impl Extra {
    /// Every extra counter, in position order.
    pub(crate) const ALL: [Self; 15] = [
        Self::ResponsesHardened,
        Self::HeadersAdded,
        Self::HeadersReplaced,
        Self::HeadersRemoved,
        Self::CookiesHardened,
        Self::CookiesMalformed,
        Self::WeakSessionIds,
        Self::NoStore,
        Self::UnknownHost,
        Self::WeakValuesReplaced,
        Self::WeakValuesKept,
        Self::CookiesDropped,
        Self::BroadDomainSessions,
        Self::SessionInUrl,
        Self::InputBodiesInspected,
    ];

    /// The counter's suffix.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ResponsesHardened => "responses_hardened",
            Self::HeadersAdded => "headers_added",
            Self::HeadersReplaced => "headers_replaced",
            Self::HeadersRemoved => "headers_removed",
            Self::CookiesHardened => "cookies_hardened",
            Self::CookiesMalformed => "cookies_malformed",
            Self::WeakSessionIds => "weak_session_ids",
            Self::NoStore => "no_store",
            Self::UnknownHost => "unknown_host",
            Self::WeakValuesReplaced => "weak_values_replaced",
            Self::WeakValuesKept => "weak_values_kept",
            Self::CookiesDropped => "cookies_dropped",
            Self::BroadDomainSessions => "broad_domain_sessions",
            Self::SessionInUrl => "session_in_url",
            Self::InputBodiesInspected => "input_bodies_inspected",
        }
    }

    /// Adds `n` to this counter.
    pub(crate) fn add(self, counters: &HardeningCounters, n: u32) {
        counters.extra(self as usize, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_has_its_own_position() {
        for (i, e) in Extra::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?} is listed out of order");
        }
        let causes = [
            InputCause::Pattern,
            InputCause::BodyTooLarge,
            InputCause::UnreadableBody,
        ];
        for cause in causes {
            // The refusal counted for an input cause carries the cause's log reason.
            assert_eq!(Refusal::from(cause).name(), cause.as_str(), "{cause:?}");
        }
        let refusals = [
            Refusal::InputValidation,
            Refusal::InputBodyTooLarge,
            Refusal::InputUnreadableBody,
            Refusal::WeakSessionId,
        ];
        let mut seen: Vec<usize> = refusals.iter().map(|r| r.index()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), Refusal::NAMES.len());
    }
}
