//! The internal shape of one finding before it becomes a [`Finding`]: the finding's text plus the fix as edits.

use logsieve_engine::{Evidence, Finding, K8sTarget, Queries, Severity};

use crate::node::Node;
use crate::ops::{Extra, Op};

#[derive(Debug, Clone, Default)]
pub struct Target {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub container: Option<String>,
    pub yaml_path: String,
}

#[derive(Debug, Clone)]
pub struct Issue {
    pub kind: &'static str,
    pub severity: Severity,
    pub title: String,
    pub summary: String,
    pub root_cause: Option<String>,
    pub lines: Vec<u64>,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub hotfix: Vec<String>,
    pub long_term: Vec<String>,
    pub commands: Vec<String>,
    pub queries: Queries,
    pub target: Target,
    /// Index of the manifest object the ops apply to.
    pub obj: Option<usize>,
    pub ops: Vec<Op>,
    pub extras: Vec<Extra>,
    /// A ready-made fragment (cluster-state findings, whose object is not in the input).
    pub fix_text: Option<String>,
}

impl Issue {
    pub fn new(kind: &'static str, severity: Severity, target: Target) -> Issue {
        Issue {
            kind,
            severity,
            title: String::new(),
            summary: String::new(),
            root_cause: None,
            lines: Vec::new(),
            first_seen: None,
            last_seen: None,
            hotfix: Vec::new(),
            long_term: Vec::new(),
            commands: Vec::new(),
            queries: Queries::default(),
            target,
            obj: None,
            ops: Vec::new(),
            extras: Vec::new(),
            fix_text: None,
        }
    }

    pub fn into_finding(self, fix: String) -> Finding {
        let mut evidence = Evidence::default();
        let mut lines = self.lines.clone();
        lines.sort_unstable();
        lines.dedup();
        for line in lines.into_iter().filter(|l| *l > 0) {
            evidence.push(line);
        }
        if evidence.total == 0 && !self.lines.is_empty() {
            evidence.total = self.lines.len() as u64;
        }
        Finding {
            kind: self.kind.to_string(),
            severity: self.severity,
            title: self.title,
            summary: self.summary,
            root_cause: self.root_cause,
            evidence,
            first_seen: self.first_seen,
            last_seen: self.last_seen,
            hotfix: self.hotfix,
            long_term: self.long_term,
            commands: self.commands,
            queries: self.queries,
            k8s: Some(K8sTarget {
                kind: self.target.kind,
                namespace: self.target.namespace,
                name: self.target.name,
                container: self.target.container,
                yaml_path: self.target.yaml_path,
                fix,
            }),
            suspects: Vec::new(),
        }
    }
}

/// `kubectl` resource name and namespace flag for commands.
pub fn kubectl_ref(kind: &str, name: &str, namespace: Option<&str>) -> String {
    let res = kind.to_ascii_lowercase();
    match namespace {
        Some(ns) => format!("{res} {name} -n {ns}"),
        None => format!("{res} {name}"),
    }
}

pub fn ns_flag(namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) => format!(" -n {ns}"),
        None => String::new(),
    }
}

/// Fragment for extra objects: each as its own YAML document.
pub fn extras_yaml(extras: &[Extra], redact: bool) -> String {
    let mut out = String::new();
    for extra in extras {
        match extra {
            Extra::Object { node, .. } => {
                out.push_str("---\n");
                out.push_str(&node.to_yaml());
            }
            Extra::SecretValue {
                namespace,
                secret,
                key,
                value,
            } => {
                let shown = if redact {
                    format!("<current value of {key}>")
                } else {
                    value.clone()
                };
                out.push_str("---\n");
                out.push_str(
                    &secret_object(namespace.as_deref(), secret, &[(key.clone(), shown)]).to_yaml(),
                );
            }
        }
    }
    out
}

pub fn secret_object(namespace: Option<&str>, name: &str, data: &[(String, String)]) -> Node {
    let mut meta = Node::map(vec![("name", Node::str(name))]);
    if let Some(ns) = namespace {
        meta.set("namespace", Node::str(ns));
    }
    meta.set(
        "annotations",
        Node::map(vec![(
            "logsieve.dev/note",
            Node::str("generated from literal env values; keep it out of version control (SealedSecret, External Secrets or SOPS)"),
        )]),
    );
    let string_data = Node::new(crate::node::Val::Map(
        data.iter()
            .map(|(k, v)| (k.clone(), Node::str(v.clone())))
            .collect(),
    ));
    Node::map(vec![
        ("apiVersion", Node::str("v1")),
        ("kind", Node::str("Secret")),
        ("metadata", meta),
        ("type", Node::str("Opaque")),
        ("stringData", string_data),
    ])
}
