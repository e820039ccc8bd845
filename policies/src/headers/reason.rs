//! Why header-hardening refuses a request or an answer: its deny reasons (log `reason=`,
//! counters `denied.<reason>` and `shadow_denied.<reason>`), and its request verdict in the
//! one shape every policy shares.

use super::facts::RequestVerdict;
use super::validate::InputCause;
use crate::reason::{NoReason, Reason};
use crate::verdict::Verdict;

/// Why header-hardening refuses a request or an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenyReason {
    /// An input matched a pattern (400 or 403, `input_validation.status`).
    InputValidation,
    /// A form body over `max_body_bytes` (413).
    InputBodyTooLarge,
    /// A form body the filter cannot read as the product does.
    InputUnreadableBody,
    /// `session_cookies.strict`: the upstream set a weak session id (502).
    WeakSessionId,
}

impl Reason for DenyReason {
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

impl From<InputCause> for DenyReason {
    fn from(cause: InputCause) -> Self {
        match cause {
            InputCause::Pattern => Self::InputValidation,
            InputCause::BodyTooLarge => Self::InputBodyTooLarge,
            InputCause::UnreadableBody => Self::InputUnreadableBody,
        }
    }
}

impl RequestVerdict {
    /// This verdict in the one shape every policy shares (the policy has applied its shadow
    /// mode already); `None` for [`RequestVerdict::InspectBody`], which is not a verdict yet.
    /// header-hardening counts no allowed requests: [`NoReason`].
    pub fn verdict(&self) -> Option<Verdict<NoReason, DenyReason>> {
        match self {
            Self::Continue | Self::InspectBody { .. } => None,
            Self::Reject { status, matched } => Some(Verdict::Deny {
                status: *status,
                reason: matched.cause.into(),
            }),
            Self::ShadowReject { matched } => Some(Verdict::ShadowDeny(matched.cause.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_its_own_position_and_the_input_causes_name() {
        let causes = [
            InputCause::Pattern,
            InputCause::BodyTooLarge,
            InputCause::UnreadableBody,
        ];
        for cause in causes {
            assert_eq!(DenyReason::from(cause).name(), cause.as_str(), "{cause:?}");
        }
        let all = [
            DenyReason::InputValidation,
            DenyReason::InputBodyTooLarge,
            DenyReason::InputUnreadableBody,
            DenyReason::WeakSessionId,
        ];
        crate::reason::assert_positions(&all, |r| match r {
            DenyReason::InputValidation => "input_validation",
            DenyReason::InputBodyTooLarge => "input_body_too_large",
            DenyReason::InputUnreadableBody => "input_unreadable_body",
            DenyReason::WeakSessionId => "weak_session_id",
        });
    }
}
