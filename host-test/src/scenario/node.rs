//! A YAML document as a tree that remembers the line of every value and key, so that schema
//! and type errors can name the line.

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A YAML value with its line (1-based; 0 when unknown).
#[derive(Debug, Clone)]
pub struct Node {
    /// Line of the value.
    pub line: u64,
    /// The value.
    pub value: NodeValue,
}

/// The value of a [`Node`].
#[derive(Debug, Clone)]
pub enum NodeValue {
    /// `~` / `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A negative integer.
    Int(i64),
    /// A non-negative integer.
    UInt(u64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping: key, key line, value.
    Map(Vec<(String, u64, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<NodeValue>::deserialize(d)?;
        Ok(Node {
            line: s.referenced.line(),
            value: s.value,
        })
    }
}

impl<'de> Deserialize<'de> for NodeValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = NodeValue;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_none<E>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<NodeValue, E> {
        Ok(NodeValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<NodeValue, E> {
        Ok(if v >= 0 {
            NodeValue::UInt(v.unsigned_abs())
        } else {
            NodeValue::Int(v)
        })
    }
    fn visit_u64<E>(self, v: u64) -> Result<NodeValue, E> {
        Ok(NodeValue::UInt(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<NodeValue, E> {
        Ok(NodeValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<NodeValue, E> {
        Ok(NodeValue::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<NodeValue, A::Error> {
        let mut out = Vec::new();
        while let Some(n) = seq.next_element::<Node>()? {
            out.push(n);
        }
        Ok(NodeValue::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeValue, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Spanned<String>>()? {
            let v = map.next_value::<Node>()?;
            out.push((k.value, k.referenced.line(), v));
        }
        Ok(NodeValue::Map(out))
    }
}

impl Node {
    /// The JSON value of this tree (mapping order is lost, values kept).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            NodeValue::Null => J::Null,
            NodeValue::Bool(b) => J::Bool(*b),
            NodeValue::Int(i) => J::from(*i),
            NodeValue::UInt(u) => J::from(*u),
            NodeValue::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            NodeValue::Str(s) => J::String(s.clone()),
            NodeValue::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, _, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The line of the value at JSON pointer `pointer` (`/tests/0/expect`), or of the deepest
    /// node on the way; with `key` set, the line of the last segment's key when it names one.
    pub fn line_of(&self, pointer: &str) -> u64 {
        let mut node = self;
        let mut line = self.line;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                NodeValue::Map(entries) => {
                    entries
                        .iter()
                        .find(|(k, _, _)| *k == seg)
                        .map(|(_, kl, v)| {
                            line = *kl;
                            v
                        })
                }
                NodeValue::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => {
                    node = n;
                    let scalar = !matches!(n.value, NodeValue::Map(_) | NodeValue::Seq(_));
                    if (n.line > 0 && scalar) || line == 0 {
                        line = n.line;
                    }
                }
                None => break,
            }
        }
        line
    }

    /// The line of key `name` inside the mapping at `pointer`, if present.
    pub fn key_line(&self, pointer: &str, name: &str) -> Option<u64> {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let seg = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                NodeValue::Map(entries) => entries
                    .iter()
                    .find(|(k, _, _)| *k == seg)
                    .map(|(_, _, v)| v)?,
                NodeValue::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        match &node.value {
            NodeValue::Map(entries) => entries
                .iter()
                .find(|(k, _, _)| k == name)
                .map(|(_, l, _)| *l),
            _ => None,
        }
    }
}
