//! The scan's report: the testssl.sh-style table, and the findings of the rows that are not as
//! the seeds want.

use std::fmt::{self, Write as _};

use super::{Found, Report, Row, Want};
use crate::finding::{Finding, Severity};

/// A titled group of rows (`Protocols`, `Cipher suites ...`, `Other`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The section's title.
    pub title: &'static str,
    /// Its rows, in the order tried.
    pub rows: Vec<Row>,
}

impl Section {
    pub(super) fn new(title: &'static str, rows: Vec<Row>) -> Self {
        Self { title, rows }
    }
}

impl Found {
    /// `offered`, `not offered` or `not tested`, with how in parentheses when there is a how.
    fn describe(&self) -> String {
        let (found, how) = match self {
            Found::Offered(how) => ("offered", how.as_str()),
            Found::NotOffered(how) => ("not offered", how.as_str()),
            Found::NotTested(why) => ("not tested", why.as_str()),
        };
        if how.is_empty() {
            found.to_owned()
        } else {
            format!("{found} ({how})")
        }
    }
}

impl Report {
    /// Every row, section after section.
    pub fn rows(&self) -> impl Iterator<Item = &Row> {
        self.sections.iter().flat_map(|s| &s.rows)
    }

    /// The names of the rows that are not as the seeds want (rows not tested included, unless
    /// either answer is fine).
    pub fn not_as_wanted(&self) -> Vec<String> {
        self.rows()
            .filter(|r| r.ok == Some(false))
            .map(|r| r.name.clone())
            .collect()
    }

    /// The table, testssl.sh style (the same text as `Display`).
    pub fn render(&self) -> String {
        self.to_string()
    }

    /// One finding per row that is not as the seeds want, tied to the row's guideline (versions
    /// and suites P8, DH size P13, renegotiation P14, key and signature P2): a row found wrong is
    /// its check's severity (an error; a CBC suite a warning), a row not tested a warning.
    /// `location` is the target, `path` the row's name.
    pub fn findings(&self) -> Vec<Finding> {
        self.rows()
            .filter_map(|r| {
                let (severity, message) = match (&r.found, r.ok) {
                    (Found::NotTested(why), _) => (
                        Severity::Warning,
                        format!("{} could not be tested: {why}", r.name),
                    ),
                    (found, Some(false)) => {
                        let wanted = match r.want {
                            Want::NotOffered => "the guideline wants it refused",
                            Want::Offered => "the guideline wants it offered",
                            Want::Either => "below the guideline's minimum",
                        };
                        let class = if r.class.is_empty() {
                            String::new()
                        } else {
                            format!(" [{}]", r.class)
                        };
                        let found = found.describe();
                        (
                            r.check.severity,
                            format!("{}{class}: {found}; {wanted}", r.name),
                        )
                    }
                    _ => return None,
                };
                Some(Finding {
                    rule: r.check.rule,
                    guideline: r.check.guideline,
                    severity,
                    location: self.target.clone(),
                    path: r.name.clone(),
                    message,
                    fix: r.check.fix.to_owned(),
                    suppressed: None,
                })
            })
            .collect()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = format!(
            "\n tls-scan {} ({}; \"raw\": a ClientHello of our own where that client lacks the suite)\n",
            self.target, self.client
        );
        for section in &self.sections {
            let _ = writeln!(out, "\n {:<68} {:<46} as the seeds want", section.title, "");
            for r in &section.rows {
                let found = r.found.describe();
                let ok = match r.ok {
                    Some(true) => "yes",
                    Some(false) => "NO",
                    None => "-",
                };
                let _ = writeln!(out, " {:<31} {:<36} {found:<46} {ok}", r.name, r.class);
            }
        }
        let bad = self.not_as_wanted();
        let _ = writeln!(
            out,
            "\n {}",
            if bad.is_empty() {
                "every tested row is as the seed guidelines want".to_owned()
            } else {
                format!("NOT as the seed guidelines want: {}", bad.join(", "))
            }
        );
        f.write_str(&out)
    }
}
