//! The kill matrix's mutants of header-hardening (`mutants` feature; test builds only, never in
//! a shipped module, where `_mutant` is an unknown field of the plugin configuration and
//! refused).
//!
//! The plugin configuration's `_mutant` names one rule of [`NAMES`]; this build computes every
//! answer as shipped, then leaves that rule's part out (the switch sits in the filter, not in
//! the policy), as if the rule were missing.

use policies::headers::{BodyCheck, Edit, RequestFacts, RequestVerdict, ResponseEdits};

/// Rules whose effect is the edits of some headers: the rule, and the headers it writes.
const HEADER_RULES: &[(&str, &[&str])] = &[
    ("hsts", &["strict-transport-security"]),
    ("csp", &["content-security-policy"]),
    ("frame_options", &["x-frame-options"]),
    ("nosniff", &["x-content-type-options"]),
    ("referrer_policy", &["referrer-policy"]),
    ("permissions_policy", &["permissions-policy"]),
    (
        "cross_origin",
        &[
            "cross-origin-embedder-policy",
            "cross-origin-opener-policy",
            "cross-origin-resource-policy",
        ],
    ),
    ("x_xss_protection", &["x-xss-protection"]),
    ("dns_prefetch", &["x-dns-prefetch-control"]),
    ("xpcdp", &["x-permitted-cross-domain-policies"]),
    ("cache", &["cache-control", "pragma", "expires"]),
    ("clear_site_data", &["clear-site-data"]),
];

/// Every mutant: the header rules above, then `fingerprints` (no header removed),
/// `weak_values` (weak upstream values kept), `cookies` (`Set-Cookie` left as sent),
/// `session_checks` (no session id judged: no weak id, broad `Domain` or id in a URL found),
/// `input_validation` (every request let through unread) and `default_host` (an unknown or
/// malformed `:authority` gets no hardening).
pub(crate) const NAMES: [&str; 18] = [
    "hsts",
    "csp",
    "frame_options",
    "nosniff",
    "referrer_policy",
    "permissions_policy",
    "cross_origin",
    "x_xss_protection",
    "dns_prefetch",
    "xpcdp",
    "cache",
    "clear_site_data",
    "fingerprints",
    "weak_values",
    "cookies",
    "session_checks",
    "input_validation",
    "default_host",
];

/// The request verdict with `input_validation` switched off when `mutant` names it.
pub(crate) fn request(
    mutant: Option<&str>,
    facts: &mut RequestFacts,
    verdict: RequestVerdict,
) -> RequestVerdict {
    if mutant == Some("input_validation") {
        facts.body_check = BodyCheck::None;
        return RequestVerdict::Continue;
    }
    verdict
}

/// The response edits without the part of the rule `mutant` names.
pub(crate) fn response(mutant: Option<&str>, mut edits: ResponseEdits) -> ResponseEdits {
    let Some(off) = mutant else {
        return edits;
    };
    let named = |edit: &Edit| -> Option<String> {
        match edit {
            Edit::Set { name, .. } | Edit::Remove { name } => Some(name.to_ascii_lowercase()),
            Edit::SetCookies { .. } => None,
        }
    };
    if let Some((_, headers)) = HEADER_RULES.iter().find(|(rule, _)| *rule == off) {
        edits
            .edits
            .retain(|e| named(e).is_none_or(|n| !headers.contains(&n.as_str())));
        return edits;
    }
    match off {
        "fingerprints" => edits.edits.retain(
            |e| !matches!(e, Edit::Remove { name } if !name.eq_ignore_ascii_case("set-cookie")),
        ),
        "weak_values" => {
            let weak = std::mem::take(&mut edits.weak_values_replaced);
            edits.edits.retain(|e| {
                named(e).is_none_or(|n| !weak.iter().any(|w| w.eq_ignore_ascii_case(&n)))
            });
            edits.weak_values_kept = weak;
        }
        "cookies" => edits.edits.retain(|e| {
            !matches!(e, Edit::SetCookies { .. })
                && !matches!(e, Edit::Remove { name } if name.eq_ignore_ascii_case("set-cookie"))
        }),
        "session_checks" => {
            edits.weak_sessions.clear();
            edits.broad_domain_sessions.clear();
            edits.session_in_url = false;
            edits.reject = false;
        }
        "default_host" if !edits.host_known => edits.edits.clear(),
        _ => {}
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str) -> Edit {
        Edit::Set {
            name: name.into(),
            value: b"v".to_vec(),
        }
    }

    fn edits() -> ResponseEdits {
        ResponseEdits {
            edits: vec![
                set("strict-transport-security"),
                set("content-security-policy"),
                Edit::Remove {
                    name: "server".into(),
                },
                Edit::SetCookies {
                    values: vec![b"a=b; Secure".to_vec()],
                },
            ],
            host_known: true,
            ..ResponseEdits::default()
        }
    }

    fn names(e: &ResponseEdits) -> Vec<String> {
        e.edits
            .iter()
            .map(|e| match e {
                Edit::Set { name, .. } => format!("set {name}"),
                Edit::Remove { name } => format!("remove {name}"),
                Edit::SetCookies { .. } => "cookies".into(),
            })
            .collect()
    }

    #[test]
    fn each_mutant_leaves_out_its_own_part_only() {
        let all = names(&edits());
        let rows: &[(&str, Option<&str>, &[&str])] = &[
            ("shipped", None, &[]),
            ("hsts", Some("hsts"), &["set strict-transport-security"]),
            ("csp", Some("csp"), &["set content-security-policy"]),
            ("fingerprints", Some("fingerprints"), &["remove server"]),
            ("cookies", Some("cookies"), &["cookies"]),
            ("a rule with nothing here", Some("clear_site_data"), &[]),
            ("default host on a known host", Some("default_host"), &[]),
        ];
        for (row, mutant, gone) in rows {
            let want: Vec<String> = all
                .iter()
                .filter(|n| !gone.contains(&n.as_str()))
                .cloned()
                .collect();
            assert_eq!(names(&response(*mutant, edits())), want, "{row}");
        }
        let mut unknown = edits();
        unknown.host_known = false;
        assert!(response(Some("default_host"), unknown).edits.is_empty());
    }

    #[test]
    fn input_validation_mutant_lets_every_request_through_unread() {
        let mut facts = RequestFacts {
            body_check: BodyCheck::Inspect { max_bytes: 10 },
            ..RequestFacts::default()
        };
        let verdict = request(
            Some("input_validation"),
            &mut facts,
            RequestVerdict::InspectBody { max_bytes: 10 },
        );
        assert_eq!(verdict, RequestVerdict::Continue);
        assert_eq!(facts.body_check, BodyCheck::None);
    }
}
