//! Placeholder: the scans.
