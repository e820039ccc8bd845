//! The allowlist over the Identity Server preset, on arbitrary methods, targets and
//! `Authorization` values:
//! - never panics (`decide`, `explain`, `decide_body`);
//! - `explain` gives the same decision as `decide`;
//! - an allowed request has a Tomcat landing and a valve landing (when there is one) that no
//!   admin deny rule of the preset covers (checked independently, by prefix);
//! - an allowed request does not land on an admin surface by the mock WSO2 node's independent
//!   model of the product's routing (`mock_wso2::dispatch`).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use policies::allowlist::{AllowlistPlan, Decision};
use policies::attributes::AttributeTable;
use policies::request::RequestHead;
use policies::routing::Layer;

const ADMIN: &[&str] = &["/carbon", "/services", "/console", "/api/server", "/fileupload", "/registry", "/scim2/users", "/oauth2/introspect"];

fn plan() -> &'static AllowlistPlan {
    static PLAN: OnceLock<AllowlistPlan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let json = policies::presets::find("context-allowlist", "wso2-is").unwrap().json;
        AllowlistPlan::from_json(json.as_bytes()).unwrap()
    })
}

fn admin(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let untenanted = lower
        .strip_prefix("/t/")
        .and_then(|rest| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(&lower);
    ADMIN.iter().any(|a| {
        untenanted.strip_prefix(a).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let target = parts.next().unwrap_or_default();
    let method = parts.next().unwrap_or(b"GET");
    let auth = parts.next();
    let mut headers = vec![
        (":method".to_owned(), method.to_vec()),
        (":path".to_owned(), target.to_vec()),
        (":authority".to_owned(), b"is.example.com".to_vec()),
    ];
    if let Some(a) = auth {
        headers.push(("authorization".to_owned(), a.to_vec()));
    }
    let head = RequestHead::new(&headers);
    let attrs = AttributeTable::default().with("source.address", "203.0.113.9:4000");
    let decision = plan().decide(&head, &attrs);
    let (explained, why) = plan().explain(&head, &attrs);
    assert_eq!(decision, explained);
    if matches!(decision, Decision::Allow(_) | Decision::InspectBody { .. }) {
        if let Ok(landed) = mock_wso2::dispatch::dispatch(&String::from_utf8_lossy(target)) {
            assert!(!landed.admin, "{:?} allowed, the product routes it to {landed:?}", String::from_utf8_lossy(target));
        }
        for landing in why.landings.iter().filter(|l| l.layer != Layer::Raw) {
            assert!(!admin(&landing.path), "{:?} allowed, lands on {landing:?}", String::from_utf8_lossy(target));
        }
    }
    let _ = plan().decide_body(target, method);
});
