//! Drawing one curve as a PNG: log-log axes, the medians with their confidence intervals, and a
//! dashed line of slope 1 (linear growth) through the first point.

use std::path::Path;

use anyhow::{Context, Result};
use plotters::coord::combinators::{BindKeyPoints, WithKeyPoints};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::curves::Curve;
use crate::font::FAMILY;
use crate::growth::Growth;
use crate::results::Point;
use crate::ticks::{GRID, LABELLED, decade_points, tick};

/// The image size, in pixels.
pub(crate) const SIZE: (u32, u32) = (800, 500);

/// Room around the data on both log axes (a factor).
const PAD: f64 = 1.4;

/// The colour of the measured curve.
const DATA: RGBColor = RGBColor(31, 119, 180);

/// The colour of the linear reference.
const REFERENCE: RGBColor = RGBColor(120, 120, 120);

/// Draws `points` (sorted by parameter, at least two: see [`Growth::of`]) of `curve` to the PNG
/// file `path` ([`SIZE`] pixels), with `growth` summarised in the legend. Needs the font
/// registered ([`crate::font::register`]). Errors name the file.
pub(crate) fn draw_curve(
    path: &Path,
    curve: &Curve,
    points: &[Point],
    growth: &Growth,
) -> Result<()> {
    draw(path, curve, points, growth).with_context(|| format!("drawing {}", path.display()))
}

fn draw(path: &Path, curve: &Curve, points: &[Point], growth: &Growth) -> Result<()> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        anyhow::bail!("no points");
    };
    // The reference spans the data's x range; the y range includes all of it so the axes show
    // as many decades of time as of the parameter, and a flat curve looks flat.
    let linear = [
        (first.param, first.median_us),
        (last.param, first.median_us * growth.param),
    ];
    let y_min = points
        .iter()
        .map(|p| p.lower_us)
        .fold(first.median_us, f64::min);
    let y_max = points
        .iter()
        .map(|p| p.upper_us)
        .fold(linear[1].1, f64::max);

    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(curve.title, (FAMILY, 24))
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(
            log_axis(
                first.param / PAD,
                last.param * PAD,
                points.iter().map(|p| p.param).collect(),
            ),
            log_axis(
                y_min / PAD,
                y_max * PAD,
                decade_points(y_min / PAD, y_max * PAD, LABELLED),
            ),
        )?;
    chart
        .configure_mesh()
        .x_desc(format!("{} (log scale)", curve.unit))
        .y_desc("time per request (µs, log scale)")
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(205, 205, 205))
        .draw()?;

    chart
        .draw_series(DashedLineSeries::new(
            linear,
            10,
            6,
            REFERENCE.stroke_width(2),
        ))?
        .label("linear (slope 1 through the first point)")
        .legend(|(x, y)| {
            DashedPathElement::new([(x, y), (x + 20, y)], 6, 4, REFERENCE.stroke_width(2))
        });
    draw_intervals(&mut chart, points)?;
    chart
        .draw_series(LineSeries::new(
            points.iter().map(|p| (p.param, p.median_us)),
            DATA.stroke_width(2),
        ))?
        .label("median, with its 95% confidence interval")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], DATA.stroke_width(2)));
    chart.draw_series(
        points
            .iter()
            .map(|p| Circle::new((p.param, p.median_us), 4, DATA.filled())),
    )?;
    // A legend line without a marker: the growth the program also prints.
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
        .label(format!(
            "first to last: time ×{}, {} ×{} (ratio {:.3}; 1 = linear){}",
            tick(growth.time),
            curve.unit,
            tick(growth.param),
            growth.ratio(),
            if growth.worse_than_linear() {
                ", worse than linear"
            } else {
                ""
            }
        ))
        .legend(|(x, y)| EmptyElement::at((x, y)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FAMILY, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(205, 205, 205))
        .draw()?;
    root.present()?;
    Ok(())
}

/// A log axis from `lo` to `hi` labelled at `labels`, with grid lines at 1 to 9 per decade.
fn log_axis(lo: f64, hi: f64, labels: Vec<f64>) -> WithKeyPoints<LogCoord<f64>> {
    (lo..hi)
        .log_scale()
        .with_key_points(labels)
        .with_light_points(decade_points(lo, hi, GRID))
}

type Chart<'a, 'b> = ChartContext<
    'a,
    BitMapBackend<'b>,
    Cartesian2d<WithKeyPoints<LogCoord<f64>>, WithKeyPoints<LogCoord<f64>>>,
>;

/// Draws each point's confidence interval as a vertical bar with caps.
fn draw_intervals(chart: &mut Chart<'_, '_>, points: &[Point]) -> Result<()> {
    let style = DATA.stroke_width(1);
    chart.draw_series(
        points
            .iter()
            .map(|p| PathElement::new([(p.param, p.lower_us), (p.param, p.upper_us)], style)),
    )?;
    let cap =
        |x: f64, y: f64| EmptyElement::at((x, y)) + PathElement::new([(-5, 0), (5, 0)], style);
    chart.draw_series(points.iter().map(|p| cap(p.param, p.lower_us)))?;
    chart.draw_series(points.iter().map(|p| cap(p.param, p.upper_us)))?;
    Ok(())
}
