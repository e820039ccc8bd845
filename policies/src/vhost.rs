//! Virtual-host selection by request host, with Envoy's `domains` semantics
//! (`config.route.v3.VirtualHost.domains`): an exact name wins over the longest `*.suffix` /
//! `*suffix` wildcard, which wins over the longest `prefix*` wildcard, which wins over `*`.
//! Names are compared case-insensitively and the port is ignored.

use crate::authority::Host;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// A compiled table from domains to values of type `T` (one per virtual host).
#[derive(Debug, Clone)]
pub struct VirtualHosts<T> {
    entries: Vec<T>,
    exact: Vec<(String, usize)>,
    suffix: Vec<(String, usize)>,
    prefix: Vec<(String, usize)>,
    any: Option<usize>,
}

impl<T> VirtualHosts<T> {
    /// Builds the table from `(domains, value)` pairs, where `path` is the field path of the list
    /// of virtual hosts in the configuration and each pair's domains sit at
    /// `path[i].domains`.
    ///
    /// # Errors
    /// [`ConfigErrorKind::Empty`] for an empty list or domain list,
    /// [`ConfigErrorKind::InvalidDomain`] for a domain with `*` other than as one prefix or suffix,
    /// or a domain claimed twice.
    pub fn build(
        path: &FieldPath,
        hosts: impl IntoIterator<Item = (Vec<String>, T)>,
    ) -> Result<Self, ConfigError> {
        let mut table = Self {
            entries: Vec::new(),
            exact: Vec::new(),
            suffix: Vec::new(),
            prefix: Vec::new(),
            any: None,
        };
        let mut seen: Vec<String> = Vec::new();
        for (i, (domains, value)) in hosts.into_iter().enumerate() {
            let dpath = path.index(i).key("domains");
            if domains.is_empty() {
                return Err(ConfigError::at(dpath, ConfigErrorKind::Empty));
            }
            for (j, domain) in domains.iter().enumerate() {
                let here = dpath.index(j);
                let d = domain.to_ascii_lowercase();
                let d = d.strip_suffix('.').unwrap_or(&d).to_owned();
                let bad = |reason: &str| {
                    ConfigError::at(
                        here.clone(),
                        ConfigErrorKind::InvalidDomain {
                            domain: domain.clone(),
                            reason: reason.into(),
                        },
                    )
                };
                if seen.contains(&d) {
                    return Err(bad("claimed by an earlier virtual host or entry"));
                }
                let stars = d.matches('*').count();
                if d == "*" {
                    table.any = Some(i);
                } else if stars == 0 {
                    check_chars(&d).map_err(&bad)?;
                    table.exact.push((d.clone(), i));
                } else if stars == 1 && d.starts_with('*') {
                    check_chars(d.trim_start_matches('*')).map_err(&bad)?;
                    table.suffix.push((d.trim_start_matches('*').to_owned(), i));
                } else if stars == 1 && d.ends_with('*') {
                    check_chars(d.trim_end_matches('*')).map_err(&bad)?;
                    table.prefix.push((d.trim_end_matches('*').to_owned(), i));
                } else {
                    return Err(bad(
                        "'*' may only be the whole domain, its first or its last character",
                    ));
                }
                seen.push(d);
            }
            table.entries.push(value);
        }
        if table.entries.is_empty() {
            return Err(ConfigError::at(path.clone(), ConfigErrorKind::Empty));
        }
        // Longest wildcard first: the first hit is then the most specific.
        table
            .suffix
            .sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        table
            .prefix
            .sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        Ok(table)
    }

    /// The value for `host`, or `None` when no domain matches (an unknown host).
    pub fn select(&self, host: &Host) -> Option<&T> {
        self.entries.get(self.select_index(host)?)
    }

    /// The position in configuration order (`virtual_hosts[i]`) of the virtual host for
    /// `host`, or `None` when no domain matches.
    pub fn select_index(&self, host: &Host) -> Option<usize> {
        let h = host.as_str();
        self.exact
            .iter()
            .find(|(d, _)| d == h)
            .or_else(|| {
                self.suffix
                    .iter()
                    .find(|(s, _)| h.len() > s.len() && h.ends_with(s.as_str()))
            })
            .or_else(|| {
                self.prefix
                    .iter()
                    .find(|(p, _)| h.len() > p.len() && h.starts_with(p.as_str()))
            })
            .map(|(_, i)| *i)
            .or(self.any)
    }

    /// Every value, in configuration order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter()
    }
}

fn check_chars(d: &str) -> Result<(), &'static str> {
    if d.is_empty() {
        return Err("empty");
    }
    if d.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(());
    }
    let ok = d
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if ok {
        Ok(())
    } else {
        Err("not a host name (a port is ignored, so leave it out)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::parse_authority;

    fn table(hosts: &[&[&str]]) -> Result<VirtualHosts<usize>, ConfigError> {
        let list = hosts
            .iter()
            .enumerate()
            .map(|(i, ds)| (ds.iter().map(|d| d.to_string()).collect(), i));
        VirtualHosts::build(&FieldPath::root().key("virtual_hosts"), list)
    }

    fn pick(t: &VirtualHosts<usize>, authority: &str) -> Option<usize> {
        t.select(&parse_authority(authority.as_bytes()).unwrap().0)
            .copied()
    }

    #[test]
    fn most_specific_domain_wins_as_in_envoy() {
        let t = table(&[
            &["*"],
            &["*.example.com"],
            &["api.example.com"],
            &["*.b.example.com"],
            &["ex*"],
        ])
        .unwrap();
        assert_eq!(pick(&t, "API.example.com:443"), Some(2));
        assert_eq!(pick(&t, "x.example.com"), Some(1));
        assert_eq!(pick(&t, "a.b.example.com"), Some(3));
        assert_eq!(pick(&t, "example.com"), Some(4));
        assert_eq!(pick(&t, "other.org"), Some(0));
    }

    #[test]
    fn unknown_host_without_catch_all_selects_nothing() {
        let t = table(&[&["is.example.com"]]).unwrap();
        assert_eq!(pick(&t, "evil.example"), None);
        assert_eq!(pick(&t, "is.example.com."), Some(0));
    }

    #[test]
    fn build_fails_on_bad_domains() {
        let e = table(&[&["a.*.com"]]).unwrap_err();
        assert_eq!(e.path().to_string(), "virtual_hosts[0].domains[0]");
        let e = table(&[&["a.com"], &["x", "A.com"]]).unwrap_err();
        assert_eq!(e.path().to_string(), "virtual_hosts[1].domains[1]");
        assert!(matches!(
            table(&[&[]]).unwrap_err().kind(),
            ConfigErrorKind::Empty
        ));
        assert!(matches!(
            table(&[]).unwrap_err().kind(),
            ConfigErrorKind::Empty
        ));
        assert!(table(&[&["a b"]]).is_err());
    }
}
