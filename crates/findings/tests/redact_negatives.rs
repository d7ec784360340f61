//! False positives of the redactor on real logs without secrets: every line of `../shared/loghub/**/*.log` and of
//! every file under `../shared/samples/` (the repository's sibling `shared` directory, read in place; skipped
//! when it is absent). A line counts when the redactor changes anything in it; at most 0.5 % may.

use logsieve_findings::Redactor;
use std::path::{Path, PathBuf};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

fn files(dir: &Path, only_log: bool, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, only_log, out);
        } else if !only_log || p.extension().is_some_and(|e| e == "log") {
            out.push(p);
        }
    }
}

#[test]
fn few_false_positives_on_real_logs() {
    let root = shared();
    let mut paths = Vec::new();
    files(&root.join("loghub"), true, &mut paths);
    files(&root.join("samples"), false, &mut paths);
    if paths.is_empty() {
        eprintln!("no {} here: skipped", root.display());
        return;
    }
    let r = Redactor::new();
    let (mut lines, mut changed) = (0usize, 0usize);
    let mut examples = Vec::new();
    for p in &paths {
        let bytes = std::fs::read(p).expect("read");
        let text = String::from_utf8_lossy(&bytes);
        let mut lr = r.lines();
        let mut file_changed = 0;
        for line in text.lines() {
            lines += 1;
            let out = lr.line(line);
            if out != line {
                changed += 1;
                file_changed += 1;
                if examples.len() < 40 {
                    examples.push(format!(
                        "{}\n    {}\n -> {}",
                        p.strip_prefix(&root).unwrap_or(p).display(),
                        logsieve_findings::text::cut(line, 240),
                        logsieve_findings::text::cut(&out, 240)
                    ));
                }
            }
        }
        if file_changed > 0 {
            eprintln!(
                "{:>6} changed lines in {}",
                file_changed,
                p.strip_prefix(&root).unwrap_or(p).display()
            );
        }
    }
    let rate = changed as f64 / lines.max(1) as f64;
    eprintln!(
        "false positives: {changed} of {lines} lines ({:.3} %) in {} files",
        rate * 100.0,
        paths.len()
    );
    for e in &examples {
        eprintln!("{e}");
    }
    assert!(rate <= 0.005, "{changed} of {lines} lines changed");
}
