//! Logs without incidents: nothing above `medium`. Also: the analyzer copes with every shared loghub sample
//! (real logs of many formats) and everything it reports is complete.

mod common;
use common::*;
use logsieve_engine::Severity;

#[test]
fn clean_log_yields_nothing_above_medium() {
    let (stats, a) = analyze("clean_app.log");
    assert!(stats.events > 2000);
    for f in &a.findings {
        assert!(
            f.severity <= Severity::Medium,
            "{} {:?} {}",
            f.kind,
            f.severity,
            f.title
        );
    }
    // The one INFO-level stack trace is reported for information only.
    let e = one(&a, "exception");
    assert_eq!(e.severity, Severity::Info);
    assert!(a.incidents.is_empty());
    assert!(
        of_kind(&a, "secret_exposure").is_empty(),
        "token/timeout/TLS words in healthy lines are not findings"
    );
    assert!(
        of_kind(&a, "timeout").is_empty()
            && of_kind(&a, "tls_error").is_empty()
            && of_kind(&a, "crash_loop").is_empty()
    );
}

#[test]
fn empty_and_tiny_inputs() {
    let (_, a) = analyze_bytes(b"");
    assert!(a.findings.is_empty());
    let (_, a) = analyze_bytes(b"hello\n");
    assert!(a.findings.is_empty());
    let (stats, a) = analyze_bytes(b"\xff\xfe garbage \x00\x01\n");
    assert!(a.findings.is_empty());
    assert!(!a.markdown(&stats).is_empty());
}

#[test]
fn loghub_samples() {
    let dir = shared_dir().join("loghub");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e
            .path()
            .join(format!("{}_2k.log", e.file_name().to_string_lossy()));
        let Ok(data) = std::fs::read(&p) else {
            continue;
        };
        let (stats, a) = analyze_bytes(&data);
        for f in &a.findings {
            assert_complete(f);
        }
        let md = a.markdown(&stats);
        assert!(md.starts_with("# logsieve incident report"));
        println!(
            "{}: {:?}",
            p.file_name().unwrap().to_string_lossy(),
            a.findings
                .iter()
                .map(|f| (f.kind.as_str(), f.severity.as_str()))
                .collect::<Vec<_>>()
        );
        if p.to_string_lossy().contains("OpenSSH") {
            assert!(a
                .findings
                .iter()
                .any(|f| f.kind == "auth_failure_burst" && f.severity >= Severity::High));
        }
    }
}
