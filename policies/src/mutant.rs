//! Mutants: the rules of the `context-allowlist` policy that a test build switches off, one at a
//! time, to show that the scenario corpus notices each of them missing (the kill matrix of
//! `host-test kill-matrix`, run by `cargo xtask test`).
//!
//! Only a build with the `mutants` feature reads the plugin configuration's `_mutant` field
//! (`{"_mutant": "dot_segments", ...}`). Every shipped module is built without the feature:
//! `_mutant` is then an unknown field, and the configuration is refused like any other
//! unknown field (fail closed), so a deployed module cannot be switched into a mutant. Without
//! the feature [`Mutation`] holds nothing and [`Mutation::disables`] is the constant `false`.

use serde::Deserialize;

/// One rule of the `context-allowlist` policy, named by the plugin configuration's `_mutant`
/// (snake_case, e.g. `"dot_segments"`) in a `mutants` build. Each variant says what its mutant
/// does instead, and where the rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mutant {
    /// Segments are not percent-decoded (RFC 3986 §2.1, §6.2.2.2): `%63arbon` is matched as
    /// written (`crate::path`, step 5; the escape checks of that step go with it).
    PercentDecoding,
    /// `.` and `..` segments are kept (RFC 3986 §5.2.4 not applied; `crate::path`, step 7).
    DotSegments,
    /// `;` path parameters are kept in each segment (Tomcat's `parsePathParameters`;
    /// `crate::path`, step 4).
    PathParameters,
    /// Empty segments are kept (`//carbon` stays `//carbon`; `crate::path`, step 7).
    MergeSlashes,
    /// A raw `\` or `%5C` is accepted as an ordinary character instead of refused (`crate::path`,
    /// steps 3 and 5).
    Backslash,
    /// `%2F` and `%3B` are decoded into the segment instead of refused (`crate::path`, step 5).
    EncodedSeparators,
    /// A decoded segment that still holds an escape (`%252e` → `%2e`) is accepted
    /// (`crate::path`, step 5).
    DoubleEncoding,
    /// Decoded bytes that are not UTF-8 (overlong `%c0%ae`) are accepted (`crate::path`,
    /// step 5, RFC 3629 §3).
    Utf8,
    /// Raw and encoded control bytes (`%00`, `%0a`, TAB) are accepted (`crate::path`, steps 3
    /// and 5).
    ControlBytes,
    /// Code points that NFKC or a confusables fold reads as ASCII are accepted (`crate::path`,
    /// step 6).
    Confusables,
    /// `deny` rules match case-sensitively (`/CARBON` is not `/carbon`).
    DenyCase,
    /// The authority of an absolute-form target is not compared with `Host` (RFC 9112 §3.2.2).
    AbsoluteForm,
    /// The product's tenant and organisation valve is not modelled: its landings are not judged
    /// (`crate::routing::tenant_valve`).
    TenantValve,
    /// The raw landing (the target as a router that does not normalise reads it) is not judged
    /// (`crate::routing::raw`).
    RawLayer,
    /// An allow rule's `**` tail may reach into other contexts, tenant qualifiers and admin
    /// contexts.
    TailRule,
    /// `default_credentials` is ignored (in `Authorization`, the query and login forms).
    DefaultCredentials,
    /// A method that is not upper case is accepted.
    MethodCase,
    /// Method overrides (`X-HTTP-Method-Override`, `_method`) are neither refused nor stripped.
    MethodOverride,
}

/// The mutation a plan runs with: none in every shipped build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mutation {
    #[cfg(feature = "mutants")]
    off: Option<Mutant>,
}

impl Mutation {
    /// No rule switched off.
    pub const NONE: Self = Self {
        #[cfg(feature = "mutants")]
        off: None,
    };

    /// The mutation that switches `rule` off (`None`: none). Test builds only.
    #[cfg(feature = "mutants")]
    pub fn of(rule: Option<Mutant>) -> Self {
        Self { off: rule }
    }

    /// True when `rule` is switched off; always false without the `mutants` feature.
    #[inline]
    pub fn disables(self, rule: Mutant) -> bool {
        #[cfg(feature = "mutants")]
        {
            self.off == Some(rule)
        }
        #[cfg(not(feature = "mutants"))]
        {
            let _ = rule;
            false
        }
    }
}
