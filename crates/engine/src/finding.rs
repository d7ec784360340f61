//! Finding: one diagnosis with its evidence and advice. Every analysis (stack traces, resource exhaustion, bursts,
//! security, secrets, Kubernetes audit) reports in this one shape, so the page's Findings panel, `logsieve analyze`
//! and the LLM digest show them alike.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The lines that prove a finding: the first few line numbers, and how many there were in all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// 1-based line numbers of evidence events, in file order, capped at [`Evidence::CAP`].
    pub lines: Vec<u64>,
    /// How many evidence events there were in all.
    pub total: u64,
}

impl Evidence {
    pub const CAP: usize = 20;

    pub fn push(&mut self, line: u64) {
        self.total += 1;
        if self.lines.len() < Self::CAP {
            self.lines.push(line);
        }
    }
}

/// Queries that find the same events again in Loki, Kibana/Azure and Splunk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queries {
    pub logql: String,
    pub kql: String,
    pub spl: String,
}

/// Where a Kubernetes finding points, and the corrected YAML for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct K8sTarget {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub container: Option<String>,
    /// Path of the offending setting inside the object, e.g. `spec.template.spec.containers[0].securityContext`.
    pub yaml_path: String,
    /// The corrected YAML fragment for the object.
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable machine name, e.g. `oom`, `db_pool_exhausted`, `sql_injection`, `k8s_privileged`.
    pub kind: String,
    pub severity: Severity,
    pub title: String,
    /// What happened and why: the causal chain when there is one.
    pub summary: String,
    pub root_cause: Option<String>,
    pub evidence: Evidence,
    /// RFC 3339 times of the first and last evidence event, when they have times.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub hotfix: Vec<String>,
    pub long_term: Vec<String>,
    /// Commands to confirm on the host, e.g. `ulimit -n`, `jstack PID`, `kubectl describe pod …`.
    pub commands: Vec<String>,
    pub queries: Queries,
    /// Kubernetes findings only.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub k8s: Option<K8sTarget>,
    /// For resource exhaustion: what most plausibly consumed the resource, most likely first.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub suspects: Vec<Suspect>,
}

/// A suspect of a resource-exhaustion finding: an operation (a template) that consumed the resource, or a
/// component or thread the failing events name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspect {
    /// `template`, `component` or `thread`.
    pub kind: String,
    /// The template's text or the component's or thread's name (redacted).
    pub name: String,
    /// Events of it: before the failure for a template, among the failing events for a component or thread.
    pub count: u64,
    /// Its numbers in words (`1,812 before the limit, 1 per 'Sending SMS …', rose 21×`).
    pub detail: String,
    /// Lines where it appears.
    pub lines: Vec<u64>,
}
