//! The answers Envoy gave in one scenario run (`host-test e2e --answers FILE`, one JSON object
//! per line), and their comparison with another run's (`host-test same-answers A B`): the
//! differential of the combined module against the chain of single filters, in Envoy.
//!
//! An answer is what a client and the upstream can see of one test on one target: the status,
//! the response headers and body, whether and with which path the request reached the
//! upstream, and the response code details of a local reply. What differs between two runs of
//! the same filters is left out: `date`, `x-envoy-upstream-service-time`, the mock node that
//! answered and the request id (headers of their own, and masked where a header value or the
//! body repeats them), and the random values the mock product makes for each request (UUIDs such as
//! tokens and `sessionDataKey`, 32-hex-digit session ids such as `JSESSIONID`), masked where
//! they appear. Logs and metrics are not compared: they name the module that wrote them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::Observed;

/// Response headers whose values change from run to run whatever the filters do (the mock
/// node that answered is the load balancer's choice).
const PER_RUN: [&str; 4] = [
    "date",
    "x-envoy-upstream-service-time",
    "x-request-id",
    "x-mock-upstream",
];

/// What the request id is replaced with.
const MASK: &str = "<request-id>";

/// What the name of the mock node that answered is replaced with.
const NODE_MASK: &str = "<node>";

/// A UUID, or a run of 32 hex digits on its own (the mock's session ids).
const RANDOM: &str = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|\b[0-9a-fA-F]{32}\b";

/// [`RANDOM`], compiled once (`None` cannot happen: the pattern is valid).
static RANDOM_VALUES: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| regex::Regex::new(RANDOM).ok());

/// What a random value is replaced with.
const RANDOM_MASK: &str = "<random>";

/// One test's answer on one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// `<file> <test id>`.
    pub test: String,
    /// `<listener>/<http1|http2>`.
    pub target: String,
    /// The status; `None` when no response came.
    pub status: Option<u32>,
    /// Response headers in order (names lower-case), without [`PER_RUN`]'s.
    pub headers: Vec<(String, String)>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// Whether the request reached the upstream.
    pub reached_upstream: bool,
    /// The `:path` the upstream received, when known.
    pub upstream_path: Option<String>,
    /// Response code details of a local reply, when known.
    pub local_details: Option<String>,
}

impl Answer {
    /// The answer `observed` shows for `test` on `target`.
    pub fn new(test: &str, target: &str, observed: &Observed) -> Self {
        // Values that change from run to run, where a header value or the body repeats them.
        let per_run: Vec<(String, &str)> = [("x-request-id", MASK), ("x-mock-upstream", NODE_MASK)]
            .into_iter()
            .filter_map(|(name, mask)| {
                let value = observed.response_headers.get_str(name)?;
                (!value.is_empty()).then_some((value, mask))
            })
            .collect();
        let random = RANDOM_VALUES.as_ref();
        let mask = |s: String| {
            let s = per_run
                .iter()
                .fold(s, |s, (value, mask)| s.replace(value.as_str(), mask));
            match random {
                Some(r) => r.replace_all(&s, RANDOM_MASK).into_owned(),
                None => s,
            }
        };
        let headers = observed
            .response_headers
            .to_strings()
            .into_iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v))
            .filter(|(n, _)| !PER_RUN.contains(&n.as_str()))
            .map(|(n, v)| (n, mask(v)))
            .collect();
        Self {
            test: test.to_owned(),
            target: target.to_owned(),
            status: observed.status,
            headers,
            body: mask(String::from_utf8_lossy(&observed.response_body).into_owned()),
            reached_upstream: observed.reached_upstream,
            upstream_path: observed.upstream_path.clone(),
            local_details: observed.local_details.clone(),
        }
    }

    /// The key two runs' answers are matched by.
    fn key(&self) -> (String, String) {
        (self.test.clone(), self.target.clone())
    }
}

/// Writes `answers` to `path`, one JSON object per line.
///
/// Errors: the file cannot be written (the message names it).
pub fn write(path: &Path, answers: &[Answer]) -> Result<(), String> {
    let mut text = String::new();
    for a in answers {
        let line = serde_json::to_string(a).map_err(|e| e.to_string())?;
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads the answers [`write`] wrote.
///
/// Errors: the file cannot be read, or a line is not an answer (the message names the line).
pub fn read(path: &Path) -> Result<Vec<Answer>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line)
                .map_err(|e| format!("{}:{}: not an answer: {e}", path.display(), i + 1))
        })
        .collect()
}

/// How two runs' answers compare: one line per test and target whose answers differ or that
/// only one run has (empty: the runs gave the same answers), and how many were compared.
pub fn compare(a: &[Answer], b: &[Answer]) -> (usize, Vec<String>) {
    let index = |answers: &[Answer]| -> BTreeMap<(String, String), Answer> {
        answers.iter().map(|x| (x.key(), x.clone())).collect()
    };
    let (a, b) = (index(a), index(b));
    let mut differences = Vec::new();
    for (key, x) in &a {
        let (test, target) = key;
        match b.get(key) {
            None => differences.push(format!("{test} [{target}]: only in the first run")),
            Some(y) => {
                if let Some(what) = difference(x, y) {
                    differences.push(format!("{test} [{target}]: {what}"));
                }
            }
        }
    }
    for (test, target) in b.keys().filter(|k| !a.contains_key(*k)) {
        differences.push(format!("{test} [{target}]: only in the second run"));
    }
    (a.len().max(b.len()), differences)
}

/// Reads the answers two runs wrote (`first`, `second`) and compares them: `Ok` with a line
/// saying how many were alike, or every difference ([`compare`]).
///
/// Errors: a file cannot be read or holds something else than answers, or `first` holds none
/// (a run that recorded nothing proves nothing).
pub fn same(first: &Path, second: &Path) -> Result<String, Vec<String>> {
    let a = read(first).map_err(|e| vec![e])?;
    let b = read(second).map_err(|e| vec![e])?;
    if a.is_empty() {
        return Err(vec![format!("{}: no answers", first.display())]);
    }
    let (compared, differences) = compare(&a, &b);
    if !differences.is_empty() {
        return Err(differences);
    }
    Ok(format!(
        "{compared} answers alike in {} and {}",
        first.display(),
        second.display()
    ))
}

/// The first part in which `x` and `y` differ, as `part: x vs y`.
fn difference(x: &Answer, y: &Answer) -> Option<String> {
    let parts: [(&str, String, String); 6] = [
        (
            "status",
            format!("{:?}", x.status),
            format!("{:?}", y.status),
        ),
        (
            "reached upstream",
            x.reached_upstream.to_string(),
            y.reached_upstream.to_string(),
        ),
        (
            "upstream path",
            format!("{:?}", x.upstream_path),
            format!("{:?}", y.upstream_path),
        ),
        (
            "response code details",
            format!("{:?}", x.local_details),
            format!("{:?}", y.local_details),
        ),
        (
            "headers",
            headers_diff(&x.headers, &y.headers).0,
            headers_diff(&x.headers, &y.headers).1,
        ),
        ("body", format!("{:?}", x.body), format!("{:?}", y.body)),
    ];
    parts
        .into_iter()
        .find(|(_, a, b)| a != b)
        .map(|(part, a, b)| format!("{part}: {a} vs {b}"))
}

/// The first header (by position) where `x` and `y` differ, each side as `name: value` or
/// `(none)`; two empty strings when they are the same.
fn headers_diff(x: &[(String, String)], y: &[(String, String)]) -> (String, String) {
    let show =
        |h: Option<&(String, String)>| h.map_or("(none)".to_owned(), |(n, v)| format!("{n}: {v}"));
    (0..x.len().max(y.len()))
        .find(|&i| x.get(i) != y.get(i))
        .map_or((String::new(), String::new()), |i| {
            (show(x.get(i)), show(y.get(i)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::HeaderMap;

    fn observed(status: u32, headers: &[(&str, &str)], body: &str) -> Observed {
        Observed {
            status: Some(status),
            response_headers: HeaderMap::from_pairs(headers),
            response_body: body.as_bytes().to_vec(),
            ..Observed::default()
        }
    }

    #[test]
    fn per_run_headers_and_the_request_id_are_not_part_of_the_answer() {
        let a = Answer::new(
            "f t",
            "l/http1",
            &observed(
                403,
                &[
                    ("date", "1"),
                    ("x-request-id", "abc-1"),
                    ("x-id", "abc-1"),
                    ("x-mock-upstream", "node-a"),
                ],
                "denied abc-1 by node-a",
            ),
        );
        let b = Answer::new(
            "f t",
            "l/http1",
            &observed(
                403,
                &[
                    ("date", "2"),
                    ("x-request-id", "xyz-2"),
                    ("x-id", "xyz-2"),
                    ("x-mock-upstream", "node-b"),
                ],
                "denied xyz-2 by node-b",
            ),
        );
        assert_eq!(compare(&[a], &[b]), (1, vec![]));
    }

    #[test]
    fn the_mocks_random_values_are_not_part_of_the_answer() {
        let answer = |cookie: &str, token: &str| {
            Answer::new(
                "f t",
                "l/http1",
                &observed(200, &[("set-cookie", cookie)], token),
            )
        };
        let a = answer(
            "JSESSIONID=F196E149BD3D6F45A0248A29CF899E7A; Secure",
            r#"{"access_token":"3a282ca2-aef5-4d36-88e9-ba43040e9835"}"#,
        );
        let b = answer(
            "JSESSIONID=0BFBE4A572065CC557A06FF521ECB32B; Secure",
            r#"{"access_token":"bd060dbf-072b-4130-996e-0558e50e41f6"}"#,
        );
        assert_eq!(compare(std::slice::from_ref(&a), &[b]), (1, vec![]));
        // The attributes around a random value still count.
        let c = answer(
            "JSESSIONID=0BFBE4A572065CC557A06FF521ECB32B",
            r#"{"access_token":"bd060dbf-072b-4130-996e-0558e50e41f6"}"#,
        );
        assert_eq!(compare(&[a], &[c]).1.len(), 1);
    }

    #[test]
    fn each_part_of_an_answer_that_differs_is_named() {
        let base = observed(200, &[("server", "x")], "ok");
        let rows: [(&str, Observed, &str); 4] = [
            ("status", observed(403, &[("server", "x")], "ok"), "status"),
            ("header", observed(200, &[("server", "y")], "ok"), "headers"),
            ("body", observed(200, &[("server", "x")], "no"), "body"),
            (
                "upstream",
                Observed {
                    reached_upstream: true,
                    ..observed(200, &[("server", "x")], "ok")
                },
                "reached upstream",
            ),
        ];
        for (row, other, part) in rows {
            let (n, diffs) = compare(
                &[Answer::new("f t", "l/http2", &base)],
                &[Answer::new("f t", "l/http2", &other)],
            );
            assert_eq!(n, 1, "row {row}");
            assert_eq!(diffs.len(), 1, "row {row}: {diffs:?}");
            assert!(
                diffs
                    .first()
                    .is_some_and(|d| d.contains(&format!("]: {part}:"))),
                "row {row}: {diffs:?}"
            );
        }
    }

    #[test]
    fn an_answer_only_one_run_has_is_a_difference() {
        let a = Answer::new("f t", "l/http1", &observed(200, &[], ""));
        let b = Answer::new("f u", "l/http1", &observed(200, &[], ""));
        let (_, diffs) = compare(&[a], &[b]);
        assert_eq!(
            diffs,
            vec![
                "f t [l/http1]: only in the first run".to_owned(),
                "f u [l/http1]: only in the second run".to_owned()
            ]
        );
    }

    #[test]
    fn answers_survive_the_file() {
        let dir = std::env::temp_dir().join(format!("answers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.jsonl");
        let a = vec![Answer::new(
            "f t",
            "l/http1",
            &observed(308, &[("location", "https://x/")], "é"),
        )];
        write(&path, &a).unwrap();
        assert_eq!(read(&path).unwrap(), a);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
