//! Certificate subjects (distinguished names) compared the way a person means them, whatever
//! tool printed them.
//!
//! Envoy reports `upstream.subject_peer_certificate` in RFC 2253 form, most specific RDN first,
//! no spaces, special characters escaped: `CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US`
//! (verified on Envoy 1.40 with the certificate of WSO2's default keystore). Java's `keytool`
//! prints the same order with spaces after the commas (`CN=localhost, O=WSO2, …`), and OpenSSL's
//! old one-line form is the reverse with slashes (`/C=US/ST=CA/L=Mountain View/O=WSO2/CN=localhost`).
//! All three compile to the same [`Subject`].

use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// A distinguished name as a list of RDNs in RFC 2253 order (most specific first), each
/// `TYPE=value` with the type upper-cased and the value lower-cased (X.520 names compare
/// case-insensitively) and spaces around separators removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(Vec<String>);

impl Subject {
    /// Reads a subject written in RFC 2253 form (`CN=a,O=b`, spaces after commas allowed) or in
    /// OpenSSL's slash form (`/O=b/CN=a`). `None` when it is not a list of `TYPE=value`.
    pub fn parse(text: &str) -> Option<Self> {
        let (parts, reverse) = match text.strip_prefix('/') {
            Some(rest) => (split_unescaped(rest, b'/'), true),
            None => (split_unescaped(text, b','), false),
        };
        let mut rdns = Vec::with_capacity(parts.len());
        for part in parts {
            let avas: Vec<String> = split_unescaped(&part, b'+')
                .iter()
                .map(|ava| canonical_ava(ava))
                .collect::<Option<_>>()?;
            rdns.push(avas.join("+"));
        }
        if rdns.is_empty() {
            return None;
        }
        if reverse {
            rdns.reverse();
        }
        Some(Self(rdns))
    }

    /// Compiles a configured subject found at `path`.
    ///
    /// # Errors
    /// [`ConfigErrorKind::OutOfRange`] when it is not a distinguished name.
    pub fn from_config(path: &FieldPath, text: &str) -> Result<Self, ConfigError> {
        Self::parse(text).ok_or_else(|| {
            ConfigError::at(
                path.clone(),
                ConfigErrorKind::OutOfRange {
                    what: "subject",
                    range: "a distinguished name such as \"CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US\"".into(),
                },
            )
        })
    }

    /// True when `reported` (as the host reports it) names the same subject, RDNs in this order
    /// or the reverse one (a configuration written in the other convention still matches).
    pub fn matches(&self, reported: &Subject) -> bool {
        self.0 == reported.0 || self.0.iter().rev().eq(reported.0.iter())
    }
}

/// Splits `text` at every `sep` that is not escaped with `\` and not inside double quotes.
fn split_unescaped(text: &str, sep: u8) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut escaped = false;
    let mut quoted = false;
    for &b in text.as_bytes() {
        if escaped {
            current.push(b);
            escaped = false;
        } else if b == b'\\' {
            current.push(b);
            escaped = true;
        } else if b == b'"' {
            current.push(b);
            quoted = !quoted;
        } else if b == sep && !quoted {
            out.push(String::from_utf8_lossy(&current).into_owned());
            current.clear();
        } else {
            current.push(b);
        }
    }
    out.push(String::from_utf8_lossy(&current).into_owned());
    out
}

/// `type = value` → `TYPE=value` (value lower-cased, unescaped spaces trimmed); `None` when the
/// type is not an attribute name or OID, or the value is empty.
fn canonical_ava(ava: &str) -> Option<String> {
    let (ty, value) = ava.split_once('=')?;
    let ty = ty.trim().to_ascii_uppercase();
    let ty = match ty.as_str() {
        // keytool accepts `S=` for the state or province.
        "S" => "ST".to_owned(),
        _ => ty,
    };
    let type_ok = ty.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    let value = trim_unescaped(value);
    (type_ok && !value.is_empty()).then(|| format!("{ty}={}", value.to_lowercase()))
}

/// Trims leading spaces, and trailing spaces that are not escaped (`a\ ` keeps its space).
fn trim_unescaped(value: &str) -> &str {
    let start = value.trim_start();
    let mut end = start.len();
    while end > 0 && start.as_bytes().get(end - 1) == Some(&b' ') {
        if end >= 2 && start.as_bytes().get(end - 2) == Some(&b'\\') {
            break;
        }
        end -= 1;
    }
    start.get(..end).unwrap_or(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Envoy 1.40 reported for the certificate in WSO2's default keystore.
    const ENVOY: &str = "CN=localhost,O=WSO2,L=Mountain View,ST=CA,C=US";

    #[test]
    fn subject_matches_in_every_tool_spelling() {
        let reported = Subject::parse(ENVOY).unwrap();
        for configured in [
            ENVOY,
            "CN=localhost, O=WSO2, L=Mountain View, ST=CA, C=US",
            "cn=LOCALHOST,o=wso2,l=mountain view,st=ca,c=us",
            "/C=US/ST=CA/L=Mountain View/O=WSO2/CN=localhost",
            "C=US, ST=CA, L=Mountain View, O=WSO2, CN=localhost",
            "CN = localhost , O = WSO2 , L = Mountain View , S = CA , C = US",
        ] {
            assert!(
                Subject::parse(configured).unwrap().matches(&reported),
                "{configured}"
            );
        }
    }

    #[test]
    fn subject_differs_on_any_rdn() {
        let configured = Subject::parse(ENVOY).unwrap();
        for reported in [
            "CN=localhost,OU=WSO2,O=WSO2,L=Mountain View,ST=CA,C=US",
            "CN=localhost,O=WSO2,L=Santa Clara,ST=CA,C=US",
            "CN=localhost.evil,O=WSO2,L=Mountain View,ST=CA,C=US",
            "CN=localhost\\,O=WSO2,L=Mountain View,ST=CA,C=US",
            "CN=localhost",
        ] {
            assert!(
                !configured.matches(&Subject::parse(reported).unwrap()),
                "{reported}"
            );
        }
    }

    #[test]
    fn escaped_separators_stay_inside_the_value() {
        // Envoy's escaping of a comma and quotes in a CN (seen on Envoy 1.40).
        let s = Subject::parse("CN=admin\\, the \\\"first\\\",OU=admins").unwrap();
        assert_eq!(s.0.len(), 2);
        let quoted = Subject::parse("CN=\"a,b\",O=x").unwrap();
        assert_eq!(quoted.0.len(), 2);
        assert_eq!(
            Subject::parse("CN=a\\ ,O=x").unwrap().0.first().unwrap(),
            "CN=a\\ "
        );
    }

    #[test]
    fn parse_fails_on_what_is_not_a_distinguished_name() {
        for bad in ["", "localhost", "CN=", "=x", "CN=a,,O=b", "C N=a", "/"] {
            assert!(Subject::parse(bad).is_none(), "{bad}");
            let err = Subject::from_config(&FieldPath::root().key("s"), bad).unwrap_err();
            assert_eq!(err.path().to_string(), "s");
        }
    }
}
