//! Metrics: `proxy_define_metric`, `proxy_increment_metric`, `proxy_record_metric`,
//! `proxy_get_metric`.
//!
//! Types (`proxy_metric_type_t`): 0 counter, 1 gauge, 2 histogram. Defining the same name
//! and type twice returns the same id. Envoy shows these as `wasmcustom.<name>`.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::memory::{read_string, write_u32, write_u64};
use super::{HostResult, Status, named, ok, state};
use crate::host::HostState;

/// The kind of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Only goes up.
    Counter,
    /// Set or moved either way.
    Gauge,
    /// Recorded values (this host keeps their count and sum).
    Histogram,
}

/// One defined metric and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// The name the module defined.
    pub name: String,
    /// Its kind.
    pub kind: MetricKind,
    /// Counter or gauge value; for a histogram, the number of recorded values.
    pub value: i64,
    /// For a histogram, the recorded values (the last 5 000 to 10 000).
    pub samples: Vec<u64>,
}

/// Metrics defined by a plugin, indexed by id − 1.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub(crate) defined: Vec<Metric>,
}

impl Metrics {
    /// The value of the metric named `name`, if defined.
    pub(crate) fn value(&self, name: &str) -> Option<i64> {
        self.defined
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut Metric> {
        self.defined.get_mut((id as usize).checked_sub(1)?)
    }
}

fn define(caller: &mut Caller<'_, HostState>, kind: u32, name: (u32, u32), out: u32) -> HostResult {
    let kind = match kind {
        0 => MetricKind::Counter,
        1 => MetricKind::Gauge,
        2 => MetricKind::Histogram,
        _ => return ok(Status::BadArgument),
    };
    let name = read_string(caller, name.0, name.1, "metric name")?;
    if name.is_empty() {
        return ok(Status::BadArgument);
    }
    let metrics = &mut state(caller).metrics;
    let index = match metrics
        .defined
        .iter()
        .position(|m| m.name == name && m.kind == kind)
    {
        Some(i) => i,
        None => {
            metrics.defined.push(Metric {
                name,
                kind,
                value: 0,
                samples: Vec::new(),
            });
            metrics.defined.len() - 1
        }
    };
    write_u32(caller, out, u32::try_from(index + 1)?, "return metric id")?;
    ok(Status::Ok)
}

fn increment(caller: &mut Caller<'_, HostState>, id: u32, offset: i64) -> HostResult {
    let Some(m) = state(caller).metrics.get_mut(id) else {
        return ok(Status::NotFound);
    };
    match m.kind {
        MetricKind::Counter if offset < 0 => ok(Status::BadArgument),
        MetricKind::Counter | MetricKind::Gauge => {
            m.value = m.value.saturating_add(offset);
            ok(Status::Ok)
        }
        MetricKind::Histogram => ok(Status::BadArgument),
    }
}

fn record(caller: &mut Caller<'_, HostState>, id: u32, value: u64) -> HostResult {
    let Some(m) = state(caller).metrics.get_mut(id) else {
        return ok(Status::NotFound);
    };
    let v = i64::try_from(value).unwrap_or(i64::MAX);
    match m.kind {
        MetricKind::Counter => m.value = m.value.saturating_add(v),
        MetricKind::Gauge => m.value = v,
        MetricKind::Histogram => {
            m.value = m.value.saturating_add(1);
            if m.samples.len() >= 10_000 {
                m.samples.drain(..5_000);
            }
            m.samples.push(value);
        }
    }
    ok(Status::Ok)
}

fn get(caller: &mut Caller<'_, HostState>, id: u32, out: u32) -> HostResult {
    let value = match state(caller).metrics.get_mut(id) {
        None => return ok(Status::NotFound),
        Some(m) if m.kind == MetricKind::Histogram => return ok(Status::BadArgument),
        Some(m) => m.value,
    };
    write_u64(caller, out, value as u64, "return metric value")?;
    ok(Status::Ok)
}

type C<'a> = Caller<'a, HostState>;

pub(crate) fn add(linker: &mut Linker<HostState>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_define_metric",
        |mut c: C<'_>, kind: u32, np: u32, nn: u32, out: u32| {
            named("proxy_define_metric", define(&mut c, kind, (np, nn), out))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_increment_metric",
        |mut c: C<'_>, id: u32, off: i64| {
            named("proxy_increment_metric", increment(&mut c, id, off))
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_record_metric",
        |mut c: C<'_>, id: u32, v: u64| named("proxy_record_metric", record(&mut c, id, v)),
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_metric",
        |mut c: C<'_>, id: u32, out: u32| named("proxy_get_metric", get(&mut c, id, out)),
    )?;
    Ok(())
}
