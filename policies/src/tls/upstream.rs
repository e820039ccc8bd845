//! The response-time decision: the upstream connection's certificate and TLS version, read from
//! the `upstream.*` properties that exist only once an upstream has answered.

use super::decide::deny;
use super::decision::{AllowReason, Decision, DenyReason, Property};
use super::plan::TlsGuardPlan;
use super::subject::Subject;
use super::version::TlsVersion;
use crate::attributes::{self, Attributes};
use crate::peer::{PeerCertificate, Side};

impl TlsGuardPlan {
    /// Decides about a response from the upstream connection's attributes.
    ///
    /// A response without `upstream.address` did not come from an upstream (a local response of
    /// a later filter or of the router), unless `response.code_details` says `via_upstream`:
    /// then the host does not report upstream properties, decided by `missing_properties`.
    /// Then: a refused subject or digest on the upstream certificate (502); for the clusters of
    /// `require_tls`, a plaintext upstream connection or one older than the minimum (502).
    pub fn decide_response(&self, attrs: &dyn Attributes) -> Decision {
        let Some(up) = &self.upstream else {
            return Decision::Allow(AllowReason::UpstreamVerified);
        };
        if attributes::string(attrs, &["upstream", "address"]).is_none() {
            let details = attributes::string(attrs, &["response", "code_details"]);
            return if details.as_deref() == Some("via_upstream") {
                match self.missing_property(Property::UpstreamAddress, 502) {
                    Ok(p) => Decision::Allow(AllowReason::MissingProperty(p)),
                    Err(d) => d,
                }
            } else {
                Decision::Allow(AllowReason::NoUpstream)
            };
        }
        let version =
            attributes::string(attrs, &["upstream", "tls_version"]).filter(|v| !v.is_empty());
        let mut skipped = None;
        if version.is_some() && !(up.refused_subjects.is_empty() && up.refused_sha256.is_empty()) {
            let peer = PeerCertificate::read(attrs, Side::Upstream);
            if peer.subject.is_none() && peer.sha256.is_none() {
                match self.missing_property(Property::UpstreamCertificate, 502) {
                    Ok(p) => skipped = Some(p),
                    Err(d) => return d,
                }
            }
            let subject = peer.subject.as_deref().and_then(Subject::parse);
            let refused_subject = subject
                .as_ref()
                .is_some_and(|s| up.refused_subjects.iter().any(|r| r.matches(s)));
            let refused_digest = peer
                .sha256
                .as_ref()
                .is_some_and(|d| up.refused_sha256.contains(d));
            if refused_subject || refused_digest {
                return deny(502, DenyReason::UpstreamCertificateRefused);
            }
        }
        if let Some((clusters, every, min)) = &up.require_tls {
            let applies = if *every {
                true
            } else {
                match attributes::string(attrs, &["xds", "cluster_name"]) {
                    Some(name) => clusters.contains(&name),
                    None => match self.missing_property(Property::ClusterName, 502) {
                        Ok(p) => {
                            skipped = skipped.or(Some(p));
                            false
                        }
                        Err(d) => return d,
                    },
                }
            };
            if applies {
                match version.as_deref().map(TlsVersion::from_reported) {
                    None => return deny(502, DenyReason::UpstreamNotTls),
                    Some(v) if v.is_none_or(|v| v < *min) => {
                        return deny(502, DenyReason::UpstreamTlsVersionTooLow);
                    }
                    Some(_) => {}
                }
            }
        }
        Decision::Allow(skipped.map_or(AllowReason::UpstreamVerified, AllowReason::MissingProperty))
    }
}
