//! Path globs over normalised paths (see [`crate::path`]): `*` stays within one segment, `**`
//! crosses segments, `?`, `[a-z]` and `{a,b}` as in globset.
//!
//! A pattern is written the way the normalised path reads: starting with `/`, no `.`/`..`
//! segments, no `//`, no `;`. Non-ASCII characters are percent-encoded and escapes upper-cased
//! before compiling, as the normaliser does for paths.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// How a list of patterns matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobMode {
    /// Each pattern matches exactly what it says (allow rules).
    Exact,
    /// Each pattern matches what it says and, when it ends in neither `/` nor `**`, the same path
    /// with one trailing slash: the endpoint forms a back end answers alike (JAX-RS and
    /// servlet path matching: `/oauth2/token/` reaches `/oauth2/token`). For rules that add
    /// protection (cache prevention, logout, input validation, per-route headers).
    Endpoint,
    /// Each pattern matches its context and everything below it (`/carbon` also matches
    /// `/carbon/`, `/carbon/admin/login.jsp`), ignoring ASCII case (deny rules).
    ContextCaseInsensitive,
    /// [`GlobMode::ContextCaseInsensitive`] without ignoring case: the deny rules of the
    /// `deny_case` mutant ([`crate::mutant::Mutant::DenyCase`]); test builds only.
    #[cfg(feature = "mutants")]
    ContextCaseSensitive,
}

impl GlobMode {
    /// True when each pattern covers its context and everything below it.
    fn covers_subtree(self) -> bool {
        match self {
            Self::Exact | Self::Endpoint => false,
            Self::ContextCaseInsensitive => true,
            #[cfg(feature = "mutants")]
            Self::ContextCaseSensitive => true,
        }
    }
}

/// A compiled list of path patterns.
#[derive(Debug, Clone)]
pub struct PathGlobs {
    set: GlobSet,
    /// For each glob in `set`, the index of the pattern it came from.
    origin: Vec<usize>,
    len: usize,
}

impl PathGlobs {
    /// Compiles `patterns` found at `path` (each at `path[i]`).
    ///
    /// # Errors
    /// [`ConfigErrorKind::InvalidGlob`] naming the pattern that does not compile or can never
    /// match a normalised path.
    pub fn compile(
        path: &FieldPath,
        patterns: &[String],
        mode: GlobMode,
    ) -> Result<Self, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        let mut origin = Vec::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let here = path.index(i);
            let bad = |reason: String| {
                ConfigError::at(
                    here.clone(),
                    ConfigErrorKind::InvalidGlob {
                        glob: pattern.clone(),
                        reason,
                    },
                )
            };
            let canonical = canonical_pattern(pattern).map_err(|r| bad(r.to_owned()))?;
            let mut variants = vec![canonical.clone()];
            if mode == GlobMode::Endpoint && !canonical.ends_with('/') && !canonical.ends_with("**")
            {
                variants.push(format!("{canonical}/"));
            }
            if mode.covers_subtree() && !canonical.ends_with("**") {
                let base = canonical.trim_end_matches('/');
                variants = vec![
                    if base.is_empty() {
                        "/".to_owned()
                    } else {
                        base.to_owned()
                    },
                    format!("{base}/**"),
                ];
            }
            for v in variants {
                let glob = GlobBuilder::new(&v)
                    .literal_separator(true)
                    .case_insensitive(mode == GlobMode::ContextCaseInsensitive)
                    .build()
                    .map_err(|e| bad(e.kind().to_string()))?;
                builder.add(glob);
                origin.push(i);
            }
        }
        let set = builder.build().map_err(|e| {
            ConfigError::at(
                path.clone(),
                ConfigErrorKind::InvalidGlob {
                    glob: String::new(),
                    reason: e.to_string(),
                },
            )
        })?;
        Ok(Self {
            set,
            origin,
            len: patterns.len(),
        })
    }

    /// True when any pattern matches the normalised `path`.
    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path)
    }

    /// Indices (into the configured list) of the patterns that match `path`, ascending, without
    /// duplicates.
    pub fn matching(&self, path: &str) -> Vec<usize> {
        let mut hits: Vec<usize> = self
            .set
            .matches(path)
            .into_iter()
            .filter_map(|g| self.origin.get(g).copied())
            .collect();
        hits.dedup();
        hits
    }

    /// Number of configured patterns.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no pattern is configured.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Checks a pattern and writes it the way normalised paths read.
fn canonical_pattern(pattern: &str) -> Result<String, &'static str> {
    if !pattern.starts_with('/') {
        return Err("a path pattern starts with '/'");
    }
    if pattern.contains(';') || pattern.contains('\\') {
        return Err("';' and '\\' never occur in a normalised path");
    }
    if pattern.contains("//") {
        return Err("'//' never occurs in a normalised path (slashes are merged)");
    }
    if pattern.split('/').any(|s| s == "." || s == "..") {
        return Err("'.' and '..' segments never occur in a normalised path");
    }
    let mut out = String::with_capacity(pattern.len());
    let bytes = pattern.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_control() || b == b' ' {
            return Err("control characters and spaces must be percent-encoded");
        }
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
            let Some(hex) = hex else {
                return Err("'%' must start a percent escape such as %20");
            };
            if hex.eq_ignore_ascii_case(b"2f")
                || hex.eq_ignore_ascii_case(b"3b")
                || hex.eq_ignore_ascii_case(b"5c")
            {
                return Err("%2F, %3B and %5C are refused by the normaliser, so never match");
            }
            out.push('%');
            out.push_str(&String::from_utf8_lossy(hex).to_ascii_uppercase());
            i += 3;
            continue;
        }
        if b >= 0x80 {
            out.push_str(&format!("%{b:02X}"));
        } else {
            out.push(char::from(b));
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(patterns: &[&str], mode: GlobMode) -> PathGlobs {
        let p: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        PathGlobs::compile(&FieldPath::root().key("allow"), &p, mode).unwrap()
    }

    #[test]
    fn exact_star_stays_in_one_segment() {
        let g = globs(&["/oauth2/*", "/.well-known/**"], GlobMode::Exact);
        assert!(g.is_match("/oauth2/token"));
        assert!(!g.is_match("/oauth2/token/x"));
        assert!(!g.is_match("/oauth2"));
        assert!(!g.is_match("/OAUTH2/token"));
        assert!(g.is_match("/.well-known/openid-configuration"));
        assert_eq!(g.matching("/oauth2/token"), vec![0]);
    }

    #[test]
    fn context_mode_covers_subtree_and_case() {
        let g = globs(
            &["/carbon", "/t/*/services/"],
            GlobMode::ContextCaseInsensitive,
        );
        for p in [
            "/carbon",
            "/carbon/",
            "/CARBON/admin/login.jsp",
            "/t/a.com/services/x",
            "/t/x/Services",
        ] {
            assert!(g.is_match(p), "{p}");
        }
        for p in ["/carbonx", "/x/carbon", "/t/a/b/services"] {
            assert!(!g.is_match(p), "{p}");
        }
    }

    #[test]
    fn patterns_are_written_as_normalised_paths() {
        let g = globs(&["/caf%c3%a9/*", "/ü"], GlobMode::Exact);
        assert!(g.is_match("/caf%C3%A9/x"));
        assert!(g.is_match("/%C3%BC"));
    }

    #[test]
    fn compile_fails_on_patterns_that_never_match() {
        for bad in [
            "carbon", "/a;b", "/a//b", "/a/../b", "/a/./b", "/a%2fb", "/a%zz", "/a b", "/[a",
        ] {
            let p = vec!["/ok".to_owned(), bad.to_owned()];
            let err = PathGlobs::compile(&FieldPath::root().key("deny"), &p, GlobMode::Exact)
                .unwrap_err();
            assert_eq!(err.path().to_string(), "deny[1]", "{bad}");
        }
    }
}
