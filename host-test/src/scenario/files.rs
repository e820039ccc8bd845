//! Finding scenario files on disk.

use std::path::{Path, PathBuf};

/// Scenario files under `paths` (files as given; folders searched for `*.yaml`/`*.yml`,
/// sorted, skipping `expected-differences.yaml` and `kill-matrix.yaml`, which are not scenario
/// files).
pub fn collect(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml")
            && p.file_name()
                .is_some_and(|n| n != "expected-differences.yaml" && n != "kill-matrix.yaml")
        {
            out.push(p);
        }
    }
}
