//! Canonical forms of a checked value: what a browser or a back end may make of it after the
//! decodings they apply, one on top of the other.
//!
//! A value is matched as received and after each decoding round (at most
//! [`MAX_DECODE_ROUNDS`]; a round stops the loop when it changes nothing). One round is:
//! 1. percent-decoding (RFC 3986 §2.1; `+` as a space in the first round of a header value,
//!    as in form encoding; a `%` not followed by two hex digits stays as it is);
//! 2. HTML character references (WHATWG HTML §13.2.5.72 "character reference state"): decimal
//!    `&#60;` and hex `&#x3C;`/`&#X3c;`, any number of leading zeros, with or without the `;`;
//!    the named references that decode to ASCII (`&lt;`, `&colon;`, `&Tab;`, `&NewLine;`,
//!    `&lpar;` …, exact case as the standard spells them), and the legacy ones that need no `;`
//!    (`&lt`, `&gt`, `&amp`, `&quot` and their upper-case forms);
//! 3. NUL bytes removed (the product's own XSS valve strips them before it matches; old
//!    browsers ignored them inside tags).
//!
//! So `%253C`, `&amp;lt;`, `%26lt%3B` and `&#x25;3C` all reach `<` within three rounds. Every
//! form is also matched with ASCII tab, LF and CR removed, as the URL parser removes them
//! anywhere in a URL (WHATWG URL §4.4, "remove all ASCII tab or newline"): `java&#x09;script:`
//! is a `javascript:` URL.
//!
//! Not decoded: JavaScript and CSS escapes (`\u003c`, `\3c`), `%u003C` (IIS only), overlong
//! UTF-8 (Tomcat's decoder refuses it), named references to non-ASCII characters (no built-in
//! pattern needs one). A value nested deeper than [`MAX_DECODE_ROUNDS`] is matched in the forms
//! reached: neither the product (one decoding by the servlet container) nor a browser (one
//! decoding of character references) peels more.
//!
//! Cost: each round is linear in the value, and the value is bounded by the host's header
//! limits (Envoy: `max_request_headers_kb`) or by `max_body_bytes`.

/// Most decoding rounds applied to one value.
pub const MAX_DECODE_ROUNDS: usize = 4;

/// Calls `visit` with `value` and each decoded form of it (see the module docs), each also
/// without tab, LF and CR when it holds any; stops early when `visit` returns `false`. `plus`
/// decodes `+` as a space in the first round (a raw header value; a parameter from the form
/// decoder has had its `+` decoded already).
pub(super) fn for_each_form(value: &[u8], plus: bool, mut visit: impl FnMut(&[u8]) -> bool) {
    let mut current = value.to_vec();
    if !visit_with_squashed(&current, &mut visit) {
        return;
    }
    for round in 0..MAX_DECODE_ROUNDS {
        let plus = plus && round == 0;
        // Nothing to decode: the next round would change nothing.
        if !current
            .iter()
            .any(|&b| b == b'%' || b == b'&' || b == 0 || (plus && b == b'+'))
        {
            return;
        }
        let mut next = decode_references(&percent_decode(&current, plus));
        next.retain(|&b| b != 0);
        if next == current {
            return;
        }
        current = next;
        if !visit_with_squashed(&current, &mut visit) {
            return;
        }
    }
}

fn visit_with_squashed(form: &[u8], visit: &mut impl FnMut(&[u8]) -> bool) -> bool {
    if !visit(form) {
        return false;
    }
    if form.iter().any(|b| matches!(b, b'\t' | b'\n' | b'\r' | 0)) {
        let squashed: Vec<u8> = form
            .iter()
            .copied()
            .filter(|b| !matches!(b, b'\t' | b'\n' | b'\r' | 0))
            .collect();
        return visit(&squashed);
    }
    true
}

/// Percent-decodes `raw` (`+` as space when `plus` is set, as in form encoding); bad escapes
/// stay as they are.
pub(super) fn percent_decode(raw: &[u8], plus: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b != b'%' && b != b'+' {
            // Copy the run up to the next byte that may decode.
            let run = raw
                .get(i..)
                .unwrap_or_default()
                .iter()
                .position(|&b| b == b'%' || b == b'+')
                .unwrap_or(raw.len() - i);
            out.extend_from_slice(raw.get(i..i + run).unwrap_or_default());
            i += run;
            continue;
        }
        let hex = match raw.get(i + 1..i + 3) {
            Some(&[h, l]) => hex_value(h).zip(hex_value(l)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) if plus => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The named character references (WHATWG HTML §13.5, "named character references") that
/// decode to ASCII, with the `;` they need.
const NAMED: &[(&str, &str)] = &[
    ("Tab;", "\t"),
    ("NewLine;", "\n"),
    ("excl;", "!"),
    ("quot;", "\""),
    ("QUOT;", "\""),
    ("num;", "#"),
    ("dollar;", "$"),
    ("percnt;", "%"),
    ("amp;", "&"),
    ("AMP;", "&"),
    ("apos;", "'"),
    ("lpar;", "("),
    ("rpar;", ")"),
    ("ast;", "*"),
    ("midast;", "*"),
    ("plus;", "+"),
    ("comma;", ","),
    ("period;", "."),
    ("sol;", "/"),
    ("colon;", ":"),
    ("semi;", ";"),
    ("lt;", "<"),
    ("LT;", "<"),
    ("equals;", "="),
    ("gt;", ">"),
    ("GT;", ">"),
    ("quest;", "?"),
    ("commat;", "@"),
    ("lsqb;", "["),
    ("lbrack;", "["),
    ("bsol;", "\\"),
    ("rsqb;", "]"),
    ("rbrack;", "]"),
    ("Hat;", "^"),
    ("lowbar;", "_"),
    ("UnderBar;", "_"),
    ("grave;", "`"),
    ("DiacriticalGrave;", "`"),
    ("lcub;", "{"),
    ("lbrace;", "{"),
    ("verbar;", "|"),
    ("vert;", "|"),
    ("VerticalLine;", "|"),
    ("rcub;", "}"),
    ("rbrace;", "}"),
    ("fjlig;", "fj"),
];

/// The legacy references a browser decodes without a `;` (of those that decode to ASCII).
const LEGACY: &[(&str, &str)] = &[
    ("quot", "\""),
    ("QUOT", "\""),
    ("amp", "&"),
    ("AMP", "&"),
    ("lt", "<"),
    ("LT", "<"),
    ("gt", ">"),
    ("GT", ">"),
];

/// Decodes the HTML character references of `raw` (see the module docs); anything else stays.
pub(super) fn decode_references(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b != b'&' {
            // Copy the run up to the next `&`.
            let run = raw
                .get(i..)
                .unwrap_or_default()
                .iter()
                .position(|&b| b == b'&')
                .unwrap_or(raw.len() - i);
            out.extend_from_slice(raw.get(i..i + run).unwrap_or_default());
            i += run;
            continue;
        }
        if let Some((decoded, used)) = reference(raw.get(i + 1..).unwrap_or_default()) {
            out.extend_from_slice(decoded.as_slice());
            i += 1 + used;
            continue;
        }
        out.push(b);
        i += 1;
    }
    out
}

/// Up to four decoded bytes and their length.
struct Decoded([u8; 4], usize);

impl Decoded {
    fn from_text(text: &str) -> Self {
        let mut bytes = [0; 4];
        let n = text.len().min(4);
        for (slot, b) in bytes.iter_mut().zip(text.bytes()) {
            *slot = b;
        }
        Self(bytes, n)
    }

    fn as_slice(&self) -> &[u8] {
        self.0.get(..self.1).unwrap_or_default()
    }
}

/// The reference at the start of `rest` (what follows an `&`): its bytes and how many bytes of
/// `rest` it used; `None` when `rest` starts no reference.
fn reference(rest: &[u8]) -> Option<(Decoded, usize)> {
    if let Some(numeric) = rest.strip_prefix(b"#") {
        let (radix, digits_at) = match numeric.first() {
            Some(b'x' | b'X') => (16, 2),
            _ => (10, 1),
        };
        let digits = rest
            .get(digits_at..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| char::from(b).is_digit(radix))
            .count();
        if digits == 0 {
            return None;
        }
        let mut code: u32 = 0;
        for &b in rest.get(digits_at..digits_at + digits).unwrap_or_default() {
            let d = char::from(b).to_digit(radix).unwrap_or(0);
            // Past U+10FFFF the value no longer matters: it decodes to U+FFFD.
            code = code.saturating_mul(radix).saturating_add(d).min(0x11_0000);
        }
        let used = digits_at + digits + usize::from(rest.get(digits_at + digits) == Some(&b';'));
        // NUL, surrogates and values past U+10FFFF are U+FFFD (§13.2.5.80).
        let c = char::from_u32(code)
            .filter(|&c| c != '\0')
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut buf = [0; 4];
        return Some((Decoded::from_text(c.encode_utf8(&mut buf)), used));
    }
    let first = rest.first().filter(|b| b.is_ascii_alphabetic())?;
    NAMED
        .iter()
        .chain(LEGACY)
        .find(|(n, _)| n.as_bytes().first() == Some(first) && rest.starts_with(n.as_bytes()))
        .map(|(name, text)| (Decoded::from_text(text), name.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(name, input, decoded by one round of references)`; checked against Python's
    /// `html.unescape` (the WHATWG algorithm) where that decodes to ASCII.
    const REFERENCES: &[(&str, &str, &str)] = &[
        ("decimal", "&#60;", "<"),
        ("decimal without ;", "&#60script", "<script"),
        ("leading zeros", "&#0000060;", "<"),
        ("hex", "&#x3c;", "<"),
        ("hex upper X without ;", "&#X3Cb", "\u{3cb}"),
        ("hex then non-hex", "&#x3cscript", "<script"),
        ("named", "&lt;&gt;&quot;&apos;&amp;", "<>\"'&"),
        (
            "named punctuation",
            "&colon;&lpar;&rpar;&sol;&equals;",
            ":()/=",
        ),
        ("named whitespace", "a&Tab;b&NewLine;c", "a\tb\nc"),
        ("legacy without ;", "&ltscript&gt", "<script>"),
        ("upper-case legacy", "&LT;&GT", "<>"),
        ("case matters", "&Colon;&Lt;", "&Colon;&Lt;"),
        ("nested is one round", "&amp;lt;", "&lt;"),
        (
            "not a reference",
            "Johnson & Johnson &; &# &#x; &#;",
            "Johnson & Johnson &; &# &#x; &#;",
        ),
        ("harmless numbers", "&#65;&#600;&#6;", "A\u{258}\u{6}"),
        (
            "NUL and out of range",
            "&#0;&#x110000;&#xD800;&#99999999999999;",
            "\u{fffd}\u{fffd}\u{fffd}\u{fffd}",
        ),
    ];

    #[test]
    fn references_decode_as_the_html_tokenizer_does() {
        for (name, input, expected) in REFERENCES {
            let got = decode_references(input.as_bytes());
            assert_eq!(
                String::from_utf8_lossy(&got),
                *expected,
                "row {name:?}: {input:?}"
            );
        }
    }

    #[test]
    fn forms_stop_when_stable_and_after_the_bound() {
        let mut seen = Vec::new();
        for_each_form(b"%2526lt%253Bscript", false, |f| {
            seen.push(String::from_utf8_lossy(f).into_owned());
            true
        });
        assert_eq!(
            seen,
            ["%2526lt%253Bscript", "%26lt%3Bscript", "<script"],
            "two rounds, then stable"
        );
        let mut deep = b"<".to_vec();
        for _ in 0..10 {
            deep = deep
                .iter()
                .flat_map(|&b| format!("%{b:02X}").into_bytes())
                .collect();
        }
        let mut n = 0;
        for_each_form(&deep, false, |_| {
            n += 1;
            true
        });
        assert_eq!(n, 1 + MAX_DECODE_ROUNDS, "bounded rounds");
        let mut seen = Vec::new();
        for_each_form(b"java%09script%00:", false, |f| {
            seen.push(String::from_utf8_lossy(f).into_owned());
            true
        });
        assert_eq!(
            seen,
            ["java%09script%00:", "java\tscript:", "javascript:"],
            "NUL removed, tab squashed in an extra form"
        );
    }
}
