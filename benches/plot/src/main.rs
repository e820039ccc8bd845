//! `plot`: PNG plots of the criterion scaling curves of `cargo bench -p benches --bench combined`
//! (group `scaling`), one per curve, on log-log axes against a linear reference. Prints each file
//! written and, per curve, how time grew against the parameter (see README.md).

mod curves;
mod draw;
mod font;
mod growth;
mod results;
mod ticks;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Parser;

use crate::curves::{CURVES, GROUP};
use crate::growth::Growth;

/// Draws the criterion scaling curves (`cargo bench -p benches --bench combined`) as PNG files.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Criterion's output directory (it holds `scaling/<bench>/<parameter>/new/estimates.json`).
    #[arg(long, default_value = "target/criterion")]
    criterion: PathBuf,
    /// Where to write the PNG files (created if missing).
    #[arg(long, default_value = "benches/plots")]
    out: PathBuf,
    /// The TrueType font for the text.
    #[arg(long, default_value = font::FONT_PATH)]
    font: PathBuf,
}

fn main() -> Result<()> {
    let args = Args::parse();
    run(&args.criterion, &args.out, &args.font)
}

/// Reads every curve first (so a missing one writes nothing), then draws and reports each.
fn run(criterion: &Path, out: &Path, font_path: &Path) -> Result<()> {
    let mut curves = Vec::with_capacity(CURVES.len());
    let mut missing = Vec::new();
    for curve in &CURVES {
        match results::read_curve(criterion, GROUP, curve.bench) {
            Ok(points) => {
                let growth = Growth::of(&points)
                    .with_context(|| format!("curve `{GROUP}/{}`", curve.bench))?;
                curves.push((curve, points, growth));
            }
            Err(err) => missing.push(format!("{err:#}")),
        }
    }
    if !missing.is_empty() {
        bail!("{}", missing.join("\n"));
    }

    font::register(font_path)?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for (curve, points, growth) in &curves {
        let path = out.join(format!("{}.png", curve.slug));
        draw::draw_curve(&path, curve, points, growth)?;
        println!("wrote {}", path.display());
    }
    for (curve, _, growth) in &curves {
        println!(
            "growth {}: ratio {:.4} (time x{} while {} x{}; log-log slope {:.2}){}",
            curve.slug,
            growth.ratio(),
            ticks::tick(growth.time),
            curve.unit,
            ticks::tick(growth.param),
            growth.exponent(),
            if growth.worse_than_linear() {
                ", worse than linear"
            } else {
                ""
            }
        );
    }
    Ok(())
}
