//! `TlsGuardPlan::decide_request` and `decide_response` with the WSO2 Identity Server preset of
//! tls-guard, over the connection attributes Envoy reports for a TLS 1.3 request and its TLS
//! upstream. Reported per request (one iteration = one decision).

// A benchmark is not on the request path: a broken preset should stop it loudly.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use policies::attributes::AttributeTable;
use policies::request::RequestHead;
use policies::tls::{Decision, TlsGuardPlan};

fn bench(c: &mut Criterion) {
    let preset = policies::presets::find("tls-guard", "wso2-is")
        .map(|p| p.json)
        .unwrap_or("{}");
    let plan = TlsGuardPlan::from_json(preset.as_bytes()).unwrap();
    let request: Vec<(String, Vec<u8>)> = [
        (":method", "GET"),
        (
            ":path",
            "/oauth2/authorize?response_type=code&client_id=abc",
        ),
        (":authority", "is.example.com"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
    .collect();
    let attrs = AttributeTable::default()
        .with("connection.tls_version", "TLSv1.3")
        .with("connection.requested_server_name", "is.example.com")
        .with(
            "filter_state.gateway_hardening.tls_cipher",
            "TLS_AES_128_GCM_SHA256",
        )
        .with("upstream.address", "10.0.0.7:9443")
        .with("upstream.tls_version", "TLSv1.3")
        .with(
            "upstream.subject_peer_certificate",
            "CN=is.internal,O=Example,C=US",
        )
        .with(
            "upstream.sha256_peer_certificate_digest",
            "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
        )
        .with("xds.cluster_name", "wso2_is");
    // Benchmark the paths that let a request through, not an early refusal.
    let allowed = |d: Decision| matches!(d, Decision::Allow(_));
    assert!(allowed(
        plan.decide_request(&RequestHead::new(&request), &attrs)
    ));
    assert!(allowed(plan.decide_response(&attrs)));
    c.bench_function("tls decide_request wso2-is (TLS 1.3, SNI)", |b| {
        b.iter(|| plan.decide_request(black_box(&RequestHead::new(&request)), &attrs))
    });
    c.bench_function("tls decide_response wso2-is (TLS upstream)", |b| {
        b.iter(|| plan.decide_response(black_box(&attrs)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
