//! A decision's reason, one shape in every policy: its name (the log line's `reason=`, the
//! counter's tag, the local response's code details) and its position in the policy's list of
//! names. Filters define one counter per name up front and count a reason by its position, so a
//! request pays for no formatted counter name and no lookup by name.

/// A reason of one policy's decisions.
pub trait Reason: Copy {
    /// Every name, in position order (snake_case; one counter each).
    const NAMES: &'static [&'static str];

    /// Position of this reason's name in [`Reason::NAMES`].
    fn index(self) -> usize;

    /// This reason's name: `NAMES[index()]`.
    fn name(self) -> &'static str {
        Self::NAMES.get(self.index()).copied().unwrap_or("unknown")
    }
}

/// A reason type with no reasons, for a policy that has no such decision (header-hardening
/// counts no allowed requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoReason {}

impl Reason for NoReason {
    const NAMES: &'static [&'static str] = &[];

    fn index(self) -> usize {
        match self {}
    }
}

/// Checks a reason type for the tests: every sample's position names it (`name == as_str`),
/// and the samples' positions cover `NAMES` exactly once each.
///
/// # Panics
/// On the first sample whose name or position is wrong, naming it (tests only).
#[cfg(test)]
pub(crate) fn assert_positions<R: Reason + std::fmt::Debug>(
    samples: &[R],
    as_str: impl Fn(R) -> &'static str,
) {
    let mut seen = vec![false; R::NAMES.len()];
    for r in samples {
        assert_eq!(
            r.name(),
            as_str(*r),
            "{r:?}: position {} names another reason",
            r.index()
        );
        let slot = seen.get_mut(r.index());
        assert!(
            slot.is_some(),
            "{r:?}: position {} outside NAMES",
            r.index()
        );
        if let Some(s) = slot {
            *s = true;
        }
    }
    assert!(
        seen.iter().all(|s| *s),
        "a name of NAMES has no sample: {seen:?}"
    );
}
