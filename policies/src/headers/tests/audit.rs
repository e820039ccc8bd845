//! The presets' answers, graded by the independent header grade (`gateway-hardening-cli`,
//! OWASP's published lists): the raw upstream answer fails, the hardened one earns `A+`.

use super::*;
use gateway_hardening_cli::grade::{Exchange, Grade, Report, grade as owasp_grade};

fn grade_pairs(headers: &[(String, Vec<u8>)], tls: bool) -> Report {
    owasp_grade(headers, Exchange::sensitive(tls)).unwrap()
}

fn grade(headers: &[(&str, &str)], tls: bool) -> Report {
    grade_pairs(&pairs(headers), tls)
}

const RAW_COMMONAUTH: &[(&str, &str)] = &[
    (":status", "302"),
    ("location", "/authenticationendpoint/login.do"),
    (
        "set-cookie",
        "JSESSIONID=E9421E4E2DD0FF260A43D1AA84322332; Path=/; HttpOnly",
    ),
    ("server", "WSO2 Carbon Server"),
];

#[test]
fn raw_upstream_fails_and_hardened_response_earns_the_top_grade() {
    let raw = grade(RAW_COMMONAUTH, false);
    assert_eq!(raw.grade, Grade::F, "{}", raw.failures());
    for (product, tls) in [
        ("wso2-is", true),
        ("wso2-is", false),
        ("wso2-apim", true),
        ("wso2-mi", false),
    ] {
        let p = preset(product);
        let conn = if tls { super::tls() } else { plaintext() };
        let (facts, _) = on_request(&p, "/commonauth", &[], &conn);
        let (out, _) = respond(&p, &facts, RAW_COMMONAUTH);
        let report = grade_pairs(&out, tls);
        assert_eq!(
            report.grade,
            Grade::APlus,
            "{product} tls={tls}: {}",
            report.failures()
        );
    }
}
