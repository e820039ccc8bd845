//! Code points that a back end can read as something else: the characters that Unicode
//! compatibility normalisation (NFKC, UAX #15) or a confusables fold (UTS #39) turns into ASCII.
//!
//! A Java back end or library that applies `Normalizer.normalize(s, NFKC)` to a path reads
//! `/ｃａｒｂｏｎ` as `/carbon` and `/oauth2／..／carbon` as `/oauth2/../carbon`; so a path
//! holding one of these is refused (400) like an encoded separator.

use unicode_normalization::UnicodeNormalization;

/// Look-alikes of `/`, `\`, `.` and `;` that NFKC leaves alone but a confusables fold (UTS #39
/// `confusables.txt`) or a lenient URL parser maps onto the ASCII character.
const FOLDED: &[char] = &[
    '\u{2215}', // DIVISION SLASH
    '\u{2044}', // FRACTION SLASH
    '\u{29F8}', // BIG SOLIDUS
    '\u{2571}', // BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT
    '\u{29F5}', // REVERSE SOLIDUS OPERATOR
    '\u{29F9}', // BIG REVERSE SOLIDUS
    '\u{2216}', // SET MINUS
    '\u{3002}', // IDEOGRAPHIC FULL STOP (a dot to IDNA, UTS #46)
    '\u{FF61}', // HALFWIDTH IDEOGRAPHIC FULL STOP
    '\u{0701}', // SYRIAC SUPRALINEAR FULL STOP
    '\u{A4F8}', // LISU LETTER TONE MYA TI
];

/// True when `c` is not ASCII and reads as ASCII to NFKC (its compatibility decomposition holds
/// an ASCII character: `／` U+FF0F → `/`, `․` U+2024 → `.`, `；` U+FF1B → `;`, `ｃ` U+FF43 → `c`,
/// `;` U+037E → `;`) or to a confusables fold ([`FOLDED`]). ASCII itself is never confusable.
pub fn is_confusable(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    FOLDED.contains(&c) || std::iter::once(c).nfkc().any(|d| d.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::is_confusable;

    /// `(name, code point, confusable)`.
    const CASES: &[(&str, char, bool)] = &[
        ("fullwidth solidus", '\u{FF0F}', true),
        ("division slash", '\u{2215}', true),
        ("fraction slash", '\u{2044}', true),
        ("big solidus", '\u{29F8}', true),
        ("one dot leader", '\u{2024}', true),
        ("two dot leader", '\u{2025}', true),
        ("fullwidth full stop", '\u{FF0E}', true),
        ("small full stop", '\u{FE52}', true),
        ("ideographic full stop", '\u{3002}', true),
        ("fullwidth reverse solidus", '\u{FF3C}', true),
        ("small reverse solidus", '\u{FE68}', true),
        ("set minus", '\u{2216}', true),
        ("fullwidth semicolon", '\u{FF1B}', true),
        ("small semicolon", '\u{FE54}', true),
        ("greek question mark", '\u{037E}', true),
        ("fullwidth percent", '\u{FF05}', true),
        ("fullwidth small c", '\u{FF43}', true),
        ("mathematical bold small a", '\u{1D41A}', true),
        ("ascii slash", '/', false),
        ("ascii letter", 'c', false),
        ("e acute", '\u{00E9}', false),
        ("cjk ideograph", '\u{4E2D}', false),
        ("cyrillic a", '\u{0430}', false),
        ("emoji", '\u{1F600}', false),
    ];

    #[test]
    fn confusables_table() {
        for (name, c, want) in CASES {
            assert_eq!(
                is_confusable(*c),
                *want,
                "row `{name}` (U+{:04X})",
                u32::from(*c)
            );
        }
    }
}
