//! Table tests of the header-hardening policy: configuration errors, response edits, cookies,
//! session ids, input validation and the audit.

mod answers;
mod audit;
mod config;
mod cookies;
mod input;
mod response;

use super::*;
use crate::attributes::AttributeTable;
use crate::request::RequestHead;

/// Header pairs from `(name, value)` strings.
fn pairs(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
        .collect()
}

/// A request head for `target` on `host`, with `extra` headers.
fn request(target: &str, host: &str, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut h = pairs(&[(":method", "GET"), (":path", target), (":authority", host)]);
    h.extend(pairs(extra));
    h
}

fn plan(json: &str) -> HeaderPlan {
    HeaderPlan::from_json(json.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn preset(product: &str) -> HeaderPlan {
    plan(
        crate::presets::find("header-hardening", product)
            .unwrap()
            .json,
    )
}

fn tls() -> AttributeTable {
    AttributeTable::default().with("connection.tls_version", "TLSv1.3")
}

fn plaintext() -> AttributeTable {
    AttributeTable::default()
}

/// The request facts and verdict for `target` (host `is.example.com`).
fn on_request(
    plan: &HeaderPlan,
    target: &str,
    extra: &[(&str, &str)],
    conn: &AttributeTable,
) -> (RequestFacts, RequestVerdict) {
    plan.on_request(
        &RequestHead::new(&request(target, "is.example.com", extra)),
        conn,
    )
}

/// The response after the plan's edits.
fn respond(
    plan: &HeaderPlan,
    facts: &RequestFacts,
    response: &[(&str, &str)],
) -> (Vec<(String, Vec<u8>)>, ResponseEdits) {
    let mut headers = pairs(response);
    let edits = plan.on_response(facts, &headers);
    apply(&edits.edits, &mut headers);
    (headers, edits)
}

/// Every value of `name` in `headers`, as text.
fn get(headers: &[(String, Vec<u8>)], name: &str) -> Vec<String> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect()
}

/// A static header list in a table.
type Hs = &'static [(&'static str, &'static str)];

const MINIMAL: &str = r#"{"virtual_hosts": [{"domains": ["*"]}]}"#;
