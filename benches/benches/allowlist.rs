//! `normalize_target` and `AllowlistPlan::decide` over the realistic mix in `benches::mix()`,
//! with the WSO2 Identity Server preset. Reported per request (criterion's time per iteration,
//! one iteration = one target).

// A benchmark is not on the request path: a broken preset should stop it loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use policies::allowlist::AllowlistPlan;
use policies::attributes::AttributeTable;
use policies::path::{DEFAULT_MAX_TARGET_BYTES, normalize_target};
use policies::request::RequestHead;

fn heads() -> Vec<Vec<(String, Vec<u8>)>> {
    benches::mix()
        .into_iter()
        .map(|t| {
            vec![
                (":method".to_owned(), b"GET".to_vec()),
                (":path".to_owned(), t.into_bytes()),
                (":authority".to_owned(), b"is.example.com".to_vec()),
                ("user-agent".to_owned(), b"Mozilla/5.0".to_vec()),
                ("accept".to_owned(), b"*/*".to_vec()),
            ]
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let preset = policies::presets::find("context-allowlist", "wso2-is")
        .map(|p| p.json)
        .unwrap_or("{}");
    let plan = AllowlistPlan::from_json(preset.as_bytes()).unwrap();
    let conn = AttributeTable::default().with("source.address", "203.0.113.9:40000");
    let mut group = c.benchmark_group("allowlist");
    for (i, head) in heads().iter().enumerate() {
        let target = String::from_utf8_lossy(&head[1].1).into_owned();
        let name = if target.len() > 40 {
            format!("{i}:{}…", &target[..40])
        } else {
            format!("{i}:{target}")
        };
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("normalize {name}"), |b| {
            b.iter(|| normalize_target(black_box(target.as_bytes()), DEFAULT_MAX_TARGET_BYTES))
        });
        group.bench_function(format!("decide {name}"), |b| {
            b.iter(|| plan.decide(black_box(&RequestHead::new(head)), &conn))
        });
    }
    let all = heads();
    group.throughput(Throughput::Elements(all.len() as u64));
    group.bench_function("decide mix (per mix)", |b| {
        b.iter(|| {
            for h in &all {
                black_box(plan.decide(black_box(&RequestHead::new(h)), &conn));
            }
        })
    });
    group.finish();
    c.bench_function("allowlist compile wso2-is preset", |b| {
        b.iter(|| AllowlistPlan::from_json(black_box(preset.as_bytes())))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
