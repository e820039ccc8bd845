//! header-hardening's own local responses: the local-reply set hardened by the virtual host's
//! configured rules (its HSTS, its removals), with the gateway's own cache headers.

use super::facts::RequestFacts;
use super::owasp::LOCAL_REPLY;
use super::plan::HeaderPlan;
use super::respond::apply;

impl HeaderPlan {
    /// The headers of a local response of `status` that this policy sends itself (a refused
    /// input, a weak session id): `base` (the local-reply set of [`crate::reply::headers`])
    /// with the rules of the request's virtual host applied on top, then the gateway's own
    /// `cache-control` and `pragma` of [`LOCAL_REPLY`], which the configured cache rules may not
    /// loosen. Without `:status`.
    pub fn local_reply(
        &self,
        facts: &RequestFacts,
        mut base: Vec<(String, Vec<u8>)>,
        status: u16,
    ) -> Vec<(String, Vec<u8>)> {
        base.insert(0, (":status".to_owned(), status.to_string().into_bytes()));
        let edits = self.on_response(facts, &base);
        apply(&edits.edits, &mut base);
        base.retain(|(n, _)| n != ":status" && n != "cache-control" && n != "pragma");
        base.extend(
            LOCAL_REPLY
                .iter()
                .filter(|(n, _)| *n == "cache-control" || *n == "pragma")
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec())),
        );
        base
    }
}
