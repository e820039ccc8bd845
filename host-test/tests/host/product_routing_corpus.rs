//! The product-routing attack corpus cannot silently hold harmless requests: every test of
//! `scenarios/context-allowlist/product-routing/tenant-valve.yaml` must land on an admin surface
//! of WSO2 Identity Server when sent without the filter, by `mock_wso2::dispatch` (the mock
//! upstream's independent port of the product's routing), and must expect `admin_reached: false`.

use std::path::Path;

use host_test::scenario::load;

#[test]
fn every_tenant_valve_attack_lands_on_an_admin_surface_without_the_filter() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/context-allowlist/product-routing/tenant-valve.yaml");
    let file = load(&path).unwrap();
    assert!(
        file.tests.len() >= 25,
        "{} tests in {}",
        file.tests.len(),
        path.display()
    );
    let mut harmless = Vec::new();
    for case in &file.tests {
        assert!(
            case.request.raw.is_none() && case.request.raw_base64.is_none(),
            "{}: the corpus sends request.path, not raw bytes",
            case.id
        );
        assert_eq!(
            case.expect.admin_reached,
            Some(false),
            "{}: an attack must expect admin_reached: false",
            case.id
        );
        match mock_wso2::dispatch::dispatch(&case.request.path) {
            Ok(d) if d.admin => {}
            Ok(d) => harmless.push(format!(
                "{} {}: lands on {} {} (not admin)",
                case.id, case.request.path, d.webapp, d.path
            )),
            Err(reason) => harmless.push(format!(
                "{} {}: Tomcat refuses it ({reason})",
                case.id, case.request.path
            )),
        }
    }
    assert!(
        harmless.is_empty(),
        "attacks that reach no admin surface even without the filter:\n{}",
        harmless.join("\n")
    );
}
