//! The request's host, by the letter of RFC 9112 §3.2 and §3.2.2: a server must answer 400 to a
//! request with no `Host`, more than one, or an invalid one; an absolute-form target's authority
//! is the host. The gateway also refuses an absolute-form target whose authority differs from
//! `Host`, because a back end may read either.

use crate::authority::{Host, parse_authority};
use crate::request::RequestHead;

/// The one host of `request`, or `None` when it has none, several that differ, an invalid one,
/// or an absolute-form authority (`absolute`) that disagrees with them.
pub(super) fn request_host(request: &RequestHead<'_>, absolute: Option<&str>) -> Option<Host> {
    let mut found: Option<Host> = None;
    let values = request
        .get_all(":authority")
        .chain(request.get_all("host"))
        .chain(absolute.map(str::as_bytes));
    for value in values {
        let (host, _port) = parse_authority(value).ok()?;
        match &found {
            Some(seen) if *seen != host => return None,
            Some(_) => {}
            None => found = Some(host),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(headers: &[(&str, &str)], absolute: Option<&str>) -> Option<String> {
        let pairs: Vec<(String, Vec<u8>)> = headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
            .collect();
        request_host(&RequestHead::new(&pairs), absolute).map(|h| h.as_str().to_owned())
    }

    #[test]
    fn one_valid_host_or_none() {
        type Row<'a> = (
            &'a str,
            &'a [(&'a str, &'a str)],
            Option<&'a str>,
            Option<&'a str>,
        );
        let rows: &[Row<'_>] = &[
            (
                "authority",
                &[(":authority", "IS.example.com:9443")],
                None,
                Some("is.example.com"),
            ),
            (
                "host header",
                &[("host", "is.example.com")],
                None,
                Some("is.example.com"),
            ),
            (
                "same twice",
                &[(":authority", "a.com"), ("host", "A.com:443")],
                None,
                Some("a.com"),
            ),
            (
                "absolute form agrees",
                &[(":authority", "a.com")],
                Some("a.com:80"),
                Some("a.com"),
            ),
            ("missing", &[], None, None),
            ("empty", &[(":authority", "")], None, None),
            (
                "two hosts",
                &[(":authority", "a.com"), ("host", "b.com")],
                None,
                None,
            ),
            ("invalid", &[(":authority", "a b")], None, None),
            ("userinfo", &[(":authority", "u@a.com")], None, None),
            (
                "absolute form disagrees",
                &[(":authority", "a.com")],
                Some("b.com"),
                None,
            ),
        ];
        for (name, headers, absolute, want) in rows {
            assert_eq!(host(headers, *absolute).as_deref(), *want, "row `{name}`");
        }
    }
}
