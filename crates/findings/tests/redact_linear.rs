//! The redactor never hangs and its work grows linearly with a line's length, on adversarial lines: repeated
//! keywords, digit groups, markers. Work is counted in examined bytes (`logsieve_findings::work`), not timed.

use logsieve_findings::{pii, work, Redactor};

/// The lines that once hung the digit scan (the cursor moved backwards) now finish and keep their IPs.
#[test]
fn digit_scan_moves_forward() {
    let r = Redactor::new();
    let peers = "2026-11-20 10:00:00 INFO peers: 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8";
    assert_eq!(r.redact(peers), peers);
    let dump = format!("Code: {}", "00 ".repeat(30));
    assert_eq!(r.redact(&dump), dump);
    let phones = "call 415-555-0132 ".repeat(9);
    let out = r.redact(&phones);
    assert_eq!(out.matches("<phone>").count(), 9, "{out}");
    assert!(!out.contains("555"));
    // Longer runs of groups than the old scan's 24-group window.
    let many = format!("ips {}", "192.168.1.1 ".repeat(100));
    assert_eq!(r.redact(&many), many);
    let cards = "4111 1111 1111 1111 ".repeat(40);
    assert_eq!(r.redact(&cards).matches("<card>").count(), 40);
}

fn digit_work(text: &str) -> u64 {
    work::take();
    let mut out = Vec::new();
    pii::scan(text, &mut out);
    work::take()
}

/// Every byte is examined a bounded number of times, whatever the digits.
#[test]
fn digit_scan_is_linear() {
    let units = [
        "10.0.0.1 ",
        "00 ",
        "415-555-0132 ",
        "1 ",
        "1",
        "12-",
        "1-- ",
        "+1 ",
        "4111 1111 1111 1111 ",
        "13812345678",
        "1.2",
        "(415) 555-0132 ",
    ];
    for u in units {
        for n in [1 << 12, 1 << 16] {
            let text = u.repeat(n / u.len());
            let w = digit_work(&text);
            assert!(
                w <= 4 * text.len() as u64 + 16,
                "{u:?} x{}: {w} bytes examined for {}",
                n / u.len(),
                text.len()
            );
        }
    }
}

fn secret_work(r: &Redactor, text: &str) -> u64 {
    work::take();
    let _ = r.redact(text);
    work::take()
}

/// The adversarial lines of issue #12: the work on a line twice as long is about twice the work.
#[test]
fn secret_scan_is_linear() {
    let r = Redactor::new();
    let units = [
        "sk-",
        "password=",
        "password=x ",
        "@",
        "a@b",
        "://",
        "a://b:c@",
        "-----BEGIN",
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\"",
        "12-34 ",
        "eyJ",
        "eyJhbGciOiJIUzI1NiJ9.",
        "Authorization:",
        "Authorization: ",
        "bearer:",
        "bearer ",
        "token:",
        "\"token\":\"",
        "secret=a&",
        "pwd=/",
        "ghp_",
        "xoxb-",
        "AKIA",
        "hooks.slack.com/services/",
    ];
    for u in units {
        let small = u.repeat((1 << 15) / u.len());
        let big = u.repeat((1 << 16) / u.len());
        let ws = secret_work(&r, &small).max(1);
        let wb = secret_work(&r, &big);
        assert!(
            wb <= 3 * ws + 4096,
            "{u:?}: {ws} bytes examined for {} bytes, {wb} for {}",
            small.len(),
            big.len()
        );
        assert!(
            wb <= 400 * big.len() as u64,
            "{u:?}: {wb} bytes examined for {}",
            big.len()
        );
    }
    // A secret after a megabyte of noise is still found.
    let noise = "sk-".repeat(1 << 18);
    let line = format!("{noise} password=hunter2!x");
    let out = r.redact(&line);
    assert!(
        out.ends_with("password=<secret:password>"),
        "{}",
        &out[out.len() - 60..]
    );
}

/// Prints how long 1 MB adversarial lines take (`cargo test --release -p logsieve-findings --test redact_linear
/// -- --ignored --nocapture`); asserts nothing about time.
#[test]
#[ignore]
fn print_adversarial_timings() {
    let r = Redactor::new();
    let units = [
        "sk-",
        "password=",
        "@",
        "://",
        "-----BEGIN",
        "-----BEGIN PRIVATE KEY-----",
        "12-34 ",
        "10.0.0.1 ",
        "415-555-0132 ",
        "eyJ",
        "Authorization:",
        "Authorization: Bearer ",
        "bearer:",
        "token:",
        "\"token\":\"",
        "xoxb-",
        "a@b.co ",
    ];
    for u in units {
        let line = u.repeat((1 << 20) / u.len());
        let t = std::time::Instant::now();
        let out = r.redact(&line);
        let lr = r.lines().line(&line).len();
        println!(
            "{:>32} 1 MiB: {:>8.1} ms (out {} bytes, lines {lr})",
            format!("{u:?}"),
            t.elapsed().as_secs_f64() * 1000.0,
            out.len()
        );
    }
}
