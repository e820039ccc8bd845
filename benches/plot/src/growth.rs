//! How a curve grows between its first and last point, compared with linear growth.

use anyhow::{Result, bail};

use crate::results::Point;

/// The growth of a curve from its first point to its last.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Growth {
    /// How many times the parameter grew (last / first), > 1.
    pub(crate) param: f64,
    /// How many times the median time grew (last / first).
    pub(crate) time: f64,
}

impl Growth {
    /// Measures the growth between the first and the last of `points` (sorted by parameter, as
    /// [`crate::results::read_curve`] returns them). Errors when there are fewer than two points or
    /// the parameter does not grow.
    pub(crate) fn of(points: &[Point]) -> Result<Self> {
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            bail!("no points");
        };
        if last.param <= first.param {
            bail!(
                "needs two points with different parameters (has {})",
                points.len()
            );
        }
        Ok(Self {
            param: last.param / first.param,
            time: last.median_us / first.median_us,
        })
    }

    /// The growth of time over the growth of the parameter: 1.0 when time is proportional to the
    /// parameter, above 1.0 when it grows worse than linearly, near 1 / `param` when flat.
    pub(crate) fn ratio(&self) -> f64 {
        self.time / self.param
    }

    /// The slope on the log-log plot (the exponent k of time ~ parameter^k between the two
    /// points): 1.0 linear, 0.0 flat, 2.0 quadratic.
    pub(crate) fn exponent(&self) -> f64 {
        self.time.ln() / self.param.ln()
    }

    /// Whether time grew faster than the parameter.
    pub(crate) fn worse_than_linear(&self) -> bool {
        self.ratio() > 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(curve: &[(f64, f64)]) -> Vec<Point> {
        curve
            .iter()
            .map(|&(param, median_us)| Point {
                param,
                median_us,
                lower_us: median_us,
                upper_us: median_us,
            })
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn linear_is_one() {
        let g = Growth::of(&points(&[(10.0, 2.0), (100.0, 15.0), (1000.0, 200.0)])).unwrap();
        assert!(close(g.param, 100.0) && close(g.time, 100.0));
        assert!(close(g.ratio(), 1.0) && close(g.exponent(), 1.0));
        assert!(!g.worse_than_linear());
    }

    #[test]
    fn quadratic_is_worse_and_flat_is_better() {
        let g = Growth::of(&points(&[(10.0, 1.0), (100.0, 100.0)])).unwrap();
        assert!(close(g.ratio(), 10.0) && close(g.exponent(), 2.0));
        assert!(g.worse_than_linear());

        let g = Growth::of(&points(&[(16.0, 3.0), (8192.0, 3.0)])).unwrap();
        assert!(close(g.ratio(), 1.0 / 512.0) && close(g.exponent(), 0.0));
        assert!(!g.worse_than_linear());
    }

    #[test]
    fn needs_two_parameters() {
        assert!(Growth::of(&[]).is_err());
        assert!(Growth::of(&points(&[(10.0, 1.0)])).is_err());
    }
}
