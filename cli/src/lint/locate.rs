//! The line and column of a configuration path (`static_resources.listeners[0].address`), for
//! the errors: the file is read a second time, only when it did not fit, as a tree of
//! positions (serde-saphyr's [`Spanned`]).

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML value's position, and its children's.
#[derive(Debug)]
struct Pos {
    line: u64,
    column: u64,
    kids: Kids,
}

#[derive(Debug)]
enum Kids {
    Leaf,
    Seq(Vec<Pos>),
    Map(Vec<(String, Pos)>),
}

impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Kids>::deserialize(d)?;
        Ok(Pos {
            line: s.referenced.line(),
            column: s.referenced.column(),
            kids: s.value,
        })
    }
}

impl<'de> Deserialize<'de> for Kids {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KidsVisitor)
    }
}

struct KidsVisitor;

macro_rules! leaf {
    ($($name:ident: $t:ty),*) => {
        $(fn $name<E>(self, _: $t) -> Result<Kids, E> { Ok(Kids::Leaf) })*
    };
}

impl<'de> Visitor<'de> for KidsVisitor {
    type Value = Kids;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    leaf!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
    fn visit_unit<E>(self) -> Result<Kids, E> {
        Ok(Kids::Leaf)
    }
    fn visit_none<E>(self) -> Result<Kids, E> {
        Ok(Kids::Leaf)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kids, A::Error> {
        let mut out = Vec::new();
        while let Some(p) = seq.next_element::<Pos>()? {
            out.push(p);
        }
        Ok(Kids::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kids, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<KeyText>()? {
            out.push((k.0, map.next_value::<Pos>()?));
        }
        Ok(Kids::Map(out))
    }
}

/// A mapping key as text, read as a string so that `y` or `on` stay keys (YAML 1.1 would make
/// them booleans under `deserialize_any`).
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_owned()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<KeyText, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(KeyText(String::new()))
            }
        }
        d.deserialize_str(V)
    }
}

/// One step of a configuration path.
#[derive(Debug, PartialEq, Eq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while !rest.is_empty() {
            let (n, after) = rest.split_once(']')?;
            out.push(Step::Index(n.parse().ok()?));
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    Some(out)
}

/// The 1-based line and column of `path` in `text` (document `doc` of it), or of the deepest
/// part of the path that exists; `None` when the text cannot be read as positions.
pub fn locate(text: &str, doc: usize, path: &str) -> Option<(u64, u64)> {
    let docs: Vec<Pos> = serde_saphyr::from_multiple(text).ok()?;
    let mut pos = docs.get(doc)?;
    for step in steps(path)? {
        let next = match (&pos.kids, step) {
            (Kids::Map(m), Step::Key(k)) => m.iter().find(|(name, _)| name == k).map(|(_, p)| p),
            (Kids::Seq(s), Step::Index(i)) => s.get(i),
            _ => None,
        };
        match next {
            Some(p) => pos = p,
            None => break,
        }
    }
    Some((pos.line, pos.column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_nested_keys_and_indices() {
        let text = "a:\n  b:\n  - x: 1\n  - x: {y: 2}\n---\nc: 3\n";
        assert_eq!(locate(text, 0, "a.b[1].x.y"), Some((4, 12)));
        assert_eq!(locate(text, 0, "a.b[0]"), Some((3, 5)));
        assert_eq!(locate(text, 1, "c"), Some((6, 4)));
        // A missing tail: the deepest part that exists.
        assert_eq!(locate(text, 0, "a.b[1].z"), Some((4, 5)));
        assert_eq!(
            steps("r[2][3].k"),
            Some(vec![
                Step::Key("r"),
                Step::Index(2),
                Step::Index(3),
                Step::Key("k")
            ])
        );
    }
}
