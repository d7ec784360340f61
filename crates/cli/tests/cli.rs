//! The `logsieve` binary as a script sees it: exit codes, one-line messages, NDJSON on stdout.

use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_logsieve"))
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut sin = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = sin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("logsieve-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn shared_dir() -> PathBuf {
    match std::env::var_os("LOGSIEVE_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn log_text(n: usize) -> String {
    (0..n)
        .map(|i| format!("2024-01-15T10:00:{:02}Z event number {i}\n", i % 60))
        .collect()
}

#[test]
fn parse_reads_stdin_and_writes_one_json_object_per_event() {
    let out = run_with_stdin(&["parse", "-", "--year", "2020"], log_text(50).as_bytes());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 50);
    assert_eq!(rows[49]["line"], 50);
    for key in [
        "line",
        "end_line",
        "ts",
        "level",
        "component",
        "pid",
        "thread",
        "trace_id",
        "host",
        "message",
        "format",
    ] {
        assert!(rows[0].get(key).is_some(), "missing key {key}");
    }
}

#[test]
fn gzip_and_plain_files_give_identical_output() {
    let text = log_text(2000);
    let plain = temp_file("plain.log", text.as_bytes());
    let zipped = temp_file("zipped.log.gz", &gz(text.as_bytes()));
    let a = bin().args(["parse"]).arg(&plain).output().unwrap();
    let b = bin().args(["parse"]).arg(&zipped).output().unwrap();
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(String::from_utf8_lossy(&a.stdout).lines().count(), 2000);
}

#[test]
fn truncated_gzip_prints_what_was_readable_then_fails_with_one_line() {
    let text = log_text(20_000);
    let z = gz(text.as_bytes());
    let cut = temp_file("cut.log.gz", &z[..z.len() / 2]);
    let out = bin().arg("parse").arg(&cut).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let events = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(events > 1000, "{events} events kept");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn unreadable_input_fails_with_a_one_line_message() {
    for (args, expect) in [
        (vec!["parse", "/no/such/file.log"], "no such file"),
        (vec!["stats", "/"], "is a directory"),
        (vec!["frobnicate", "x"], "unknown command"),
        (vec!["parse"], "missing FILE"),
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(expect), "{args:?}: {err}");
    }
}

#[test]
fn stats_reports_counts_and_speed() {
    let f = temp_file(
        "stats.log",
        b"2024-01-15T10:00:00Z one\r\n2024-01-15T11:00:00Z two \xff\n",
    );
    let out = bin().arg("stats").arg(&f).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["events"], 2);
    assert_eq!(v["lines"], 2);
    assert_eq!(v["invalid_utf8_lines"], 1);
    assert!(v["mb_per_s"].as_f64().is_some());
    assert!(v["formats"].as_object().is_some());
}

#[test]
fn empty_file_is_fine() {
    let f = temp_file("empty.log", b"");
    let out = bin().arg("parse").arg(&f).output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn every_loghub_dataset_yields_one_event_per_line() {
    let root = shared_dir().join("loghub");
    let mut seen = 0;
    for entry in std::fs::read_dir(&root).expect("../shared/loghub is present") {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let log = dir.join(format!("{name}_2k.log"));
        if !log.exists() {
            continue;
        }
        let out = bin().arg("parse").arg(&log).output().unwrap();
        assert!(out.status.success(), "{name}");
        let text = String::from_utf8(out.stdout).unwrap();
        let mut n = 0;
        for (i, l) in text.lines().enumerate() {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(
                v["line"],
                i as u64 + 1,
                "{name}: event {i} is not line {}",
                i + 1
            );
            assert_ne!(v["format"], "unknown", "{name} line {}", i + 1);
            n += 1;
        }
        assert_eq!(n, 2000, "{name}");
        seen += 1;
    }
    assert!(
        seen >= 8,
        "only {seen} datasets found under {}",
        root.display()
    );
}

#[test]
fn parse_and_templates_agree() {
    let log = shared_dir().join("loghub/HDFS/HDFS_2k.log");
    let parsed = bin().arg("parse").arg(&log).output().unwrap();
    assert!(parsed.status.success());
    let templates = bin().arg("templates").arg(&log).output().unwrap();
    assert!(templates.status.success());
    let list: Vec<serde_json::Value> = serde_json::from_slice(&templates.stdout).unwrap();
    assert!(
        list.len() > 5 && list.len() < 100,
        "{} templates",
        list.len()
    );
    let counts: Vec<u64> = list.iter().map(|t| t["count"].as_u64().unwrap()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first"
    );
    assert_eq!(counts.iter().sum::<u64>(), 2000);
    let by_id: std::collections::HashMap<u64, (&str, u64)> = list
        .iter()
        .map(|t| {
            (
                t["id"].as_u64().unwrap(),
                (
                    t["template"].as_str().unwrap(),
                    t["count"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    let mut seen: std::collections::HashMap<u64, u64> = Default::default();
    for line in String::from_utf8(parsed.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["template_id"].as_u64().expect("template_id");
        let (text, _) = by_id[&id];
        assert_eq!(v["template"], text);
        *seen.entry(id).or_default() += 1;
    }
    for (id, n) in seen {
        assert_eq!(by_id[&id].1, n, "count of template {id}");
    }
}

#[test]
fn k8s_fix_output_passes_its_own_audit() {
    let dir = shared_dir().join("samples/k8s_manifests");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("../shared/samples/k8s_manifests") {
        let path = entry.unwrap().path();
        let before = logsieve_k8s::audit(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(
            before.max_severity() > Some(logsieve_engine::Severity::Low),
            "{}: the sample should have a finding above low",
            path.display()
        );
        let out = bin().arg("k8s-fix").arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", path.display());
        let fixed = String::from_utf8(out.stdout).unwrap();
        let after = logsieve_k8s::audit(&fixed).unwrap();
        let above_low: Vec<_> = after
            .findings
            .iter()
            .filter(|f| f.severity > logsieve_engine::Severity::Low)
            .map(|f| f.kind.clone())
            .collect();
        assert!(above_low.is_empty(), "{}: {above_low:?}", path.display());
        n += 1;
    }
    assert!(n >= 20, "{n} samples");
}

#[test]
fn k8s_fix_refuses_text_it_cannot_fix() {
    let f = temp_file("plain.log", b"just a log line\n");
    let out = bin().arg("k8s-fix").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
}

fn findings_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../findings/tests/fixtures")
        .join(name)
}

/// The planted values of the secrets fixture (label TAB value).
fn planted_secrets() -> Vec<String> {
    std::fs::read_to_string(findings_fixture("secrets_planted.expect"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t').map(|(_, v)| v.to_string()))
        .collect()
}

#[test]
fn redact_keeps_the_lines_and_masks_every_planted_secret() {
    let log = findings_fixture("secrets_planted.log");
    let input = std::fs::read_to_string(&log).unwrap();
    let out = bin().arg("redact").arg(&log).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), input.lines().count());
    let planted = planted_secrets();
    assert!(planted.len() > 20);
    for value in &planted {
        assert!(input.contains(value.as_str()), "fixture holds {value}");
        assert!(!text.contains(value.as_str()), "redact left {value}");
    }
}

#[test]
fn analyze_reports_findings_without_leaking_secrets() {
    let log = findings_fixture("secrets_planted.log");
    for json in [false, true] {
        let mut cmd = bin();
        cmd.arg("analyze").arg(&log);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for value in planted_secrets() {
            assert!(
                !text.contains(value.as_str()),
                "analyze (json={json}) leaked {value}"
            );
        }
        if json {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(v["stats"]["events"].as_u64().unwrap() > 0);
            assert!(!v["templates"].as_array().unwrap().is_empty());
            let kinds: Vec<&str> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["kind"].as_str().unwrap())
                .collect();
            assert!(kinds.contains(&"secret_exposure"), "{kinds:?}");
        } else {
            assert!(text.starts_with("# logsieve incident report"), "{text}");
        }
    }
}

#[test]
fn analyze_finds_the_pool_exhaustion_and_its_precursor() {
    let out = bin()
        .arg("analyze")
        .arg(findings_fixture("spring_hikari_websocket.log"))
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &v["findings"][0];
    assert_eq!(first["kind"], "db_pool_exhausted");
    assert_eq!(first["severity"], "critical");
    assert!(first["summary"].as_str().unwrap().contains("WebSocket"));
    assert!(!first["hotfix"].as_array().unwrap().is_empty());
    assert!(!first["queries"]["logql"].as_str().unwrap().is_empty());
}

#[test]
fn analyze_audits_kubernetes_input() {
    let manifest = shared_dir().join("samples/k8s_manifests/privileged__privileged-true.yml");
    let out = bin()
        .arg("analyze")
        .arg(&manifest)
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"k8s_privileged"), "{kinds:?}");
}

#[test]
fn analyze_writes_charts_and_their_series() {
    let log = shared_dir().join("samples/access_log/apache_combined_elastic_examples.log");
    let dir = std::env::temp_dir().join(format!("logsieve-charts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin()
        .arg("analyze")
        .arg(&log)
        .arg("--charts")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let series: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("series.json")).unwrap()).unwrap();
    assert_eq!(series["events"], 10_000);
    for chart in ["volume", "status", "clients", "templates"] {
        let svg = std::fs::read_to_string(dir.join(format!("{chart}.svg"))).unwrap();
        assert!(svg.contains("<svg") && svg.contains("<rect"), "{chart}.svg");
    }
    assert!(
        !dir.join("latency.svg").exists(),
        "no request times: no latency chart"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn analyze_only_options_are_refused_elsewhere() {
    let out = bin().args(["parse", "-", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
