//! The answer check: the model's text must hold one flat JSON object. Pure functions; the retry policy (one
//! stricter prompt, then failed) is applied by [`crate::namer`].

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// The fields of one answer, in the order the model gave them: (snake_case name, value as text).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why an answer was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardError {
    /// No `{` at all.
    NoObject,
    /// A `{` without its closing `}` (the answer was cut by the token cap).
    Unterminated,
    /// A complete `{...}` that is not valid JSON.
    Invalid(String),
    /// A value that is an object or an array.
    NotFlat(String),
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardError::NoObject => f.write_str("no JSON object"),
            GuardError::Unterminated => f.write_str("the JSON object was not closed"),
            GuardError::Invalid(e) => write!(f, "invalid JSON: {e}"),
            GuardError::NotFlat(k) => write!(f, "the value of `{k}` is not a string"),
        }
    }
}

impl std::error::Error for GuardError {}

/// Scans text for the first JSON object: braces counted outside strings, escapes inside strings honoured.
#[derive(Debug, Clone, Default)]
pub struct ObjectScanner {
    start: Option<usize>,
    depth: usize,
    in_string: bool,
    escape: bool,
    /// Bytes of the text scanned so far.
    scanned: usize,
    end: Option<usize>,
}

impl ObjectScanner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next piece of text; returns the byte range of the first complete object once it is closed.
    pub fn feed(&mut self, piece: &str) -> Option<std::ops::Range<usize>> {
        if let Some(end) = self.end {
            return Some(self.start.expect("an end has a start")..end);
        }
        for (i, b) in piece.bytes().enumerate() {
            let at = self.scanned + i;
            if self.start.is_none() {
                if b == b'{' {
                    self.start = Some(at);
                    self.depth = 1;
                }
                continue;
            }
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        self.end = Some(at + 1);
                        self.scanned += i + 1;
                        return Some(self.start.expect("inside an object")..at + 1);
                    }
                }
                _ => {}
            }
        }
        self.scanned += piece.len();
        None
    }

    /// Whether an object has been opened (and not closed yet, or closed).
    pub fn started(&self) -> bool {
        self.start.is_some()
    }
}

/// The byte range of the first complete JSON object in `text`.
pub fn first_object(text: &str) -> Option<std::ops::Range<usize>> {
    ObjectScanner::new().feed(text)
}

/// Checks an answer: the first JSON object of `text`, parsed, flat. Keys become snake_case; `null` values are
/// dropped; numbers and booleans become their text.
pub fn parse_answer(text: &str) -> Result<Fields, GuardError> {
    let Some(range) = first_object(text) else {
        return Err(if text.contains('{') {
            GuardError::Unterminated
        } else {
            GuardError::NoObject
        });
    };
    let raw: Ordered =
        serde_json::from_str(&text[range]).map_err(|e| GuardError::Invalid(e.to_string()))?;
    let mut fields: Vec<(String, String)> = Vec::with_capacity(raw.0.len());
    for (key, value) in raw.0 {
        let value = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Null => continue,
            _ => return Err(GuardError::NotFlat(key)),
        };
        let base = to_snake(&key);
        if base.is_empty() {
            continue;
        }
        let mut name = base.clone();
        let mut n = 2;
        while fields.iter().any(|(k, _)| *k == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        fields.push((name, value));
    }
    Ok(Fields(fields))
}

/// A JSON object as (key, value), in document order (serde_json's own map sorts its keys).
struct Ordered(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    out.push((key, map.next_value()?));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// `clientIP` → `client_ip`, `Status Code` → `status_code`, `user-name` → `user_name`, `9lives` → `f_9lives`.
pub fn to_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let chars: Vec<char> = key.trim().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            let upper = c.is_uppercase();
            if upper && i > 0 && !out.is_empty() && !out.ends_with('_') {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
                // A word boundary: fooBar, or the last capital of an acronym before a word (HTTPServer → http_server).
                if prev.is_lowercase() || prev.is_numeric() || (prev.is_uppercase() && next_lower) {
                    out.push('_');
                }
            }
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.starts_with(|c: char| c.is_numeric()) {
        out.insert_str(0, "f_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn accepts_the_first_flat_object() {
        let text = "Sure! ```json\n{\"user\": \"admin\", \"port\": 22, \"ok\": true, \"x\": null, \"msg\": \"a } b {\"}\n``` {\"second\": 1}";
        assert_eq!(
            parse_answer(text).unwrap(),
            fields(&[
                ("user", "admin"),
                ("port", "22"),
                ("ok", "true"),
                ("msg", "a } b {")
            ])
        );
    }

    #[test]
    fn keeps_order_and_normalises_keys() {
        let got = parse_answer(r#"{"clientIP": "1.2.3.4", "Status Code": "200", "HTTPServer": "a", "status_code": "x", "": "e", "9lives": "y"}"#).unwrap();
        assert_eq!(
            got,
            fields(&[
                ("client_ip", "1.2.3.4"),
                ("status_code", "200"),
                ("http_server", "a"),
                ("status_code_2", "x"),
                ("f_9lives", "y"),
            ])
        );
    }

    #[test]
    fn rejects_what_is_not_one_flat_object() {
        assert_eq!(parse_answer("user=admin"), Err(GuardError::NoObject));
        assert_eq!(
            parse_answer("{\"user\": \"adm"),
            Err(GuardError::Unterminated)
        );
        assert!(matches!(
            parse_answer("{user: admin}"),
            Err(GuardError::Invalid(_))
        ));
        assert!(matches!(
            parse_answer("{\"a\": \"b\",}"),
            Err(GuardError::Invalid(_))
        ));
        assert_eq!(
            parse_answer(r#"{"a": "1", "b": {"c": "2"}}"#),
            Err(GuardError::NotFlat("b".into()))
        );
        assert_eq!(
            parse_answer(r#"{"a": [1, 2]}"#),
            Err(GuardError::NotFlat("a".into()))
        );
        assert_eq!(parse_answer("{}"), Ok(Fields::default()));
    }

    #[test]
    fn scanner_handles_escapes_and_pieces() {
        let text = r#"x {"a": "q\"}\\", "b": "{"} tail"#;
        let r = first_object(text).unwrap();
        assert_eq!(&text[r], r#"{"a": "q\"}\\", "b": "{"}"#);
        // The same, fed one byte at a time.
        let mut s = ObjectScanner::new();
        let mut got = None;
        for (i, _) in text.char_indices() {
            if let Some(r) = s.feed(&text[i..i + 1]) {
                got = Some(r);
                break;
            }
        }
        assert_eq!(got, first_object(text));
        assert!(s.started());
    }

    #[test]
    fn snake_case() {
        assert_eq!(to_snake("userName"), "user_name");
        assert_eq!(to_snake("src.ip"), "src_ip");
        assert_eq!(to_snake("  Duration (ms) "), "duration_ms");
        assert_eq!(to_snake("already_snake"), "already_snake");
        assert_eq!(to_snake("--"), "");
    }
}
