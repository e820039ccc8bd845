//! A `Set-Cookie` value read the way a browser reads it: RFC 6265 §5.2 and RFC 6265bis §5.6
//! (the parse), §5.3 / §5.7 (which of repeated attributes applies) and §5.1.1 (cookie dates).
//!
//! - The value is split on every `;` (quotes are not special). The part before the first `;` is
//!   the name-value pair: a name before its first `=`, or, without `=`, an empty name and the
//!   whole pair as the value (a nameless cookie, RFC 6265bis §5.6 step 3).
//! - Only space and horizontal tab (WSP) are trimmed around names, values and attributes. Any
//!   other whitespace stays part of the name: `\x0bSecure`, `\x0cHttpOnly` or `Secure` after a
//!   no-break space is an unknown attribute, which no browser applies as `Secure`.
//! - Attribute names compare ASCII case-insensitively. An attribute a browser ignores is left out:
//!   a value over 1024 bytes, a `Max-Age` that is not `[-]digits`, an `Expires` that is not a
//!   cookie date, an empty `Domain`. Of the others, the last one applies (§5.3: "the last
//!   attribute in the cookie-attribute-list"); a `SameSite` value other than `Strict`, `Lax` or
//!   `None` still counts, as the enforcement `Default` (RFC 6265bis §5.6.7), so it overrides an
//!   earlier valid one.
//!
//! The parse works on bytes and never fails; whether the value is readable as a cookie (UTF-8,
//! with a name) is [`SetCookie::name`]'s answer.

/// Attribute values longer than this are ignored (RFC 6265bis §5.6 step "cookie-av").
const MAX_ATTRIBUTE_VALUE: usize = 1024;

/// `SameSite` as a browser stores it (RFC 6265bis §5.6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Enforcement {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax`.
    Lax,
    /// `SameSite=None`.
    None,
    /// A `SameSite` attribute with any other value: the browser's default applies.
    Default,
}

/// One `cookie-av`: name and value with WSP trimmed.
#[derive(Debug, Clone, Copy)]
struct Attr<'a> {
    name: &'a [u8],
    value: &'a [u8],
}

/// A parsed `Set-Cookie` value.
#[derive(Debug, Clone)]
pub(super) struct SetCookie<'a> {
    raw: &'a [u8],
    name: &'a [u8],
    value: &'a [u8],
    has_equals: bool,
    attrs: Vec<Attr<'a>>,
}

impl<'a> SetCookie<'a> {
    /// Parses `raw` (any bytes) as RFC 6265 §5.2 does.
    pub(super) fn parse(raw: &'a [u8]) -> Self {
        let mut segments = raw.split(|&b| b == b';');
        let pair = segments.next().unwrap_or_default();
        let (name, value, has_equals) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (
                pair.get(..i).unwrap_or_default(),
                pair.get(i + 1..).unwrap_or_default(),
                true,
            ),
            None => (&[][..], pair, false),
        };
        let attrs = segments
            .filter_map(|av| {
                let (n, v) = match av.iter().position(|&b| b == b'=') {
                    Some(e) => (av.get(..e).unwrap_or_default(), av.get(e + 1..)),
                    None => (av, None),
                };
                let value = trim_wsp(v.unwrap_or_default());
                (value.len() <= MAX_ATTRIBUTE_VALUE).then_some(Attr {
                    name: trim_wsp(n),
                    value,
                })
            })
            .collect();
        Self {
            raw,
            name: trim_wsp(name),
            value: trim_wsp(value),
            has_equals,
            attrs,
        }
    }

    /// The cookie's name when the filter can read the value as a cookie: the whole value is
    /// UTF-8 and the name-value pair has an `=` with a non-empty name before it. `None` for what
    /// the filter treats as unparseable (see `unparseable_cookies`).
    pub(super) fn name(&self) -> Option<&'a str> {
        if !self.has_equals || self.name.is_empty() || std::str::from_utf8(self.raw).is_err() {
            return None;
        }
        std::str::from_utf8(self.name).ok()
    }

    /// The cookie's value, WSP-trimmed, without one pair of surrounding double quotes.
    pub(super) fn value(&self) -> &'a [u8] {
        match self.value {
            [b'"', inner @ .., b'"'] => inner,
            v => v,
        }
    }

    /// The attributes named `name` (ASCII case-insensitive), in order.
    fn named(&self, name: &'static str) -> impl DoubleEndedIterator<Item = &Attr<'a>> + '_ {
        self.attrs
            .iter()
            .filter(move |a| a.name.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// Whether the cookie has `Secure` (any value, any case, WSP around it only).
    pub(super) fn secure(&self) -> bool {
        self.named("secure").next().is_some()
    }

    /// Whether the cookie has `HttpOnly`.
    pub(super) fn http_only(&self) -> bool {
        self.named("httponly").next().is_some()
    }

    /// The `SameSite` enforcement of the last `SameSite` attribute, `None` without one.
    pub(super) fn same_site(&self) -> Option<Enforcement> {
        self.named("samesite").next_back().map(|a| {
            if a.value.eq_ignore_ascii_case(b"strict") {
                Enforcement::Strict
            } else if a.value.eq_ignore_ascii_case(b"lax") {
                Enforcement::Lax
            } else if a.value.eq_ignore_ascii_case(b"none") {
                Enforcement::None
            } else {
                Enforcement::Default
            }
        })
    }

    /// The last valid `Max-Age`, in seconds (RFC 6265 §5.2.2: `-`? then digits; saturated).
    pub(super) fn max_age(&self) -> Option<i64> {
        self.named("max-age")
            .filter_map(|a| parse_delta_seconds(a.value))
            .next_back()
    }

    /// The last valid `Expires`, in seconds since the Unix epoch (UTC).
    pub(super) fn expires(&self) -> Option<i64> {
        self.named("expires")
            .filter_map(|a| parse_cookie_date(a.value))
            .next_back()
    }

    /// The last non-empty `Domain` value, as written (leading dot kept).
    pub(super) fn domain(&self) -> Option<&'a [u8]> {
        self.named("domain")
            .filter(|a| !a.value.is_empty())
            .map(|a| a.value)
            .next_back()
    }

    /// The header value without any segment whose attribute name is `name` (ASCII
    /// case-insensitive); every other byte is kept.
    pub(super) fn without(&self, name: &'static str) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.raw.len());
        for (i, seg) in self.raw.split(|&b| b == b';').enumerate() {
            let n = seg.split(|&b| b == b'=').next().unwrap_or_default();
            if i > 0 && trim_wsp(n).eq_ignore_ascii_case(name.as_bytes()) {
                continue;
            }
            if i > 0 {
                out.push(b';');
            }
            out.extend_from_slice(seg);
        }
        out
    }
}

/// `raw` without leading and trailing space and horizontal tab (WSP, RFC 5234 B.1).
fn trim_wsp(raw: &[u8]) -> &[u8] {
    let is_wsp = |b: &u8| matches!(b, b' ' | b'\t');
    let start = raw.iter().position(|b| !is_wsp(b)).unwrap_or(raw.len());
    let end = raw
        .iter()
        .rposition(|b| !is_wsp(b))
        .map_or(start, |e| e + 1);
    raw.get(start..end).unwrap_or_default()
}

/// A `Max-Age` value (RFC 6265 §5.2.2): an optional `-`, then one or more digits.
fn parse_delta_seconds(v: &[u8]) -> Option<i64> {
    let (negative, digits) = match v {
        [b'-', rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().fold(0i64, |n, d| {
        n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    Some(if negative { -n } else { n })
}

/// A cookie date (RFC 6265 §5.1.1), in seconds since the Unix epoch (UTC). Also reads every
/// HTTP-date form (RFC 9110 §5.6.7), so it serves for the response's `Date` header too.
pub(super) fn parse_cookie_date(v: &[u8]) -> Option<i64> {
    let is_delimiter =
        |b: &u8| matches!(b, 0x09 | 0x20..=0x2f | 0x3b..=0x40 | 0x5b..=0x60 | 0x7b..=0x7e);
    let (mut time, mut day, mut month, mut year) = (None, None, None, None);
    for token in v.split(is_delimiter).filter(|t| !t.is_empty()) {
        if time.is_none()
            && let Some(t) = date_time(token)
        {
            time = Some(t);
        } else if day.is_none()
            && let Some(d) = leading_digits(token, 1, 2)
        {
            day = Some(d);
        } else if month.is_none()
            && let Some(m) = date_month(token)
        {
            month = Some(m);
        } else if year.is_none()
            && let Some(y) = leading_digits(token, 2, 4)
        {
            year = Some(y);
        }
    }
    let ((hour, minute, second), day, month, year) = (time?, day?, month?, year?);
    let year = match year {
        70..=99 => year + 1900,
        0..=69 => year + 2000,
        y => y,
    };
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, i64::from(day));
    Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

/// `min` to `max` digits at the start of `token`, followed by nothing or a non-digit.
fn leading_digits(token: &[u8], min: usize, max: usize) -> Option<u32> {
    let n = token.iter().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    let digits = token.get(..n)?;
    Some(digits.iter().fold(0, |v, d| v * 10 + u32::from(d - b'0')))
}

/// `time-field ":" time-field ":" time-field` (1 or 2 digits each), then nothing or a non-digit.
fn date_time(token: &[u8]) -> Option<(u32, u32, u32)> {
    let mut fields = [0u32; 3];
    let mut rest = token;
    for (i, slot) in fields.iter_mut().enumerate() {
        let n = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=2).contains(&n) {
            return None;
        }
        *slot = leading_digits(rest, 1, 2)?;
        rest = rest.get(n..)?;
        if i < 2 {
            rest = rest.strip_prefix(b":")?;
        }
    }
    Some((fields[0], fields[1], fields[2]))
}

/// A month token: its first three letters name a month (any case); 1 to 12.
fn date_month(token: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let head = token.get(..3)?;
    let i = MONTHS.iter().position(|m| head.eq_ignore_ascii_case(m))?;
    u32::try_from(i + 1).ok()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_dates_as_rfc_6265_reads_them() {
        let cases: &[(&str, Option<i64>)] = &[
            ("Thu, 01 Jan 1970 00:00:00 GMT", Some(0)),
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(784_111_777)), // IMF-fixdate
            ("Sunday, 06-Nov-94 08:49:37 GMT", Some(784_111_777)), // RFC 850
            ("Sun Nov  6 08:49:37 1994", Some(784_111_777)),      // asctime
            ("1994 nov 06 8:49:37", Some(784_111_777)),           // any order, any case
            ("Thu, 29 Feb 2024 12:00:00 GMT", Some(1_709_208_000)),
            ("Thu, 01 Jan 1601 00:00:00 GMT", Some(-11_644_473_600)),
            ("Fri, 30 Feb 2024 12:00:00 GMT", None), // no such day
            ("Thu, 01 Jan 1600 00:00:00 GMT", None), // before 1601
            ("Thu, 01 Jan 1970 24:00:00 GMT", None), // hour 24
            ("Thu, 01 Jan 1970 00:00:000 GMT", None), // three-digit second
            ("Thu, 01 Jan 1970", None),              // no time
            ("0", None),
            ("", None),
        ];
        for (date, expected) in cases {
            assert_eq!(parse_cookie_date(date.as_bytes()), *expected, "{date}");
        }
    }

    #[test]
    fn attributes_as_a_browser_applies_them() {
        let c = SetCookie::parse(
            b" a = \"b\" ;\x0bSecure; HttpOnly\xc2\xa0; SameSite=Strict; samesite=Sometimes; \
              Max-Age=0; Max-Age=x; domain=.Example.com; Domain=",
        );
        assert_eq!((c.name(), c.value()), (Some("a"), &b"b"[..]));
        assert!(!c.secure() && !c.http_only());
        assert_eq!(c.same_site(), Some(Enforcement::Default));
        assert_eq!(c.max_age(), Some(0));
        assert_eq!(c.domain(), Some(&b".Example.com"[..]));
        assert_eq!(
            c.without("domain"),
            b" a = \"b\" ;\x0bSecure; HttpOnly\xc2\xa0; SameSite=Strict; samesite=Sometimes; \
              Max-Age=0; Max-Age=x"
        );
        let cases: &[(&[u8], Option<&str>)] = &[
            (b"a=b", Some("a")),
            (b"a=", Some("a")),
            (b"=b", None),
            (b" \t=b", None),
            (b"b", None),
            (b"", None),
            (b"a=\xff", None),
            (b"a=b; Path=/\xff", None),
        ];
        for (raw, name) in cases {
            assert_eq!(SetCookie::parse(raw).name(), *name, "{raw:?}");
        }
    }
}
