//! Random identifiers: Tomcat-style session ids and UUIDs.
//!
//! Both come from the operating system's generator through `getrandom`; a failure is returned
//! (the caller answers 500) rather than panicking, as `uuid`'s own `new_v4` would.

use std::fmt::Write as _;

/// The operating system's random generator failed.
#[derive(Debug)]
pub(crate) struct RandomError(getrandom::Error);

impl std::fmt::Display for RandomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no random bytes: {}", self.0)
    }
}

/// A session id of `bytes` random bytes in upper-case hex, like Tomcat's `JSESSIONID`.
pub(crate) fn session_id(bytes: usize) -> Result<String, RandomError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(RandomError)?;
    let mut out = String::with_capacity(bytes * 2);
    for b in buf {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02X}");
    }
    Ok(out)
}

/// A random (version 4) UUID in its usual hyphenated lower-case form.
pub(crate) fn uuid() -> Result<String, RandomError> {
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).map_err(RandomError)?;
    Ok(uuid::Builder::from_random_bytes(buf)
        .into_uuid()
        .hyphenated()
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_id_is_upper_hex_of_the_asked_length() {
        for n in [1, 16, 32] {
            let id = session_id(n).unwrap();
            assert_eq!(id.len(), 2 * n);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
                "{id}"
            );
        }
        assert_ne!(session_id(16).unwrap(), session_id(16).unwrap());
    }

    #[test]
    fn uuid_is_version_4() {
        let id = uuid().unwrap();
        let parsed = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(id, parsed.hyphenated().to_string());
    }
}
