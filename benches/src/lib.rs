//! Shared inputs of the benchmarks: a realistic mix of request targets.

/// Short legitimate targets, as browsers and OAuth2 clients send them.
pub const LEGITIMATE: &[&str] = &[
    "/oauth2/token",
    "/oauth2/authorize?response_type=code&client_id=abc&redirect_uri=https%3A%2F%2Fapp%2Fcb&scope=openid",
    "/commonauth",
    "/authenticationendpoint/login.do?sessionDataKey=0f8fad5b-d9cb-469f-a165-70867728950e",
    "/.well-known/openid-configuration",
    "/t/acme.com/oauth2/jwks",
];

/// Attack targets from the bypass corpus.
pub const ATTACKS: &[&str] = &[
    "/oauth2/..;/carbon/admin/login.jsp",
    "/%2e%2e/%63arbon/",
    "//services//RemoteUserStoreManagerService?wsdl",
    "/oauth2/%252e%252e/carbon",
    "/CARBON/admin/index.jsp",
];

/// A long legitimate target: 40 segments with path parameters and escapes (about 1.2 KiB).
pub fn long_target() -> String {
    let mut t = String::from("/authenticationendpoint");
    for i in 0..40 {
        t.push_str(&format!("/segment-{i};jsessionid=ABCDEF%20{i}"));
    }
    t
}

/// The mix every benchmark runs: legitimate, long and attack targets, in that order.
pub fn mix() -> Vec<String> {
    LEGITIMATE
        .iter()
        .chain(ATTACKS)
        .map(|s| s.to_string())
        .chain([long_target()])
        .collect()
}
