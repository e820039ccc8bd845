//! The kill matrix's mutants of tls-guard (`mutants` feature; never in a shipped module, where
//! `_mutant` is an unknown field of the plugin configuration and refused).
//!
//! The plugin configuration's `_mutant` names one deny reason of `policies::tls::DenyReason::ALL`
//! (`sni_mismatch`, `client_certificate_missing`, `plaintext`, …): this build never applies a
//! decision with that reason, as if its check were switched off. The switch sits in the filter,
//! not in the policy: the decision is computed as shipped, then let through.

use policies::tls::{AllowReason, Decision, DenyReason};

/// `decision`, let through when it is a denial (or the plaintext redirect) for the reason
/// `mutant` names.
pub(crate) fn apply(mutant: Option<&str>, decision: Decision) -> Decision {
    let Some(off) = mutant else {
        return decision;
    };
    match &decision {
        Decision::Deny { reason, .. } if reason.as_str() == off => {
            Decision::Allow(AllowReason::TlsVerified)
        }
        Decision::Redirect { .. } if DenyReason::Plaintext.as_str() == off => {
            Decision::Allow(AllowReason::PlaintextAllowed)
        }
        _ => decision,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutant_lets_through_only_its_own_reason() {
        let deny = |reason| Decision::Deny {
            status: 421,
            reason,
        };
        let redirect = Decision::Redirect {
            location: "https://h/".into(),
        };
        let rows: &[(&str, Option<&str>, Decision, Decision)] = &[
            (
                "shipped",
                None,
                deny(DenyReason::SniMismatch),
                deny(DenyReason::SniMismatch),
            ),
            (
                "its reason",
                Some("sni_mismatch"),
                deny(DenyReason::SniMismatch),
                Decision::Allow(AllowReason::TlsVerified),
            ),
            (
                "another reason",
                Some("sni_missing"),
                deny(DenyReason::SniMismatch),
                deny(DenyReason::SniMismatch),
            ),
            (
                "the redirect is plaintext's",
                Some("plaintext"),
                redirect.clone(),
                Decision::Allow(AllowReason::PlaintextAllowed),
            ),
            (
                "redirect, other mutant",
                Some("sni_mismatch"),
                redirect.clone(),
                redirect,
            ),
        ];
        for (row, mutant, decision, want) in rows {
            assert_eq!(apply(*mutant, decision.clone()), *want, "{row}");
        }
    }
}
