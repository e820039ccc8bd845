//! The response-time decision: the upstream connection's certificate and TLS version, read from
//! the `upstream.*` properties that exist only once an upstream has answered.

use super::decide::{Skipped, deny};
use super::decision::{AllowReason, Decision, DenyReason, Property};
use super::plan::{TlsGuardPlan, UpstreamPlan};
use super::subject::Subject;
use super::version::TlsVersion;
use crate::attributes::{self, Attributes};
use crate::peer::{PeerCertificate, Side};

impl TlsGuardPlan {
    /// Decides about a response from the upstream connection's attributes.
    ///
    /// A `response.code_details` other than `via_upstream` (empty included: Envoy gives a Wasm
    /// filter's local response empty details) marks a local response (of a later filter or of
    /// the router): nothing to check, even when an upstream connection is reported (it exists
    /// before its answer does). `upstream.address` says the host reports the upstream
    /// connection; without it (and with `via_upstream` or no details, so that an upstream's
    /// answer cannot be told from a local one) the property is missing and
    /// `missing_properties` decides: `deny` answers 502; `allow` skips what cannot run and
    /// still checks every upstream fact that is reported.
    ///
    /// Then, the first refusal deciding: a refused subject or digest on the upstream certificate
    /// (502), checked whenever the certificate is reported; for the clusters of `require_tls`, a
    /// plaintext upstream connection (no `upstream.tls_version` while `upstream.address` is
    /// reported) or one older than the minimum (502). A TLS upstream connection whose certificate
    /// is not reported, or a response without `xds.cluster_name` when `require_tls` names
    /// clusters, is decided by `missing_properties` too.
    pub fn decide_response(&self, attrs: &dyn Attributes) -> Decision {
        let Some(up) = &self.upstream else {
            return Decision::Allow(AllowReason::UpstreamVerified);
        };
        // Envoy sets `via_upstream` when the router receives an upstream's headers; a Wasm
        // filter's local response has empty details (proxy_send_local_response with no
        // details) or the ones it gave, a router or codec answer its own (`route_not_found`,
        // ...). Such an answer is not the upstream's, even when an upstream connection exists
        // already (an HTTP/2 request whose headers went on while a filter held its body, then
        // refused it): its facts are not this answer's.
        let details = attributes::string(attrs, &["response", "code_details"]);
        if details.is_some_and(|d| d != "via_upstream") {
            return Decision::Allow(AllowReason::NoUpstream);
        }
        let mut skipped: Skipped = None;
        let reported =
            attributes::string(attrs, &["upstream", "address"]).is_some_and(|a| !a.is_empty());
        if !reported {
            match self.missing_property(Property::UpstreamAddress, 502) {
                Ok(p) => skipped = Some(p),
                Err(d) => return d,
            }
        }
        let version =
            attributes::string(attrs, &["upstream", "tls_version"]).filter(|v| !v.is_empty());
        let checks = [
            self.check_upstream_certificate(up, attrs, version.is_some()),
            self.check_require_tls(up, attrs, version.as_deref(), reported),
        ];
        for check in checks {
            match check {
                Ok(s) => skipped = skipped.or(s),
                Err(d) => return d,
            }
        }
        Decision::Allow(skipped.map_or(AllowReason::UpstreamVerified, AllowReason::MissingProperty))
    }

    /// The upstream certificate against the refused subjects and digests. `tls` is true when
    /// the host reported a TLS version: a TLS connection without a reported certificate is
    /// [`Property::UpstreamCertificate`] missing; a plaintext one has no certificate to check.
    fn check_upstream_certificate(
        &self,
        up: &UpstreamPlan,
        attrs: &dyn Attributes,
        tls: bool,
    ) -> Result<Skipped, Decision> {
        if up.refused_subjects.is_empty() && up.refused_sha256.is_empty() {
            return Ok(None);
        }
        let peer = PeerCertificate::read(attrs, Side::Upstream);
        if peer.subject.is_none() && peer.sha256.is_none() {
            return if tls {
                self.missing_property(Property::UpstreamCertificate, 502)
                    .map(Some)
            } else {
                Ok(None)
            };
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
            Err(deny(502, DenyReason::UpstreamCertificateRefused))
        } else {
            Ok(None)
        }
    }

    /// `require_tls` for the response's cluster. `version` is `upstream.tls_version`;
    /// `reported` is whether the host reported `upstream.address`: without it a missing version
    /// is unknown (the check is skipped as [`Property::UpstreamAddress`]), with it the
    /// connection was plaintext.
    fn check_require_tls(
        &self,
        up: &UpstreamPlan,
        attrs: &dyn Attributes,
        version: Option<&str>,
        reported: bool,
    ) -> Result<Skipped, Decision> {
        let Some((clusters, every, min)) = &up.require_tls else {
            return Ok(None);
        };
        if !*every {
            match attributes::string(attrs, &["xds", "cluster_name"]) {
                Some(name) if clusters.contains(&name) => {}
                Some(_) => return Ok(None),
                None => {
                    return self.missing_property(Property::ClusterName, 502).map(Some);
                }
            }
        }
        match version.map(TlsVersion::from_reported) {
            None if !reported => Ok(Some(Property::UpstreamAddress)),
            None => Err(deny(502, DenyReason::UpstreamNotTls)),
            Some(v) if v.is_none_or(|v| v < *min) => {
                Err(deny(502, DenyReason::UpstreamTlsVersionTooLow))
            }
            Some(_) => Ok(None),
        }
    }
}
