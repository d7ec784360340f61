//! Detection rate and false positives of the per-request web-attack detector, on the labelled fixture
//! (attacks mixed into a shop's normal traffic) and on the Elastic example access log (real traffic, taken as
//! normal). Run with `--nocapture` to see the table (the README quotes it).

mod common;
use common::*;
use logsieve_engine::{pipeline::parse_all, ParseOptions};
use logsieve_findings::security::{WebDetector, ATTACK_KINDS};
use std::collections::BTreeMap;

/// What the detector says about each request line: the kinds it flags.
fn verdicts(data: &[u8]) -> BTreeMap<u64, Vec<&'static str>> {
    let w = WebDetector::new();
    let mut out = BTreeMap::new();
    let (_, r) = parse_all(data, ParseOptions::with_year(2024), |ev| {
        if let Some(v) = w.classify_event(ev) {
            let mut kinds: Vec<&'static str> = v.attacks.iter().map(|i| ATTACK_KINDS[*i]).collect();
            if v.tool.is_some() || v.probe.is_some() {
                kinds.push("scanner");
            }
            out.insert(ev.line, kinds);
        }
    });
    r.unwrap();
    out
}

#[test]
fn detection_rate_and_false_positives() {
    let data = read_fixture("nginx_attacks.log");
    let labels: BTreeMap<u64, String> = String::from_utf8(read_fixture("nginx_attacks.labels"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (n, k) = l.split_once('\t').unwrap();
            (n.parse().unwrap(), k.to_string())
        })
        .collect();
    let v = verdicts(&data);
    assert_eq!(
        v.len(),
        data.split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count(),
        "every line is a request"
    );
    let mut per: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let (mut normal, mut fp) = (0u32, 0u32);
    let mut misses = Vec::new();
    let mut fps = Vec::new();
    for (line, kinds) in &v {
        match labels.get(line).map(String::as_str) {
            Some("auth") => {
                // Failed logins are judged per client (auth_failure_burst), not per request; they are not attacks.
                assert!(
                    kinds.is_empty(),
                    "line {line}: a failed login flagged as {kinds:?}"
                );
            }
            Some(label) => {
                let e = per.entry(match label {
                    "sql_injection" => "sql_injection",
                    "xss_attempt" => "xss_attempt",
                    "path_traversal" => "path_traversal",
                    "command_injection" => "command_injection",
                    _ => "scanner",
                });
                let e = e.or_insert((0, 0));
                e.1 += 1;
                if kinds.contains(&label) {
                    e.0 += 1;
                } else {
                    misses.push((*line, label.to_string(), kinds.clone()));
                }
            }
            None => {
                normal += 1;
                if !kinds.is_empty() {
                    fp += 1;
                    fps.push((*line, kinds.clone()));
                }
            }
        }
    }
    let (mut det, mut tot) = (0, 0);
    println!("labelled fixture nginx_attacks.log:");
    for (k, (d, t)) in &per {
        println!("  {k:18} {d:3}/{t:<3} detected");
        det += d;
        tot += t;
    }
    let rate = det as f64 / tot as f64;
    let fp_rate = fp as f64 / normal as f64;
    println!("  detection rate     {det}/{tot} = {:.1} %", rate * 100.0);
    println!(
        "  false positives    {fp}/{normal} normal requests = {:.2} %",
        fp_rate * 100.0
    );
    println!("  misses: {misses:?}");
    println!("  false positives: {fps:?}");

    // Real traffic: the Elastic example access log, all taken as normal. Requests for well-known sensitive paths
    // (a single `/wp-login.php` on a site without WordPress) are counted apart: they are real probes, and only a
    // client probing three or more of them makes a `scanner` finding.
    if let Some(elastic) = elastic_access_log() {
        let v = verdicts(&elastic);
        let w = WebDetector::new();
        let mut probes = 0;
        let (_, r) = parse_all(&elastic, ParseOptions::with_year(2024), |ev| {
            if let Some(x) = w.classify_event(ev) {
                if x.probe.is_some() && x.attacks.is_empty() && x.tool.is_none() {
                    probes += 1;
                }
            }
        });
        r.unwrap();
        let flagged: Vec<(&u64, &Vec<&str>)> = v
            .iter()
            .filter(|(_, k)| k.iter().any(|k| *k != "scanner"))
            .collect();
        let tools = {
            let mut n = 0;
            let (_, r) = parse_all(&elastic, ParseOptions::with_year(2024), |ev| {
                if w.classify_event(ev).is_some_and(|x| x.tool.is_some()) {
                    n += 1;
                }
            });
            r.unwrap();
            n
        };
        let fp_real = flagged.len() + tools;
        println!(
            "apache_combined_elastic_examples.log: {fp_real}/{} requests flagged as attacks or attack tools = {:.2} % ({flagged:?}); {probes} requests for a sensitive path",
            v.len(),
            fp_real as f64 * 100.0 / v.len() as f64
        );
        assert!(
            fp_real * 1000 <= v.len(),
            "false positives on real traffic: {flagged:?}"
        );
    } else {
        println!("(shared access sample not found: set LOGSIEVE_SHARED)");
    }
    assert!(rate >= 0.95, "detection rate {rate}");
    assert!(fp_rate <= 0.005, "false-positive rate {fp_rate}");
}

#[test]
fn real_traffic_yields_nothing_above_low() {
    let Some(elastic) = elastic_access_log() else {
        return;
    };
    let (_, a) = analyze_bytes(&elastic);
    for f in &a.findings {
        assert!(
            f.severity <= logsieve_engine::Severity::Low,
            "{} {:?} {}",
            f.kind,
            f.severity,
            f.title
        );
    }
}
