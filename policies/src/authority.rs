//! The host of a request (`:authority`, `Host`) and of a TLS handshake (SNI), in the one form
//! that can be compared: lower-case, without port, without trailing dot.
//!
//! RFC 9110 §4.2.3 and §7.2 (the authority is case-insensitive, the port optional), RFC 3986
//! §3.2.2 (IP literals in brackets), RFC 6066 §3 (SNI: a DNS host name, no trailing dot, never an
//! IP literal).

use std::net::IpAddr;

/// A host compared case-insensitively: a DNS name (lower-case, no trailing dot), an IPv4
/// address, or an IPv6 address (without brackets).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Host(String);

impl Host {
    /// The canonical text: `example.com`, `10.0.0.1`, `::1`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address when the host is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        self.0.parse().ok()
    }
}

/// Why an authority could not be read.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorityError {
    /// No host at all (an empty `Host` header).
    Empty,
    /// Userinfo (`user@host`), not allowed in `Host` (RFC 9110 §7.2).
    Userinfo,
    /// A port that is not 0 to 65535 digits.
    BadPort,
    /// A character that no host name or IP literal holds.
    BadCharacter,
}

/// Parses an `:authority` or `Host` value (`Example.COM:8443`, `[::1]:443`, `10.0.0.1`) into
/// its host and optional port.
///
/// # Errors
/// An [`AuthorityError`] when the value is not `host[:port]`.
pub fn parse_authority(value: &[u8]) -> Result<(Host, Option<u16>), AuthorityError> {
    let text = std::str::from_utf8(value).map_err(|_| AuthorityError::BadCharacter)?;
    if text.is_empty() {
        return Err(AuthorityError::Empty);
    }
    if text.contains('@') {
        return Err(AuthorityError::Userinfo);
    }
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or(AuthorityError::BadCharacter)?;
        let ip: std::net::Ipv6Addr = inside.parse().map_err(|_| AuthorityError::BadCharacter)?;
        let port = match after {
            "" => None,
            p => Some(parse_port(
                p.strip_prefix(':').ok_or(AuthorityError::BadPort)?,
            )?),
        };
        return Ok((Host(ip.to_string()), port));
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h, Some(parse_port(p)?)),
            None => (text, None),
        }
    };
    Ok((parse_host_name(host)?, port))
}

/// Parses an SNI value (RFC 6066 §3) into a [`Host`]: case folded, one trailing dot removed.
///
/// # Errors
/// [`AuthorityError`] when the name is empty or holds characters that no DNS name holds.
pub fn parse_sni(value: &[u8]) -> Result<Host, AuthorityError> {
    let text = std::str::from_utf8(value).map_err(|_| AuthorityError::BadCharacter)?;
    parse_host_name(text)
}

fn parse_port(p: &str) -> Result<u16, AuthorityError> {
    // An empty port (`host:`) is allowed by RFC 3986 §3.2.3 and means the default.
    if p.is_empty() {
        return Ok(0);
    }
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AuthorityError::BadPort);
    }
    p.parse().map_err(|_| AuthorityError::BadPort)
}

fn parse_host_name(host: &str) -> Result<Host, AuthorityError> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return Err(AuthorityError::Empty);
    }
    let ok = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if !ok {
        return Err(AuthorityError::BadCharacter);
    }
    Ok(Host(host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(v: &str) -> (String, Option<u16>) {
        let (h, p) = parse_authority(v.as_bytes()).unwrap();
        (h.as_str().to_owned(), p)
    }

    #[test]
    fn folds_case_strips_port_and_trailing_dot() {
        assert_eq!(host("Example.COM"), ("example.com".into(), None));
        assert_eq!(
            host("example.com.:8443"),
            ("example.com".into(), Some(8443))
        );
        assert_eq!(host("localhost:"), ("localhost".into(), Some(0)));
        assert_eq!(host("10.0.0.1:80"), ("10.0.0.1".into(), Some(80)));
        assert_eq!(host("[::1]:443"), ("::1".into(), Some(443)));
        assert_eq!(host("[0:0::1]"), ("::1".into(), None));
    }

    #[test]
    fn refuses_malformed_authorities() {
        assert_eq!(parse_authority(b""), Err(AuthorityError::Empty));
        assert_eq!(
            parse_authority(b"admin@host"),
            Err(AuthorityError::Userinfo)
        );
        assert_eq!(parse_authority(b"host:99999"), Err(AuthorityError::BadPort));
        assert_eq!(parse_authority(b"host:8x"), Err(AuthorityError::BadPort));
        assert_eq!(parse_authority(b"ho st"), Err(AuthorityError::BadCharacter));
        assert_eq!(parse_authority(b"[::1"), Err(AuthorityError::BadCharacter));
        assert_eq!(parse_authority(b"[::1]x"), Err(AuthorityError::BadPort));
        assert_eq!(parse_authority(b"\xff"), Err(AuthorityError::BadCharacter));
    }

    #[test]
    fn sni_folds_case_and_trailing_dot() {
        assert_eq!(
            parse_sni(b"WWW.Example.com.").unwrap().as_str(),
            "www.example.com"
        );
        assert_eq!(parse_sni(b"."), Err(AuthorityError::Empty));
        assert!(parse_sni(b"10.0.0.1").unwrap().ip().is_some());
    }
}
