//! Stand-ins: modules that take a filter's place in a scenario run (`host-test run --stand-in`,
//! `host-test kill-matrix`), to show which scenario files notice that the filter is not there.
//!
//! Each is a few lines of WAT in `host-test/stand-ins/` that wasmtime compiles when the plugin
//! starts (no build step). They ignore their plugin configuration (the runner still passes the
//! scenario's) and their root id.

use std::fmt;
use std::str::FromStr;

/// A stand-in module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandIn {
    /// Forwards every request and touches nothing (`stand-ins/allow-all.wat`).
    AllowAll,
    /// Answers every request with a 403 local response (`stand-ins/deny-all.wat`).
    DenyAll,
    /// Answers every request with a 400 local response (`stand-ins/refuse-all.wat`).
    RefuseAll,
}

impl StandIn {
    /// Every stand-in, in the kill matrix's column order.
    pub const ALL: [Self; 3] = [Self::AllowAll, Self::DenyAll, Self::RefuseAll];

    /// `allow-all`, `deny-all` or `refuse-all`.
    pub fn name(self) -> &'static str {
        match self {
            Self::AllowAll => "allow-all",
            Self::DenyAll => "deny-all",
            Self::RefuseAll => "refuse-all",
        }
    }

    /// The module's WAT text (a [`crate::ModuleSource::Bytes`] compiles it).
    pub fn wat(self) -> &'static str {
        match self {
            Self::AllowAll => include_str!("../stand-ins/allow-all.wat"),
            Self::DenyAll => include_str!("../stand-ins/deny-all.wat"),
            Self::RefuseAll => include_str!("../stand-ins/refuse-all.wat"),
        }
    }
}

impl fmt::Display for StandIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for StandIn {
    type Err = String;

    /// Parses a name of [`StandIn::name`]; the error lists the names.
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|x| x.name() == s)
            .ok_or_else(|| format!("no stand-in `{s}` (allow-all, deny-all, refuse-all)"))
    }
}
