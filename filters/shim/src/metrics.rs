//! Counters through the Proxy-Wasm metric ABI, defined once in the root context and shared by
//! every HTTP context. Envoy shows them as `wasmcustom.<name>` in `/stats` and
//! `/stats/prometheus`; names follow `gateway_hardening.<filter>.<what>[.<reason>]`. A request
//! counts by position (a reason's [`Reason::index`]), never by a formatted name.

use std::marker::PhantomData;

use policies::reason::Reason;
use proxy_wasm::hostcalls;
use proxy_wasm::types::MetricType;

/// A set of counters, defined once in the root context and counted by position: the position of
/// each suffix in the list given to [`Counters::define`]. A request formats no name and looks up
/// nothing.
#[derive(Debug, Clone, Default)]
pub struct Counters {
    /// The host's metric id per position; `None` where the host refused to define it.
    ids: Vec<Option<u32>>,
    filter: String,
}

impl Counters {
    /// The filter's name in `snake_case` (`context_allowlist`), as in the counter names.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Defines `gateway_hardening.<filter>.<suffix>` for every suffix, in order. A counter the
    /// host refuses to define is logged, and its increments are then dropped.
    pub fn define(filter: &str, suffixes: impl IntoIterator<Item = String>) -> Self {
        let snake = filter.replace('-', "_");
        let prefix = format!("gateway_hardening.{snake}");
        let mut ids = Vec::new();
        for suffix in suffixes {
            let name = format!("{prefix}.{suffix}");
            match hostcalls::define_metric(MetricType::Counter, &name) {
                Ok(id) => ids.push(Some(id)),
                Err(status) => {
                    crate::log::warn(&format!(
                        "{filter}: cannot define metric {name}: {status:?}"
                    ));
                    ids.push(None);
                }
            }
        }
        Self { ids, filter: snake }
    }

    /// Adds one to the counter at `position`.
    pub fn inc(&self, position: usize) {
        self.add(position, 1);
    }

    /// Adds `n` to the counter at `position` in one host call (none when `n` is 0 or nothing
    /// was defined there).
    pub fn add(&self, position: usize, n: u32) {
        if n == 0 {
            return;
        }
        if let Some(Some(id)) = self.ids.get(position) {
            let _ = hostcalls::increment_metric(*id, i64::from(n));
        }
    }
}

pub use policies::reason::NoReason;

/// A policy's decision counters, one per reason, defined once:
/// `allowed.<A>`, `denied.<D>`, `shadow_denied.<D>` (the names of [`Reason::NAMES`]), then the
/// filter's own `extra` counters (`redirected.<D>` among them counts [`DecisionCounters::redirected`]), each counted by its reason or position.
#[derive(Debug, Clone)]
pub struct DecisionCounters<A: Reason, D: Reason> {
    counters: Counters,
    /// Per deny reason (by position): the position of its `redirected.<reason>` counter, when
    /// `extra` defined one.
    redirects: Vec<Option<usize>>,
    reasons: PhantomData<(A, D)>,
}

impl<A: Reason, D: Reason> DecisionCounters<A, D> {
    /// Defines every counter of the policy's reasons, then `extra` (suffixes such as
    /// `headers_added`, counted with [`DecisionCounters::extra`] by their position in `extra`).
    pub fn define(filter: &str, extra: &[&str]) -> Self {
        let suffixes = A::NAMES
            .iter()
            .map(|r| format!("allowed.{r}"))
            .chain(D::NAMES.iter().map(|r| format!("denied.{r}")))
            .chain(D::NAMES.iter().map(|r| format!("shadow_denied.{r}")))
            .chain(extra.iter().map(|e| (*e).to_owned()));
        let base = A::NAMES.len() + 2 * D::NAMES.len();
        let redirects = D::NAMES
            .iter()
            .map(|r| {
                let name = format!("redirected.{r}");
                extra.iter().position(|e| *e == name).map(|p| base + p)
            })
            .collect();
        Self {
            counters: Counters::define(filter, suffixes),
            redirects,
            reasons: PhantomData,
        }
    }

    /// The filter's name in `snake_case`.
    pub fn filter(&self) -> &str {
        self.counters.filter()
    }

    /// Counts an allowed decision.
    pub fn allowed(&self, reason: A) {
        self.counters.inc(reason.index());
    }

    /// Counts a denial (`shadow_denied.<reason>` in shadow mode).
    pub fn denied(&self, reason: D, shadow: bool) {
        let block = if shadow { D::NAMES.len() } else { 0 };
        self.counters.inc(A::NAMES.len() + block + reason.index());
    }

    /// Counts a redirect for `reason` (`redirected.<reason>`, when `extra` defined it).
    pub fn redirected(&self, reason: D) {
        if let Some(Some(position)) = self.redirects.get(reason.index()) {
            self.counters.inc(*position);
        }
    }

    /// Adds `n` to the extra counter at `position` in the `extra` list of `define`.
    pub fn extra(&self, position: usize, n: u32) {
        self.counters
            .add(A::NAMES.len() + 2 * D::NAMES.len() + position, n);
    }
}
