//! `cargo xtask check-config FILE --filter NAME`: the filter's own parse and compile, offline.

use std::path::Path;

use anyhow::{Context, Result, bail};

/// Prints `FILE: OK` or `FILE:LINE:COLUMN: <error naming the field>` and fails on an error.
pub(crate) fn check_config(file: &Path, filter: &str) -> Result<()> {
    let json = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    match policies::check::check(filter, &json) {
        Ok(()) => {
            println!("{}: OK ({filter})", file.display());
            Ok(())
        }
        Err(None) => bail!(
            "unknown filter '{filter}' (one of {})",
            policies::check::FILTERS.join(", ")
        ),
        Err(Some(err)) => {
            let at = err
                .location()
                .map_or(String::new(), |(l, c)| format!(":{l}:{c}"));
            bail!("{}{at}: {err}", file.display())
        }
    }
}
