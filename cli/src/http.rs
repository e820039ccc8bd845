//! Placeholder: the raw HTTP/1.1 client.
