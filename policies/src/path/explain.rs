//! The normalisation of [`super::normalize_target`], one step at a time, for explanations: what
//! each step (absolute form, query, path parameters, percent-decoding, merged slashes, dot
//! segments, canonical encoding) changed, and the step that refused the target. Built from the
//! same helpers as the one-pass normaliser; the tests hold the two to the same result.

use super::{
    DEFAULT_MAX_TARGET_BYTES, PathError, check_raw, check_raw_query, encode_canonical,
    normalize_target, percent_decode_segment, split_absolute_form,
};
use crate::mutant::Mutation;
use crate::trace::{Step, StepKind, show};

/// The normalisation steps of `target` (the raw `:path`, bytes as received) that change it, in
/// Tomcat's order, each with the value before and after; the last step is the refusal when the
/// target cannot be normalised ([`super::normalize_target`] with `max_bytes`), with the error's
/// name as its rule. Steps that change nothing are left out.
pub fn steps(target: &[u8], max_bytes: usize) -> Vec<Step> {
    let mut out = Vec::new();
    let refused = normalize_target(target, max_bytes).err();
    let refuse = |out: &mut Vec<Step>, title: &str, e: PathError| {
        out.push(
            Step::new(StepKind::Normalise, title)
                .rule(format!("{} ({})", e.as_str(), e.status()))
                .decisive(),
        );
    };
    if target.len() > max_bytes {
        refuse(&mut out, "length", PathError::TooLong);
        return out;
    }
    let (authority, rest) = match split_absolute_form(target) {
        Ok(split) => split,
        Err(e) => {
            refuse(&mut out, "request form (RFC 9112 §3.2)", e);
            return out;
        }
    };
    if let Some(a) = authority {
        out.push(
            Step::new(StepKind::Normalise, "absolute form: authority taken")
                .before(show(target))
                .after(show(rest))
                .rule(format!("authority {}", show(a))),
        );
    }
    let (raw_path, query) = match rest.iter().position(|&b| b == b'?') {
        Some(q) => (rest.get(..q).unwrap_or_default(), rest.get(q + 1..)),
        None => (rest, None),
    };
    if let Some(q) = query {
        out.push(
            Step::new(StepKind::Normalise, "query split off (kept raw)")
                .before(show(rest))
                .after(show(raw_path))
                .rule(format!("query {}", show(q))),
        );
        if let Err(e) = check_raw_query(q) {
            refuse(&mut out, "raw bytes of the query", e);
            return out;
        }
    }
    let raw_path: &[u8] = match (authority, raw_path.first()) {
        (_, Some(b'/')) => raw_path,
        (Some(_), None) => b"/",
        _ => {
            refuse(
                &mut out,
                "request form (RFC 9112 §3.2)",
                PathError::NotOriginForm,
            );
            return out;
        }
    };
    if let Err(e) = check_raw(raw_path, Mutation::NONE) {
        refuse(&mut out, "raw bytes", e);
        return out;
    }
    let segments: Vec<&[u8]> = raw_path.split(|&b| b == b'/').skip(1).collect();
    let stripped: Vec<&[u8]> = segments
        .iter()
        .map(|s| match s.iter().position(|&b| b == b';') {
            Some(cut) => s.get(..cut).unwrap_or_default(),
            None => s,
        })
        .collect();
    push_change(
        &mut out,
        "path parameters stripped (Tomcat)",
        &segments,
        &stripped,
    );
    let mut decoded: Vec<Vec<u8>> = Vec::with_capacity(stripped.len());
    for s in &stripped {
        let mut d = Vec::new();
        if let Err(e) = percent_decode_segment(s, &mut d, Mutation::NONE) {
            refuse(&mut out, "percent-decoding", e);
            return out;
        }
        decoded.push(d);
    }
    let decoded_refs: Vec<&[u8]> = decoded.iter().map(Vec::as_slice).collect();
    push_change(&mut out, "percent-decoded", &stripped, &decoded_refs);
    if let Some(e) = refused {
        // Past decoding, only invalid UTF-8 or a confusable code point is left to refuse.
        refuse(&mut out, "decoded text (UTF-8, NFKC confusables)", e);
        return out;
    }
    let merged: Vec<&[u8]> = decoded_refs
        .iter()
        .copied()
        .filter(|s| !s.is_empty())
        .collect();
    // As in the one-pass normaliser, the last segment alone decides the trailing `/`.
    let last = decoded_refs.last().copied().unwrap_or_default();
    let trailing = matches!(last, b"" | b"." | b"..");
    if merged.len() != decoded_refs.len() {
        out.push(
            Step::new(StepKind::Normalise, "empty segments merged (//)")
                .before(join(&decoded_refs, false))
                .after(join(&merged, last.is_empty())),
        );
    }
    let mut kept: Vec<&[u8]> = Vec::with_capacity(merged.len());
    for s in &merged {
        match *s {
            b"." => {}
            b".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    if kept.len() != merged.len() {
        out.push(
            Step::new(StepKind::Normalise, "dot segments removed")
                .before(join(&merged, false))
                .after(join(&kept, trailing))
                .rule("RFC 3986 §5.2.4"),
        );
    }
    let plain = join(&kept, trailing);
    let canonical = canonical(&kept, trailing);
    if canonical != plain {
        out.push(
            Step::new(StepKind::Normalise, "re-encoded canonically")
                .before(plain)
                .after(canonical)
                .rule("RFC 3986 §6.2.2"),
        );
    }
    out
}

/// [`steps`] with Tomcat's default bound ([`DEFAULT_MAX_TARGET_BYTES`]).
pub fn default_steps(target: &[u8]) -> Vec<Step> {
    steps(target, DEFAULT_MAX_TARGET_BYTES)
}

/// The path the steps end with: the canonical encoding of `segments` (what the one-pass
/// normaliser returns).
fn canonical(segments: &[&[u8]], trailing: bool) -> String {
    let mut out = String::new();
    for s in segments {
        out.push('/');
        encode_canonical(s, &mut out);
    }
    if trailing || out.is_empty() {
        out.push('/');
    }
    out
}

/// `segments` as a path, each shown as text.
fn join(segments: &[&[u8]], trailing: bool) -> String {
    let mut out = String::new();
    for s in segments {
        out.push('/');
        out.push_str(&show(s));
    }
    if trailing || out.is_empty() {
        out.push('/');
    }
    out
}

fn push_change(out: &mut Vec<Step>, title: &str, before: &[&[u8]], after: &[&[u8]]) {
    if before != after {
        out.push(
            Step::new(StepKind::Normalise, title)
                .before(join(before, false))
                .after(join(after, false)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path the steps end with: the last `after`, or the target's own path.
    fn last_path(target: &[u8]) -> Option<String> {
        let steps = steps(target, DEFAULT_MAX_TARGET_BYTES);
        if steps.iter().any(|s| s.decisive) {
            return None;
        }
        let last = steps.iter().rev().find_map(|s| s.after.clone());
        Some(last.unwrap_or_else(|| {
            let t = show(target);
            t.split('?').next().unwrap_or_default().to_owned()
        }))
    }

    #[test]
    fn the_steps_end_where_the_one_pass_normaliser_does() {
        let rows: &[&[u8]] = &[
            b"/",
            b"/oauth2/token",
            b"/a//b/",
            b"/a/./b/../c",
            b"/commonauth/..;/%2e%2e/carbon/admin/login.jsp",
            b"/a;jsessionid=1/b;x=y?q=1",
            b"/%7Euser/%41b",
            b"//a/..//b/.",
            b"/a/b/..",
            b"/..",
            b"/a/%2e%2e/b",
            b"http://host:8080/x/../y?z",
            b"http://host",
            b"/t/carbon.super/oauth2//token/",
            b"/caf%C3%A9/x",
            b"/a b",
            b"/%2f",
            b"/%252e",
            b"/%c0%ae",
            b"*",
            b"/a#b",
            b"/\xef\xbc\x8f",
            b"/%EF%BC%8Fcarbon",
        ];
        for &row in rows {
            let want = normalize_target(row, DEFAULT_MAX_TARGET_BYTES).map(|t| t.path);
            let got = last_path(row);
            match (&want, &got) {
                (Ok(w), Some(g)) => assert_eq!(g, w, "{}", show(row)),
                (Err(_), None) => {}
                _ => panic!("{}: normaliser {want:?}, steps {got:?}", show(row)),
            }
        }
    }

    #[test]
    fn a_refusal_names_its_error_at_the_step_that_refused() {
        // (target, title, error)
        let rows: &[(&[u8], &str, &str)] = &[
            (b"/a/%2fb", "percent-decoding", "encoded_slash (400)"),
            (b"/a\\b", "raw bytes", "backslash (400)"),
            (
                b"/%c0%ae%c0%ae/x",
                "decoded text (UTF-8, NFKC confusables)",
                "invalid_utf8 (400)",
            ),
            (
                b"*",
                "request form (RFC 9112 §3.2)",
                "not_origin_form (400)",
            ),
        ];
        for (target, title, error) in rows {
            let steps = steps(target, DEFAULT_MAX_TARGET_BYTES);
            let last = steps.last().unwrap();
            assert!(last.decisive, "{}", show(target));
            assert_eq!(
                (last.title.as_str(), last.rule.as_deref()),
                (*title, Some(*error)),
                "{}",
                show(target)
            );
        }
        let long = vec![b'a'; 20];
        assert_eq!(
            steps(&long, 10).last().unwrap().rule.as_deref(),
            Some("too_long (414)")
        );
    }
}
