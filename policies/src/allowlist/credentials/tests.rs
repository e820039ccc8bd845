//! Credential encodings and carriers: each row names itself in a failure.

use super::*;

fn admin() -> Vec<Credential> {
    vec![Credential {
        username: "admin".into(),
        password: "admin".into(),
    }]
}

/// `(name, Authorization value, carries admin:admin)`.
const AUTHORIZATION: &[(&str, &str, bool)] = &[
    ("padded", "Basic YWRtaW46YWRtaW4=", true),
    ("unpadded", "Basic YWRtaW46YWRtaW4", true),
    ("lower-case scheme", "basic YWRtaW46YWRtaW4=", true),
    ("upper-case scheme", "BASIC YWRtaW46YWRtaW4=", true),
    ("spaces around", "  Basic   YWRtaW46YWRtaW4=  ", true),
    ("tab separator", "Basic\tYWRtaW46YWRtaW4=", true),
    (
        "junk bytes inside the token",
        "Basic YW.Rt*aW4!6YW Rt~aW4=",
        true,
    ),
    (
        "non-ascii inside the token",
        "Basic YWRt\u{e9}aW46YWRtaW4=",
        true,
    ),
    ("garbage after the pad", "Basic YWRtaW46YWRtaW4=@@@@", true),
    ("unused trailing bits", "Basic YWRtaW46YWRtaW5", true),
    (
        "lone trailing sextet",
        "Basic YWRtaW5AY2FyYm9uLnN1cGVyOmFkbWluA",
        true,
    ),
    ("pad inside the token", "Basic YWRt=aW46YWRtaW4", true),
    (
        "user-store domain prefix",
        "Basic UFJJTUFSWS9hZG1pbjphZG1pbg==",
        true,
    ),
    (
        "domain prefix, other case",
        "Basic cHJpbWFyeS9BRE1JTjphZG1pbg==",
        true,
    ),
    (
        "tenant-qualified",
        "Basic YWRtaW5AY2FyYm9uLnN1cGVyOmFkbWlu",
        true,
    ),
    (
        "tenant-qualified, upper case",
        "Basic QURNSU5AQ0FSQk9OLlNVUEVSOmFkbWlu",
        true,
    ),
    ("user name case", "Basic QWRtaW46YWRtaW4=", true),
    (
        "trailing space in the user name",
        "Basic YWRtaW4gOmFkbWlu",
        true,
    ),
    ("other password", "Basic YWRtaW46c2VjcmV0", false),
    ("password case matters", "Basic YWRtaW46QWRtaW4=", false),
    (
        "colon in the password",
        "Basic YWRtaW46YWRtaW46ZXh0cmE=",
        false,
    ),
    ("bearer scheme", "Bearer YWRtaW46YWRtaW4=", false),
    ("scheme with a suffix", "BasicX YWRtaW46YWRtaW4=", false),
    ("no token", "Basic", false),
    (
        "joined lines, basic second",
        "Bearer x,basic YWRtaW46YWRtaW4",
        true,
    ),
    (
        "joined lines, basic first",
        "Basic YWRtaW46YWRtaW4=,Bearer y",
        true,
    ),
];

#[test]
fn authorization_values() {
    for (name, value, want) in AUTHORIZATION {
        let got = in_authorization(std::iter::once(value.as_bytes()), &admin());
        assert_eq!(got, *want, "row `{name}`: {value}");
    }
}

#[test]
fn every_authorization_line_counts() {
    let lines: [&[u8]; 2] = [b"Bearer abc", b"Basic YWRtaW46YWRtaW4="];
    assert!(in_authorization(lines.into_iter(), &admin()));
    assert!(!in_authorization(lines.into_iter(), &[]));
}

/// `(name, query string or form body, carries admin:admin)`.
const PARAMETERS: &[(&str, &str, bool)] = &[
    ("plain", "username=admin&password=admin", true),
    (
        "reordered, other fields",
        "grant_type=password&password=admin&scope=openid&username=admin",
        true,
    ),
    ("encoded user name", "username=%61dmin&password=admin", true),
    (
        "encoded password",
        "username=admin&password=%61%64%6d%69%6e",
        true,
    ),
    (
        "domain prefix",
        "username=PRIMARY%2Fadmin&password=admin",
        true,
    ),
    (
        "tenant-qualified",
        "username=admin%40carbon.super&password=admin",
        true,
    ),
    ("parameter name case", "UserName=admin&Password=admin", true),
    (
        "repeated, second one default",
        "username=bob&username=admin&password=admin",
        true,
    ),
    ("other password", "username=admin&password=s3cret", false),
    (
        "password with a space",
        "username=admin&password=admin+",
        false,
    ),
    ("user only", "username=admin", false),
    ("empty", "", false),
];

#[test]
fn parameter_carriers() {
    for (name, form, want) in PARAMETERS {
        assert_eq!(
            in_parameters(&[form.as_bytes()], &admin()),
            Ok(*want),
            "row `{name}`: {form}"
        );
    }
}

#[test]
fn malformed_parameters_are_an_error_not_a_guess() {
    assert_eq!(
        in_parameters(&[b"username=admin&password=%ZZadmin"], &admin()),
        Err(MalformedForm)
    );
    assert_eq!(
        in_parameters(&[b"username=admin&password=%"], &[]),
        Ok(false)
    );
}

#[test]
fn query_and_body_count_together() {
    let query: &[u8] = b"username=admin";
    let body: &[u8] = b"password=admin";
    assert_eq!(in_parameters(&[query, body], &admin()), Ok(true));
    assert_eq!(in_parameters(&[query], &admin()), Ok(false));
    assert_eq!(in_parameters(&[body], &admin()), Ok(false));
}
