//! An owned, ordered YAML/JSON tree with the 1-based source line of every node. The checks read this tree; the
//! fixer edits the lossless yaml-edit tree (YAML) or this tree (JSON). Also the YAML and JSON writers used for fix
//! fragments, appended objects and JSON output.

use std::fmt::Write as _;

#[derive(Debug, Clone)]
pub enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// One value and the line it starts on (0 when unknown).
#[derive(Debug, Clone)]
pub struct Node {
    pub v: Val,
    pub line: u64,
}

impl PartialEq for Node {
    /// Values only: the same tree parsed from two texts compares equal whatever the lines.
    fn eq(&self, other: &Self) -> bool {
        match (&self.v, &other.v) {
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Int(a), Val::Int(b)) => a == b,
            (Val::Float(a), Val::Float(b)) => a == b,
            (Val::Int(a), Val::Float(b)) | (Val::Float(b), Val::Int(a)) => (*a as f64) == *b,
            (Val::Str(a), Val::Str(b)) => a == b,
            (Val::Seq(a), Val::Seq(b)) => a == b,
            (Val::Map(a), Val::Map(b)) => a == b,
            _ => false,
        }
    }
}

/// One step of a path inside an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

pub fn k(s: &str) -> Seg {
    Seg::Key(s.to_string())
}

/// `spec.template.spec.containers[0].securityContext`
pub fn path_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

impl Node {
    pub fn new(v: Val) -> Node {
        Node { v, line: 0 }
    }
    pub fn null() -> Node {
        Node::new(Val::Null)
    }
    pub fn str(s: impl Into<String>) -> Node {
        Node::new(Val::Str(s.into()))
    }
    pub fn bool(b: bool) -> Node {
        Node::new(Val::Bool(b))
    }
    pub fn int(i: i64) -> Node {
        Node::new(Val::Int(i))
    }
    pub fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(Val::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        ))
    }
    pub fn seq(items: Vec<Node>) -> Node {
        Node::new(Val::Seq(items))
    }
    pub fn empty_map() -> Node {
        Node::new(Val::Map(Vec::new()))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.v {
            Val::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.v {
            Val::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn at(&self, path: &[Seg]) -> Option<&Node> {
        let mut cur = self;
        for seg in path {
            cur = match seg {
                Seg::Key(key) => cur.get(key)?,
                Seg::Index(i) => cur.as_seq()?.get(*i)?,
            };
        }
        Some(cur)
    }

    pub fn at_mut(&mut self, path: &[Seg]) -> Option<&mut Node> {
        let mut cur = self;
        for seg in path {
            cur = match seg {
                Seg::Key(key) => cur.get_mut(key)?,
                Seg::Index(i) => match &mut cur.v {
                    Val::Seq(items) => items.get_mut(*i)?,
                    _ => return None,
                },
            };
        }
        Some(cur)
    }

    pub fn get_path(&self, keys: &[&str]) -> Option<&Node> {
        let mut cur = self;
        for key in keys {
            cur = cur.get(key)?;
        }
        Some(cur)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Scalars as text (numbers and booleans too): for quantities such as `cpu: 1` or `memory: 512Mi`.
    pub fn as_text(&self) -> Option<String> {
        match &self.v {
            Val::Str(s) => Some(s.clone()),
            Val::Int(i) => Some(i.to_string()),
            Val::Float(f) => Some(f.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.v {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Val::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.v {
            Val::Int(i) => Some(*i),
            Val::Float(f) if f.fract() == 0.0 => Some(*f as i64),
            Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match &self.v {
            Val::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Vec<(String, Node)>> {
        match &self.v {
            Val::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.v, Val::Null)
    }

    pub fn is_collection(&self) -> bool {
        matches!(self.v, Val::Seq(_) | Val::Map(_))
    }

    /// Set `key` in a mapping, keeping its place when present, appending otherwise. A null becomes a mapping.
    pub fn set(&mut self, key: &str, value: Node) {
        if self.is_null() {
            self.v = Val::Map(Vec::new());
        }
        if let Val::Map(entries) = &mut self.v {
            if let Some(slot) = entries.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                entries.push((key.to_string(), value));
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        if let Val::Map(entries) = &mut self.v {
            if let Some(pos) = entries.iter().position(|(k, _)| k == key) {
                return Some(entries.remove(pos).1);
            }
        }
        None
    }

    // ---------------------------------------------------------------- writers

    /// Block-style YAML, two-space indent, ending in a newline.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match &self.v {
            Val::Map(entries) if !entries.is_empty() => write_map(&mut out, entries, 0),
            Val::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0),
            _ => {
                out.push_str(&scalar_yaml(self));
                out.push('\n');
            }
        }
        out
    }

    /// Pretty JSON with the given indent unit (kubectl uses four spaces).
    pub fn to_json(&self, unit: &str) -> String {
        let mut out = String::new();
        write_json(&mut out, self, unit, 0);
        out
    }
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(out: &mut String, entries: &[(String, Node)], indent: usize) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str(&key_yaml(key));
        out.push(':');
        write_value_after_key(out, value, indent);
    }
}

fn write_value_after_key(out: &mut String, value: &Node, indent: usize) {
    match &value.v {
        Val::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            write_map(out, entries, indent + 2);
        }
        Val::Seq(items) if !items.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            write_seq(out, items, indent + 2);
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar_yaml(value));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, items: &[Node], indent: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str("- ");
        match &item.v {
            Val::Map(entries) if !entries.is_empty() => write_map(out, entries, indent + 2),
            Val::Seq(inner) if !inner.is_empty() => write_seq(out, inner, indent + 2),
            _ => {
                out.push_str(&scalar_yaml(item));
                out.push('\n');
            }
        }
    }
}

fn key_yaml(key: &str) -> String {
    if plain_ok(key) {
        key.to_string()
    } else {
        quote(key)
    }
}

fn scalar_yaml(node: &Node) -> String {
    match &node.v {
        Val::Null => "null".into(),
        Val::Bool(b) => b.to_string(),
        Val::Int(i) => i.to_string(),
        Val::Float(f) => format_float(*f),
        Val::Str(s) => {
            if plain_ok(s) {
                s.clone()
            } else {
                quote(s)
            }
        }
        Val::Map(_) => "{}".into(),
        Val::Seq(_) => "[]".into(),
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// May this string be written as a plain scalar and read back as the same string?
pub fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) {
        return false;
    }
    if looks_numeric(s) {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-foo` and `:foo` are plain in YAML 1.2 but not everywhere; quote to be safe.
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if s.chars()
        .any(|c| c.is_control() || matches!(c, '\t' | '\n' | '\r'))
    {
        return false;
    }
    !s.contains(['{', '}', '[', ']', ','])
}

fn looks_numeric(s: &str) -> bool {
    let t = s.trim_start_matches(['+', '-']);
    if t.is_empty() {
        return false;
    }
    if t.starts_with("0x") || t.starts_with("0o") {
        return true;
    }
    if matches!(t.to_ascii_lowercase().as_str(), ".inf" | ".nan") {
        return true;
    }
    let mut digits = 0;
    for c in t.chars() {
        match c {
            '0'..='9' => digits += 1,
            '.' | 'e' | 'E' | '_' | '+' | '-' => {}
            _ => return false,
        }
    }
    digits > 0
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_json(out: &mut String, node: &Node, unit: &str, depth: usize) {
    let ind = |out: &mut String, d: usize| {
        for _ in 0..d {
            out.push_str(unit);
        }
    };
    match &node.v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Float(f) => out.push_str(&f.to_string()),
        Val::Str(s) => out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())),
        Val::Seq(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                ind(out, depth + 1);
                write_json(out, item, unit, depth + 1);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            ind(out, depth);
            out.push(']');
        }
        Val::Map(entries) => {
            if entries.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\n");
            for (i, (key, value)) in entries.iter().enumerate() {
                ind(out, depth + 1);
                out.push_str(&serde_json::to_string(key).unwrap_or_else(|_| "\"\"".into()));
                out.push_str(": ");
                write_json(out, value, unit, depth + 1);
                if i + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            ind(out, depth);
            out.push('}');
        }
    }
}

// -------------------------------------------------------------------- readers

/// Byte offset to 1-based line.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    pub fn line(&self, offset: usize) -> u64 {
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u64 + 1,
            Err(i) => i as u64,
        }
    }
}

/// Convert a yaml-edit node to an owned [`Node`] with lines.
pub fn from_yaml_edit(node: &yaml_edit::YamlNode, li: &LineIndex) -> Node {
    use yaml_edit::YamlNode as Y;
    let line = li.line(node.byte_range().start as usize);
    let v = match node {
        Y::Scalar(s) => scalar_val(s),
        Y::Mapping(m) => Val::Map(mapping_entries(m, li)),
        Y::Sequence(seq) => Val::Seq(seq.values().map(|item| from_yaml_edit(&item, li)).collect()),
        Y::Alias(_) => Val::Null,
        Y::TaggedNode(t) => Val::Str(t.to_string()),
    };
    Node { v, line }
}

pub fn mapping_entries(m: &yaml_edit::Mapping, li: &LineIndex) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    for entry in m.entries() {
        let Some(key) = entry.key_node() else {
            continue;
        };
        let key_line = li.line(key.byte_range().start as usize);
        let key = match &key {
            yaml_edit::YamlNode::Scalar(s) => s.as_string(),
            other => other.to_string(),
        };
        let value = match entry.value_node() {
            Some(v) => {
                let mut n = from_yaml_edit(&v, li);
                // The line of a setting is the line of its key.
                n.line = key_line;
                n
            }
            None => Node {
                v: Val::Null,
                line: key_line,
            },
        };
        out.push((key, value));
    }
    out
}

fn scalar_val(s: &yaml_edit::Scalar) -> Val {
    if s.is_quoted() || s.is_block() {
        return Val::Str(s.as_string());
    }
    if s.is_null() {
        return Val::Null;
    }
    let text = s.as_string();
    let t = text.trim();
    if let Some(b) = s.as_bool() {
        return Val::Bool(b);
    }
    if let Some(i) = s.as_i64() {
        return Val::Int(i);
    }
    if looks_numeric(t) {
        if let Some(f) = s.as_f64() {
            return Val::Float(f);
        }
    }
    Val::Str(t.to_string())
}

/// An order-keeping serde visitor for JSON input (serde_json's own map sorts keys unless a feature is on).
impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::null())
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::null())
            }
            fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
                Ok(Node::bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Node, E> {
                Ok(Node::int(i))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Node, E> {
                Ok(match i64::try_from(u) {
                    Ok(i) => Node::int(i),
                    Err(_) => Node::new(Val::Float(u as f64)),
                })
            }
            fn visit_f64<E>(self, f: f64) -> Result<Node, E> {
                Ok(Node::new(Val::Float(f)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Node, E> {
                Ok(Node::str(s))
            }
            fn visit_string<E>(self, s: String) -> Result<Node, E> {
                Ok(Node::str(s))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element::<Node>()? {
                    items.push(item);
                }
                Ok(Node::seq(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = a.next_entry::<String, Node>()? {
                    entries.push((key, value));
                }
                Ok(Node::new(Val::Map(entries)))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_are_quoted_when_needed() {
        assert!(plain_ok("nginx:1.25"));
        assert!(plain_ok("100m"));
        assert!(!plain_ok("1"));
        assert!(!plain_ok("true"));
        assert!(!plain_ok("a: b"));
        assert!(!plain_ok(""));
        assert!(!plain_ok("*"));
        let n = Node::map(vec![
            ("cpu", Node::str("1")),
            ("drop", Node::seq(vec![Node::str("ALL")])),
            ("empty", Node::empty_map()),
        ]);
        assert_eq!(n.to_yaml(), "cpu: \"1\"\ndrop:\n  - ALL\nempty: {}\n");
    }

    #[test]
    fn json_keeps_key_order() {
        let n: Node = serde_json::from_str(r#"{"b": 1, "a": [true, null, "x"]}"#).unwrap();
        assert_eq!(
            n.to_json("  "),
            "{\n  \"b\": 1,\n  \"a\": [\n    true,\n    null,\n    \"x\"\n  ]\n}"
        );
    }
}
