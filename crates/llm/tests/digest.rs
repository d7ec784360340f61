//! The digest of a real analysis (engine + analyzer over a generated log): budget and truncation order,
//! redaction and pseudonyms, the data block.

use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{pipeline::parse_all, ParseOptions, Stats};
use logsieve_findings::{Analysis, Analyzer};
use logsieve_llm::{
    build_digest, estimate_tokens, prepare, Digest, DigestInput, LlmConfig, Provider,
    TemplateCount, DEFAULT_BUDGET_TOKENS,
};

/// Pronounceable, digit-free words, so that each makes its own template.
fn word(mut i: usize) -> String {
    const SYL: &[&str] = &["ka", "lo", "mi", "ne", "ru", "so", "ta", "vi", "zu", "pe"];
    let mut w = String::new();
    loop {
        w.push_str(SYL[i % SYL.len()]);
        i /= SYL.len();
        if i == 0 {
            break;
        }
    }
    w
}

/// A log with many templates and findings of every severity: failures, traces, attacks, secrets, personal data.
fn big_log() -> String {
    let mut s = String::new();
    let mut sec = 0u32;
    let mut ts = || {
        sec += 1;
        format!(
            "2024-03-05 {:02}:{:02}:{:02}.000",
            3 + sec / 3600,
            (sec / 60) % 60,
            sec % 60
        )
    };
    for i in 0..600usize {
        let w = word(i);
        s += &format!("{} INFO 1 --- [main] c.a.Svc{} : {w} handler {w}{w} finished for 10.1.{}.{} in {} ms\n", ts(), i % 7, i % 250, i % 200 + 1, i);
    }
    let failures = [
        "java.lang.OutOfMemoryError: Java heap space",
        "java.net.SocketException: Too many open files",
        "java.net.ConnectException: Connection refused (Connection refused) to 10.0.0.9:5432",
        "java.net.UnknownHostException: payments.internal.example.com",
        "javax.net.ssl.SSLHandshakeException: PKIX path building failed",
        "java.io.IOException: No space left on device",
        "com.mysql.cj.jdbc.exceptions.MySQLTransactionRollbackException: Deadlock found when trying to get lock",
        "java.net.SocketTimeoutException: Read timed out from api.vendor.com",
    ];
    for round in 0..8 {
        for (k, f) in failures.iter().enumerate() {
            s += &format!(
                "{} ERROR 1 --- [exec-{k}] c.a.Worker : task {round} failed: {f}\n",
                ts()
            );
        }
    }
    for k in 0..14 {
        let class = format!("com.acme.{}.{}Exception", word(k), word(k + 30));
        for _ in 0..3 {
            s += &format!("{} ERROR 1 --- [exec-1] c.a.Api{k} : request failed\n{class}: bad state in {}\n\tat com.acme.{}.Service.run(Service.java:{})\n\tat org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1040)\n", ts(), word(k + 60), word(k), 10 + k);
        }
    }
    for i in 0..5 {
        s += &format!("{} WARN 1 --- [exec-2] c.a.Cfg{i} : password=Secr3tPw{i}x token=ghp_R8x2Lq9ZtY4mN7vB1cK3pW6sD0fH5jQ2aE8{i} user ann{i}@mail.example.com\n", ts());
    }
    for i in 0..6 {
        s += &format!("203.0.113.{i} - - [05/Mar/2024:04:00:{i:02} +0000] \"GET /item?id=1%27%20OR%201=1--{i} HTTP/1.1\" 200 51 \"-\" \"sqlmap/1.7\"\n");
        s += &format!("198.51.100.{i} - - [05/Mar/2024:04:01:{i:02} +0000] \"GET /static/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\" 404 51 \"-\" \"curl/8\"\n");
        s += &format!("192.0.2.{i} - - [05/Mar/2024:04:02:{i:02} +0000] \"GET /search?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\" 200 51 \"-\" \"Mozilla/5.0\"\n");
    }
    s
}

struct Fixture {
    stats: Stats,
    analysis: Analysis,
    templates: Vec<TemplateCount>,
}

fn analyse(log: &str) -> Fixture {
    let mut miner = TemplateMiner::new();
    let mut analyzer = Analyzer::new();
    let (stats, r) = parse_all(log.as_bytes(), ParseOptions::with_year(2024), |ev| {
        let id = miner.observe_event(ev).0;
        analyzer.observe(ev, Some(id));
    });
    r.unwrap();
    let map = miner.finish();
    let analysis = analyzer.finish_analysis(&|id| {
        map.get(logsieve_engine::template::TemplateId(id))
            .map(|t| t.template.clone())
    });
    Fixture {
        stats,
        analysis,
        templates: TemplateCount::from_map(&map),
    }
}

fn digest(f: &Fixture, budget: usize) -> Digest {
    build_digest(
        &DigestInput {
            file_name: "/home/alice/logs/app-db01.prod.example.com.log",
            stats: &f.stats,
            templates: &f.templates,
            analysis: &f.analysis,
        },
        budget,
    )
}

/// Lines of the finding entries (`[F1] …` up to the next `[F`/section), by severity word.
fn findings_in(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut current: Option<(String, bool)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("[F") {
            if let Some(c) = current.take() {
                out.push(c);
            }
            let sev = rest.split_whitespace().nth(1).unwrap_or("").to_string();
            current = Some((sev, false));
        } else if !line.starts_with(' ') {
            if let Some(c) = current.take() {
                out.push(c);
            }
        } else if line.trim() == "key lines:" {
            if let Some(c) = current.as_mut() {
                c.1 = true;
            }
        }
    }
    out.extend(current);
    out
}

/// The note on cut templates: `all 40 templates` or `the 30 least frequent of the 40 templates (kept …)`.
fn is_templates_note(o: &str) -> bool {
    o.contains(" templates (kept")
        || (o.starts_with("all ") && (o.ends_with(" templates") || o.ends_with(" template")))
}

#[test]
fn fits_the_budget_and_says_what_it_cut() {
    let f = analyse(&big_log());
    assert!(
        f.analysis.findings.len() >= 12,
        "{}",
        f.analysis.findings.len()
    );
    assert!(f.templates.len() > 100, "{}", f.templates.len());

    let full = digest(&f, usize::MAX);
    assert!(full.omitted.is_empty());
    assert!(
        full.tokens > 3000,
        "the fixture should need cutting: {}",
        full.tokens
    );

    let d = digest(&f, DEFAULT_BUDGET_TOKENS);
    assert!(d.tokens <= DEFAULT_BUDGET_TOKENS, "{}", d.tokens);
    assert_eq!(d.tokens, estimate_tokens(&d.text));

    let mut previous_findings = usize::MAX;
    for budget in (700..=5000).rev().step_by(150) {
        let d = digest(&f, budget);
        assert!(d.tokens <= budget, "budget {budget}: {} tokens", d.tokens);
        assert!(!d.omitted.is_empty(), "budget {budget}");
        assert!(
            d.text.contains(&format!(
                "Cut to fit the budget of {budget} tokens, in this order: {}.",
                d.omitted.join("; ")
            )),
            "budget {budget}"
        );
        let shown = findings_in(&d.text);
        // The most severe finding is kept longest.
        assert!(
            shown.first().is_some_and(|(s, _)| s == "critical"),
            "budget {budget}: {shown:?}"
        );
        // Findings go from the tail only, never come back with a smaller budget.
        assert!(shown.len() <= previous_findings);
        previous_findings = shown.len();
        // Low and info findings lose their key lines before anything else is cut.
        if d.omitted.iter().any(|o| is_templates_note(o)) {
            assert!(
                shown
                    .iter()
                    .all(|(s, lines)| !(s == "low" || s == "info") || !lines),
                "budget {budget}: {shown:?}"
            );
        }
        // No medium finding is dropped while a low one is still shown.
        if d.omitted.iter().any(|o| o.contains("medium finding")) {
            assert!(
                shown.iter().all(|(s, _)| s != "low" && s != "info"),
                "budget {budget}"
            );
        }
        // The order of the notes follows the documented order.
        let rank = |o: &str| -> usize {
            if is_templates_note(o) {
                return 1;
            }
            [
                "of info and low findings",
                "(templates: see is_templates_note)",
                "stack-trace group",
                "of medium findings",
                "of the error bursts",
                "info or low finding",
                "summaries cut",
                "of high and critical findings",
                "medium finding",
                "high or critical finding",
            ]
            .iter()
            .position(|k| o.contains(k))
            .unwrap_or(usize::MAX)
        };
        let ranks: Vec<usize> = d.omitted.iter().map(|o| rank(o)).collect();
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "budget {budget}: {:?}",
            d.omitted
        );
    }

    // A larger budget shows more than the default caps.
    let large = digest(&f, 60_000);
    let template_lines = large
        .text
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("× \""))
        .count();
    assert!(template_lines > 100, "{template_lines}");
    assert!(large.tokens <= 60_000);

    // A budget below the floor (the file section) still gives a digest, without findings, saying so.
    let tiny = digest(&f, 50);
    assert!(findings_in(&tiny.text).is_empty());
    assert!(
        tiny.omitted
            .iter()
            .any(|o| o.contains("high or critical finding")),
        "{:?}",
        tiny.omitted
    );
    assert!(tiny.text.contains("<log_data>") && tiny.text.contains("</log_data>"));
}

#[test]
fn redacted_and_pseudonymized() {
    let f = analyse(&big_log());
    let d = digest(&f, DEFAULT_BUDGET_TOKENS);
    for planted in [
        "Secr3tPw",
        "ghp_R8x2Lq9ZtY4mN7vB1cK3pW6sD0fH5jQ2aE8",
        "@mail.example.com",
        "ann0",
        "203.0.113.",
        "198.51.100.",
        "10.0.0.9",
        "payments.internal.example.com",
        "api.vendor.com",
        "db01.prod.example.com",
        "/home/alice",
    ] {
        assert!(!d.text.contains(planted), "{planted} in\n{}", d.text);
    }
    assert!(d.text.contains("<secret:"));
    assert!(d.text.contains("ip-1"));
    // The file name: its last component only, pseudonymized like the rest.
    assert!(
        d.text.contains("file: \"host-1.log\""),
        "{}",
        &d.text[..400]
    );
    let r = prepare(
        &LlmConfig::new(Provider::Openai, "http://127.0.0.1:1/v1", "m"),
        &d,
    )
    .unwrap();
    assert!(r.tokens > d.tokens && r.tokens < d.tokens + 1000);
}
