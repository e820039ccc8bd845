//! One `openssl s_client` run as the scan reads it: the negotiated version and suite, the
//! failure, the renegotiation, the ephemeral key.

use super::Found;

/// The outcome of one `openssl s_client` run.
pub(super) struct Session {
    pub(super) output: String,
    /// `(protocol, cipher)` from `New, TLSv1.2, Cipher is X`, when a handshake completed.
    pub(super) negotiated: Option<(String, String)>,
    /// The protocol of the session (`Protocol  : TLSv1.1`).
    pub(super) protocol: Option<String>,
    /// The local client refused the options (unknown option, no such cipher).
    pub(super) client_lacks: bool,
}

impl Session {
    /// The cipher negotiated, if any.
    pub(super) fn cipher(&self) -> Option<&str> {
        self.negotiated.as_ref().map(|(_, cipher)| cipher.as_str())
    }

    /// Whether a handshake completed at `protocol` (`TLSv1`, `TLSv1.1`, …, `SSLv3`).
    pub(super) fn negotiated_protocol(&self, protocol: &str) -> bool {
        self.negotiated.is_some() && self.protocol.as_deref() == Some(protocol)
    }

    /// Why this run is no successful control: the client lacked the option, another version
    /// or suite was negotiated, OpenSSL's error reason (`sslv3 alert handshake failure`), or
    /// else the last line of the output.
    pub(super) fn failure(&self) -> String {
        if self.client_lacks {
            return "client lacks it".to_owned();
        }
        if let Some((_, cipher)) = &self.negotiated {
            let protocol = self.protocol.as_deref().unwrap_or("?");
            return format!("negotiated {protocol} {cipher}");
        }
        self.output
            .lines()
            .filter(|l| l.contains(":error:"))
            .find_map(|l| l.split(':').nth(5))
            .or_else(|| self.output.lines().rev().find(|l| !l.trim().is_empty()))
            .map_or_else(
                || "no handshake".to_owned(),
                |e| e.trim().chars().take(80).collect(),
            )
    }
}

/// What an `openssl s_client -tls1_2` run that sent `R` (renegotiate) shows: Offered when
/// the renegotiation went through, NotOffered when the server refused it, NotTested when there
/// was no handshake or no renegotiation.
pub(super) fn renegotiation_found(session: &Session) -> Found {
    if session.negotiated.is_none() {
        Found::NotTested("no TLS 1.2 handshake".into())
    } else if !session.output.contains("RENEGOTIATING") {
        Found::NotTested("client did not renegotiate".into())
    } else if session.output.contains("no renegotiation")
        || session
            .output
            .lines()
            .skip_while(|l| !l.contains("RENEGOTIATING"))
            .any(|l| l.contains(":error:"))
    {
        Found::NotOffered(String::new())
    } else {
        Found::Offered("accepted".into())
    }
}

/// `Server Temp Key: X25519, 253 bits` → `X25519, 253 bits`.
pub(super) fn temp_key(output: &str) -> Option<String> {
    output
        .lines()
        .find_map(|l| l.strip_prefix("Server Temp Key: "))
        .map(str::to_owned)
}

/// The size of an ephemeral DH key (`Server Temp Key: DH, 2048 bits`).
pub(super) fn temp_key_bits(output: &str) -> Option<u32> {
    temp_key(output)?
        .split(", ")
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
