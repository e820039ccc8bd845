//! Placeholder: the audit of a running deployment.
