//! Reading criterion's results: `<criterion>/<group>/<bench>/<parameter>/new/{benchmark,estimates}.json`.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// One measured point of a curve: the parameter and the median time per iteration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    /// The benchmark's parameter (`BenchmarkId`'s value: rules, hosts, bytes, headers); > 0.
    pub(crate) param: f64,
    /// The median time per iteration, in microseconds; > 0.
    pub(crate) median_us: f64,
    /// The lower bound of the median's confidence interval (criterion's 95% by default), in µs.
    pub(crate) lower_us: f64,
    /// The upper bound of the median's confidence interval, in µs.
    pub(crate) upper_us: f64,
}

/// `new/benchmark.json`: which benchmark and parameter a directory holds.
#[derive(Deserialize)]
struct Benchmark {
    function_id: String,
    value_str: Option<String>,
}

/// `new/estimates.json`: only the median is used (robust to the odd slow sample).
#[derive(Deserialize)]
struct Estimates {
    median: Estimate,
}

/// One estimate, in nanoseconds.
#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
    confidence_interval: ConfidenceInterval,
}

#[derive(Deserialize)]
struct ConfidenceInterval {
    lower_bound: f64,
    upper_bound: f64,
}

/// Reads the points of the benchmark `bench` of the group `group` from the criterion directory
/// `criterion` (usually `target/criterion`), sorted by parameter.
///
/// Looks in `<criterion>/<group>/<bench>/`: each subdirectory with a `new/benchmark.json` is one
/// point (others, such as criterion's `report`, are skipped). Returns an error naming that
/// directory when it is missing or holds no point, and an error naming the file when a file does
/// not parse, belongs to another benchmark, or has a parameter or time that is not positive.
pub(crate) fn read_curve(criterion: &Path, group: &str, bench: &str) -> Result<Vec<Point>> {
    let dir = criterion.join(group).join(bench);
    let entries = fs::read_dir(&dir).with_context(|| {
        format!(
            "no results for `{group}/{bench}` in {} (run `cargo bench -p benches --bench combined`)",
            dir.display()
        )
    })?;
    let mut points = Vec::new();
    for entry in entries {
        let new = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path()
            .join("new");
        if new.join("benchmark.json").is_file() {
            points.push(read_point(&new, bench)?);
        }
    }
    if points.is_empty() {
        bail!(
            "no results for `{group}/{bench}` in {} (no <parameter>/new/benchmark.json; run `cargo \
             bench -p benches --bench combined`)",
            dir.display()
        );
    }
    points.sort_by(|a, b| a.param.total_cmp(&b.param));
    Ok(points)
}

/// Reads one point from a criterion `new` directory, checking it belongs to `bench`.
fn read_point(new: &Path, bench: &str) -> Result<Point> {
    let path = new.join("benchmark.json");
    let benchmark: Benchmark = read_json(&path)?;
    if benchmark.function_id != bench {
        bail!(
            "{}: benchmark `{}`, expected `{bench}`",
            path.display(),
            benchmark.function_id
        );
    }
    let value = benchmark
        .value_str
        .with_context(|| format!("{}: no parameter (`value_str`)", path.display()))?;
    let param: f64 = value
        .parse()
        .with_context(|| format!("{}: parameter `{value}` is not a number", path.display()))?;
    if !(param.is_finite() && param > 0.0) {
        bail!(
            "{}: parameter {param} cannot go on a log axis",
            path.display()
        );
    }

    let path = new.join("estimates.json");
    let median = read_json::<Estimates>(&path)?.median;
    let ci = median.confidence_interval;
    if ![median.point_estimate, ci.lower_bound, ci.upper_bound]
        .iter()
        .all(|t| t.is_finite() && *t > 0.0)
    {
        bail!(
            "{}: median or its interval is not a positive time",
            path.display()
        );
    }
    Ok(Point {
        param,
        median_us: median.point_estimate / 1_000.0,
        lower_us: ci.lower_bound / 1_000.0,
        upper_us: ci.upper_bound / 1_000.0,
    })
}

/// Reads and parses one JSON file; errors name the file.
fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh directory under the system's temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("plot-test-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// Writes a point as criterion does (times in ns).
    fn write_point(root: &Path, bench: &str, value: &str, median_ns: f64) {
        let new = root.join("scaling").join(bench).join(value).join("new");
        fs::create_dir_all(&new).unwrap();
        let benchmark = serde_json::json!({
            "group_id": "scaling", "function_id": bench, "value_str": value, "throughput": null,
            "full_id": format!("scaling/{bench}/{value}"),
        });
        fs::write(new.join("benchmark.json"), benchmark.to_string()).unwrap();
        let estimate = |t: f64| {
            serde_json::json!({
                "confidence_interval": {"confidence_level": 0.95, "lower_bound": t * 0.9,
                                        "upper_bound": t * 1.1},
                "point_estimate": t, "standard_error": 1.0,
            })
        };
        let estimates = serde_json::json!({
            "mean": estimate(median_ns * 2.0), "median": estimate(median_ns),
            "median_abs_dev": estimate(1.0), "slope": estimate(median_ns), "std_dev": estimate(1.0),
        });
        fs::write(new.join("estimates.json"), estimates.to_string()).unwrap();
    }

    #[test]
    fn reads_points_sorted_by_parameter_in_microseconds() {
        let tmp = TempDir::new("sorted");
        write_point(&tmp.0, "target bytes", "1024", 8_000.0);
        write_point(&tmp.0, "target bytes", "16", 2_000.0);
        write_point(&tmp.0, "target bytes", "128", 3_000.0);
        // Criterion's HTML report directory is not a point.
        fs::create_dir_all(tmp.0.join("scaling/target bytes/report")).unwrap();

        let points = read_curve(&tmp.0, "scaling", "target bytes").unwrap();
        let params: Vec<f64> = points.iter().map(|p| p.param).collect();
        assert_eq!(params, [16.0, 128.0, 1024.0]);
        let first = points[0];
        assert!((first.median_us - 2.0).abs() < 1e-9);
        assert!((first.lower_us - 1.8).abs() < 1e-9);
        assert!((first.upper_us - 2.2).abs() < 1e-9);
    }

    #[test]
    fn missing_or_empty_curve_names_the_directory() {
        let tmp = TempDir::new("missing");
        let err = read_curve(&tmp.0, "scaling", "request headers").unwrap_err();
        let dir = tmp.0.join("scaling").join("request headers");
        assert!(
            format!("{err:#}").contains(&dir.display().to_string()),
            "{err:#}"
        );

        fs::create_dir_all(dir.join("report")).unwrap();
        let err = read_curve(&tmp.0, "scaling", "request headers").unwrap_err();
        assert!(
            format!("{err:#}").contains(&dir.display().to_string()),
            "{err:#}"
        );
    }

    #[test]
    fn rejects_a_point_of_another_benchmark_or_a_bad_file() {
        let tmp = TempDir::new("bad");
        write_point(&tmp.0, "target bytes", "16", 2_000.0);
        let err = read_curve(&tmp.0, "scaling", "target bytes").map(|_| ());
        assert!(err.is_ok());
        // A directory copied from another curve.
        write_point(&tmp.0, "request headers", "10", 2_000.0);
        fs::rename(
            tmp.0.join("scaling/request headers/10"),
            tmp.0.join("scaling/target bytes/10"),
        )
        .unwrap();
        let err = read_curve(&tmp.0, "scaling", "target bytes").unwrap_err();
        assert!(
            format!("{err:#}").contains("expected `target bytes`"),
            "{err:#}"
        );

        fs::write(
            tmp.0.join("scaling/target bytes/10/new/benchmark.json"),
            "{",
        )
        .unwrap();
        let err = read_curve(&tmp.0, "scaling", "target bytes").unwrap_err();
        assert!(format!("{err:#}").contains("parsing"), "{err:#}");
    }
}
