//! Fix operations: small edits relative to one object's root. The same list is applied to the lossless yaml-edit
//! tree (YAML output keeps comments and key order), to the owned tree (JSON output), and turned into a strategic
//! merge patch for the finding's fragment.

use std::str::FromStr;

use crate::node::{Node, Seg, Val};

#[derive(Debug, Clone)]
pub enum Op {
    /// Set a value, creating missing mappings on the way.
    Set { path: Vec<Seg>, value: Node },
    /// Remove a mapping key.
    Remove { path: Vec<Seg> },
    /// Append to a sequence, creating it when missing.
    Push { path: Vec<Seg>, value: Node },
}

/// Objects the fix adds to the input.
#[derive(Debug, Clone)]
pub enum Extra {
    /// A whole object, deduplicated by `key`.
    Object { key: String, node: Node },
    /// One key of a generated Secret (merged per namespace and name).
    SecretValue {
        namespace: Option<String>,
        secret: String,
        key: String,
        value: String,
    },
}

pub fn set(path: Vec<Seg>, value: Node) -> Op {
    Op::Set { path, value }
}

pub fn join(base: &[Seg], rest: &[&str]) -> Vec<Seg> {
    let mut p = base.to_vec();
    p.extend(rest.iter().map(|s| Seg::Key(s.to_string())));
    p
}

// ------------------------------------------------------------- owned tree

pub fn apply_node(root: &mut Node, op: &Op) {
    match op {
        Op::Set { path, value } => {
            if let Some((last, parents)) = path.split_last() {
                if let Some(parent) = walk_create(root, parents) {
                    match last {
                        Seg::Key(key) => parent.set(key, value.clone()),
                        Seg::Index(i) => {
                            if let Val::Seq(items) = &mut parent.v {
                                if let Some(slot) = items.get_mut(*i) {
                                    *slot = value.clone();
                                }
                            }
                        }
                    }
                }
            }
        }
        Op::Remove { path } => {
            if let Some((Seg::Key(key), parents)) = path.split_last() {
                if let Some(parent) = walk_create(root, parents) {
                    parent.remove(key);
                }
            }
        }
        Op::Push { path, value } => {
            let existing = root
                .at(path)
                .map(|n| matches!(n.v, Val::Seq(_)))
                .unwrap_or(false);
            if existing {
                if let Some(Node {
                    v: Val::Seq(items), ..
                }) = walk_create(root, path)
                {
                    items.push(value.clone());
                }
            } else {
                apply_node(
                    root,
                    &Op::Set {
                        path: path.clone(),
                        value: Node::seq(vec![value.clone()]),
                    },
                );
            }
        }
    }
}

fn walk_create<'a>(root: &'a mut Node, path: &[Seg]) -> Option<&'a mut Node> {
    let mut cur = root;
    for seg in path {
        cur = match seg {
            Seg::Key(key) => {
                if !matches!(cur.v, Val::Map(_)) {
                    cur.v = Val::Map(Vec::new());
                }
                if cur.get(key).map(|n| !n.is_collection()).unwrap_or(true) {
                    cur.set(key, Node::empty_map());
                }
                cur.get_mut(key)?
            }
            Seg::Index(i) => match &mut cur.v {
                Val::Seq(items) => items.get_mut(*i)?,
                _ => return None,
            },
        };
    }
    Some(cur)
}

// ---------------------------------------------------------- yaml-edit tree

fn to_ye_collection(node: &Node) -> Option<yaml_edit::YamlNode> {
    let doc = yaml_edit::Document::from_str(&node.to_yaml()).ok()?;
    if let Some(m) = doc.as_mapping() {
        return Some(yaml_edit::YamlNode::Mapping(m));
    }
    doc.as_sequence().map(yaml_edit::YamlNode::Sequence)
}

fn ye_set_key(m: &yaml_edit::Mapping, key: &str, value: &Node) {
    match &value.v {
        Val::Null => m.set(key, Option::<i64>::None),
        Val::Bool(b) => m.set(key, *b),
        Val::Int(i) => m.set(key, *i),
        Val::Float(f) => m.set(key, *f),
        Val::Str(s) => m.set(key, s.as_str()),
        Val::Seq(_) | Val::Map(_) => {
            if let Some(c) = to_ye_collection(value) {
                m.set(key, c);
            }
        }
    }
}

fn ye_set_index(s: &yaml_edit::Sequence, i: usize, value: &Node) {
    match &value.v {
        Val::Null => {
            s.set(i, Option::<i64>::None);
        }
        Val::Bool(b) => {
            s.set(i, *b);
        }
        Val::Int(n) => {
            s.set(i, *n);
        }
        Val::Float(f) => {
            s.set(i, *f);
        }
        Val::Str(t) => {
            s.set(i, t.as_str());
        }
        Val::Seq(_) | Val::Map(_) => {
            if let Some(c) = to_ye_collection(value) {
                s.set(i, c);
            }
        }
    }
}

fn ye_push(s: &yaml_edit::Sequence, value: &Node) {
    match &value.v {
        Val::Null => s.push(Option::<i64>::None),
        Val::Bool(b) => s.push(*b),
        Val::Int(n) => s.push(*n),
        Val::Float(f) => s.push(*f),
        Val::Str(t) => s.push(t.as_str()),
        Val::Seq(_) | Val::Map(_) => {
            if let Some(c) = to_ye_collection(value) {
                s.push(c);
            }
        }
    }
}

fn ye_child(cur: &yaml_edit::YamlNode, seg: &Seg) -> Option<yaml_edit::YamlNode> {
    match seg {
        Seg::Key(key) => cur.as_mapping()?.get(key.as_str()),
        Seg::Index(i) => cur.as_sequence()?.get(*i),
    }
}

/// Build `{rest[0]: {rest[1]: … value}}` for a missing branch.
fn nested(rest: &[Seg], value: &Node) -> Node {
    let mut node = value.clone();
    for seg in rest.iter().rev() {
        if let Seg::Key(key) = seg {
            node = Node::new(Val::Map(vec![(key.clone(), node)]));
        }
    }
    node
}

/// Apply one op to the yaml-edit node of an object.
pub fn apply_ye(root: &yaml_edit::YamlNode, op: &Op) {
    match op {
        Op::Set { path, value } => ye_set(root, path, value),
        Op::Remove { path } => {
            if let Some((Seg::Key(key), parents)) = path.split_last() {
                let mut cur = root.clone();
                for seg in parents {
                    match ye_child(&cur, seg) {
                        Some(next) => cur = next,
                        None => return,
                    }
                }
                if let Some(m) = cur.as_mapping() {
                    m.remove(key.as_str());
                }
            }
        }
        Op::Push { path, value } => {
            let mut cur = root.clone();
            let mut found = true;
            for seg in path {
                match ye_child(&cur, seg) {
                    Some(next) => cur = next,
                    None => {
                        found = false;
                        break;
                    }
                }
            }
            match (found, cur.as_sequence()) {
                (true, Some(s)) => ye_push(s, value),
                _ => ye_set(root, path, &Node::seq(vec![value.clone()])),
            }
        }
    }
}

fn ye_set(root: &yaml_edit::YamlNode, path: &[Seg], value: &Node) {
    let mut cur = root.clone();
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        match seg {
            Seg::Key(key) => {
                let Some(m) = cur.as_mapping() else { return };
                if last {
                    ye_set_key(m, key, value);
                    return;
                }
                match m.get(key.as_str()) {
                    Some(child) if child.is_mapping() || child.is_sequence() => cur = child,
                    _ => {
                        ye_set_key(m, key, &nested(&path[i + 1..], value));
                        return;
                    }
                }
            }
            Seg::Index(idx) => {
                let Some(s) = cur.as_sequence() else { return };
                if last {
                    ye_set_index(s, *idx, value);
                    return;
                }
                match s.get(*idx) {
                    Some(child) => cur = child,
                    None => return,
                }
            }
        }
    }
}

// ------------------------------------------------------ strategic merge patch

/// The merge key of a list field in a strategic merge patch.
fn merge_key(list_field: &str) -> Option<&'static str> {
    match list_field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "ports" => Some("containerPort"),
        _ => None,
    }
}

/// A strategic-merge patch (the `kubectl patch --type strategic` body) that makes the same change as `ops` on
/// `original`.
pub fn patch(original: &Node, ops: &[Op]) -> Node {
    let mut out = Node::empty_map();
    for op in ops {
        let (path, value, push) = match op {
            Op::Set { path, value } => (path, value.clone(), false),
            Op::Remove { path } => (path, Node::null(), false),
            Op::Push { path, value } => (path, value.clone(), true),
        };
        patch_one(&mut out, original, path, value, push);
    }
    out
}

fn patch_one(out: &mut Node, original: &Node, path: &[Seg], value: Node, push: bool) {
    let mut cur = out;
    let mut orig: Option<&Node> = Some(original);
    let mut i = 0;
    while i < path.len() {
        let last = i + 1 == path.len();
        match &path[i] {
            Seg::Key(key) => {
                let next_is_index = matches!(path.get(i + 1), Some(Seg::Index(_)));
                if last {
                    if push {
                        if cur.get(key).and_then(Node::as_seq).is_none() {
                            cur.set(key, Node::seq(Vec::new()));
                        }
                        if let Some(Node {
                            v: Val::Seq(items), ..
                        }) = cur.get_mut(key)
                        {
                            items.push(value);
                        }
                    } else {
                        cur.set(key, value);
                    }
                    return;
                }
                if next_is_index {
                    let Some(Seg::Index(idx)) = path.get(i + 1) else {
                        return;
                    };
                    let orig_item = orig
                        .and_then(|o| o.get(key))
                        .and_then(|l| l.as_seq())
                        .and_then(|l| l.get(*idx));
                    let mk = merge_key(key);
                    let key_val = mk.and_then(|mk| orig_item.and_then(|it| it.get(mk)).cloned());
                    if cur.get(key).and_then(Node::as_seq).is_none() {
                        cur.set(key, Node::seq(Vec::new()));
                    }
                    let Some(Node {
                        v: Val::Seq(items), ..
                    }) = cur.get_mut(key)
                    else {
                        return;
                    };
                    let pos = match (&mk, &key_val) {
                        (Some(mk), Some(kv)) => items.iter().position(|it| it.get(mk) == Some(kv)),
                        _ => None,
                    };
                    let pos = match pos {
                        Some(p) => p,
                        None => {
                            let mut item = Node::empty_map();
                            if let (Some(mk), Some(kv)) = (mk, key_val) {
                                item.set(mk, kv);
                            }
                            items.push(item);
                            items.len() - 1
                        }
                    };
                    orig = orig_item;
                    if i + 2 == path.len() {
                        // Replacing a whole list element: merge its fields.
                        if let Val::Map(entries) = value.v {
                            for (k2, v2) in entries {
                                items[pos].set(&k2, v2);
                            }
                        }
                        return;
                    }
                    cur = &mut items[pos];
                    i += 2;
                    continue;
                }
                if cur
                    .get(key)
                    .map(|n| !matches!(n.v, Val::Map(_)))
                    .unwrap_or(true)
                {
                    cur.set(key, Node::empty_map());
                }
                orig = orig.and_then(|o| o.get(key));
                let Some(next) = cur.get_mut(key) else { return };
                cur = next;
            }
            Seg::Index(_) => return,
        }
        i += 1;
    }
}
