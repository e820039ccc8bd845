//! Placeholder: the port audit.
