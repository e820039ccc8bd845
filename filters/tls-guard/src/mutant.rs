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
