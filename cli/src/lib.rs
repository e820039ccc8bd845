//! # gateway-hardening-cli
//!
//! What the `gateway-hardening` command checks, as a library:
//! - [`grade`]: the header grade of one HTTP answer against the OWASP Secure Headers Project's
//!   published lists (`data/owasp/`, with their source and date), used by the end-to-end header
//!   audit (`cargo xtask test`, step "header audit") and by the scans of a running deployment.

pub mod grade;
