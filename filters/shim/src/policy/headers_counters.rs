//! header-hardening's counters, after `gateway_hardening.header_hardening.`: its refusals
//! (`denied.<reason>`, `shadow_denied.<reason>`, `policies::headers::DenyReason`) and what it
//! did to answers ([`Extra`]), each counted by position.

use policies::headers::DenyReason;
use policies::reason::NoReason;

use crate::metrics::DecisionCounters;

/// The counters of this filter.
pub(crate) type HardeningCounters = DecisionCounters<NoReason, DenyReason>;

/// Defines every counter of this filter (in the root context, once).
pub(crate) fn define(filter: &str) -> HardeningCounters {
    let extra: Vec<&str> = Extra::ALL.iter().map(|e| e.name()).collect();
    DecisionCounters::define(filter, &extra)
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
    }
}
