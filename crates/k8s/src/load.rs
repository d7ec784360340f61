//! Structured input: YAML (multi-document, Helm-rendered, `kind: List`) or JSON (one object, a List, or an array),
//! flattened into Kubernetes objects that remember where they sit in the input.

use std::str::FromStr;

use crate::node::{from_yaml_edit, LineIndex, Node, Seg, Val};
use crate::K8sError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

#[derive(Debug, Clone)]
pub struct Obj {
    /// Index of the YAML document (JSON: 0).
    pub doc: usize,
    /// Path from the document root to the object (`items[3]` inside a List).
    pub prefix: Vec<Seg>,
    pub node: Node,
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub namespace: Option<String>,
    pub line: u64,
}

impl Obj {
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {}/{}", self.kind, ns, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

pub struct Loaded {
    pub format: Format,
    /// Document roots (YAML documents; JSON: the one top value).
    pub docs: Vec<Node>,
    pub objs: Vec<Obj>,
    /// JSON indent unit as found in the input.
    pub json_indent: String,
}

pub fn load(text: &str) -> Result<Loaded, K8sError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        load_json(text)
    } else {
        load_yaml(text)
    }
}

fn load_yaml(text: &str) -> Result<Loaded, K8sError> {
    let file = yaml_edit::YamlFile::from_str(text).map_err(|e| K8sError::Yaml(e.to_string()))?;
    let li = LineIndex::new(text);
    let mut docs = Vec::new();
    for doc in file.documents() {
        let node = match doc.as_mapping() {
            Some(m) => {
                let line = li.line(m.byte_range().start as usize);
                Node {
                    v: Val::Map(crate::node::mapping_entries(&m, &li)),
                    line,
                }
            }
            None => match doc.as_sequence() {
                Some(s) => from_yaml_edit(&yaml_edit::YamlNode::Sequence(s), &li),
                None => Node::null(),
            },
        };
        docs.push(node);
    }
    let mut objs = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        collect(doc, i, Vec::new(), &mut objs);
    }
    Ok(Loaded {
        format: Format::Yaml,
        docs,
        objs,
        json_indent: "  ".into(),
    })
}

fn load_json(text: &str) -> Result<Loaded, K8sError> {
    let root: Node = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| K8sError::Json(e.to_string()))?;
    let mut objs = Vec::new();
    collect(&root, 0, Vec::new(), &mut objs);
    // serde gives no positions: find each object's name in the text, in order, for evidence lines.
    let li = LineIndex::new(text);
    let mut cursor = 0;
    for obj in &mut objs {
        let needle = format!("\"{}\"", obj.name);
        if let Some(pos) = text[cursor..].find(&needle) {
            obj.line = li.line(cursor + pos);
            obj.node.line = obj.line;
            cursor += pos + needle.len();
        }
    }
    let json_indent = detect_json_indent(text);
    Ok(Loaded {
        format: Format::Json,
        docs: vec![root],
        objs,
        json_indent,
    })
}

fn detect_json_indent(text: &str) -> String {
    for line in text.lines().skip(1) {
        let ws: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        if !ws.is_empty() {
            return ws;
        }
    }
    "    ".into()
}

fn collect(node: &Node, doc: usize, prefix: Vec<Seg>, out: &mut Vec<Obj>) {
    match &node.v {
        Val::Seq(items) if prefix.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                collect(item, doc, vec![Seg::Index(i)], out);
            }
        }
        Val::Map(_) => {
            let kind = node
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_string();
            if kind.is_empty() {
                return;
            }
            if kind == "List" || (kind.ends_with("List") && node.get("items").is_some()) {
                if let Some(items) = node.get("items").and_then(Node::as_seq) {
                    for (i, item) in items.iter().enumerate() {
                        let mut p = prefix.clone();
                        p.push(Seg::Key("items".into()));
                        p.push(Seg::Index(i));
                        // Items of a typed list (PodList) may leave out their own kind.
                        let mut item = item.clone();
                        if item.get("kind").is_none() && kind != "List" {
                            let item_kind = kind.trim_end_matches("List").to_string();
                            item.set("kind", Node::str(item_kind));
                        }
                        collect(&item, doc, p, out);
                    }
                }
                return;
            }
            let meta = node.get("metadata");
            let name = meta
                .and_then(|m| m.get("name"))
                .and_then(Node::as_text)
                .or_else(|| {
                    meta.and_then(|m| m.get("generateName"))
                        .and_then(Node::as_text)
                        .map(|g| format!("{g}*"))
                })
                .unwrap_or_else(|| "(unnamed)".into());
            let namespace = meta
                .and_then(|m| m.get("namespace"))
                .and_then(Node::as_text)
                .filter(|s| !s.is_empty());
            out.push(Obj {
                doc,
                prefix,
                node: node.clone(),
                kind,
                api_version: node
                    .get("apiVersion")
                    .and_then(Node::as_text)
                    .unwrap_or_default(),
                name,
                namespace,
                line: node.line,
            });
        }
        _ => {}
    }
}
