//! The load bench's results table: medians over the rounds, per variant, route, HTTP version and
//! request.

use super::load::Sample;

/// One window's place in the table.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Cell {
    pub(super) variant: &'static str,
    /// `direct` (Envoy's `direct_response`) or `proxied` (to the upstream).
    pub(super) route: &'static str,
    /// `h1` or `h2`.
    pub(super) http: &'static str,
    /// `public` or `admin`.
    pub(super) request: &'static str,
}

/// The row every other is compared with ("no Wasm filter") and the native one.
const NONE: &str = "no Wasm filter";
const NATIVE: &str = "native RBAC+headers";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

/// Prints the table: for each route, HTTP version and request (in the order first seen), each
/// variant (in `variants` order) with the medians of its samples, the CPU's minimum and maximum,
/// the throughput as a share of Envoy without filters, and the CPU it adds to Envoy without
/// filters and to Envoy's native filters.
pub(super) fn print(samples: &[(Cell, Sample)], variants: &[&'static str], rounds: usize) {
    println!(
        "\nEnvoy load bench (one worker; wrk -t1 -c16 for h1, h2load -t1 -c16 -m1 for h2; medians of {rounds} rounds, [min-max] of the CPU)"
    );
    println!(
        "{:<20} {:<7} {:<4} {:<7} {:>6} {:>8} {:>7} {:>7} {:>7} {:>21} {:>9} {:>9} {:>8} {:>7}",
        "variant",
        "route",
        "http",
        "request",
        "status",
        "req/s",
        "vs none",
        "p50 ms",
        "p99 ms",
        "CPU µs/req [min-max]",
        "added µs",
        "vs native",
        "RSS MiB",
        "noise %"
    );
    let mut groups: Vec<Cell> = Vec::new();
    for (c, _) in samples {
        let group = Cell {
            variant: "",
            ..c.clone()
        };
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    for group in &groups {
        let of = |variant: &str| -> Vec<Sample> {
            samples
                .iter()
                .filter(|(c, _)| {
                    c.variant == variant
                        && Cell {
                            variant: "",
                            ..c.clone()
                        } == *group
                })
                .map(|(_, s)| *s)
                .collect()
        };
        let m = |s: &[Sample], f: fn(&Sample) -> f64| median(s.iter().map(f).collect());
        let none = of(NONE);
        let base_cpu = m(&none, |s| s.cpu_us);
        let base_rps = m(&none, |s| s.rps);
        let native_cpu = m(&of(NATIVE), |s| s.cpu_us);
        for variant in variants {
            let s = of(variant);
            let Some(first) = s.first() else { continue };
            let (lo, hi) = s.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), x| {
                (lo.min(x.cpu_us), hi.max(x.cpu_us))
            });
            let cpu = m(&s, |s| s.cpu_us);
            let rps = m(&s, |s| s.rps);
            println!(
                "{:<20} {:<7} {:<4} {:<7} {:>6} {:>8.0} {:>7.2} {:>7.2} {:>7.2} {:>7.1} [{:>5.1}-{:>5.1}] {:>9.1} {:>9.1} {:>8.1} {:>7.1}",
                variant,
                group.route,
                group.http,
                group.request,
                first.status,
                rps,
                if base_rps > 0.0 { rps / base_rps } else { 0.0 },
                m(&s, |s| s.p50_ms),
                m(&s, |s| s.p99_ms),
                cpu,
                lo,
                hi,
                cpu - base_cpu,
                cpu - native_cpu,
                m(&s, |s| s.rss_mib),
                m(&s, |s| s.noise_pct)
            );
        }
    }
}
