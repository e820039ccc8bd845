//! # gateway-hardening-cli
//!
//! The `gateway-hardening` command (`cli/src/main.rs`) as a library, every part tested on its own:
//! - [`guidelines`]: the 38 guideline ids (P1-P22, O1-O9, N1-N7) and what a gateway takes of each;
//! - [`finding`]: one problem found, tied to a guideline id;
//! - [`lint`]: Envoy bootstrap, LDS and CDS files and Istio manifests checked against the guidelines;
//! - [`ports`]: a bounded TCP connect scan compared with the ports expected;
//! - [`http`]: one raw HTTP/1.1 exchange over TCP or TLS (the request target sent byte for byte);
//! - [`scan`]: the TLS scan of a listener and the header scan of URLs;
//! - [`grade`]: the header grade of one HTTP answer against the OWASP Secure Headers Project's
//!   published lists (`data/owasp/`, with their source and date);
//! - [`audit`]: all of the above against a running deployment, written as a report per guideline.

pub mod audit;
pub mod finding;
pub mod grade;
pub mod guidelines;
pub mod http;
pub mod lint;
pub mod output;
pub mod ports;
pub mod scan;
