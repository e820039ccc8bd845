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

/// `--request 'METHOD TARGET'`: the context-allowlist's decision about one request (from a
/// source outside every `internal_sources`), with every landing of the product's routing model
/// and the layer, path and rule that decided.
pub(crate) fn explain(file: &Path, filter: &str, request: &str, host: &str) -> Result<()> {
    if filter != "context-allowlist" {
        bail!("--request explains context-allowlist decisions only");
    }
    let json = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let plan = policies::allowlist::AllowlistPlan::from_json(&json)?;
    let (method, target) = request
        .split_once(' ')
        .context("--request takes 'METHOD TARGET'")?;
    let headers = vec![
        (":method".to_owned(), method.as_bytes().to_vec()),
        (":path".to_owned(), target.as_bytes().to_vec()),
        (":authority".to_owned(), host.as_bytes().to_vec()),
    ];
    let attrs =
        policies::attributes::AttributeTable::default().with("source.address", "192.0.2.1:40000");
    let (decision, why) = plan.explain(&policies::request::RequestHead::new(&headers), &attrs);
    println!("decision: {decision:?}");
    for landing in &why.landings {
        let detail = landing
            .detail
            .as_deref()
            .map_or(String::new(), |d| format!(" ({d})"));
        println!("  {:<12} {}{detail}", landing.layer.as_str(), landing.path);
    }
    if let (Some(layer), Some(landed)) = (why.decided_by, &why.landed) {
        let rule = why
            .rule
            .as_deref()
            .map_or(String::new(), |r| format!(" by {r}"));
        println!("decided by {layer}: {landed}{rule}");
    }
    Ok(())
}
