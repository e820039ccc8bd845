//! The `**` tail rule: what an allow glob ending in `/**` may match below its prefix.
//!
//! The product routes a request again on its raw URI (`TenantContextRewriteValve`: greedy
//! `replaceAll("/t/.*" + context)`, a `/o/` anywhere; the authentication valve's access control
//! list: the first regex that matches, unsecured entries such as `(.*)/commonauth(.*)` first).
//! A public prefix followed by a second tenant qualifier, an `/o/` or `/api/` segment, another
//! context root or an admin context is how a request is walked into an admin surface, so such a
//! tail does not match: only a rule that spells that exact shape out (without `**`) allows it.

use std::borrow::Cow;

/// The compiled tail of one allow rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tail {
    /// The rule does not end in `/**`: it matches only what it spells out.
    None,
    /// The rule ends in `/**`; the tail starts after this many segments.
    After(usize),
}

impl Tail {
    /// The tail of glob `pattern`: `/oauth2/**` → after 1 segment, `/t/*/oauth2/**` → after 3. A
    /// `**` before the end makes the whole path the tail.
    pub(super) fn of(pattern: &str) -> Self {
        let Some(prefix) = pattern.strip_suffix("/**") else {
            return if pattern.contains("**") {
                Self::After(0)
            } else {
                Self::None
            };
        };
        if prefix.contains("**") {
            return Self::After(0);
        }
        Self::After(prefix.split('/').filter(|s| !s.is_empty()).count())
    }
}

/// Whether `path`'s tail (after `tail`) is free of what the rule may not reach into. `roots` are
/// the lower-case context roots and admin contexts of the virtual host, sorted (as
/// [`context_roots`] gives them): each segment is looked up by binary search and copied only
/// when it has an escape or an upper-case letter, so that a long target costs little per
/// segment.
pub(super) fn tail_is_clean(path: &str, tail: Tail, roots: &[String]) -> bool {
    let Tail::After(skip) = tail else {
        return true;
    };
    let mut segments = path.split('/').skip(1).skip(skip).peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        // Raw landings keep their escapes: `%69ntrospect` is `introspect` to the back end.
        let decoded: Cow<'_, str> = if segment.contains('%') {
            Cow::Owned(percent_decoded(segment))
        } else {
            Cow::Borrowed(segment)
        };
        let lower: Cow<'_, str> = if decoded.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(decoded.to_ascii_lowercase())
        } else {
            decoded
        };
        let qualifier = (lower == "t" || lower == "o") && !last;
        let root = roots
            .binary_search_by(|r| r.as_str().cmp(lower.as_ref()))
            .is_ok();
        if qualifier || lower == "api" || root {
            return false;
        }
    }
    true
}

/// `segment` with its `%XX` escapes decoded (lossy UTF-8; a stray `%` kept).
fn percent_decoded(segment: &str) -> String {
    if !segment.contains('%') {
        return segment.to_owned();
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The context roots of a virtual host: the first segment of every allow glob (after a
/// `/t/*` or `/o/*` qualifier) when it is literal, the literal segments of every deny glob (`/t/*/api/server` gives `api`, `server`), plus
/// the routing model's, lower-case; `t`, `o` and glob segments left out (the tail rule treats
/// `t` and `o` as qualifiers).
pub(super) fn context_roots<'a>(
    allow: impl Iterator<Item = &'a str>,
    deny: impl Iterator<Item = &'a str>,
    routing: Vec<String>,
) -> Vec<String> {
    let literal = |s: &&str| !s.is_empty() && !s.contains(['*', '?', '[', '{']);
    let first = |p: &'a str| {
        let p = ["/t/*", "/o/*"]
            .iter()
            .find_map(|q| p.strip_prefix(q))
            .unwrap_or(p);
        p.split('/').nth(1).filter(literal)
    };
    let mut roots: Vec<String> = allow.filter_map(first).map(str::to_owned).collect();
    for pattern in deny {
        roots.extend(pattern.split('/').filter(literal).map(str::to_owned));
    }
    roots.extend(routing);
    let mut roots: Vec<String> = roots
        .into_iter()
        .map(|r| r.to_ascii_lowercase())
        .filter(|r| r != "t" && r != "o")
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_of_globs() {
        for (glob, want) in [
            ("/oauth2/**", Tail::After(1)),
            ("/t/*/oauth2/**", Tail::After(3)),
            ("/api/users/v1/me/**", Tail::After(4)),
            ("/**", Tail::After(0)),
            ("/a/**/b", Tail::After(0)),
            ("/commonauth", Tail::None),
            ("/oauth2/*", Tail::None),
        ] {
            assert_eq!(Tail::of(glob), want, "row `{glob}`");
        }
    }

    #[test]
    fn tail_table() {
        // Sorted, as context_roots gives them (the lookup is a binary search).
        let mut roots: Vec<String> = ["oauth2", "commonauth", "carbon", "scim2", ".well-known"]
            .map(String::from)
            .to_vec();
        roots.sort();
        let tail = Tail::After(3);
        for (name, path, clean) in [
            ("public endpoint", "/t/a.com/oauth2/token", true),
            ("nested public path", "/t/a.com/oauth2/device/confirm", true),
            ("t as the last segment", "/t/a.com/oauth2/x/t", true),
            ("empty tail", "/t/a.com/oauth2/", true),
            (
                "second tenant qualifier",
                "/t/a.com/oauth2/t/b.com/x",
                false,
            ),
            ("organisation segment", "/t/a.com/oauth2/x/o/y", false),
            ("api segment", "/t/a.com/oauth2/x/api/server/v1", false),
            ("api as the last segment", "/t/a.com/oauth2/api", false),
            (
                "another context root",
                "/t/a.com/oauth2/x/commonauth",
                false,
            ),
            ("admin context", "/t/a.com/oauth2/carbon/admin", false),
            ("admin context, other case", "/t/a.com/oauth2/CARBON", false),
            (
                "admin context, escaped",
                "/t/a.com/oauth2/x/%63arbon",
                false,
            ),
            (
                "admin context, escaped and upper case",
                "/t/a.com/oauth2/%43ARBON",
                false,
            ),
            ("escaped public segment", "/t/a.com/oauth2/%74oken", true),
            (
                "discovery shape",
                "/t/a.com/oauth2/token/.well-known/openid-configuration",
                false,
            ),
        ] {
            assert_eq!(
                tail_is_clean(path, tail, &roots),
                clean,
                "row `{name}`: {path}"
            );
        }
        assert!(tail_is_clean("/oauth2/carbon", Tail::None, &roots));
    }

    #[test]
    fn roots_from_rules() {
        let roots = context_roots(
            ["/oauth2/**", "/t/*/commonauth", "/*/x"].into_iter(),
            ["/carbon", "/t/*/api/server"].into_iter(),
            vec!["scim2".to_owned()],
        );
        assert_eq!(
            roots,
            ["api", "carbon", "commonauth", "oauth2", "scim2", "server"]
        );
    }
}
