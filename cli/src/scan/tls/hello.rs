//! A raw TLS ClientHello offering chosen cipher suites only (or SSLv3), for the suites and
//! protocols that the local `openssl` client no longer has (RC4, DES, 3DES, export suites and
//! SSLv3 are compiled out of OpenSSL 3 builds): the server's answer shows whether it would
//! negotiate them, as testssl.sh does with its socket checks.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use anyhow::{Context, Result};

/// What the server answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// A ServerHello choosing the offered suite, with the version it chose.
    Accepted(u16),
    /// An alert, a ServerHello choosing something else, or the connection closed.
    Refused,
}

/// Sends a ClientHello for `version` (0x0300 SSLv3 … 0x0303 TLS 1.2) offering only `suites`
/// to `addr` (`IP:PORT`), with `servername` as SNI, and reads the first record of the answer:
/// [`Answer::Accepted`] with the version the server chose when its ServerHello picks one of
/// `suites`, else [`Answer::Refused`]. Fails when `addr` is not an address or the connection
/// cannot be made.
pub(crate) fn probe(
    addr: &str,
    servername: Option<&str>,
    version: u16,
    suites: &[u16],
) -> Result<Answer> {
    let sock: SocketAddr = addr
        .parse()
        .with_context(|| format!("bad address {addr}"))?;
    let mut s = TcpStream::connect_timeout(&sock, Duration::from_secs(3))
        .with_context(|| format!("cannot connect to {addr}"))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.write_all(&client_hello(servername, version, suites))?;
    let mut header = [0u8; 5];
    if s.read_exact(&mut header).is_err() {
        return Ok(Answer::Refused);
    }
    let [content_type, _, _, hi, lo] = header;
    if content_type != 0x16 {
        return Ok(Answer::Refused);
    }
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([hi, lo]))];
    if s.read_exact(&mut body).is_err() {
        return Ok(Answer::Refused);
    }
    // ServerHello: type 2, length (3), version (2), random (32), session id, suite (2).
    if body.first() != Some(&0x02) {
        return Ok(Answer::Refused);
    }
    let be16 = |at: usize| {
        body.get(at..at + 2)
            .and_then(|b| <[u8; 2]>::try_from(b).ok())
            .map(u16::from_be_bytes)
    };
    let chosen_version = be16(4).unwrap_or_default();
    let sid_len = usize::from(body.get(38).copied().unwrap_or_default());
    let chosen = be16(39 + sid_len);
    Ok(if chosen.is_some_and(|c| suites.contains(&c)) {
        Answer::Accepted(chosen_version)
    } else {
        Answer::Refused
    })
}

/// The ClientHello record that [`probe`] sends: `version` (0x0300 SSLv3 … 0x0303 TLS 1.2)
/// offering only `suites` (IANA codes), with `servername` as SNI and the usual groups, point
/// formats and signature algorithms (no extensions at all for SSLv3). Returns the whole record,
/// its 5-byte header included.
pub(crate) fn client_hello(servername: Option<&str>, version: u16, suites: &[u16]) -> Vec<u8> {
    let mut hello = Vec::new();
    hello.extend_from_slice(&version.to_be_bytes());
    // The random need not be random for a probe that never completes a handshake.
    hello.extend((0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(11)));
    hello.push(0); // session id
    push_u16(&mut hello, suites.len() * 2);
    for suite in suites {
        hello.extend_from_slice(&suite.to_be_bytes());
    }
    hello.extend_from_slice(&[1, 0]); // compression: null
    if version > 0x0300 {
        let mut ext = Vec::new();
        if let Some(name) = servername {
            let name = name.as_bytes();
            let mut sni = Vec::new();
            push_u16(&mut sni, name.len() + 3);
            sni.push(0);
            push_u16(&mut sni, name.len());
            sni.extend_from_slice(name);
            extension(&mut ext, 0x0000, &sni);
        }
        // supported_groups: x25519, secp256r1, secp384r1
        extension(
            &mut ext,
            0x000a,
            &[0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
        );
        // ec_point_formats: uncompressed
        extension(&mut ext, 0x000b, &[1, 0]);
        // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256,
        // ecdsa_sha1, rsa_pkcs1_sha1
        extension(
            &mut ext,
            0x000d,
            &[
                0, 10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x02, 0x03, 0x02, 0x01,
            ],
        );
        push_u16(&mut hello, ext.len());
        hello.extend_from_slice(&ext);
    }
    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&u32_be3(hello.len()));
    handshake.extend_from_slice(&hello);
    let record_version: u16 = if version == 0x0300 { 0x0300 } else { 0x0301 };
    let mut record = vec![0x16];
    record.extend_from_slice(&record_version.to_be_bytes());
    push_u16(&mut record, handshake.len());
    record.extend_from_slice(&handshake);
    record
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16(out, data.len());
    out.extend_from_slice(data);
}

fn push_u16(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
}

fn u32_be3(n: usize) -> [u8; 3] {
    let [_, a, b, c] = u32::try_from(n).unwrap_or(0).to_be_bytes();
    [a, b, c]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hello_frames_one_suite() {
        let h = client_hello(Some("a.test"), 0x0303, &[0x000a]);
        // Record header: handshake, TLS 1.0 record version, length of the rest.
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(usize::from(u16::from_be_bytes([h[3], h[4]])), h.len() - 5);
        // ClientHello with its 3-byte length, then version and, after the random and the empty
        // session id, exactly one suite.
        assert_eq!(h[5], 0x01);
        assert_eq!(&h[9..11], &[0x03, 0x03]);
        assert_eq!(&h[44..48], &[0x00, 0x02, 0x00, 0x0a]);
        let ssl3 = client_hello(None, 0x0300, &[0x0005]);
        assert_eq!(&ssl3[1..3], &[0x03, 0x00]);
        assert_eq!(ssl3.len(), 5 + 4 + 2 + 32 + 1 + 4 + 2);
    }
}
