//! Field paths into a plugin configuration (`virtual_hosts[0].deny[2]`), and where they sit in the
//! JSON text (line and column), so that an error names the culprit the way a user wrote it.

use std::fmt;

/// One step of a [`FieldPath`]: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// An object member, by key.
    Key(String),
    /// An array element, by zero-based index.
    Index(usize),
}

/// A path from the root of a plugin configuration to one value, displayed as
/// `virtual_hosts[0].allow[3].path`. The empty path is the whole document, displayed as `.`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    /// The path of the whole document.
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// This path extended by an object key.
    pub fn key(&self, key: &str) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_owned()));
        next
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }

    /// The steps of the path, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Converts the path that `serde_path_to_error` recorded for a deserialisation error.
    pub fn from_serde(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment as S;
        let mut out = Vec::new();
        for seg in path.iter() {
            match seg {
                S::Seq { index } => out.push(Segment::Index(*index)),
                S::Map { key } => out.push(Segment::Key(key.clone())),
                S::Enum { variant } => out.push(Segment::Key(variant.clone())),
                S::Unknown => {}
            }
        }
        Self(out)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Finds where the value at `path` starts in the JSON document `json`: `(line, column)`, both
/// starting at 1, or `None` when the document has no such value or is not valid JSON up to it.
///
/// Used only to report configuration errors, never on the request path.
pub fn locate(json: &[u8], path: &FieldPath) -> Option<(usize, usize)> {
    let mut scan = Scanner { text: json, pos: 0 };
    scan.skip_ws();
    for seg in path.segments() {
        match seg {
            Segment::Key(want) => {
                scan.expect(b'{')?;
                loop {
                    scan.skip_ws();
                    let key = scan.string()?;
                    scan.skip_ws();
                    scan.expect(b':')?;
                    scan.skip_ws();
                    if key == *want {
                        break;
                    }
                    scan.skip_value()?;
                    scan.skip_ws();
                    scan.expect(b',')?;
                }
            }
            Segment::Index(want) => {
                scan.expect(b'[')?;
                for _ in 0..*want {
                    scan.skip_ws();
                    scan.skip_value()?;
                    scan.skip_ws();
                    scan.expect(b',')?;
                }
                scan.skip_ws();
            }
        }
    }
    let before = json.get(..scan.pos)?;
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = scan.pos
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    Some((line, column))
}

struct Scanner<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Reads a string and returns it with escapes left as written (keys are compared raw).
    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let start = self.pos;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
        let raw = self.text.get(start..self.pos)?;
        self.pos += 1;
        Some(String::from_utf8_lossy(raw).into_owned())
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
            }
            _ => {
                while !matches!(
                    self.peek()?,
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'
                ) {
                    self.pos += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_keys_and_indices() {
        let p = FieldPath::root()
            .key("virtual_hosts")
            .index(0)
            .key("deny")
            .index(2);
        assert_eq!(p.to_string(), "virtual_hosts[0].deny[2]");
        assert_eq!(FieldPath::root().to_string(), ".");
    }

    #[test]
    fn locate_finds_nested_array_element() {
        let json =
            b"{\n  \"a\": 1,\n  \"virtual_hosts\": [\n    {\"deny\": [\"/x\", \"[bad\"]}\n  ]\n}";
        let p = FieldPath::root()
            .key("virtual_hosts")
            .index(0)
            .key("deny")
            .index(1);
        assert_eq!(locate(json, &p), Some((4, 21)));
    }

    #[test]
    fn locate_skips_nested_values_and_strings_with_brackets() {
        let json = br#"{"x": {"y": "]}\"["}, "z": [[1, 2], {"q": 3}, 4]}"#;
        let p = FieldPath::root().key("z").index(2);
        assert_eq!(locate(json, &p), Some((1, 47)));
    }

    #[test]
    fn locate_returns_none_for_missing_field() {
        assert_eq!(locate(b"{\"a\": 1}", &FieldPath::root().key("b")), None);
    }
}
