//! Session ids: how many bits a session cookie's value can carry at most, why a weak one is weak,
//! session cookies shared too widely (`Domain`), and session ids leaked into URLs.
//!
//! The estimate is an upper bound from what a gateway can see (never how the id was generated):
//! an id below the configured minimum is surely too weak; one above it may still be predictable.
//! It measures, and [`Estimate::reason`] names the measure that gave the fewest bits:
//! - `too_short`: length times the bits per character of the smallest alphabet that holds every
//!   character. Tomcat writes `sessionIdLength` random bytes as upper-case hex (16 bytes, 32
//!   characters, 128 bits by default, seed guideline "Increase JSESSIONID length") and may
//!   append `.<jvmRoute>`, which carries no randomness and is not counted;
//! - `repeated`: a value that repeats a shorter unit at least twice (`AAAA…`, `abcabc…`) carries
//!   only the unit's bits;
//! - `counter`: a value of decimal digits only (what a counter or a clock writes) counts without
//!   its leading zeros; so does any value whose leading zeros are too many for chance (a run a
//!   random source writes with probability 2⁻³² or less: 8 hex digits, 10 decimal digits);
//! - `uuid_v1`: a version-1 UUID (RFC 9562 §5.1) is a clock reading, a clock sequence fixed at
//!   start-up and the node's MAC address: 0 bits whatever its length.

use super::config::{BroadDomain, SessionCookiesConfig, UnparseableCookies};
use super::cookies::NameGlobs;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::field_path::FieldPath;

/// Whether a byte belongs to an alphabet.
type Fits = fn(u8) -> bool;

/// Alphabets from the smallest, with the bits each character carries, in thousandths
/// (log2 of the alphabet's size).
const ALPHABETS: &[(Fits, u32)] = &[
    (|b| b.is_ascii_digit(), 3_321),
    (|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'), 4_000),
    (|b| matches!(b, b'0'..=b'9' | b'A'..=b'F'), 4_000),
    (|b| matches!(b, b'0'..=b'9' | b'a'..=b'z'), 5_169),
    (|b| matches!(b, b'0'..=b'9' | b'A'..=b'Z'), 5_169),
    (|b| b.is_ascii_alphanumeric(), 5_954),
    (
        |b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_'),
        6_000,
    ),
];

/// Bits per character of printable ASCII other than the alphabets above (94 characters).
const PRINTABLE_MILLIBITS: u32 = 6_554;

/// A leading run of zeros carrying this many millibits or more is no chance (2⁻³²).
const COUNTER_ZEROS_MILLIBITS: u32 = 32_000;

/// The measure that bounds a session id's estimate: when the estimate is below the minimum, why
/// the id is weak.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakReason {
    /// Length times the bits per character of its alphabet.
    TooShort,
    /// It repeats a shorter unit at least twice; only the unit counts.
    Repeated,
    /// Decimal digits only, or a leading run of zeros no random source writes; the digits after
    /// the zeros count.
    Counter,
    /// A time-based UUID (version 1, RFC 9562 §5.1): 0 bits whatever its length.
    UuidV1,
}

impl WeakReason {
    /// The reason as logs and counters spell it: `too_short`, `repeated`, `counter`, `uuid_v1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TooShort => "too_short",
            Self::Repeated => "repeated",
            Self::Counter => "counter",
            Self::UuidV1 => "uuid_v1",
        }
    }
}

/// The strength estimate of one session id (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    /// The most bits the id can carry.
    pub bits: u32,
    /// The measure that gave `bits` (the first of `uuid_v1`, `repeated`, `counter`, `too_short`
    /// on a tie).
    pub reason: WeakReason,
}

/// A session id weaker than the configured minimum, in a `Set-Cookie` or a `Location` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakSession {
    /// The cookie's name; for an id in a `Location` URL, the parameter's name as written
    /// (`jsessionid`).
    pub name: String,
    /// [`Estimate::bits`].
    pub bits: u32,
    /// Why it is weak.
    pub reason: WeakReason,
}

/// A session cookie whose `Domain` attribute shares it beyond the host that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BroadDomainSession {
    /// The cookie's name.
    pub name: String,
    /// The last `Domain` value as written (lossy UTF-8).
    pub domain: String,
    /// Whether the filter removed the `Domain` attributes (`broad_domain: "remove"`).
    pub removed: bool,
}

/// The most bits `value` can carry as a session id: [`estimate`]'s bits.
pub fn estimate_bits(value: &str) -> u32 {
    estimate(value).bits
}

/// Estimates `value` as a session id: the part before the first `.` (Tomcat's jvmRoute suffix),
/// without `-` separators (UUIDs) and `=` padding (base64), measured as the module docs say.
pub fn estimate(value: &str) -> Estimate {
    let id = value.split('.').next().unwrap_or_default();
    let chars: Vec<u8> = id
        .bytes()
        .filter(|&b| b != b'=')
        .filter(|&b| b != b'-' || !is_hex_with_dashes(id))
        .collect();
    let per_char = ALPHABETS
        .iter()
        .find(|(fits, _)| chars.iter().all(|&b| fits(b)))
        .map_or(PRINTABLE_MILLIBITS, |(_, bits)| *bits);
    let bits = |n: usize| {
        u32::try_from(n)
            .unwrap_or(u32::MAX)
            .saturating_mul(per_char)
            / 1000
    };
    let mut candidates = Vec::with_capacity(4);
    if is_uuid_v1(id) {
        candidates.push((0, WeakReason::UuidV1));
    }
    let period = smallest_period(&chars);
    if !chars.is_empty() && period.saturating_mul(2) <= chars.len() {
        candidates.push((bits(period), WeakReason::Repeated));
    }
    let zeros = chars.iter().take_while(|&&b| b == b'0').count();
    let decimal = chars.iter().all(u8::is_ascii_digit);
    let zeros_millibits = u32::try_from(zeros)
        .unwrap_or(u32::MAX)
        .saturating_mul(per_char);
    if !chars.is_empty() && (decimal || zeros_millibits >= COUNTER_ZEROS_MILLIBITS) {
        candidates.push((bits(chars.len() - zeros), WeakReason::Counter));
    }
    candidates.push((bits(chars.len()), WeakReason::TooShort));
    let (bits, reason) = candidates
        .into_iter()
        .min_by_key(|(bits, _)| *bits)
        .unwrap_or((0, WeakReason::TooShort));
    Estimate { bits, reason }
}

/// The length of the shortest unit `s` is a prefix of a repetition of (its length when none):
/// the Knuth–Morris–Pratt failure function's last value taken from the length.
fn smallest_period(s: &[u8]) -> usize {
    let mut border = vec![0usize; s.len()];
    let mut k = 0;
    for i in 1..s.len() {
        while k > 0 && s.get(i) != s.get(k) {
            k = border.get(k - 1).copied().unwrap_or(0);
        }
        if s.get(i) == s.get(k) {
            k += 1;
        }
        if let Some(slot) = border.get_mut(i) {
            *slot = k;
        }
    }
    s.len() - border.last().copied().unwrap_or(0)
}

/// A UUID-like value: hex digits and dashes only.
fn is_hex_with_dashes(id: &str) -> bool {
    id.contains('-') && id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

/// The 8-4-4-4-12 UUID text form (RFC 9562 §4) with version nibble 1.
fn is_uuid_v1(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
        && b.get(14) == Some(&b'1')
}

/// The session-id checks of one virtual host (`session_cookies`).
#[derive(Debug, Clone)]
pub(super) struct SessionPlan {
    /// Session cookie names; `None` when `names` is empty (strength and `Domain` checks off).
    pub(super) names: Option<NameGlobs>,
    pub(super) min_bits: u32,
    pub(super) strict: bool,
    pub(super) broad_domain: BroadDomain,
    pub(super) unparseable: UnparseableCookies,
}

impl SessionPlan {
    /// Compiles `session_cookies` at `path`.
    ///
    /// # Errors
    /// [`ConfigErrorKind::OutOfRange`] for `min_bits` outside 32 to 1024; a name glob's error.
    pub(super) fn compile(path: &FieldPath, s: &SessionCookiesConfig) -> Result<Self, ConfigError> {
        if !(32..=1024).contains(&s.min_bits) {
            return Err(ConfigError::at(
                path.key("min_bits"),
                ConfigErrorKind::OutOfRange {
                    what: "min_bits",
                    range: "32 to 1024".into(),
                },
            ));
        }
        let names = if s.names.is_empty() {
            None
        } else {
            Some(NameGlobs::compile(&path.key("names"), &s.names)?)
        };
        Ok(Self {
            names,
            min_bits: s.min_bits,
            strict: s.strict,
            broad_domain: s.broad_domain,
            unparseable: s.unparseable_cookies,
        })
    }

    /// Whether `name` is a session cookie's.
    pub(super) fn is_session(&self, name: &str) -> bool {
        self.names.as_ref().is_some_and(|n| n.is_match(name))
    }

    /// The id `value` of `name` judged against the minimum: `Some` when it is weaker. Nothing is
    /// judged when the check is off.
    pub(super) fn judge(&self, name: &str, value: &str) -> Option<WeakSession> {
        self.names.as_ref()?;
        let e = estimate(value);
        (e.bits < self.min_bits || e.reason == WeakReason::UuidV1).then(|| WeakSession {
            name: name.to_owned(),
            bits: e.bits,
            reason: e.reason,
        })
    }
}

/// Whether a session cookie's `Domain` (as written) shares it beyond `host` (the request's host,
/// lower-case, `None` when unknown): the value, one leading dot ignored (RFC 6265 §5.2.3), must
/// be the host itself. A proper suffix (`example.com` for `is.example.com`) shares the cookie
/// with every sibling host; a value the host does not domain-match makes the browser refuse
/// it; and any `Domain` is refused when the host is an IP literal (RFC 6265bis §5.6.3). An unknown
/// host cannot be checked and counts as broad.
pub(super) fn is_broad_domain(domain: &[u8], host: Option<&str>) -> bool {
    let domain = domain.strip_prefix(b".").unwrap_or(domain);
    match host {
        Some(h) if h.parse::<std::net::IpAddr>().is_err() => {
            !domain.eq_ignore_ascii_case(h.as_bytes())
        }
        _ => true,
    }
}

/// The first session id a `Location` value carries in its URL: `jsessionid=<id>` (name in any
/// case) after `;` (Tomcat's URL rewriting, a path parameter; Jakarta Servlet §7.1.3), `?` or
/// `&` (a query parameter). The id ends at `;`, `?`, `&`, `#` or `/`. Returns the parameter's
/// name as written and the id (lossy UTF-8); `None` when there is none or every id is empty.
pub(super) fn session_in_url(location: &[u8]) -> Option<(String, String)> {
    const PARAM: &[u8] = b"jsessionid=";
    location.iter().enumerate().find_map(|(i, &b)| {
        if !matches!(b, b';' | b'?' | b'&') {
            return None;
        }
        let rest = location.get(i + 1..)?;
        let name = rest.get(..PARAM.len())?;
        if !name.eq_ignore_ascii_case(PARAM) {
            return None;
        }
        let after = rest.get(PARAM.len()..)?;
        let end = after
            .iter()
            .position(|b| matches!(b, b';' | b'?' | b'&' | b'#' | b'/'))
            .unwrap_or(after.len());
        let id = after.get(..end).filter(|id| !id.is_empty())?;
        let name = name.get(..PARAM.len() - 1)?;
        Some((
            String::from_utf8_lossy(name).into_owned(),
            String::from_utf8_lossy(id).into_owned(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_bits_by_alphabet_and_length() {
        let cases: &[(&str, u32)] = &[
            ("", 0),
            ("0123456789ABCDEF", 64), // Tomcat, sessionIdLength 8
            ("E9421E4E2DD0FF260A43D1AA84322332", 128), // Tomcat default, 16 bytes
            ("E9421E4E2DD0FF260A43D1AA84322332.node1", 128), // jvmRoute not counted
            ("fde63c20-7ef2-4ac1-b8a0-32e59250d8be", 128), // UUID: 32 hex digits
            ("12345678", 26),         // digits
            ("abcdefghijklmnopqrstuvwxyz", 134), // base36
            ("aB3dE6gH9jK2mN5pQ8sT", 119), // alphanumeric, 20 chars
            ("q83vEjR1c0Rc+8AAAC2t/g==", 132), // base64 of 16 bytes, 22 chars
            ("a!b@c#d$", 52),         // printable ASCII
        ];
        for (value, bits) in cases {
            assert_eq!(estimate_bits(value), *bits, "{value}");
        }
    }
}
