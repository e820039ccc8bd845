//! One decision shape for every policy: what a filter does with a request or a response, and
//! why. `filter_shim::apply` is the one place that counts it, logs it with the request id and
//! answers it (local response or continue), whichever policy decided.

use crate::mode::Mode;
use crate::reason::Reason;

/// A policy's decision about one request or response. `A` is the policy's allow reason, `D`
/// its deny reason (both [`Reason`]s: a name and a counter position each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<A, D> {
    /// Let it through.
    Allow(A),
    /// Answer with a local response of `status` (an HTTP status code, RFC 9110 §15).
    Deny {
        /// The local response's status.
        status: u16,
        /// Why.
        reason: D,
    },
    /// Answer `308 Permanent Redirect` (RFC 9110 §15.4.9) to `location`.
    Redirect {
        /// The `Location` header's value (an absolute URI).
        location: String,
        /// Why (tls-guard: `plaintext`).
        reason: D,
    },
    /// A refusal in shadow mode: log it and count it as `shadow_denied.<reason>`, let the
    /// request or response go on unchanged.
    ShadowDeny(D),
}

impl<A: Reason, D: Reason> Verdict<A, D> {
    /// This verdict under `mode`: in [`Mode::Shadow`] a [`Verdict::Deny`] or
    /// [`Verdict::Redirect`] becomes [`Verdict::ShadowDeny`] with the same reason; otherwise
    /// unchanged.
    #[must_use]
    pub fn in_mode(self, mode: Mode) -> Self {
        match (mode, self) {
            (Mode::Shadow, Self::Deny { reason, .. } | Self::Redirect { reason, .. }) => {
                Self::ShadowDeny(reason)
            }
            (_, verdict) => verdict,
        }
    }

    /// The reason's name (the log line's `reason=`).
    pub fn reason_name(&self) -> &'static str {
        match self {
            Self::Allow(a) => a.name(),
            Self::Deny { reason, .. }
            | Self::Redirect { reason, .. }
            | Self::ShadowDeny(reason) => reason.name(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::{AllowReason, DenyReason};

    #[test]
    fn shadow_mode_turns_refusals_into_shadow_denials_only() {
        type V = Verdict<AllowReason, DenyReason>;
        let deny: V = Verdict::Deny {
            status: 421,
            reason: DenyReason::SniMismatch,
        };
        let redirect: V = Verdict::Redirect {
            location: "https://h/".into(),
            reason: DenyReason::Plaintext,
        };
        let allow: V = Verdict::Allow(AllowReason::TlsVerified);
        // (row, verdict, mode, expected)
        let rows: Vec<(&str, V, Mode, V)> = vec![
            ("deny enforced", deny.clone(), Mode::Enforce, deny.clone()),
            (
                "deny shadowed",
                deny,
                Mode::Shadow,
                Verdict::ShadowDeny(DenyReason::SniMismatch),
            ),
            (
                "redirect shadowed",
                redirect.clone(),
                Mode::Shadow,
                Verdict::ShadowDeny(DenyReason::Plaintext),
            ),
            (
                "redirect enforced",
                redirect.clone(),
                Mode::Enforce,
                redirect,
            ),
            ("allow shadowed", allow.clone(), Mode::Shadow, allow),
        ];
        for (row, verdict, mode, want) in rows {
            assert_eq!(verdict.in_mode(mode), want, "{row}");
        }
    }
}
