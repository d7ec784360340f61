//! logsieve-k8s: a Kubernetes audit over manifests and cluster state, with the corrected YAML for every finding.
//!
//! Inputs are auto-detected ([`detect`]): manifests as YAML (multi-document, Helm-rendered, `kind: List`) or JSON;
//! `kubectl get pods [-A] [-o wide]` and `kubectl get events [-A]` tables; `kubectl describe pod` text (several
//! of these may be pasted together); and `kubectl get pods -o yaml/json` (Pods with `status`, Events).
//!
//! [`audit`] returns [`Finding`]s in the shape every logsieve analysis uses, each with `k8s: Some(K8sTarget)`: the
//! object, the YAML path, and a fix fragment (a strategic-merge patch, or whole objects such as a LimitRange). [`fix`]
//! writes the whole input back with every manifest fix applied; YAML keeps its comments, key order and layout (edits
//! go through the lossless yaml-edit tree), JSON keeps its key order and indent.
//!
//! The crate is a plain library with no I/O: it builds for wasm32 and runs in the page's worker.

mod cluster;
mod issue;
mod load;
mod manifest;
mod node;
mod ops;
mod quantity;
mod state;

use std::collections::BTreeMap;
use std::str::FromStr;

use logsieve_engine::{Finding, Severity};
use serde::{Deserialize, Serialize};

use crate::issue::{extras_yaml, secret_object, Issue};
use crate::load::{Format, Loaded};
use crate::node::{Node, Seg, Val};
use crate::ops::{apply_node, apply_ye, patch, Extra};

pub use logsieve_engine::K8sTarget;

/// What kind of Kubernetes input a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum K8sInputKind {
    /// Manifests or `kubectl get -o yaml` output.
    Yaml,
    /// The same as JSON.
    Json,
    /// `kubectl get pods [-A] [-o wide]`.
    GetPods,
    /// `kubectl get events [-A] [-o wide]`.
    GetEvents,
    /// `kubectl describe pod`.
    DescribePod,
    /// Several kubectl text outputs pasted together.
    KubectlText,
}

impl K8sInputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            K8sInputKind::Yaml => "yaml",
            K8sInputKind::Json => "json",
            K8sInputKind::GetPods => "get_pods",
            K8sInputKind::GetEvents => "get_events",
            K8sInputKind::DescribePod => "describe_pod",
            K8sInputKind::KubectlText => "kubectl_text",
        }
    }

    /// Manifests that [`fix`] can rewrite.
    pub fn is_structured(self) -> bool {
        matches!(self, K8sInputKind::Yaml | K8sInputKind::Json)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum K8sError {
    /// Nothing in the text looks like Kubernetes input.
    NotKubernetes,
    /// kubectl text output: there is no manifest to rewrite (the findings still carry fix fragments).
    NotManifest,
    Yaml(String),
    Json(String),
}

impl std::fmt::Display for K8sError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            K8sError::NotKubernetes => write!(
                f,
                "not Kubernetes input (no manifest, kubectl table or describe output found)"
            ),
            K8sError::NotManifest => write!(
                f,
                "kubectl text output has no manifest to fix; each finding carries its fix fragment"
            ),
            K8sError::Yaml(e) => write!(f, "invalid YAML: {e}"),
            K8sError::Json(e) => write!(f, "invalid JSON: {e}"),
        }
    }
}

impl std::error::Error for K8sError {}

/// One object seen in the input: a manifest object, or a pod row / describe block of cluster state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct K8sObject {
    pub kind: String,
    pub api_version: Option<String>,
    pub namespace: Option<String>,
    pub name: String,
    /// 1-based line where the object starts (0 when unknown).
    pub line: u64,
    pub containers: Vec<String>,
    /// Pod status as `kubectl get pods` shows it (Running, Evicted, CrashLoopBackOff, …), for cluster state.
    pub status: Option<String>,
    pub restarts: Option<u64>,
    /// READY column (`1/2`) and AGE column of `kubectl get pods`, when the input had them.
    pub ready: Option<String>,
    pub age: Option<String>,
    pub node: Option<String>,
}

/// The result of [`audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    pub input: K8sInputKind,
    pub objects: Vec<K8sObject>,
    /// Most severe first; ties keep input order.
    pub findings: Vec<Finding>,
}

impl Audit {
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Recognise Kubernetes input from its first lines; `None` for anything else (e.g. an application log).
pub fn detect(text: &str) -> Option<K8sInputKind> {
    let text = text.trim_start_matches('\u{feff}');
    let head = prefix(text, 256 * 1024);
    let trimmed = head.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let probe = prefix(trimmed, 64 * 1024);
        return (probe.contains("\"kind\"") && probe.contains("\"apiVersion\""))
            .then_some(K8sInputKind::Json);
    }
    let sections = cluster::sniff(head);
    match sections.len() {
        0 => {}
        1 => {
            return Some(match sections[0] {
                cluster::Section::Pods => K8sInputKind::GetPods,
                cluster::Section::Events => K8sInputKind::GetEvents,
                cluster::Section::Describe => K8sInputKind::DescribePod,
            })
        }
        _ => return Some(K8sInputKind::KubectlText),
    }
    let (mut api, mut kind) = (false, false);
    for line in head.lines().take(2000) {
        let l = line.trim_start_matches([' ', '-']);
        let at_root = line.starts_with("apiVersion:")
            || line.starts_with("kind:")
            || line.trim_start().starts_with("- ");
        if l.starts_with("apiVersion:") && (at_root || line.starts_with("  ")) {
            api = true;
        }
        if l.starts_with("kind:") && (at_root || line.starts_with("  ")) {
            kind = true;
        }
        if api && kind {
            return Some(K8sInputKind::Yaml);
        }
    }
    None
}

fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Run every check that applies to the input.
pub fn audit(text: &str) -> Result<Audit, K8sError> {
    let input = detect(text).ok_or(K8sError::NotKubernetes)?;
    let mut findings = Vec::new();
    let mut objects = Vec::new();
    if input.is_structured() {
        let loaded = load::load(text)?;
        let st = cluster::from_objects(&loaded.objs);
        for obj in &loaded.objs {
            let pod = st
                .pods
                .iter()
                .find(|p| p.name == obj.name && p.namespace == obj.namespace && obj.kind == "Pod");
            objects.push(K8sObject {
                kind: obj.kind.clone(),
                api_version: Some(obj.api_version.clone()).filter(|s| !s.is_empty()),
                namespace: obj.namespace.clone(),
                name: obj.name.clone(),
                line: obj.line,
                containers: container_names(&obj.node, &obj.kind),
                status: pod.map(|p| p.status.clone()),
                restarts: pod.and_then(|p| p.restarts),
                ready: None,
                age: None,
                node: pod.and_then(|p| p.node.clone()),
            });
        }
        for issue in manifest::check(&loaded) {
            let fix = fragment(&loaded, &issue);
            findings.push(issue.into_finding(fix));
        }
        for issue in state::check(&st) {
            let fix = issue.fix_text.clone().unwrap_or_default();
            findings.push(issue.into_finding(fix));
        }
    } else {
        let st = cluster::parse_text(text);
        for p in &st.pods {
            objects.push(K8sObject {
                kind: "Pod".into(),
                api_version: None,
                namespace: p.namespace.clone(),
                name: p.name.clone(),
                line: p.line,
                containers: p.containers.iter().map(|c| c.name.clone()).collect(),
                status: Some(p.status.clone()).filter(|s| !s.is_empty()),
                restarts: p.restarts,
                ready: p.ready.clone(),
                age: p.age.clone(),
                node: p.node.clone(),
            });
        }
        for issue in state::check(&st) {
            let fix = issue.fix_text.clone().unwrap_or_default();
            findings.push(issue.into_finding(fix));
        }
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    Ok(Audit {
        input,
        objects,
        findings,
    })
}

fn container_names(node: &Node, kind: &str) -> Vec<String> {
    let Some(sp) = manifest::pod_spec_path(kind) else {
        return Vec::new();
    };
    let Some(spec) = node.at(&sp) else {
        return Vec::new();
    };
    ["initContainers", "containers"]
        .iter()
        .filter_map(|l| spec.get(l).and_then(Node::as_seq))
        .flatten()
        .filter_map(|c| c.get("name").and_then(Node::as_text))
        .collect()
}

/// The fix fragment of a manifest issue: a strategic-merge patch for the object, then any whole objects to add.
fn fragment(loaded: &Loaded, issue: &Issue) -> String {
    let mut out = String::new();
    if let (Some(idx), false) = (issue.obj, issue.ops.is_empty()) {
        let obj = &loaded.objs[idx];
        if obj.kind == "Pod" {
            out.push_str(&format!(
                "# Pod specs are immutable: merge this into the manifest of pod {} and recreate it.\n",
                obj.name
            ));
        } else {
            out.push_str(&format!(
                "# kubectl patch {} --type strategic --patch-file fix.yaml\n",
                issue::kubectl_ref(&obj.kind, &obj.name, obj.namespace.as_deref())
            ));
        }
        out.push_str(&patch(&obj.node, &issue.ops).to_yaml());
    }
    if !issue.extras.is_empty() {
        if out.is_empty() {
            out.push_str("# kubectl apply -f fix.yaml\n");
        }
        out.push_str(&extras_yaml(&issue.extras, true));
    }
    out
}

/// The whole input with every manifest fix applied. YAML keeps comments, key order and layout; objects the fixes
/// add (LimitRange, ResourceQuota, Secrets for literal env values) are appended as new documents (JSON: List items).
pub fn fix(text: &str) -> Result<String, K8sError> {
    let input = detect(text).ok_or(K8sError::NotKubernetes)?;
    if !input.is_structured() {
        return Err(K8sError::NotManifest);
    }
    let loaded = load::load(text)?;
    let issues = manifest::check(&loaded);
    let extras = collect_extras(&issues);
    match loaded.format {
        Format::Yaml => {
            let file =
                yaml_edit::YamlFile::from_str(text).map_err(|e| K8sError::Yaml(e.to_string()))?;
            let docs: Vec<yaml_edit::Document> = file.documents().collect();
            for issue in &issues {
                let Some(idx) = issue.obj else { continue };
                let obj = &loaded.objs[idx];
                let Some(doc) = docs.get(obj.doc) else {
                    continue;
                };
                let Some(root) = ye_object_root(doc, &obj.prefix) else {
                    continue;
                };
                for op in &issue.ops {
                    apply_ye(&root, op);
                }
            }
            let mut out = file.to_string();
            if !extras.is_empty() {
                if !out.ends_with('\n') && !out.is_empty() {
                    out.push('\n');
                }
                for (comment, node) in &extras {
                    out.push_str("---\n");
                    out.push_str(&format!("# {comment}\n"));
                    out.push_str(&node.to_yaml());
                }
            }
            // The YAML parser is lenient: an unclosed `[` or `{` in the input can swallow the documents appended
            // after it. Never hand back a manifest that does not load again.
            if let Err(e) = load::load(&out) {
                return Err(K8sError::Yaml(format!(
                    "the input is malformed YAML, its fixed version would not parse ({e})"
                )));
            }
            Ok(out)
        }
        Format::Json => {
            let mut root = loaded.docs[0].clone();
            for issue in &issues {
                let Some(idx) = issue.obj else { continue };
                let obj = &loaded.objs[idx];
                if let Some(target) = root.at_mut(&obj.prefix) {
                    for op in &issue.ops {
                        apply_node(target, op);
                    }
                }
            }
            if !extras.is_empty() {
                let added: Vec<Node> = extras.into_iter().map(|(_, n)| n).collect();
                let is_list = root.get("kind").and_then(Node::as_str) == Some("List")
                    && root
                        .get("items")
                        .map(|i| i.as_seq().is_some())
                        .unwrap_or(false);
                if is_list {
                    if let Some(Node {
                        v: Val::Seq(items), ..
                    }) = root.get_mut("items")
                    {
                        items.extend(added);
                    }
                } else if let Val::Seq(items) = &mut root.v {
                    items.extend(added);
                } else {
                    let mut items = vec![root];
                    items.extend(added);
                    root = Node::map(vec![
                        ("apiVersion", Node::str("v1")),
                        ("kind", Node::str("List")),
                        ("items", Node::seq(items)),
                    ]);
                }
            }
            let mut out = root.to_json(&loaded.json_indent);
            out.push('\n');
            Ok(out)
        }
    }
}

fn ye_object_root(doc: &yaml_edit::Document, prefix: &[Seg]) -> Option<yaml_edit::YamlNode> {
    let mut cur = match doc.as_mapping() {
        Some(m) => yaml_edit::YamlNode::Mapping(m),
        None => yaml_edit::YamlNode::Sequence(doc.as_sequence()?),
    };
    for seg in prefix {
        cur = match seg {
            Seg::Key(k) => cur.as_mapping()?.get(k.as_str())?,
            Seg::Index(i) => cur.as_sequence()?.get(*i)?,
        };
    }
    Some(cur)
}

/// Added objects, deduplicated, with a one-line comment each; literal env secrets merged per Secret.
fn collect_extras(issues: &[Issue]) -> Vec<(String, Node)> {
    let mut out: Vec<(String, Node)> = Vec::new();
    let mut seen = Vec::new();
    type SecretKey = (Option<String>, String);
    let mut secrets: BTreeMap<SecretKey, Vec<(String, String)>> = BTreeMap::new();
    let mut secret_order = Vec::new();
    for issue in issues {
        for extra in &issue.extras {
            match extra {
                Extra::Object { key, node } => {
                    if !seen.contains(key) {
                        seen.push(key.clone());
                        let kind = node.get("kind").and_then(Node::as_str).unwrap_or("object");
                        out.push((
                            format!(
                                "{kind} added by logsieve k8s-fix: tune the values to real usage"
                            ),
                            node.clone(),
                        ));
                    }
                }
                Extra::SecretValue {
                    namespace,
                    secret,
                    key,
                    value,
                } => {
                    let k = (namespace.clone(), secret.clone());
                    if !secrets.contains_key(&k) {
                        secret_order.push(k.clone());
                    }
                    let entry = secrets.entry(k).or_default();
                    if !entry.iter().any(|(ek, _)| ek == key) {
                        entry.push((key.clone(), value.clone()));
                    }
                }
            }
        }
    }
    for k in secret_order {
        let data = &secrets[&k];
        out.push((
            "Secret added by logsieve k8s-fix from literal env values: move it out of version control and rotate the values".into(),
            secret_object(k.0.as_deref(), &k.1, data),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_texts() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml" | "json")
                )
            })
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().to_string(),
                    std::fs::read_to_string(&p).unwrap(),
                )
            })
            .collect();
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/samples/k8s_manifests");
        if let Ok(rd) = std::fs::read_dir(shared) {
            for e in rd.flatten() {
                out.push((
                    e.file_name().to_string_lossy().to_string(),
                    std::fs::read_to_string(e.path()).unwrap(),
                ));
            }
        }
        out.sort();
        out
    }

    fn merge_key(field: &str) -> Option<&'static str> {
        match field {
            "containers" | "initContainers" | "volumes" | "env" | "imagePullSecrets" => {
                Some("name")
            }
            "volumeMounts" => Some("mountPath"),
            _ => None,
        }
    }

    /// A small strategic-merge-patch: maps merge, `null` deletes, lists with a merge key merge by it.
    fn smp(target: &mut Node, patch: &Node) {
        let Some(entries) = patch.as_map() else {
            *target = patch.clone();
            return;
        };
        for (k, v) in entries {
            if v.is_null() {
                target.remove(k);
                continue;
            }
            match (&v.v, merge_key(k)) {
                (Val::Map(_), _)
                    if target.get(k).map(|t| t.as_map().is_some()).unwrap_or(false) =>
                {
                    smp(target.get_mut(k).unwrap(), v);
                }
                (Val::Seq(items), Some(mk)) if target.get(k).and_then(Node::as_seq).is_some() => {
                    for item in items {
                        let key = item.get(mk).cloned();
                        let Some(Node {
                            v: Val::Seq(list), ..
                        }) = target.get_mut(k)
                        else {
                            unreachable!()
                        };
                        match list
                            .iter_mut()
                            .find(|t| key.is_some() && t.get(mk) == key.as_ref())
                        {
                            Some(t) => smp(t, item),
                            None => list.push(item.clone()),
                        }
                    }
                }
                _ => target.set(k, v.clone()),
            }
        }
    }

    /// Each fragment, applied alone to its object with strategic-merge semantics, clears its own finding.
    #[test]
    fn each_fragment_applies_cleanly() {
        for (name, text) in fixture_texts() {
            let loaded = load::load(&text).unwrap();
            for issue in manifest::check(&loaded) {
                if issue.ops.is_empty() && issue.extras.is_empty() {
                    continue;
                }
                let frag = fragment(&loaded, &issue);
                let fixed_text = if let Some(idx) = issue.obj {
                    let patch_doc = load::load(&frag).unwrap();
                    let mut obj = loaded.objs[idx].node.clone();
                    smp(&mut obj, &patch_doc.docs[0]);
                    let mut t = obj.to_yaml();
                    // Keep the namespace's other objects (LimitRange, ResourceQuota) in view.
                    for o in loaded
                        .objs
                        .iter()
                        .filter(|o| matches!(o.kind.as_str(), "LimitRange" | "ResourceQuota"))
                    {
                        t.push_str("---\n");
                        t.push_str(&o.node.to_yaml());
                    }
                    if !issue.extras.is_empty() {
                        t.push_str(&extras_yaml(&issue.extras, false));
                    }
                    t
                } else {
                    let all: Vec<String> = loaded.docs.iter().map(Node::to_yaml).collect();
                    format!("{}---\n{frag}", all.join("---\n"))
                };
                let after =
                    audit(&fixed_text).unwrap_or_else(|e| panic!("{name}: {e}\n{fixed_text}"));
                let left: Vec<&Finding> = after
                    .findings
                    .iter()
                    .filter(|f| {
                        let t = f.k8s.as_ref().unwrap();
                        f.kind == issue.kind
                            && f.severity > Severity::Low
                            && t.container == issue.target.container
                            && t.name == issue.target.name
                            && (f.kind != "k8s_host_path" || t.yaml_path == issue.target.yaml_path)
                    })
                    .collect();
                assert!(
                    left.is_empty(),
                    "{name}: fragment for {} did not clear it:\n{frag}\n{:#?}",
                    issue.title,
                    left
                );
            }
        }
    }

    /// The YAML path (lossless yaml-edit tree) and the JSON path (owned tree) make the same edits.
    #[test]
    fn yaml_edit_and_tree_edits_agree() {
        for (name, text) in fixture_texts()
            .into_iter()
            .filter(|(_, t)| detect(t) == Some(K8sInputKind::Yaml))
        {
            let loaded = load::load(&text).unwrap();
            let mut docs = loaded.docs.clone();
            for issue in manifest::check(&loaded) {
                let Some(idx) = issue.obj else { continue };
                let obj = &loaded.objs[idx];
                let target = docs[obj.doc].at_mut(&obj.prefix).unwrap();
                for op in &issue.ops {
                    apply_node(target, op);
                }
            }
            let fixed = load::load(&fix(&text).unwrap()).unwrap();
            assert!(fixed.docs.len() >= docs.len(), "{name}");
            for (i, d) in docs.iter().enumerate() {
                assert_eq!(
                    &fixed.docs[i],
                    d,
                    "{name}: document {i} differs\n{}",
                    fixed.docs[i].to_yaml()
                );
            }
        }
    }

    #[test]
    fn untouched_yaml_round_trips_byte_for_byte() {
        for (name, text) in fixture_texts()
            .into_iter()
            .filter(|(_, t)| detect(t) == Some(K8sInputKind::Yaml))
        {
            let file = yaml_edit::YamlFile::from_str(&text).unwrap();
            assert_eq!(file.to_string(), text, "{name}");
        }
    }
}
