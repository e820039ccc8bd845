//! Default-credential detection wherever the product reads credentials (seed guideline P18):
//! `Authorization: Basic` (RFC 7617) decoded as the product decodes it, and the `username` and
//! `password` request parameters (query string and `application/x-www-form-urlencoded` body).
//!
//! What the product accepts, and so what counts as the default pair here:
//! - the scheme in any case, the token after any run of spaces or tabs (the product's
//!   `isAuthHeaderMatch` splits on one space; a stricter reading never sees more);
//! - the token decoded leniently ([`base64`], commons-codec's rules), as UTF-8 with invalid bytes
//!   replaced (`new String(bytes, defaultCharset)`), split at the first `:`;
//! - every `Authorization` line, not only the first (`getHeader` reads the first, but a proxy may
//!   join or reorder them);
//! - the user name with a user-store domain prefix (`PRIMARY/admin`, any case: the user store
//!   manager strips it) and with a tenant suffix (`admin@carbon.super`:
//!   `MultitenantUtils.getTenantAwareUsername`), compared case-insensitively (user names are
//!   case-insensitive in the default stores); the password exactly.

pub mod base64;
pub mod params;

use std::borrow::Cow;

pub use params::MalformedForm;

use super::config::Credential;

/// True when any `Authorization` value (raw bytes, in arrival order) is Basic and carries one of
/// `pairs`.
pub fn in_authorization<'a>(values: impl Iterator<Item = &'a [u8]>, pairs: &[Credential]) -> bool {
    if pairs.is_empty() {
        return false;
    }
    let mut values = values;
    // A proxy joins repeated lines with `,` (RFC 9110 §5.3; Envoy does): each part counts too.
    values.any(|value| {
        std::iter::once(value)
            .chain(value.split(|&b| b == b','))
            .flat_map(basic_tokens)
            .any(|decoded| {
                let text = String::from_utf8_lossy(&decoded);
                text.split_once(':')
                    .is_some_and(|(user, pass)| is_default(pairs, user, pass))
            })
    })
}

/// True when the parameters carry a `username` and a `password` that make one of `pairs`.
/// `carriers` are every source of request parameters the product merges into one map
/// (`request.getParameter`: the query string and an `application/x-www-form-urlencoded` body),
/// so a user name in the query and a password in the body count together.
///
/// # Errors
/// [`MalformedForm`] when a carrier holds a `%` that does not start a valid escape: the
/// product's parameter parser skips such a pair, another reads it; the gateway refuses the
/// request.
pub fn in_parameters(carriers: &[&[u8]], pairs: &[Credential]) -> Result<bool, MalformedForm> {
    if pairs.is_empty() {
        return Ok(false);
    }
    let mut params = Vec::new();
    for carrier in carriers {
        params.extend(params::parse(carrier)?);
    }
    let values = |name: &str| -> Vec<&Cow<'_, str>> {
        params
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .collect()
    };
    let users = values("username");
    let passwords = values("password");
    Ok(users
        .iter()
        .any(|u| passwords.iter().any(|p| is_default(pairs, u, p))))
}

/// The decoded token of a Basic credential, both readings of [`base64::decode_variants`]; none
/// when the value is not Basic.
fn basic_tokens(value: &[u8]) -> impl Iterator<Item = Vec<u8>> {
    let trimmed = value.trim_ascii();
    let split = trimmed.iter().position(|&b| b == b' ' || b == b'\t');
    let token = split.and_then(|i| {
        let (scheme, rest) = trimmed.split_at(i);
        scheme
            .eq_ignore_ascii_case(b"basic")
            .then(|| rest.trim_ascii())
    });
    token
        .into_iter()
        .flat_map(|t| base64::decode_variants(t).collect::<Vec<_>>())
}

/// `user` (after [`canonical_user`]) and `pass` make one of `pairs`.
fn is_default(pairs: &[Credential], user: &str, pass: &str) -> bool {
    let user = canonical_user(user);
    pairs
        .iter()
        .any(|c| canonical_user(&c.username).eq_ignore_ascii_case(user) && c.password == pass)
}

/// The user name the user store authenticates: without a `DOMAIN/` prefix and without an
/// `@tenant` suffix (`PRIMARY/admin@carbon.super` → `admin`).
fn canonical_user(user: &str) -> &str {
    let user = user.trim_matches(|c: char| c == ' ' || c == '\t');
    let user = user.rsplit_once('/').map_or(user, |(_, name)| name);
    user.rsplit_once('@').map_or(user, |(name, _)| name)
}

#[cfg(test)]
mod tests;
