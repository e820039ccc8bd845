//! The scans of a running listener: [`tls`] (protocol versions, cipher suites, DH size,
//! renegotiation, key and signature: P8, P13, P14, P2) and [`headers`] (the OWASP header grade
//! of live answers: P10, P11, P12, P16, P17). Each produces [`crate::finding::Finding`]s; a
//! target that cannot be reached is a finding too, never a panic.

pub mod headers;
pub mod tls;
