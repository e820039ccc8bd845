//! Response time: one pure function from (request facts, response headers) to the list of edits,
//! so that the filter reads the header map once and writes it back in as few host calls as the
//! edits need (see [`Edit::host_calls`]).
//!
//! In order: the header rules (baseline, virtual host, route), HSTS, cache prevention,
//! `Clear-Site-Data`; a later step wins over an earlier one for the same header. Then the
//! `Set-Cookie` values are hardened in place and checked as session ids.

use super::config::WeakValues;
use super::cookies::{CookieContext, harden};
use super::facts::RequestFacts;
use super::plan::{HeaderPlan, RuleAction};
use super::session::{BroadDomainSession, WeakSession, session_in_url};
use super::setcookie::parse_cookie_date;
use super::weak::{Upstream, upstream_value};

const HSTS: &str = "strict-transport-security";

/// One change to the response header map. Names are lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// Sets `name` to one value, replacing every value it had (or adding it).
    Set {
        /// Header name.
        name: String,
        /// The value.
        value: Vec<u8>,
    },
    /// Removes every value of `name`.
    Remove {
        /// Header name.
        name: String,
    },
    /// Replaces the `Set-Cookie` values, one for one and in order.
    SetCookies {
        /// The new values, as many as the response had.
        values: Vec<Vec<u8>>,
    },
}

impl Edit {
    /// Host calls this edit takes on its own (`SetCookies` of n values: one remove and n adds,
    /// or one set when n is 1).
    pub fn host_calls(&self) -> usize {
        match self {
            Self::Set { .. } | Self::Remove { .. } => 1,
            Self::SetCookies { values } if values.len() == 1 => 1,
            Self::SetCookies { values } => 1 + values.len(),
        }
    }
}

/// What the filter does to one response, and what it saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseEdits {
    /// The edits, to apply in order.
    pub edits: Vec<Edit>,
    /// Whether a configured virtual host answered (`false`: the default host's rules applied).
    pub host_known: bool,
    /// Headers added (absent before).
    pub added: u32,
    /// Headers whose value was replaced.
    pub replaced: u32,
    /// Headers removed.
    pub removed: u32,
    /// `Set-Cookie` values that got attributes.
    pub cookies_hardened: u32,
    /// `Set-Cookie` values the filter could not read (not UTF-8, no name): hardened (also counted
    /// in `cookies_hardened` when attributes were added) or dropped (`cookies_dropped`).
    pub cookies_malformed: u32,
    /// Session ids weaker than configured, set by a `Set-Cookie` or carried in a `Location` URL.
    pub weak_sessions: Vec<WeakSession>,
    /// Strict session check failed: replace the response with a 502.
    pub reject: bool,
    /// Cache prevention applied.
    pub no_store: bool,
    /// Headers (lower-case) whose weak upstream value was replaced (see
    /// [`super::WeakValues`]).
    pub weak_values_replaced: Vec<String>,
    /// Headers whose weak upstream value was kept because the configuration says `keep`.
    pub weak_values_kept: Vec<String>,
    /// `Set-Cookie` values removed because the filter could not read them
    /// (`unparseable_cookies: "drop"`).
    pub cookies_dropped: u32,
    /// Session cookies whose `Domain` is broader than the request's host (flagged, or made
    /// host-only with `broad_domain: "remove"`).
    pub broad_domain_sessions: Vec<BroadDomainSession>,
    /// A `Location` header carries a session id in its URL (`;jsessionid=` or a `jsessionid`
    /// query parameter): the id leaks into logs, history and `Referer`.
    pub session_in_url: bool,
}

impl ResponseEdits {
    /// Host calls the edits take one by one; a filter replaces the whole map in one call
    /// instead when this is more than 1.
    pub fn host_calls(&self) -> usize {
        self.edits.iter().map(Edit::host_calls).sum()
    }
}

/// The header values the response should end with: `Some` sets, `None` removes.
#[derive(Default)]
struct Wants(Vec<(String, Option<Vec<u8>>)>);

impl Wants {
    fn put(&mut self, name: &str, value: Option<Vec<u8>>) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }
}

impl HeaderPlan {
    /// The edits for a response with `headers` (`:status` included, any case, values raw)
    /// to the request described by `facts`.
    pub fn on_response(
        &self,
        facts: &RequestFacts,
        headers: &[(String, Vec<u8>)],
    ) -> ResponseEdits {
        let mut out = ResponseEdits::default();
        let host = self.host_for(facts);
        out.host_known = facts.host.is_some();
        let path = facts.path.as_deref();
        let rules = path
            .and_then(|p| host.routes.iter().find(|r| r.paths.is_match(p)))
            .map_or(&host.rules, |r| &r.rules);
        let mut wants = Wants::default();
        for rule in rules {
            match &rule.action {
                RuleAction::Set(v) => wants.put(&rule.name, Some(v.clone())),
                RuleAction::Default(v) => match upstream_value(headers, &rule.name) {
                    Upstream::Absent => wants.put(&rule.name, Some(v.clone())),
                    Upstream::Weak if host.weak_values == WeakValues::Replace => {
                        out.weak_values_replaced.push(rule.name.clone());
                        wants.put(&rule.name, Some(v.clone()));
                    }
                    Upstream::Weak => out.weak_values_kept.push(rule.name.clone()),
                    Upstream::Sound => {}
                },
                RuleAction::Remove if has(headers, &rule.name) => wants.put(&rule.name, None),
                RuleAction::Remove => {}
            }
        }
        match (&host.hsts, facts.tls) {
            (Some(v), true) => wants.put(HSTS, Some(v.clone())),
            (None, true) => {}
            (_, false) => wants.put(HSTS, None),
        }
        let cache = &host.cache;
        let public = path.is_some_and(|p| cache.public.is_match(p));
        out.no_store = path.is_some_and(|p| cache.no_store.is_match(p))
            || (!public
                && (cache.every_dynamic_response
                    || (cache.on_set_cookie && has(headers, "set-cookie"))
                    || (cache.on_authorization && facts.authorization)));
        if out.no_store {
            wants.put("cache-control", Some(cache.no_store_value.clone()));
            wants.put("pragma", Some(b"no-cache".to_vec()));
            wants.put("expires", Some(b"0".to_vec()));
        } else if let Some(v) = cache.public_cache_control.as_ref()
            && public
            && is_success(headers)
        {
            wants.put("cache-control", Some(v.clone()));
        }
        if let Some((paths, value)) = &host.logout
            && path.is_some_and(|p| paths.is_match(p))
        {
            wants.put("clear-site-data", Some(value.clone()));
        }
        for (name, want) in wants.0 {
            let (first, only) = {
                let mut current = values(headers, &name);
                let first = current.next();
                (first, first.is_some() && current.next().is_none())
            };
            match want {
                Some(v) if only && first == Some(v.as_slice()) => {}
                Some(value) => {
                    if first.is_some() {
                        out.replaced += 1;
                    } else {
                        out.added += 1;
                    }
                    out.edits.push(Edit::Set { name, value });
                }
                None if first.is_some() => {
                    out.removed += 1;
                    out.edits.push(Edit::Remove { name });
                }
                None => {}
            }
        }
        self.cookies(host, facts, headers, &mut out);
        out
    }

    /// Hardens the `Set-Cookie` values and checks the session ids they set and the one a
    /// `Location` URL carries (see `cookies.rs`, `session.rs`). A dropped value is written as a
    /// `Remove` of every `Set-Cookie` followed by the kept values.
    fn cookies(
        &self,
        host: &super::plan::HostPlan,
        facts: &RequestFacts,
        headers: &[(String, Vec<u8>)],
        out: &mut ResponseEdits,
    ) {
        let ctx = CookieContext {
            rules: &host.cookies,
            session: &host.session,
            host: facts.request_host.as_deref(),
            date: values(headers, "date").next().and_then(parse_cookie_date),
        };
        let mut changed = false;
        let mut new_values = Vec::new();
        for value in values(headers, "set-cookie") {
            let outcome = harden(value, &ctx);
            out.cookies_malformed += u32::from(outcome.malformed);
            out.weak_sessions.extend(outcome.weak_session);
            out.broad_domain_sessions.extend(outcome.broad_domain);
            match (outcome.dropped, outcome.hardened) {
                (true, _) => out.cookies_dropped += 1,
                (false, Some(v)) => {
                    out.cookies_hardened += 1;
                    changed = true;
                    new_values.push(v);
                }
                (false, None) => new_values.push(value.to_vec()),
            }
        }
        if out.cookies_dropped > 0 {
            out.edits.push(Edit::Remove {
                name: "set-cookie".to_owned(),
            });
        }
        if changed || (out.cookies_dropped > 0 && !new_values.is_empty()) {
            out.edits.push(Edit::SetCookies { values: new_values });
        }
        for location in values(headers, "location") {
            if let Some((name, id)) = session_in_url(location) {
                out.session_in_url = true;
                out.weak_sessions.extend(host.session.judge(&name, &id));
            }
        }
        out.reject = !out.weak_sessions.is_empty() && host.session.strict;
    }
}

/// Applies `edits` to a header map (what the host does with them, one by one); `Set` keeps the
/// header's first position, a new header goes last.
pub fn apply(edits: &[Edit], headers: &mut Vec<(String, Vec<u8>)>) {
    for edit in edits {
        match edit {
            Edit::Set { name, value } => {
                let mut seen = false;
                headers.retain_mut(|(n, v)| {
                    if !n.eq_ignore_ascii_case(name) {
                        return true;
                    }
                    if seen {
                        return false;
                    }
                    seen = true;
                    v.clone_from(value);
                    true
                });
                if !seen {
                    headers.push((name.clone(), value.clone()));
                }
            }
            Edit::Remove { name } => headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name)),
            Edit::SetCookies { values } => {
                let mut next = values.iter();
                for (n, v) in headers.iter_mut() {
                    if n.eq_ignore_ascii_case("set-cookie")
                        && let Some(new) = next.next()
                    {
                        v.clone_from(new);
                    }
                }
                headers.extend(next.map(|v| ("set-cookie".to_owned(), v.clone())));
            }
        }
    }
}

fn values<'a>(
    headers: &'a [(String, Vec<u8>)],
    name: &'a str,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// Whether the response's `:status` is 2xx (only a success is public metadata worth caching).
fn is_success(headers: &[(String, Vec<u8>)]) -> bool {
    values(headers, ":status")
        .next()
        .is_some_and(|s| s.len() == 3 && s.first() == Some(&b'2'))
}

fn has(headers: &[(String, Vec<u8>)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Whether a `Cache-Control` value (RFC 9111 §5.2: `#( token [ "=" ( token / quoted-string ) ] )`)
/// has the directive `name` (any case). A directive is a whole list member's name: `x-no-store`,
/// `no-storex` and a `no-store` inside a quoted argument (`private="no-store"`) are not it.
pub(crate) fn has_directive(value: &[u8], name: &[u8]) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    let mut start = 0;
    let mut members = Vec::new();
    for (i, &b) in value.iter().enumerate() {
        match (quoted, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (_, false, b'"') => quoted = !quoted,
            (false, _, b',') => {
                members.push(value.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    members.push(value.get(start..).unwrap_or_default());
    members.iter().any(|m| {
        let directive = m.split(|&b| b == b'=').next().unwrap_or_default();
        directive.trim_ascii().eq_ignore_ascii_case(name)
    })
}
