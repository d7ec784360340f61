//! Every finding kind on its fixture: detected, with evidence, advice, commands and queries, at the expected
//! severity, with the details that make it a diagnosis (root cause, precursors, offending clients).

mod common;
use common::*;
use logsieve_engine::Severity;

#[test]
fn hikari_pool_exhausted_after_websocket_surge() {
    let (_, a) = analyze("spring_hikari_websocket.log");
    let f = one(&a, "db_pool_exhausted");
    assert_complete(f);
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.title.contains("HikariPool-1"), "{}", f.title);
    // First failure: the first error line of the file.
    let first_error = std::str::from_utf8(&read_fixture("spring_hikari_websocket.log"))
        .unwrap()
        .lines()
        .position(|l| l.contains(" ERROR "))
        .unwrap() as u64
        + 1;
    assert_eq!(f.evidence.lines[0], first_error);
    assert!(
        f.first_seen
            .as_deref()
            .unwrap()
            .starts_with("2024-03-05T03:00"),
        "{:?}",
        f.first_seen
    );
    // The causal chain: the WebSocket surge (and the update it runs) before the failure.
    assert!(
        f.summary
            .contains("'WebSocket session opened: id=<*>, user=<*>, meeting=<*>' rose"),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("update t_md_meeting"), "{}", f.summary);
    let rc = f.root_cause.as_deref().unwrap();
    assert!(
        rc.contains("WebSocket session opened") && rc.contains("MeetingPresenceService.markOnline"),
        "{rc}"
    );
    assert!(
        rc.to_lowercase()
            .contains("all 10 connections of hikaripool-1"),
        "{rc}"
    );
    assert!(
        f.hotfix.iter().any(|h| h.contains("HikariPool-1")),
        "{:?}",
        f.hotfix
    );
    assert!(
        f.queries.logql.contains("Connection is not available")
            || f.queries.logql.contains("HikariPool"),
        "{}",
        f.queries.logql
    );

    // The burst: systemic, onset at the first error, explained by the pool.
    let b = one(&a, "error_burst");
    assert_complete(b);
    assert_eq!(b.severity, Severity::High);
    assert!(b.title.starts_with("Systemic"), "{}", b.title);
    assert_eq!(b.evidence.lines[0], first_error);
    assert!(
        b.root_cause.as_deref().unwrap().contains("HikariPool-1"),
        "{:?}",
        b.root_cause
    );
    assert_eq!(a.incidents.len(), 1);
    let inc = &a.incidents[0];
    assert_eq!(inc.class, "systemic");
    assert_eq!(inc.onset_line, first_error);
    let p = &inc.precursors[0];
    assert!(p.template.starts_with("WebSocket session opened"), "{p:?}");
    assert!(p.factor >= 20.0, "{p:?}");
}

#[test]
fn hikari_with_template_ids() {
    // The same diagnosis when template ids come from the engine's template miner (as in `logsieve analyze`).
    use logsieve_engine::template::{TemplateId, TemplateMiner};
    use logsieve_engine::{pipeline::parse_all, ParseOptions};
    let data = read_fixture("spring_hikari_websocket.log");
    let mut a = logsieve_findings::Analyzer::new();
    let mut miner = TemplateMiner::new();
    let (_, r) = parse_all(&data, ParseOptions::with_year(2024), |ev| {
        let id = miner.observe(
            ev.message(),
            ev.level(),
            ev.ts().map(|t| t.unix_millis()),
            ev.line,
        );
        a.observe(ev, Some(id.0));
    });
    r.unwrap();
    let map = miner.finish();
    let analysis = a.finish_analysis(&|id| map.get(TemplateId(id)).map(|t| t.template.clone()));
    let f = one(&analysis, "db_pool_exhausted");
    assert!(
        f.summary.contains("WebSocket session opened"),
        "{}",
        f.summary
    );
}

#[test]
fn tomcat_too_many_open_files_from_sdk() {
    let (_, a) = analyze("tomcat_too_many_open_files.log");
    let f = one(&a, "fd_exhaustion");
    assert_complete(f);
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.commands.iter().any(|c| c == "ulimit -n"));
    assert!(f.commands.iter().any(|c| c.starts_with("lsof -p PID")));
    assert!(f.commands.iter().any(|c| c == "ss -s"));
    // The SDK's connection template surged before the limit was hit, and the trace points at the SDK.
    assert!(
        f.summary
            .contains("Opening new connection to sms-api.vendor-sms.com"),
        "{}",
        f.summary
    );
    assert!(
        f.root_cause
            .as_deref()
            .unwrap()
            .contains("com.vendor.sms.SmsHttpClient.open"),
        "{:?}",
        f.root_cause
    );
    assert!(f.long_term.iter().any(|l| l.contains("Reuse connections")));
}

#[test]
fn aspnet_core_out_of_memory() {
    let (_, a) = analyze("aspnet_core_oom.log");
    let f = one(&a, "oom");
    assert_complete(f);
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.title.contains(".NET OutOfMemoryException"), "{}", f.title);
    assert!(
        f.root_cause
            .as_deref()
            .unwrap()
            .contains("Acme.Reports.Export.CsvWriter.WriteRow"),
        "{:?}",
        f.root_cause
    );
    assert!(f.commands.iter().any(|c| c.starts_with("dotnet-counters")));
    assert_eq!(f.evidence.total, 5);
}

#[test]
fn kernel_oom_killer_and_restart_loop() {
    let (_, a) = analyze("kernel_oom_killer.log");
    let f = one(&a, "oom");
    assert_complete(f);
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.title.contains("kernel OOM killer killed java"),
        "{}",
        f.title
    );
    assert!(f.commands.iter().any(|c| c.starts_with("dmesg")));
    let c = one(&a, "crash_loop");
    assert_complete(c);
    assert_eq!(c.severity, Severity::High);
    assert!(
        c.title.contains("orders.service restarted 3 times"),
        "{}",
        c.title
    );
}

#[test]
fn crash_loop_with_its_cause() {
    let (_, a) = analyze("crashloop_k8s.log");
    let c = one(&a, "crash_loop");
    assert_complete(c);
    assert_eq!(c.severity, Severity::Critical);
    assert!(
        c.title.contains("PaymentsApplication restarted 5 times"),
        "{}",
        c.title
    );
    assert!(
        c.root_cause
            .as_deref()
            .unwrap()
            .contains("Connection refused"),
        "{:?}",
        c.root_cause
    );
    let r = one(&a, "connection_refused");
    assert_complete(r);
    assert!(r.title.contains("config.internal:8888"), "{}", r.title);
}

#[test]
fn nginx_upstream_failures() {
    let (_, a) = analyze("nginx_error.log");
    let t = one(&a, "timeout");
    assert_complete(t);
    assert_eq!(t.severity, Severity::High);
    assert!(
        t.title.contains("10.0.2.15:8080") && t.title.contains("upstream"),
        "{}",
        t.title
    );
    let r = one(&a, "connection_refused");
    assert_complete(r);
    assert!(r.title.contains("10.0.2.16:8080"), "{}", r.title);
    assert!(
        r.commands.iter().any(|c| c == "nc -zv 10.0.2.16 8080"),
        "{:?}",
        r.commands
    );
    let tls = one(&a, "tls_error");
    assert_complete(tls);
    assert!(
        tls.title.contains("untrusted certificate chain"),
        "{}",
        tls.title
    );
    let d = one(&a, "dns_failure");
    assert_complete(d);
    assert!(d.title.contains("payments.internal"), "{}", d.title);
    assert!(d
        .commands
        .iter()
        .any(|c| c == "dig +short payments.internal"));
}

#[test]
fn java_dns_tls_and_transient_timeouts() {
    let (_, a) = analyze("partner_integration.log");
    assert!(one(&a, "dns_failure")
        .title
        .contains("sftp.partner-bank.example"));
    let tls = one(&a, "tls_error");
    assert!(
        tls.root_cause
            .as_deref()
            .unwrap()
            .contains("PKIX path building failed"),
        "{:?}",
        tls.root_cause
    );
    let t = one(&a, "timeout");
    assert_eq!(t.severity, Severity::Medium, "a spike that recovered");
    let b = one(&a, "error_burst");
    assert_complete(b);
    assert_eq!(b.severity, Severity::Medium);
    assert!(b.title.starts_with("Transient"), "{}", b.title);
    assert_eq!(a.incidents[0].class, "transient");
    assert!(
        a.incidents[0].reason.contains("returned to its baseline"),
        "{}",
        a.incidents[0].reason
    );
}

#[test]
fn thread_pool_exhausted() {
    let (_, a) = analyze("thread_pool.log");
    let f = one(&a, "thread_pool_exhausted");
    assert_complete(f);
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.summary.contains("active threads 16") && f.summary.contains("queued tasks 1000"),
        "{}",
        f.summary
    );
    assert!(
        f.root_cause
            .as_deref()
            .unwrap()
            .contains("ExportService.submit"),
        "{:?}",
        f.root_cause
    );
}

#[test]
fn database_and_jvm_deadlocks() {
    let (_, a) = analyze("deadlock.log");
    let f = one(&a, "deadlock");
    assert_complete(f);
    assert_eq!(f.severity, Severity::High);
    assert!(
        f.summary.contains("MySQL/InnoDB deadlock") && f.summary.contains("JVM thread deadlock"),
        "{}",
        f.summary
    );
    assert!(f
        .commands
        .iter()
        .any(|c| c.contains("SHOW ENGINE INNODB STATUS")));
}

#[test]
fn disk_full() {
    let (_, a) = analyze("disk_full.log");
    let f = one(&a, "disk_full");
    assert_complete(f);
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.commands.iter().any(|c| c.starts_with("df -h")));
}

#[test]
fn ssh_brute_force_then_breach() {
    let (_, a) = analyze("sshd_bruteforce.log");
    let f = one(&a, "auth_failure_burst");
    assert_complete(f);
    assert_eq!(f.severity, Severity::Critical);
    assert!(
        f.title.contains("203.0.113.45") && f.title.contains("deploy"),
        "{}",
        f.title
    );
    assert!(f.summary.contains("198.51.100.23"), "{}", f.summary);
    // The successful login is among the evidence.
    let text = String::from_utf8(read_fixture("sshd_bruteforce.log")).unwrap();
    let ok = text
        .lines()
        .position(|l| l.contains("Accepted password for deploy from 203.0.113.45"))
        .unwrap() as u64
        + 1;
    assert!(f.evidence.lines.contains(&ok), "{:?}", f.evidence.lines);
    assert!(f.hotfix[0].contains("compromised"), "{:?}", f.hotfix);
}

#[test]
fn web_attacks_with_offending_clients() {
    let (_, a) = analyze("nginx_attacks.log");
    for (kind, ip) in [
        ("sql_injection", "45.146.165.37"),
        ("xss_attempt", "193.32.162.58"),
        ("path_traversal", "92.118.39.71"),
        ("command_injection", "141.98.11.23"),
    ] {
        let f = one(&a, kind);
        assert_complete(f);
        assert_eq!(f.severity, Severity::High, "{kind}");
        assert!(f.summary.contains(ip), "{kind}: {}", f.summary);
        assert!(
            f.queries.logql.contains(&ip.replace('.', "\\.")),
            "{kind}: {}",
            f.queries.logql
        );
        assert!(f.queries.spl.contains(ip), "{kind}: {}", f.queries.spl);
    }
    let s = one(&a, "scanner");
    assert_complete(s);
    for tool in ["sqlmap", "nikto", "nmap", "masscan", "gobuster", "wpscan"] {
        assert!(s.summary.contains(tool), "{tool}: {}", s.summary);
    }
    assert!(
        s.summary.contains("45.9.148.10"),
        "the sensitive-path prober: {}",
        s.summary
    );
    let au = one(&a, "auth_failure_burst");
    assert_complete(au);
    assert!(au.summary.contains("203.0.113.77 (60"), "{}", au.summary);
    assert_eq!(au.severity, Severity::High);
}

#[test]
fn stack_traces_grouped_across_languages() {
    // Python: a recurring KeyError (grouped, with its application frame), and an uncaught crash.
    let (_, a) = analyze("python_worker.log");
    let ex = of_kind(&a, "exception");
    let key = ex
        .iter()
        .find(|f| f.title.starts_with("KeyError"))
        .expect("KeyError group");
    assert_complete(key);
    assert_eq!(key.severity, Severity::Medium);
    assert_eq!(key.evidence.total, 6);
    assert!(
        key.title.contains("invoices.py:88 in sync_invoice"),
        "{}",
        key.title
    );
    let zero = ex
        .iter()
        .find(|f| f.title.starts_with("ZeroDivisionError"))
        .expect("uncaught");
    assert_eq!(zero.severity, Severity::High);
    // The chained database error: root cause is the deepest exception.
    let t = a
        .traces
        .iter()
        .find(|t| t.classes.contains(&"psycopg2.OperationalError".to_string()))
        .expect("chain");
    assert_eq!(
        t.classes,
        vec![
            "worker.errors.DatabaseUnavailable",
            "psycopg2.OperationalError"
        ]
    );
    assert!(
        t.root_cause
            .starts_with("psycopg2.OperationalError: could not connect to server"),
        "{}",
        t.root_cause
    );
    assert!(one(&a, "connection_refused").root_cause.is_some());

    // Go: a panic split over several events, parsed whole.
    let (_, a) = analyze("go_panic.log");
    let g = one(&a, "exception");
    assert_complete(g);
    assert_eq!(g.severity, Severity::High);
    assert!(g.title.contains("(*Server).getOrder"), "{}", g.title);

    // Node: stacks inside pino's JSON.
    let (_, a) = analyze("node_api.log");
    let n = one(&a, "exception");
    assert_eq!(n.evidence.total, 7);
    assert!(
        n.title.contains("getUser (src/routes/users.js:42:17)"),
        "{}",
        n.title
    );
    assert_eq!(a.traces[0].count, 7);
    assert!(a.traces[0].first_seen.is_some() && a.traces[0].last_seen.is_some());

    // Java: the Hikari traces are grouped by signature, the HTTP path and the WebSocket path apart.
    let (_, a) = analyze("spring_hikari_websocket.log");
    assert!(a.traces.len() >= 2);
    let ws = a
        .traces
        .iter()
        .find(|t| {
            t.app_frame
                .as_deref()
                .is_some_and(|f| f.contains("markOnline"))
        })
        .unwrap();
    assert_eq!(ws.classes, vec!["java.sql.SQLTransientConnectionException"]);
    let http = a
        .traces
        .iter()
        .find(|t| {
            t.app_frame
                .as_deref()
                .is_some_and(|f| f.contains("getMeeting"))
        })
        .unwrap();
    assert_eq!(
        http.classes.last().unwrap(),
        "java.sql.SQLTransientConnectionException"
    );
    assert_eq!(
        http.classes[0],
        "org.springframework.jdbc.CannotGetJdbcConnectionException"
    );
}

#[test]
fn every_kind_is_covered_by_a_fixture() {
    let fixtures = [
        "spring_hikari_websocket.log",
        "tomcat_too_many_open_files.log",
        "aspnet_core_oom.log",
        "kernel_oom_killer.log",
        "sshd_bruteforce.log",
        "nginx_attacks.log",
        "nginx_error.log",
        "secrets_planted.log",
        "clean_app.log",
        "thread_pool.log",
        "deadlock.log",
        "disk_full.log",
        "crashloop_k8s.log",
        "partner_integration.log",
        "python_worker.log",
        "go_panic.log",
        "node_api.log",
    ];
    let mut kinds = std::collections::BTreeSet::new();
    let mut severities = std::collections::BTreeSet::new();
    for f in fixtures {
        let (_, a) = analyze(f);
        for x in &a.findings {
            assert_complete(x);
            kinds.insert(x.kind.clone());
            severities.insert(x.severity);
        }
    }
    for k in logsieve_findings::KINDS {
        assert!(
            kinds.contains(*k),
            "kind {k} is not produced by any fixture"
        );
    }
    for s in [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ] {
        assert!(
            severities.contains(&s),
            "severity {s:?} is not produced by any fixture"
        );
    }
}

/// The same signals in other formats and wordings than the fixtures (Go, Node, Python, PostgreSQL, Kubernetes,
/// JSON logs): each line alone must yield its kind.
#[test]
fn other_wordings_and_formats() {
    let cases: &[(&str, &str)] = &[
        ("time=2024-03-05T10:00:00Z level=error msg=\"db ping failed\" err=\"dial tcp 10.0.0.5:5432: connect: connection refused\"", "connection_refused"),
        ("{\"level\":\"error\",\"ts\":\"2024-03-05T10:00:00Z\",\"msg\":\"cache unavailable\",\"error\":\"connect ECONNREFUSED 127.0.0.1:6379\"}", "connection_refused"),
        ("<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", "oom"),
        ("2024-03-05 10:00:00 UTC [812] FATAL:  sorry, too many clients already", "db_pool_exhausted"),
        ("2024-03-05 10:00:00 UTC [812] ERROR:  deadlock detected", "deadlock"),
        ("2024-03-05 10:00:00 UTC [812] PANIC:  could not write to file \"pg_wal/xlogtemp.812\": No space left on device", "disk_full"),
        ("I0305 10:00:00.000000       1 kuberuntime_manager.go:1 \"Back-off restarting failed container\" container=\"api\" pod=\"default/api-7d9\"", "crash_loop"),
        ("W0305 10:00:00.000000       1 pod_workers.go:1] Container api in pod api-7d9 terminated: OOMKilled (exit code 137)", "oom"),
        ("2024/03/05 10:00:00 http: proxy error: context deadline exceeded", "timeout"),
        ("2024/03/05 10:00:00 [error] 7#7: *1 accept4() failed (24: Too many open files)", "fd_exhaustion"),
        ("Mar  5 10:00:00 host app[1]: ERROR tls: failed to verify certificate: x509: certificate signed by unknown authority", "tls_error"),
        ("2024-03-05T10:00:00Z ERROR dial tcp: lookup orders-db on 10.96.0.10:53: no such host", "dns_failure"),
        ("2024-03-05 10:00:00,000 ERROR [pool-1] c.a.Jobs - Task rejected: java.util.concurrent.RejectedExecutionException: Task x rejected from java.util.concurrent.ThreadPoolExecutor@1[Running, pool size = 8, active threads = 8, queued tasks = 100, completed tasks = 5]", "thread_pool_exhausted"),
        ("{\"@timestamp\":\"2024-03-05T10:00:00Z\",\"level\":\"ERROR\",\"message\":\"query failed\",\"stack_trace\":\"org.postgresql.util.PSQLException: ERROR: canceling statement due to statement timeout\\n\\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2676)\\n\\tat com.acme.Repo.find(Repo.java:12)\"}", "timeout"),
        ("2024-03-05 10:00:00 ERROR System.Net.Http.HttpRequestException: No connection could be made because the target machine actively refused it. (localhost:5001)", "connection_refused"),
        ("Mar  5 10:00:00 host kernel: [12.3] Memory cgroup out of memory: Killed process 4242 (python3) total-vm:2000000kB, anon-rss:1000000kB", "oom"),
        ("Mar  5 10:00:00 host systemd[1]: api.service: Start request repeated too quickly.", "crash_loop"),
        ("Mar  5 10:00:00 host sshd[1]: Failed password for root from 203.0.113.1 port 1 ssh2\n", "auth_failure_burst"),
    ];
    for (log, kind) in cases {
        // The auth burst needs volume: repeat that line.
        let text = if *kind == "auth_failure_burst" {
            log.repeat(12)
        } else {
            format!("{log}\n")
        };
        let (_, a) = analyze_bytes(text.as_bytes());
        assert!(
            a.findings.iter().any(|f| f.kind == *kind),
            "{kind} not found in {log:?}: {:?}",
            a.findings
                .iter()
                .map(|f| (&f.kind, &f.title))
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn needles_are_words_not_substrings() {
    let log = "2026-11-20 10:00:00,001 ERROR [push-3] c.e.push.Sender - send failed\n\
java.io.FileNotFoundException: /data/cache/a.bin (Too many open files)\n\
2026-11-20 10:00:01,001 ERROR [push-4] c.e.push.Sender - send failed\n\
java.io.FileNotFoundException: /data/cache/b.bin (Too many open files)\n\
2026-11-20 10:00:02,001 WARN [main] c.e.Net - connection timed outbound queue is 0\n\
2026-11-20 10:00:03,001 ERROR [db-1] c.e.Repo - org.springframework.dao.DeadlockLoserDataAccessException: lock\n";
    let (_, a) = analyze_bytes(log.as_bytes());
    let kinds: Vec<&str> = a.findings.iter().map(|f| f.kind.as_str()).collect();
    assert!(kinds.contains(&"fd_exhaustion"), "{kinds:?}");
    assert!(!kinds.contains(&"dns_failure"), "{kinds:?}");
    assert!(!kinds.contains(&"timeout"), "{kinds:?}");
    // A camel-case hump is a word boundary.
    assert!(kinds.contains(&"deadlock"), "{kinds:?}");
}

#[test]
fn exhaustion_names_its_suspect_first() {
    // One SDK opening a socket per message, then `Too many open files`: the opening template is the suspect,
    // paced by the message it opens the socket for, and the summary's first sentence names it.
    let (_, a) = analyze("tomcat_too_many_open_files.log");
    let f = one(&a, "fd_exhaustion");
    let top = &f.suspects[0];
    assert_eq!(top.kind, "template");
    assert!(top.name.starts_with("Opening new connection to"), "{top:?}");
    assert!(
        top.detail.contains("1 per 'Sending SMS for order"),
        "{top:?}"
    );
    assert!(top.count > 1000 && !top.lines.is_empty(), "{top:?}");
    let first_sentence = f.summary.split(". ").next().unwrap();
    assert!(
        first_sentence.contains("probably through 'Opening new connection to"),
        "{first_sentence}"
    );
    assert!(
        f.suspects.iter().any(|s| s.kind == "component"),
        "{:?}",
        f.suspects
    );
    // The pool: the update the WebSocket surge drives, and the surge itself.
    let (_, a) = analyze("spring_hikari_websocket.log");
    let f = one(&a, "db_pool_exhausted");
    assert!(
        f.suspects[0].name.contains("update t_md_meeting"),
        "{:?}",
        f.suspects
    );
    assert!(
        f.suspects
            .iter()
            .any(|s| s.name.starts_with("WebSocket session opened")),
        "{:?}",
        f.suspects
    );
    // Failures that are not exhaustion have none.
    let (_, a) = analyze("partner_integration.log");
    assert!(one(&a, "dns_failure").suspects.is_empty());
}

#[test]
fn a_burst_with_nothing_rising_names_what_dominated_and_what_was_new() {
    // 40 minutes of steady traffic (a request line every 10 s, a cache line every 30 s), one new line four minutes
    // before the onset, then errors: no rate rose, so the precursors are what filled the window and what was new.
    let mut log = String::new();
    let mut t = 0u32;
    let stamp = |s: u32| format!("2026-11-20 10:{:02}:{:02}.000", s / 60, s % 60);
    while t < 40 * 60 {
        log.push_str(&format!(
            "{} INFO 1 --- [exec-1] c.a.Web : GET /orders/{} 200\n",
            stamp(t),
            t
        ));
        if t.is_multiple_of(30) {
            log.push_str(&format!(
                "{} INFO 1 --- [exec-2] c.a.Cache : cache hit ratio {}\n",
                stamp(t + 5),
                t % 97
            ));
        }
        if t == 36 * 60 {
            log.push_str(&format!(
                "{} INFO 1 --- [main] c.a.Cfg : feature flag bulk-export enabled by ops\n",
                stamp(t + 1)
            ));
        }
        t += 10;
    }
    for i in 0..40u32 {
        log.push_str(&format!(
            "{} ERROR 1 --- [exec-3] c.a.Web : export failed for order {i}\n",
            stamp(t + i)
        ));
    }
    let (_, a) = analyze_bytes(log.as_bytes());
    let inc = a.incidents.first().expect("an error burst");
    assert!(
        inc.precursors
            .iter()
            .any(|p| p.dominant && p.template.starts_with("GET /orders")),
        "{:#?}",
        inc.precursors
    );
    let new = inc
        .precursors
        .iter()
        .find(|p| p.first_new)
        .expect("the new line");
    assert!(
        new.template.starts_with("feature flag bulk-export enabled"),
        "{new:#?}"
    );
    assert!(
        new.describe().contains("first thing new"),
        "{}",
        new.describe()
    );
    assert!(inc
        .precursors
        .iter()
        .all(|p| !(p.factor >= 3.0 && !p.dominant && !p.first_new)));
}
