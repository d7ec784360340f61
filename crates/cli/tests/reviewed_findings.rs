//! The precision check (issue #13): `logsieve analyze` over every log and manifest in `../shared` (loghub, the
//! samples), each finding reviewed by hand once and committed with its verdict in `tests/reviewed-findings.tsv`.
//! A finding that appears or disappears fails this test, so a change to a detector shows up here as a diff to
//! review, not as a silent change in what users are told.
//!
//! To accept a change: `LOGSIEVE_REVIEW=write cargo test -p logsieve-cli --test reviewed_findings`, which rewrites
//! the file keeping the verdicts of findings still there and marking new ones `unreviewed`; the test fails until
//! every row has a verdict (`ok`, or `false-positive: why`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const REVIEW: &str = "tests/reviewed-findings.tsv";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared_dir() -> PathBuf {
    match std::env::var_os("LOGSIEVE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => repo().join("../shared"),
    }
}

/// Every log and manifest under ../shared/loghub and ../shared/samples (not the CSV annotations or the notes).
fn inputs(shared: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("log" | "yml" | "yaml" | "json")
            ) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&shared.join("loghub"), &mut out);
    walk(&shared.join("samples"), &mut out);
    out
}

/// `path<TAB>kind<TAB>severity<TAB>title` per finding, in the order `analyze` gives them.
fn findings(shared: &Path, file: &Path) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_logsieve"))
        .args(["analyze", "--json", "--year", "2026"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("analyze --json");
    let rel = file.strip_prefix(shared).unwrap().display().to_string();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").replace(['\t', '\n'], " ");
            format!("{rel}\t{}\t{}\t{}", s("kind"), s("severity"), s("title"))
        })
        .collect()
}

#[test]
fn every_finding_on_the_shared_data_is_reviewed() {
    let shared = shared_dir();
    let files = inputs(&shared);
    assert!(files.len() >= 30, "../shared has its logs and samples");
    let got: Vec<String> = files.iter().flat_map(|f| findings(&shared, f)).collect();

    let path = repo().join(REVIEW);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    // Finding -> verdict (the last column).
    let reviewed: BTreeMap<String, String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.rsplit_once('\t'))
        .map(|(f, v)| (f.to_string(), v.to_string()))
        .collect();

    if std::env::var("LOGSIEVE_REVIEW").as_deref() == Ok("write") {
        let mut out = String::from(
            "# Every finding of `logsieve analyze --year 2026` on ../shared (see crates/cli/tests/reviewed_findings.rs),\n\
             # reviewed by hand: path, kind, severity, title, verdict (`ok` or `false-positive: why`).\n",
        );
        for g in &got {
            let v = reviewed.get(g).map_or("unreviewed", String::as_str);
            out.push_str(&format!("{g}\t{v}\n"));
        }
        std::fs::write(&path, out).unwrap();
    }

    let missing: Vec<&String> = reviewed.keys().filter(|k| !got.contains(k)).collect();
    let new: Vec<&String> = got.iter().filter(|g| !reviewed.contains_key(*g)).collect();
    let unreviewed: Vec<&String> = reviewed
        .iter()
        .filter(|(_, v)| !(v.as_str() == "ok" || v.starts_with("false-positive: ")))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && new.is_empty() && unreviewed.is_empty(),
        "{REVIEW} differs from what analyze finds now.\n\ngone:\n{}\n\nnew:\n{}\n\nwithout a verdict:\n{}",
        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
        new.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
        unreviewed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n"),
    );
    // The README states the reviewed false-positive count; keep them in step.
    let fp = reviewed
        .values()
        .filter(|v| v.starts_with("false-positive"))
        .count();
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("{fp} of the {} findings", reviewed.len())),
        "README.md should say \"{fp} of the {} findings\" were reviewed false positives",
        reviewed.len()
    );
}
