//! Tick positions and labels for the log axes.

/// The mantissas of the labelled time ticks: 1, 2 and 5 in each decade.
pub(crate) const LABELLED: &[f64] = &[1.0, 2.0, 5.0];

/// The mantissas of the light grid lines: 1 to 9 in each decade.
pub(crate) const GRID: &[f64] = &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];

/// The values `m × 10^k` (m in `mantissas`, any integer k) between `lo` and `hi` inclusive,
/// ascending. Takes a range of positive values (empty otherwise).
pub(crate) fn decade_points(lo: f64, hi: f64, mantissas: &[f64]) -> Vec<f64> {
    if !(lo > 0.0 && hi >= lo && hi.is_finite()) {
        return Vec::new();
    }
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    (first..=last)
        .flat_map(|k| mantissas.iter().map(move |m| m * 10f64.powi(k)))
        .filter(|v| (lo..=hi).contains(v))
        .collect()
}

/// Formats an axis value or a factor with three significant digits, without trailing zeros
/// (`3000`, `25`, `2.5`, `2.55`, `0.05`).
pub(crate) fn tick(v: f64) -> String {
    if !(v.is_finite() && v > 0.0) {
        return format!("{v}");
    }
    let decimals = (2.0 - v.log10().floor()).clamp(0.0, 9.0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(3000.0), "3000");
        assert_eq!(tick(100.00000000001), "100");
        assert_eq!(tick(25.0), "25");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(2.545_630_687), "2.55");
        assert_eq!(tick(0.05), "0.05");
        assert_eq!(tick(1.0), "1");
    }

    #[test]
    fn one_two_five_per_decade() {
        let points: Vec<String> = decade_points(1.8, 60.0, LABELLED)
            .iter()
            .map(|v| tick(*v))
            .collect();
        assert_eq!(points, ["2", "5", "10", "20", "50"]);
        assert_eq!(decade_points(3.0, 4.0, GRID).len(), 2);
        assert!(decade_points(0.0, 4.0, GRID).is_empty());
    }
}
