//! Default-credential detection in `Authorization: Basic` (RFC 7617).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use super::config::Credential;

/// True when any `Authorization` value is Basic and carries one of `pairs`. The scheme is
/// case-insensitive (RFC 9110 §11.1), the user name compared case-insensitively, the password
/// exactly. A value that is not valid Basic is not a match (another filter or the upstream
/// refuses it).
pub(crate) fn carries_default_credential<'a>(
    values: impl Iterator<Item = &'a [u8]>,
    pairs: &[Credential],
) -> bool {
    if pairs.is_empty() {
        return false;
    }
    values.filter_map(basic_user_pass).any(|(user, pass)| {
        pairs
            .iter()
            .any(|c| c.username.eq_ignore_ascii_case(&user) && c.password == pass)
    })
}

fn basic_user_pass(value: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let token = token.trim();
    let raw = STANDARD
        .decode(token)
        .or_else(|_| STANDARD_NO_PAD.decode(token))
        .ok()?;
    let decoded = String::from_utf8(raw).ok()?;
    let (user, pass) = decoded.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin() -> Vec<Credential> {
        vec![Credential {
            username: "admin".into(),
            password: "admin".into(),
        }]
    }

    fn check(v: &str) -> bool {
        carries_default_credential(std::iter::once(v.as_bytes()), &admin())
    }

    #[test]
    fn detects_default_pair_in_any_spelling_of_the_scheme() {
        assert!(check("Basic YWRtaW46YWRtaW4="));
        assert!(check("basic YWRtaW46YWRtaW4"));
        assert!(check("BASIC   QURNSU46YWRtaW4=  "));
    }

    #[test]
    fn ignores_other_credentials_and_schemes() {
        assert!(!check("Basic YWRtaW46c2VjcmV0")); // admin:secret
        assert!(!check("Basic YWRtaW46QURNSU4=")); // admin:ADMIN
        assert!(!check("Bearer YWRtaW46YWRtaW4="));
        assert!(!check("Basic !!!"));
        assert!(!check("Basic"));
        assert!(!carries_default_credential(
            std::iter::once(&b"Basic YWRtaW46YWRtaW4="[..]),
            &[]
        ));
    }
}
