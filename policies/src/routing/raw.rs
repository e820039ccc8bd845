//! The raw layer: the request path as a router that does not normalise reads it.
//!
//! Only `;` path parameters are stripped per segment (every Java servlet container does that,
//! and `;jsessionid=` is how the product carries a session without cookies); nothing is decoded,
//! no dot segment removed, no slash merged. A request the Tomcat layer routes to `/commonauth`
//! but whose raw form is `/oauth2/../commonauth` lands here on a path under `/oauth2/` that
//! names another context: the allowlist's `**` tail rule refuses it.

/// The raw landing of `raw_path` (absolute form's authority and the query already removed).
pub fn raw_landing(raw_path: &str) -> String {
    let mut out = String::with_capacity(raw_path.len());
    for (i, segment) in raw_path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(segment.split(';').next().unwrap_or_default());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::raw_landing;

    #[test]
    fn only_path_parameters_are_stripped() {
        for (raw, want) in [
            ("/commonauth;jsessionid=AB", "/commonauth"),
            ("/a;x=1/b;/c", "/a/b/c"),
            ("/oauth2/../commonauth", "/oauth2/../commonauth"),
            ("/%63arbon//x", "/%63arbon//x"),
            ("/", "/"),
        ] {
            assert_eq!(raw_landing(raw), want, "row `{raw}`");
        }
    }
}
