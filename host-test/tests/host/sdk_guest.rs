//! The harness against a filter written with the Rust SDK (proxy-wasm 0.2.5), built by the
//! build script: the SDK's dispatcher, its header and property calls, local responses.

use host_test::{Action, Callback, Connection, HostKind, ModuleSource, Plugin, Request, Response};

fn guest() -> ModuleSource {
    let path = env!("SDK_GUEST_WASM");
    assert!(!path.is_empty(), "{}", env!("SDK_GUEST_ERROR"));
    ModuleSource::Path(path.into())
}

#[test]
fn sdk_guest_denies_with_local_response_and_counts() {
    let mut p = Plugin::builder(guest())
        .configuration("/carbon")
        .start()
        .unwrap();
    let ex = p
        .exchange(
            &Connection::new(),
            &Request::get("/carbon/admin"),
            &Response::ok(),
        )
        .unwrap();
    assert_eq!(ex.status(), Some(403));
    assert_eq!(ex.action(Callback::RequestHeaders), Some(Action::Pause));
    let local = ex.local_response.unwrap();
    assert_eq!(
        local.headers.get_str("x-denied-by").as_deref(),
        Some("sdk-guest")
    );
    assert_eq!(local.body, b"denied");
    assert!(
        ex.logs
            .iter()
            .any(|l| l.message == "sdk-guest decision=deny path=/carbon/admin")
    );
    assert_eq!(p.metric("sdk_guest.denied"), Some(1));
}

#[test]
fn sdk_guest_tags_allowed_requests_with_tls_property() {
    let mut p = Plugin::builder(guest())
        .configuration("/carbon")
        .host(HostKind::Kong)
        .start()
        .unwrap();
    let ex = p
        .exchange(
            &Connection::new().tls("TLSv1.3"),
            &Request::get("/oauth2/token"),
            &Response::ok().header("server", "WSO2 Carbon Server"),
        )
        .unwrap();
    let up = ex.upstream_request.unwrap();
    assert_eq!(up.headers.get_str("x-guest").as_deref(), Some("TLSv1.3"));
    assert_eq!(ex.client_response.unwrap().headers.get(b"server"), None);
    let plain = p
        .exchange(&Connection::new(), &Request::get("/x"), &Response::ok())
        .unwrap();
    assert_eq!(
        plain
            .upstream_request
            .unwrap()
            .headers
            .get_str("x-guest")
            .as_deref(),
        Some("plain")
    );
}

#[test]
fn sdk_guest_rejects_empty_configuration() {
    let err = Plugin::builder(guest()).start().err().unwrap();
    assert!(
        matches!(err, host_test::Error::ConfigureRejected { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("no plugin configuration"), "{err}");
}
