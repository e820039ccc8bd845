//! The kill matrix's mutants of tls-guard (`mutants` feature; never in a shipped module, where
//! `_mutant` is an unknown field of the plugin configuration and refused).
//!
//! The plugin configuration's `_mutant` names one deny reason of `policies::tls::DenyReason::ALL`
//! (`sni_mismatch`, `client_certificate_missing`, `plaintext`, …): this build never applies a
//! decision with that reason, as if its check were switched off. The switch sits in the filter,
//! not in the policy: the decision is computed as shipped, then let through.

use policies::tls::{AllowReason, Decision, DenyReason};

/// Splits `_mutant` off a plugin configuration that is a JSON object: the reason it names, and
/// the configuration without it (anything else is returned unchanged, for the policy to judge).
///
/// # Errors
/// `_mutant` that is not one of `DenyReason::ALL`, or a configuration that cannot be written
/// back.
pub(crate) fn split(json: &[u8]) -> Result<(Option<String>, Vec<u8>), String> {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(json) else {
        return Ok((None, json.to_vec()));
    };
    let Some(name) = value.as_object_mut().and_then(|o| o.remove("_mutant")) else {
        return Ok((None, json.to_vec()));
    };
    let name = match name.as_str() {
        Some(n) if DenyReason::ALL.contains(&n) => n.to_owned(),
        _ => {
            return Err(format!(
                "invalid plugin configuration at `_mutant`: {name} is not one of {}",
                DenyReason::ALL.join(", ")
            ));
        }
    };
    let rest = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
    Ok((Some(name), rest))
}

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
