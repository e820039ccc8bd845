//! The combined decision natively (what `gateway_hardening.wasm` decides per request, without
//! the Proxy-Wasm host): header-hardening's request facts, tls-guard's request decision,
//! context-allowlist's decision, tls-guard's response decision and header-hardening's response
//! edits, with the dmz-gateway example's configurations, on a public and an admin path. Then how
//! the cost grows with the work (`scaling/…`): allow and deny rules (10 to 3,000 globs each;
//! 10,000 are refused at configure time),
//! virtual hosts (1 to 1,000), the request target's length (16 B to 8 KiB) and the number of
//! request headers (10 to 100). Times are per request.

// A benchmark is not on the request path: a broken configuration should stop it loudly.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use policies::allowlist::AllowlistPlan;
use policies::attributes::AttributeTable;
use policies::headers::HeaderPlan;
use policies::request::RequestHead;
use policies::tls::TlsGuardPlan;

type Pairs = Vec<(String, Vec<u8>)>;

fn example(file: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(
        root.join("envoy-examples/dmz-gateway/plugin-config")
            .join(file),
    )
    .unwrap()
}

fn request(path: &str, extra_headers: usize) -> Pairs {
    let mut h: Pairs = vec![
        (":method".into(), b"GET".to_vec()),
        (":path".into(), path.as_bytes().to_vec()),
        (":authority".into(), b"localhost".to_vec()),
        (":scheme".into(), b"http".to_vec()),
        ("user-agent".into(), b"wrk".to_vec()),
        (
            "x-request-id".into(),
            b"0d8f5c1e-7f6b-4b8e-9a57-3c2a1d0e9f11".to_vec(),
        ),
    ];
    for i in 0..extra_headers {
        h.push((format!("x-extra-{i}"), b"some value".to_vec()));
    }
    h
}

/// The three plans of the example (tls-guard with plaintext allowed and no upstream checks, as
/// `cargo xtask bench` runs it).
fn plans() -> (HeaderPlan, TlsGuardPlan, AllowlistPlan) {
    let mut tls: serde_json::Value = serde_json::from_str(&example("tls-guard.json")).unwrap();
    tls.as_object_mut().unwrap().remove("upstream");
    for host in tls["virtual_hosts"].as_array_mut().unwrap() {
        host["plaintext"] = "allow".into();
    }
    (
        HeaderPlan::from_json(example("header-hardening.json").as_bytes()).unwrap(),
        TlsGuardPlan::from_json(tls.to_string().as_bytes()).unwrap(),
        AllowlistPlan::from_json(example("context-allowlist.json").as_bytes()).unwrap(),
    )
}

fn combined(c: &mut Criterion) {
    let (headers, tls, allowlist) = plans();
    let conn = AttributeTable::default()
        .with("source.address", "127.0.0.1:40000")
        .with("response.code_details", "direct_response");
    let answer: Pairs = vec![
        (":status".into(), b"200".to_vec()),
        ("content-type".into(), b"text/plain".to_vec()),
        ("content-length".into(), b"2".to_vec()),
    ];
    for (label, path) in [
        ("public", "/oauth2/jwks"),
        ("admin", "/carbon/admin/login.jsp"),
    ] {
        let req = request(path, 0);
        c.bench_function(&format!("combined decision, {label} path"), |b| {
            b.iter(|| {
                let head = RequestHead::new(black_box(&req));
                let (facts, verdict) = headers.on_request(&head, &conn);
                black_box(verdict);
                black_box(tls.decide_request(&head, &conn));
                black_box(allowlist.decide(&head, &conn));
                black_box(tls.decide_response(&conn));
                black_box(headers.on_response(&facts, &answer))
            })
        });
    }
}

/// An allowlist of `n` allow and `n` deny globs on one virtual host.
fn allowlist_with_rules(n: usize) -> AllowlistPlan {
    let allow: Vec<String> = (0..n).map(|i| format!("/app{i}/**")).collect();
    let deny: Vec<String> = (0..n).map(|i| format!("/admin{i}")).collect();
    let json =
        serde_json::json!({"virtual_hosts": [{"domains": ["*"], "allow": allow, "deny": deny}]});
    AllowlistPlan::from_json(json.to_string().as_bytes()).unwrap()
}

/// An allowlist of `n` virtual hosts (`h<i>.example.com`), each with the same few rules.
fn allowlist_with_hosts(n: usize) -> AllowlistPlan {
    let hosts: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({"domains": [format!("h{i}.example.com")], "allow": ["/oauth2/**"], "deny": ["/carbon"]})
        })
        .collect();
    let json = serde_json::json!({ "virtual_hosts": hosts });
    AllowlistPlan::from_json(json.to_string().as_bytes()).unwrap()
}

/// The three request-time decisions of the combined module on `req`.
fn request_decisions(
    (headers, tls, allowlist): &(HeaderPlan, TlsGuardPlan, AllowlistPlan),
    conn: &AttributeTable,
    req: &Pairs,
) {
    let head = RequestHead::new(black_box(req));
    black_box(headers.on_request(&head, conn));
    black_box(tls.decide_request(&head, conn));
    black_box(allowlist.decide(&head, conn));
}

fn scaling(c: &mut Criterion) {
    let conn = AttributeTable::default().with("source.address", "127.0.0.1:40000");
    let mut group = c.benchmark_group("scaling");
    // 10,000 allow and 10,000 deny globs are refused at configure time (globset's automaton
    // outgrows its size limit: `error building NFA`), so the curve stops at 3,000.
    for n in [10, 100, 1_000, 3_000] {
        let plan = allowlist_with_rules(n);
        // The last allow rule: every glob of the set is a candidate.
        let req = request(&format!("/app{}/x", n - 1), 0);
        group.bench_with_input(BenchmarkId::new("allowlist rules", n), &req, |b, req| {
            b.iter(|| plan.decide(&RequestHead::new(black_box(req)), &conn))
        });
    }
    for n in [1, 10, 100, 1_000] {
        let plan = allowlist_with_hosts(n);
        let mut req = request("/oauth2/jwks", 0);
        req[2].1 = format!("h{}.example.com", n - 1).into_bytes();
        group.bench_with_input(
            BenchmarkId::new("allowlist virtual hosts", n),
            &req,
            |b, req| b.iter(|| plan.decide(&RequestHead::new(black_box(req)), &conn)),
        );
    }
    let plans = plans();
    for bytes in [16, 128, 1_024, 8_192] {
        let mut path = String::from("/oauth2/");
        while path.len() < bytes {
            path.push_str("seg/");
        }
        path.truncate(bytes);
        let req = request(&path, 0);
        group.bench_with_input(BenchmarkId::new("target bytes", bytes), &req, |b, req| {
            b.iter(|| request_decisions(&plans, &conn, req))
        });
    }
    for n in [10_usize, 25, 50, 100] {
        let req = request("/oauth2/jwks", n.saturating_sub(6));
        group.bench_with_input(BenchmarkId::new("request headers", n), &req, |b, req| {
            b.iter(|| request_decisions(&plans, &conn, req))
        });
    }
    group.finish();
}

criterion_group!(benches, combined, scaling);
criterion_main!(benches);
