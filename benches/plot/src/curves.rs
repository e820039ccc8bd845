//! The four curves of the criterion group `scaling` (benches/benches/combined.rs).

/// The criterion group that holds the scaling curves.
pub(crate) const GROUP: &str = "scaling";

/// One parameterised benchmark of the group `scaling` and how to draw it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Curve {
    /// The benchmark's name as given to `BenchmarkId::new`, which is also its directory under
    /// `<criterion>/scaling/` (e.g. `allowlist rules`).
    pub(crate) bench: &'static str,
    /// The PNG's file name without extension (e.g. `allowlist-rules`).
    pub(crate) slug: &'static str,
    /// The plot's title.
    pub(crate) title: &'static str,
    /// What the parameter counts: the x axis label (e.g. `globs per list`).
    pub(crate) unit: &'static str,
}

/// The curves, in the order the bench runs them.
pub(crate) const CURVES: [Curve; 4] = [
    Curve {
        bench: "allowlist rules",
        slug: "allowlist-rules",
        title: "Allowlist decision vs. allow and deny rules",
        unit: "globs per list",
    },
    Curve {
        bench: "allowlist virtual hosts",
        slug: "allowlist-virtual-hosts",
        title: "Allowlist decision vs. virtual hosts",
        unit: "virtual hosts",
    },
    Curve {
        bench: "target bytes",
        slug: "target-bytes",
        title: "Request decisions (3 filters) vs. target length",
        unit: "bytes",
    },
    Curve {
        bench: "request headers",
        slug: "request-headers",
        title: "Request decisions (3 filters) vs. headers",
        unit: "headers",
    },
];
