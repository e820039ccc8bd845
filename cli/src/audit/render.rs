//! The audit report as Markdown (for the audit file), JSON (for tools) and HTML (one page, no
//! script, for people who would rather look than read).

use std::fmt::Write as _;

use serde::Serialize;

use super::verdict::{Check, Row, Verdict};

/// A whole audit: what was audited, when, every check with its output, and one row per guideline.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The gateway URL audited.
    pub gateway: String,
    /// When, as an HTTP date (RFC 9110 §5.6.7).
    pub generated: String,
    /// The command line's version (`gateway-hardening-cli` package version).
    pub tool_version: &'static str,
    /// Every check, in the order they ran.
    pub checks: Vec<Check>,
    /// One row per guideline, P1 to N7.
    pub rows: Vec<Row>,
}

impl Report {
    /// How many rows have this verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.rows.iter().filter(|r| r.verdict == verdict).count()
    }

    /// Whether any guideline failed.
    pub fn failed(&self) -> bool {
        self.count(Verdict::Fail) > 0
    }

    /// `38 guidelines: 20 pass, 0 fail, 3 not applicable, 15 operator`.
    pub fn summary(&self) -> String {
        format!(
            "{} guidelines: {} pass, {} fail, {} not applicable, {} operator",
            self.rows.len(),
            self.count(Verdict::Pass),
            self.count(Verdict::Fail),
            self.count(Verdict::NotApplicable),
            self.count(Verdict::Operator)
        )
    }

    /// The report as JSON (pretty, stable field order).
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The report as Markdown: a summary, the table of guidelines, the findings of the failed
    /// ones, what the operator does for the rest, and every check's output as evidence.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Security audit: {}\n", self.gateway);
        let _ = writeln!(
            out,
            "Generated {} by gateway-hardening {}. {}.\n",
            self.generated,
            self.tool_version,
            self.summary()
        );
        out.push_str("| id | guideline | part | result | reason | evidence |\n");
        out.push_str("| --- | --- | --- | --- | --- | --- |\n");
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | **{}** | {} | {} |",
                r.guideline.id,
                md_cell(r.guideline.title),
                r.guideline.part.as_str(),
                r.verdict.as_str(),
                md_cell(&r.reason),
                md_cell(&r.evidence.join(", "))
            );
        }
        let failed: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .collect();
        if !failed.is_empty() {
            out.push_str("\n## Findings\n");
            for r in failed {
                let _ = writeln!(out, "\n### {} {}\n", r.guideline.id, r.guideline.title);
                for f in r.findings.iter().filter(|f| f.suppressed.is_none()) {
                    let at = if f.path.is_empty() {
                        f.location.clone()
                    } else {
                        format!("{} `{}`", f.location, f.path)
                    };
                    let _ = writeln!(
                        out,
                        "- {} `{}` at {}: {} Fix: {}",
                        f.severity.as_str(),
                        f.rule,
                        at,
                        f.message,
                        f.fix
                    );
                }
            }
        }
        let accepted: Vec<_> = self
            .rows
            .iter()
            .flat_map(|r| r.findings.iter().filter(|f| f.suppressed.is_some()))
            .collect();
        if !accepted.is_empty() {
            out.push_str("\n## Accepted by the operator\n\n");
            for f in accepted {
                let _ = writeln!(
                    out,
                    "- {} `{}` at {} `{}`: {} Reason given: {}",
                    f.guideline,
                    f.rule,
                    f.location,
                    f.path,
                    f.message,
                    f.suppressed.as_deref().unwrap_or_default()
                );
            }
        }
        out.push_str("\n## The operator's part\n\n");
        for r in &self.rows {
            let _ = writeln!(
                out,
                "- **{}** {}: {}",
                r.guideline.id, r.guideline.title, r.guideline.operator
            );
        }
        out.push_str("\n## Evidence\n");
        for c in &self.checks {
            let _ = writeln!(out, "\n### {}\n", c.name);
            if let Some(why) = &c.skipped {
                let _ = writeln!(out, "Not run: {why}.");
                continue;
            }
            let _ = writeln!(out, "Covers {}.\n", c.covers.join(", "));
            let _ = writeln!(out, "```text\n{}\n```", c.output.trim_end());
        }
        out
    }

    /// The report as one HTML page (inline CSS, no script, every value escaped).
    pub fn html(&self) -> String {
        let mut out = String::from(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        );
        let _ = writeln!(
            out,
            "<title>Security audit: {}</title>\n<style>{CSS}</style></head><body>",
            esc(&self.gateway)
        );
        let _ = writeln!(
            out,
            "<h1>Security audit: {}</h1>\n<p>Generated {} by gateway-hardening {}. <strong>{}</strong>.</p>",
            esc(&self.gateway),
            esc(&self.generated),
            esc(self.tool_version),
            esc(&self.summary())
        );
        out.push_str("<table><thead><tr><th>id</th><th>guideline</th><th>part</th><th>result</th><th>reason</th></tr></thead><tbody>\n");
        for r in &self.rows {
            let class = r.verdict.as_str().replace(' ', "-");
            let _ = write!(
                out,
                "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"v\">{}</td><td>{}",
                esc(r.guideline.id),
                esc(r.guideline.title),
                esc(r.guideline.part.as_str()),
                esc(r.verdict.as_str()),
                esc(&r.reason)
            );
            let shown: Vec<_> = r
                .findings
                .iter()
                .filter(|f| f.suppressed.is_none())
                .collect();
            if !shown.is_empty() {
                out.push_str("<ul>");
                for f in shown {
                    let _ = write!(
                        out,
                        "<li><code>{}</code> {} {}: {} <em>Fix:</em> {}</li>",
                        esc(f.rule),
                        esc(&f.location),
                        esc(&f.path),
                        esc(&f.message),
                        esc(&f.fix)
                    );
                }
                out.push_str("</ul>");
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table>\n<h2>Evidence</h2>\n");
        for c in &self.checks {
            let _ = write!(out, "<details><summary>{}", esc(&c.name));
            match &c.skipped {
                Some(why) => {
                    let _ = writeln!(out, " (not run: {})</summary></details>", esc(why));
                }
                None => {
                    let _ = writeln!(
                        out,
                        " (covers {})</summary><pre>{}</pre></details>",
                        esc(&c.covers.join(", ")),
                        esc(&c.output)
                    );
                }
            }
        }
        out.push_str("</body></html>\n");
        out
    }
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}\
tr.pass .v{background:#d4f4d4}tr.fail .v{background:#f8d0d0}tr.not-applicable .v{background:#eee}tr.operator .v{background:#e6ecf8}\
pre{background:#f6f6f6;padding:.5em;overflow-x:auto}code{font-size:90%}";

/// A Markdown table cell: no line breaks, `|` escaped.
fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// HTML text and attribute escaping (the five characters of the HTML spec's "escapingString").
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::verdict::rows;
    use crate::finding::{Finding, Severity};

    fn report() -> Report {
        let checks = vec![Check {
            name: "header scan <https://x/>".into(),
            covers: vec!["P10"],
            skipped: None,
            findings: vec![Finding {
                rule: "server-header",
                guideline: "P10",
                severity: Severity::Error,
                location: "https://x/".into(),
                path: String::new(),
                message: "Server: <script>|".into(),
                fix: "remove it".into(),
                suppressed: None,
            }],
            output: "Server: <script>".into(),
        }];
        Report {
            gateway: "https://x/".into(),
            generated: "now".into(),
            tool_version: "0",
            rows: rows(&checks),
            checks,
        }
    }

    #[test]
    fn markdown_json_html_carry_the_rows_and_escape() {
        let r = report();
        assert!(r.failed());
        let md = r.markdown();
        assert!(
            md.contains(
                "| P10 | Change the HTTP Server header | enforce | **fail** | Server: <script>\\| |"
            ),
            "{md}"
        );
        assert_eq!(
            md.matches("\n| P").count() + md.matches("\n| O").count() + md.matches("\n| N").count(),
            38
        );
        let html = r.html();
        assert!(!html.contains("<script>"), "unescaped value in HTML");
        assert!(html.contains("&lt;script&gt;"));
        assert_eq!(html.matches("<tr class=").count(), 38);
        let json: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert_eq!(json["rows"].as_array().unwrap().len(), 38);
        assert_eq!(json["rows"][9]["verdict"], "fail");
    }
}
