//! Helpers shared by the integration tests.
#![allow(dead_code)]

use logsieve_engine::{pipeline::parse_all, Event, ParseOptions, Severity, Stats};
use logsieve_findings::{Analysis, Analyzer, Finding};
use std::path::{Path, PathBuf};

pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn read_fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The shared data directory: `LOGSIEVE_SHARED`, else `../../../shared` from this crate.
pub fn shared_dir() -> PathBuf {
    match std::env::var("LOGSIEVE_SHARED") {
        Ok(s) => PathBuf::from(s),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// The Elastic example access log (normal traffic), when the shared directory is present.
pub fn elastic_access_log() -> Option<Vec<u8>> {
    let p = shared_dir().join("samples/access_log/apache_combined_elastic_examples.log");
    std::fs::read(&p).ok()
}

/// Parses and analyzes bytes without template ids (the analyzer's own message shapes).
pub fn analyze_bytes(data: &[u8]) -> (Stats, Analysis) {
    let mut a = Analyzer::new();
    let (stats, res) = parse_all(data, ParseOptions::with_year(2024), |ev: &Event<'_>| {
        a.observe(ev, None)
    });
    res.expect("parse");
    (stats, a.finish_analysis(&|_| None))
}

pub fn analyze(name: &str) -> (Stats, Analysis) {
    analyze_bytes(&read_fixture(name))
}

pub fn of_kind<'a>(a: &'a Analysis, kind: &str) -> Vec<&'a Finding> {
    a.findings.iter().filter(|f| f.kind == kind).collect()
}

/// The single (or most severe) finding of `kind`; panics with the list of kinds when there is none.
pub fn one<'a>(a: &'a Analysis, kind: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.kind == kind)
        .unwrap_or_else(|| {
            panic!(
                "no {kind} finding; got: {:?}",
                a.findings
                    .iter()
                    .map(|f| (&f.kind, f.severity, &f.title))
                    .collect::<Vec<_>>()
            )
        })
}

/// Every finding is complete: title, summary, evidence within bounds, advice, commands and queries.
pub fn assert_complete(f: &Finding) {
    assert!(!f.title.is_empty(), "{}: title", f.kind);
    assert!(!f.summary.is_empty(), "{}: summary", f.kind);
    assert!(!f.evidence.lines.is_empty(), "{}: evidence lines", f.kind);
    assert!(f.evidence.lines.len() <= 20, "{}: evidence capped", f.kind);
    assert!(
        f.evidence.total >= f.evidence.lines.len() as u64,
        "{}: evidence total",
        f.kind
    );
    assert!(
        f.evidence.lines.windows(2).all(|w| w[0] < w[1]),
        "{}: evidence in file order: {:?}",
        f.kind,
        f.evidence.lines
    );
    assert!(!f.hotfix.is_empty(), "{}: hotfix", f.kind);
    assert!(!f.long_term.is_empty(), "{}: long-term", f.kind);
    assert!(!f.commands.is_empty(), "{}: commands", f.kind);
    assert!(
        !f.queries.logql.is_empty() && !f.queries.kql.is_empty() && !f.queries.spl.is_empty(),
        "{}: queries",
        f.kind
    );
}

pub fn max_severity(a: &Analysis) -> Option<Severity> {
    a.findings.iter().map(|f| f.severity).max()
}
