//! Properties (`proxy_get_property`) read at most once per phase: every policy of a module asks
//! the same [`PhaseAttributes`], which keeps each answer, so that the combined module reads
//! `connection.tls_version` once whichever policies need it.

use std::cell::RefCell;

use proxy_wasm::hostcalls;

/// `policies::attributes::Attributes` answered by the host, each path asked of the host once:
/// build one per callback (request headers, response headers), since a property can change
/// between them (`response.*`, `upstream.*`).
#[derive(Debug, Default)]
pub struct PhaseAttributes {
    /// Paths asked so far (their segments: a segment may hold a `.`, as a filter state key
    /// does) and the host's answers.
    seen: RefCell<Vec<Answer>>,
}

/// One property asked of the host: its path's segments, and the host's answer.
type Answer = (Vec<String>, Option<Vec<u8>>);

impl policies::attributes::Attributes for PhaseAttributes {
    fn property(&self, path: &[&str]) -> Option<Vec<u8>> {
        let same = |k: &[String]| k.iter().map(String::as_str).eq(path.iter().copied());
        if let Some((_, value)) = self.seen.borrow().iter().find(|(k, _)| same(k)) {
            return value.clone();
        }
        let value = hostcalls::get_property(path.to_vec()).ok().flatten();
        let key = path.iter().map(|s| (*s).to_owned()).collect();
        self.seen.borrow_mut().push((key, value.clone()));
        value
    }
}
