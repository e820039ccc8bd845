//! `HeaderPlan::on_request` and `HeaderPlan::on_response` with the WSO2 Identity Server preset of
//! header-hardening: the work the filter does per request, natively, without any host call.
//! Reported per request (one iteration = one request and its response).

// A benchmark is not on the request path: a broken preset should stop it loudly.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use policies::attributes::AttributeTable;
use policies::headers::{HeaderPlan, RequestVerdict};
use policies::request::RequestHead;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
        .collect()
}

fn bench(c: &mut Criterion) {
    let preset = policies::presets::find("header-hardening", "wso2-is")
        .map(|p| p.json)
        .unwrap_or("{}");
    let plan = HeaderPlan::from_json(preset.as_bytes()).unwrap();
    let tls = AttributeTable::default().with("connection.tls_version", "TLSv1.3");
    let request = pairs(&[
        (":method", "GET"),
        (
            ":path",
            "/authenticationendpoint/login.do?sessionDataKey=0f8fad5b-d9cb-469f-a165-70867728950e&client_id=abc",
        ),
        (":authority", "is.example.com"),
        ("user-agent", "Mozilla/5.0"),
        ("accept", "text/html"),
    ]);
    // What the mock WSO2 upstream answers on a login page: a session cookie without Secure or
    // SameSite, and the Server header the seeds ask to hide.
    let response = pairs(&[
        (":status", "200"),
        ("server", "WSO2 Carbon Server"),
        ("content-type", "text/html;charset=UTF-8"),
        (
            "set-cookie",
            "JSESSIONID=4C1B6A4F2E3D5C7B9A8F6E5D4C3B2A19; Path=/; HttpOnly",
        ),
        ("x-powered-by", "Servlet/3.1"),
        ("content-length", "1024"),
    ]);
    c.bench_function("headers on_request wso2-is (login page, TLS)", |b| {
        b.iter(|| plan.on_request(black_box(&RequestHead::new(&request)), &tls))
    });
    let (facts, verdict) = plan.on_request(&RequestHead::new(&request), &tls);
    // Benchmark a request that passes the input validation and a response the preset rewrites.
    assert!(matches!(verdict, RequestVerdict::Continue));
    assert!(!plan.on_response(&facts, &response).edits.is_empty());
    c.bench_function(
        "headers on_response wso2-is (login page, JSESSIONID)",
        |b| b.iter(|| plan.on_response(black_box(&facts), black_box(&response))),
    );
    c.bench_function("headers compile wso2-is preset", |b| {
        b.iter(|| HeaderPlan::from_json(black_box(preset.as_bytes())))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
