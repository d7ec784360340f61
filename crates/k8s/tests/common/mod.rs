#![allow(dead_code)]

use std::path::PathBuf;

use logsieve_engine::{Finding, Severity};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixtures_dir().join(name))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// Manifest fixtures (YAML and JSON).
pub fn manifest_fixtures() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| (n.ends_with(".yaml") || n.ends_with(".json")) && !n.starts_with("pods-o-"))
        .map(|n| {
            let t = fixture(&n);
            (n, t)
        })
        .collect();
    out.sort();
    out
}

/// The shared samples (kubeaudit fixtures): `$LOGSIEVE_SHARED/samples/k8s_manifests`, else the `shared/` folder
/// beside the repository. `None` when neither exists.
pub fn samples_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var("LOGSIEVE_SHARED").ok().map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")),
    ];
    candidates
        .into_iter()
        .flatten()
        .map(|p| p.join("samples/k8s_manifests"))
        .find(|p| p.is_dir())
}

pub fn above_low(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f.severity > Severity::Low)
        .map(|f| format!("[{}] {} {}", f.severity.as_str(), f.kind, f.title))
        .collect()
}

pub fn find<'a>(
    findings: &'a [Finding],
    kind: &str,
    name: &str,
    container: Option<&str>,
) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| {
            let t = f.k8s.as_ref().expect("k8s target");
            f.kind == kind
                && t.name == name
                && (container.is_none() || t.container.as_deref() == container)
        })
        .collect()
}

pub fn one<'a>(
    findings: &'a [Finding],
    kind: &str,
    name: &str,
    container: Option<&str>,
) -> &'a Finding {
    let hits = find(findings, kind, name, container);
    assert_eq!(
        hits.len(),
        1,
        "want one {kind} for {name}/{container:?}, got {}: {:#?}",
        hits.len(),
        findings
            .iter()
            .map(|f| (&f.kind, &f.title))
            .collect::<Vec<_>>()
    );
    hits[0]
}

/// Every finding is complete: text, advice, commands, a target and a fix.
pub fn assert_complete(f: &Finding) {
    let t = f.k8s.as_ref().expect("k8s target");
    assert!(!f.title.is_empty() && !f.summary.is_empty(), "{f:?}");
    assert!(!f.hotfix.is_empty(), "no hotfix: {}", f.title);
    assert!(!f.long_term.is_empty(), "no long_term: {}", f.title);
    assert!(!f.commands.is_empty(), "no commands: {}", f.title);
    assert!(!t.kind.is_empty() && !t.name.is_empty(), "{t:?}");
    assert!(f.evidence.total > 0, "no evidence: {}", f.title);
    if f.severity > Severity::Low {
        assert!(!t.fix.trim().is_empty(), "no fix for {}", f.title);
    }
}
