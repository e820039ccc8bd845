//! The request-time decision: plaintext, TLS version, SNI against the host, cipher, client
//! certificate.

use super::config::{MissingProperties, Plaintext, SniPolicy};
use super::decision::{AllowReason, Decision, DenyReason, Property};
use super::plan::{HostPlan, TlsGuardPlan};
use super::version::TlsVersion;
use crate::attributes::{self, Attributes};
use crate::authority::{Host, parse_authority, parse_sni};
use crate::path::{DEFAULT_MAX_TARGET_BYTES, normalize_target};
use crate::peer::{PeerAllowlist, PeerCertificate, Side};
use crate::request::RequestHead;

/// The rules that apply to one request: the virtual host's, tightened by every matching path
/// rule.
pub(super) struct Effective<'p> {
    pub(super) min_version: TlsVersion,
    pub(super) plaintext: Plaintext,
    pub(super) clients: Vec<&'p PeerAllowlist>,
}

/// A check that could not run and was skipped because `missing_properties` is `allow`.
pub(super) type Skipped = Option<Property>;

impl TlsGuardPlan {
    /// Decides about one request from its head and the connection's attributes.
    ///
    /// In order: the target (400, or 414 when too long, when it cannot be normalised); the host
    /// (400 when malformed, 421 when no virtual host names it); plaintext (redirect 308, deny
    /// 403 or allow); the TLS version (403); the SNI against `:authority` and every `Host`
    /// (421); the cipher (403); the client certificate of each matching path rule (403). The
    /// first refusal decides.
    ///
    /// A property the host does not report decides only the check that needs it, as
    /// `missing_properties` says: `deny` refuses (403, [`DenyReason::MissingProperty`]); `allow`
    /// skips that check and runs every other one on what is reported (the decision is then
    /// [`AllowReason::MissingProperty`] naming the first skipped property). Without
    /// `connection.tls_version`, and unless `connection.mtls` is true, the connection may be
    /// plaintext, which has no SNI: a missing SNI is then not refused, a reported one is still
    /// checked.
    pub fn decide_request(&self, request: &RequestHead<'_>, attrs: &dyn Attributes) -> Decision {
        let target = match normalize_target(request.target(), DEFAULT_MAX_TARGET_BYTES) {
            Ok(t) => t,
            Err(e) => {
                return Decision::Deny {
                    status: e.status(),
                    reason: DenyReason::MalformedPath(e),
                };
            }
        };
        let authority = target
            .authority
            .as_deref()
            .map_or(request.authority(), str::as_bytes);
        let Ok((host, _port)) = parse_authority(authority) else {
            return deny(400, DenyReason::MalformedAuthority);
        };
        let Some(rules) = self.hosts.select(&host) else {
            return deny(421, DenyReason::UnknownHost);
        };
        let effective = effective_rules(rules, &target.path);

        let mtls = attributes::boolean(attrs, &["connection", "mtls"]);
        let tls_version =
            attributes::string(attrs, &["connection", "tls_version"]).filter(|v| !v.is_empty());
        let tls_known = tls_version.is_some() || mtls == Some(true);
        let mut skipped: Skipped = None;
        match tls_version {
            Some(version) => {
                if TlsVersion::from_reported(&version).is_none_or(|v| v < effective.min_version) {
                    return deny(403, DenyReason::TlsVersionTooLow);
                }
            }
            // Envoy reports `connection.mtls` = false and no version on plaintext.
            None if mtls == Some(false) => {
                return plaintext(rules, &effective, &host, request.target());
            }
            None => match self.missing_property(Property::TlsVersion, 403) {
                Ok(p) => skipped = Some(p),
                Err(d) => return d,
            },
        }
        if let Err(d) = check_sni(rules.sni, &host, request, attrs, tls_known) {
            return d;
        }
        match self.check_cipher(rules, attrs) {
            Ok(s) => skipped = skipped.or(s),
            Err(d) => return d,
        }
        match self.check_clients(&effective.clients, mtls, attrs) {
            Ok(s) => skipped = skipped.or(s),
            Err(d) => return d,
        }
        Decision::Allow(skipped.map_or(AllowReason::TlsVerified, AllowReason::MissingProperty))
    }

    /// `Ok(Some(property))` when the check is skipped (`allow`), the refusal otherwise.
    pub(super) fn missing_property(
        &self,
        property: Property,
        status: u16,
    ) -> Result<Property, Decision> {
        match self.missing {
            MissingProperties::Allow => Ok(property),
            MissingProperties::Deny => Err(deny(status, DenyReason::MissingProperty(property))),
        }
    }

    fn check_cipher(&self, rules: &HostPlan, attrs: &dyn Attributes) -> Result<Skipped, Decision> {
        if rules.ciphers.is_empty() {
            return Ok(None);
        }
        // Filter state set by `set_filter_state` from `%DOWNSTREAM_TLS_CIPHER%`, which a client
        // cannot set; Envoy's formatter writes `-` where there is no value.
        let cipher = attributes::string(attrs, &["filter_state", &self.cipher_key])
            .filter(|c| !c.is_empty() && c != "-");
        match cipher {
            None => self.missing_property(Property::Cipher, 403).map(Some),
            Some(c) if rules.ciphers.contains(&c) => Ok(None),
            Some(_) => Err(deny(403, DenyReason::CipherNotAllowed)),
        }
    }

    /// The client certificate against every allowlist of the matching path rules. `mtls` is
    /// `connection.mtls`; when the host does not report it, a reported certificate is still
    /// checked, and only its absence is [`Property::Mtls`] missing.
    fn check_clients(
        &self,
        lists: &[&PeerAllowlist],
        mtls: Option<bool>,
        attrs: &dyn Attributes,
    ) -> Result<Skipped, Decision> {
        if lists.is_empty() {
            return Ok(None);
        }
        if mtls == Some(false) {
            return Err(deny(403, DenyReason::ClientCertificateMissing));
        }
        let peer = PeerCertificate::read(attrs, Side::Downstream);
        if !peer.is_present() {
            let property = if mtls.is_none() {
                Property::Mtls
            } else {
                Property::PeerCertificate
            };
            return self.missing_property(property, 403).map(Some);
        }
        if lists.iter().all(|list| list.matches(&peer)) {
            Ok(None)
        } else {
            Err(deny(403, DenyReason::ClientCertificateNotAllowed))
        }
    }
}

pub(super) fn deny(status: u16, reason: DenyReason) -> Decision {
    Decision::Deny { status, reason }
}

pub(super) fn effective_rules<'p>(rules: &'p HostPlan, path: &str) -> Effective<'p> {
    let mut e = Effective {
        min_version: rules.min_version,
        plaintext: rules.plaintext,
        clients: Vec::new(),
    };
    for rule in rules.rules.iter().filter(|r| r.globs.is_match(path)) {
        e.min_version = e.min_version.max(rule.min_version.unwrap_or(e.min_version));
        e.plaintext = e.plaintext.max(rule.plaintext.unwrap_or(e.plaintext));
        if let Some(list) = &rule.clients {
            e.clients.push(list);
        }
    }
    e
}

/// A plaintext request. A path that needs a client certificate can never be served over
/// plaintext, so it is redirected or denied whatever `plaintext` says.
fn plaintext(rules: &HostPlan, e: &Effective<'_>, host: &Host, raw_target: &[u8]) -> Decision {
    let action = if e.clients.is_empty() {
        e.plaintext
    } else {
        e.plaintext.max(Plaintext::Redirect)
    };
    match action {
        Plaintext::Allow => Decision::Allow(AllowReason::PlaintextAllowed),
        Plaintext::Deny => deny(403, DenyReason::Plaintext),
        Plaintext::Redirect => Decision::Redirect {
            location: https_location(host, rules.https_port, raw_target),
        },
    }
}

/// `https://host[:port]` + the path and query of `raw_target` (origin form, or the part of an
/// absolute form after its authority), unchanged. The target has passed the normaliser, so it
/// holds only printable ASCII.
fn https_location(host: &Host, port: u16, raw_target: &[u8]) -> String {
    let raw = String::from_utf8_lossy(raw_target);
    let path_and_query = if raw.starts_with('/') {
        raw.as_ref()
    } else {
        let after_scheme = raw.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme
            .find(['/', '?'])
            .and_then(|i| after_scheme.get(i..))
            .unwrap_or("/")
    };
    let slash = if path_and_query.starts_with('?') {
        "/"
    } else {
        ""
    };
    let name = if host.ip().is_some_and(|ip| ip.is_ipv6()) {
        format!("[{}]", host.as_str())
    } else {
        host.as_str().to_owned()
    };
    let port = if port == 443 {
        String::new()
    } else {
        format!(":{port}")
    };
    format!("https://{name}{port}{slash}{path_and_query}")
}

/// RFC 6066 §3 (SNI: a DNS host name "represented as a byte string using ASCII encoding
/// without a trailing dot", case-insensitive, never an IP literal) against RFC 9110 §7.2
/// (`Host`/`:authority`, port ignored). Every `Host` header must name the same host as the SNI,
/// not only `:authority`. A `Host` or `:authority` ending in a dot names the same host as without
/// it (an absolute domain name, RFC 1034 §3.1; `parse_authority` drops the dot), so
/// `Host: is.example.com.` matches the SNI `is.example.com`; an SNI ending in a dot is refused.
///
/// `tls_known` is false when the host reports no TLS version and no `connection.mtls` = true:
/// the connection may be plaintext, so a missing SNI is not refused (the missing version is
/// already decided by `missing_properties`); a reported SNI is checked all the same.
fn check_sni(
    policy: SniPolicy,
    host: &Host,
    request: &RequestHead<'_>,
    attrs: &dyn Attributes,
    tls_known: bool,
) -> Result<(), Decision> {
    if policy == SniPolicy::Off {
        return Ok(());
    }
    let sni = attributes::string(attrs, &["connection", "requested_server_name"])
        .filter(|s| !s.is_empty());
    let Some(sni) = sni else {
        // No SNI: fine for an IP literal (clients must not send one), required for a name.
        return if tls_known && policy == SniPolicy::Required && host.ip().is_none() {
            Err(deny(421, DenyReason::SniMissing))
        } else {
            Ok(())
        };
    };
    let parsed = parse_sni(sni.as_bytes()).map_err(|_| deny(421, DenyReason::SniMalformed))?;
    if sni.ends_with('.') {
        return Err(deny(421, DenyReason::SniTrailingDot));
    }
    if parsed.ip().is_some() {
        return Err(deny(421, DenyReason::SniIpLiteral));
    }
    if &parsed != host {
        return Err(deny(421, DenyReason::SniMismatch));
    }
    for value in request.get_all("host") {
        match parse_authority(value) {
            Ok((h, _)) if h == parsed => {}
            _ => return Err(deny(421, DenyReason::SniMismatch)),
        }
    }
    Ok(())
}
