//! Multi-line fixtures through the whole pipeline: events must join their continuation lines (Java stack traces
//! with `Caused by:` and `... N more`, ASP.NET Core's indented message lines, Python tracebacks after logfmt and
//! JSON lines) and keep their headers.

use logsieve_engine::event::FieldRef;
use logsieve_engine::pipeline::{parse_all, ParseOptions};

#[derive(Debug)]
struct Ev {
    line: u64,
    end_line: u64,
    format: &'static str,
    level: Option<&'static str>,
    component: Option<String>,
    thread: Option<String>,
    ts: Option<String>,
    pid: Option<String>,
    host: Option<String>,
    fields: Vec<(String, String)>,
    message: String,
    text: String,
}

fn events(input: &str) -> (Vec<Ev>, &'static str) {
    let mut out = Vec::new();
    let (stats, res) = parse_all(input.as_bytes(), ParseOptions::with_year(2026), |ev| {
        out.push(Ev {
            line: ev.line,
            end_line: ev.end_line,
            format: ev.format().as_str(),
            level: ev.level().map(|l| l.as_str()),
            component: ev.component().map(str::to_string),
            thread: ev.thread().map(str::to_string),
            ts: ev.ts().map(|t| t.to_rfc3339()),
            pid: ev.pid().map(str::to_string),
            host: ev.host().map(str::to_string),
            fields: ev
                .fields()
                .map(|(k, v)| {
                    let v = match v {
                        FieldRef::Text(t) => t.to_string(),
                        FieldRef::Int(i) => i.to_string(),
                        FieldRef::Float(f) => f.to_string(),
                    };
                    (k.to_string(), v)
                })
                .collect(),
            message: ev.message().to_string(),
            text: ev.text.to_string(),
        })
    });
    res.unwrap();
    (out, stats.file_format)
}

#[test]
fn spring_boot_stack_trace() {
    let input = "\
  .   ____          _            __ _ _
 /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\
 :: Spring Boot ::                (v3.2.0)

2024-01-15T10:23:45.123+01:00  INFO 4242 --- [orders] [           main] c.e.o.OrdersApplication                  : Started OrdersApplication in 2.5 seconds
2024-01-15T10:23:46.001+01:00 ERROR 4242 --- [orders] [nio-8080-exec-1] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() threw exception
org.springframework.web.util.NestedServletException: Request processing failed; nested exception is java.lang.IllegalStateException: boom
\tat org.springframework.web.servlet.FrameworkServlet.processRequest(FrameworkServlet.java:1014)
\tat org.springframework.web.servlet.FrameworkServlet.doGet(FrameworkServlet.java:898)
Caused by: java.lang.IllegalStateException: boom
\tat com.example.orders.OrderService.place(OrderService.java:42)
\t... 12 more
2024-01-15T10:23:47.000+01:00  WARN 4242 --- [orders] [nio-8080-exec-2] c.e.o.OrderController                    : Retrying order 7
";
    let (evs, file_format) = events(input);
    assert_eq!(file_format, "spring_boot");
    let app: Vec<&Ev> = evs.iter().filter(|e| e.format == "spring_boot").collect();
    assert_eq!(app.len(), 3, "{evs:#?}");
    assert_eq!((app[0].line, app[0].end_line), (5, 5));
    assert_eq!(app[0].message, "Started OrdersApplication in 2.5 seconds");
    let err = app[1];
    assert_eq!((err.line, err.end_line), (6, 12));
    assert_eq!(err.level, Some("ERROR"));
    assert_eq!(err.thread.as_deref(), Some("nio-8080-exec-1"));
    assert_eq!(
        err.component.as_deref(),
        Some("o.a.c.c.C.[.[.[/].[dispatcherServlet]")
    );
    assert!(err.message.starts_with(
        "Servlet.service() threw exception\norg.springframework.web.util.NestedServletException"
    ));
    assert!(err
        .message
        .contains("\nCaused by: java.lang.IllegalStateException: boom\n"));
    assert!(err.message.ends_with("\t... 12 more"));
    assert_eq!((app[2].line, app[2].level), (13, Some("WARN")));
    // The banner's lines are events of their own (nothing before them to join), not part of the first event.
    assert!(evs.iter().all(|e| e.line >= 5 || e.format == "unknown"));
}

#[test]
fn log4j_and_tomcat_traces() {
    let input = "\
15-Jan-2024 10:23:45.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds
15-Jan-2024 10:23:46.001 SEVERE [http-nio-8080-exec-3] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() for servlet [jsp] threw exception
java.lang.NullPointerException
\tat org.apache.jsp.index_jsp._jspService(index_jsp.java:120)
\tat javax.servlet.http.HttpServlet.service(HttpServlet.java:764)
15-Jan-2024 10:23:47.000 INFO [main] org.apache.coyote.AbstractProtocol.start Starting ProtocolHandler [\"http-nio-8080\"]
";
    let (evs, file_format) = events(input);
    assert_eq!(file_format, "tomcat_catalina");
    assert_eq!(evs.len(), 3, "{evs:#?}");
    assert_eq!(
        (evs[1].line, evs[1].end_line, evs[1].level),
        (2, 5, Some("ERROR"))
    );
    assert!(evs[1].message.ends_with("(HttpServlet.java:764)"));
}

#[test]
fn aspnet_core_indented_messages() {
    let input = "\
info: Microsoft.Hosting.Lifetime[14]
      Now listening on: http://localhost:5000
info: Microsoft.Hosting.Lifetime[0]
      Application started. Press Ctrl+C to shut down.
fail: Microsoft.AspNetCore.Server.Kestrel[13]
      Connection id \"0HN1\", Request id \"0HN1:00000001\": An unhandled exception was thrown by the application.
      System.InvalidOperationException: Boom
         at Shop.Controllers.HomeController.Index() in /src/HomeController.cs:line 12
warn: Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager[35]
      No XML encryptor configured. Key {1b6c4f3e} may be persisted to storage in unencrypted form.
";
    let (evs, file_format) = events(input);
    assert_eq!(file_format, "aspnet_core");
    assert_eq!(evs.len(), 4, "{evs:#?}");
    assert_eq!(evs[0].message, "Now listening on: http://localhost:5000");
    assert_eq!(
        evs[0].component.as_deref(),
        Some("Microsoft.Hosting.Lifetime")
    );
    assert_eq!(
        evs[1].message,
        "Application started. Press Ctrl+C to shut down."
    );
    let fail = &evs[2];
    assert_eq!(
        (fail.line, fail.end_line, fail.level),
        (5, 8, Some("ERROR"))
    );
    assert!(fail.message.starts_with("Connection id \"0HN1\""));
    assert!(fail
        .message
        .contains("\n      System.InvalidOperationException: Boom\n"));
    assert_eq!(evs[3].level, Some("WARN"));
    assert!(evs[3].message.starts_with("No XML encryptor configured."));
}

#[test]
fn python_traceback_after_logfmt() {
    let input = "\
time=2024-01-15T10:23:45Z level=error logger=app.handlers msg=\"request failed\" path=/orders
Traceback (most recent call last):
  File \"/app/handlers.py\", line 10, in handle
    raise ValueError(\"bad order\")
ValueError: bad order
time=2024-01-15T10:23:46Z level=info logger=app msg=\"next request\"
";
    let (evs, file_format) = events(input);
    assert_eq!(file_format, "logfmt");
    assert_eq!(evs.len(), 2, "{evs:#?}");
    assert_eq!((evs[0].line, evs[0].end_line), (1, 5));
    assert_eq!(evs[0].message, "request failed");
    assert_eq!(evs[0].component.as_deref(), Some("app.handlers"));
    assert!(evs[0].text.ends_with("ValueError: bad order"));
    assert_eq!(evs[1].message, "next request");
}

#[test]
fn python_traceback_after_json() {
    let input = "\
{\"time\":\"2024-01-15T10:23:45Z\",\"level\":\"ERROR\",\"name\":\"worker\",\"message\":\"job crashed\"}
Traceback (most recent call last):
  File \"/app/worker.py\", line 3, in run
    1 / 0
ZeroDivisionError: division by zero
{\"time\":\"2024-01-15T10:23:46Z\",\"level\":\"INFO\",\"name\":\"worker\",\"message\":\"job retried\"}
";
    let (evs, file_format) = events(input);
    assert_eq!(file_format, "json");
    assert_eq!(evs.len(), 2, "{evs:#?}");
    assert_eq!(
        (evs[0].line, evs[0].end_line, evs[0].level),
        (1, 5, Some("ERROR"))
    );
    assert_eq!(evs[0].message, "job crashed");
    assert!(evs[0].text.ends_with("ZeroDivisionError: division by zero"));
    assert_eq!(evs[1].message, "job retried");
}

#[test]
fn mixed_lines_fall_back_per_line() {
    // A syslog file with a stray JSON line and a line of no format: each keeps what it has.
    let input = "\
Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure
{\"level\":\"warn\",\"msg\":\"stray\"}
Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass; user unknown
something else entirely, ERROR at 2024-01-15 10:23:45
";
    let (evs, file_format) = events(input);
    assert_eq!(file_format, "syslog_rfc3164");
    let formats: Vec<&str> = evs.iter().map(|e| e.format).collect();
    assert_eq!(
        formats,
        ["syslog_rfc3164", "json", "syslog_rfc3164", "unknown"]
    );
    assert_eq!(evs[1].message, "stray");
    assert_eq!(evs[3].level, Some("ERROR"));
    assert_eq!(
        evs[3].message,
        "something else entirely, ERROR at 2024-01-15 10:23:45"
    );
}

#[test]
fn python_traceback_tail_of_any_class_and_chained() {
    // Python logging's documented default for `basicConfig(format=...)` examples: `%(asctime)s - %(name)s -
    // %(levelname)s - %(message)s`; the exception's class need not end in `Error`.
    let input = "\
2026-11-20 10:00:00,123 - app.sync - ERROR - upstream call failed
Traceback (most recent call last):
  File \"/app/sync.py\", line 40, in pull
    r = session.get(url, timeout=5)
requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.example.com', port=443): Read timed out. (read timeout=5)
2026-11-20 10:00:01,123 - app.db - ERROR - query failed
Traceback (most recent call last):
  File \"/app/db.py\", line 12, in run
    cur.execute(q)
psycopg2.OperationalError: server closed the connection unexpectedly

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File \"/app/db.py\", line 20, in handler
    run(q)
sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly
2026-11-20 10:00:02,123 - app.main - CRITICAL - interrupted
Traceback (most recent call last):
  File \"/app/main.py\", line 3, in <module>
    loop.run_forever()
KeyboardInterrupt
2026-11-20 10:00:03,123 - app.main - INFO - bye
";
    let (evs, _) = events(input);
    assert_eq!(evs.len(), 4, "{evs:#?}");
    assert_eq!((evs[0].line, evs[0].end_line), (1, 5));
    assert!(evs[0].text.ends_with("(read timeout=5)"));
    assert_eq!((evs[1].line, evs[1].end_line), (6, 17));
    assert!(evs[1]
        .text
        .ends_with("server closed the connection unexpectedly"));
    assert_eq!((evs[2].line, evs[2].end_line), (18, 22));
    assert!(evs[2].text.ends_with("KeyboardInterrupt"));
    assert!(evs[3].message.ends_with("bye"), "{:?}", evs[3].message);
    for e in &evs {
        assert!(e.level.is_some(), "{e:#?}");
    }
}

#[test]
fn after_a_traceback_ends_the_next_unindented_line_is_not_taken() {
    // Only the first unindented line after the frames is the exception; the line after it starts an event.
    let input = "\
2026-11-20 10:00:00,123 - app - ERROR - failed
Traceback (most recent call last):
  File \"/app/a.py\", line 1, in f
ValueError: bad
Done
2026-11-20 10:00:01,123 - app - INFO - next
";
    let (evs, _) = events(input);
    assert_eq!((evs[0].line, evs[0].end_line), (1, 4), "{evs:#?}");
    assert!(evs.iter().any(|e| e.line == 5), "{evs:#?}");
}

/// The share of events (in percent) that have a timestamp and a level.
fn ts_level_share(evs: &[Ev]) -> f64 {
    let n = evs
        .iter()
        .filter(|e| e.ts.is_some() && e.level.is_some())
        .count();
    n as f64 * 100.0 / evs.len() as f64
}

/// Python `logging`, the cookbook's format `%(asctime)s - %(name)s - %(levelname)s - %(message)s`
/// (https://docs.python.org/3/howto/logging-cookbook.html; the attributes:
/// https://docs.python.org/3/library/logging.html#logrecord-attributes): tracebacks stay in their event.
#[test]
fn python_logging_cookbook_fixture() {
    let (evs, file_format) = events(include_str!("fixtures/python_cookbook.log"));
    assert_eq!(file_format, "python");
    assert_eq!(evs.len(), 6, "{evs:#?}");
    assert!(evs.iter().all(|e| e.format == "python"), "{evs:#?}");
    assert_eq!(ts_level_share(&evs), 100.0);
    let e = &evs[0];
    assert_eq!(e.ts.as_deref(), Some("2026-11-20T10:00:00.001"));
    assert_eq!(e.level, Some("INFO"));
    assert_eq!(e.component.as_deref(), Some("app.main"));
    assert_eq!(e.message, "starting worker pool size=4");
    assert_eq!(evs[2].level, Some("WARN"));
    let err = &evs[3];
    assert_eq!((err.line, err.end_line, err.level), (4, 10, Some("ERROR")));
    assert!(err
        .message
        .starts_with("upstream call failed\nTraceback (most recent call last):\n"));
    assert!(err.message.ends_with("(read timeout=5)"));
    let crit = &evs[4];
    assert_eq!(
        (crit.line, crit.end_line, crit.level),
        (11, 15, Some("FATAL"))
    );
    assert!(crit.message.ends_with("\nKeyboardInterrupt"));
    assert_eq!(evs[5].message, "bye");
}

/// Python `logging` with other common format strings in one file: `%(asctime)s %(levelname)s %(name)s:
/// %(message)s`, `[%(levelname)s]`, the colon-separated one, Django's verbose `[%(asctime)s] %(levelname)s
/// [%(name)s:%(lineno)d] %(message)s` (https://docs.djangoproject.com/en/stable/topics/logging/), gunicorn's
/// error log (https://docs.gunicorn.org/en/stable/settings.html#logconfig, glogging.py) and `basicConfig()`'s
/// default `logging.BASIC_FORMAT` `%(levelname)s:%(name)s:%(message)s`.
#[test]
fn python_logging_format_strings_fixture() {
    let (evs, file_format) = events(include_str!("fixtures/python_mixed.log"));
    assert_eq!(file_format, "python");
    assert_eq!(evs.len(), 6, "{evs:#?}");
    assert!(evs.iter().all(|e| e.format == "python"), "{evs:#?}");
    let comps: Vec<Option<&str>> = evs.iter().map(|e| e.component.as_deref()).collect();
    assert_eq!(
        comps,
        [
            Some("app.web"),
            Some("app.cache"),
            Some("app.jobs"),
            Some("django.request"),
            None,
            Some("root")
        ]
    );
    let levels: Vec<Option<&str>> = evs.iter().map(|e| e.level).collect();
    assert_eq!(
        levels,
        [
            Some("INFO"),
            Some("WARN"),
            Some("ERROR"),
            Some("ERROR"),
            Some("INFO"),
            Some("ERROR")
        ]
    );
    assert_eq!(evs[2].message, "job 7 failed");
    let dj = &evs[3];
    assert_eq!((dj.line, dj.end_line), (4, 8));
    assert!(dj
        .message
        .starts_with("Internal Server Error: /orders/\nTraceback"));
    assert!(dj.message.ends_with("ZeroDivisionError: division by zero"));
    assert_eq!(dj.fields, [("lineno".to_string(), "241".to_string())]);
    let g = &evs[4];
    assert_eq!(g.ts.as_deref(), Some("2026-11-20T10:00:05Z"));
    assert_eq!(g.pid.as_deref(), Some("4242"));
    assert_eq!(g.message, "Booting worker with pid: 4242");
    assert_eq!(
        (evs[5].ts.as_deref(), evs[5].message.as_str()),
        (None, "boom")
    );
}

/// PostgreSQL's default `log_line_prefix = '%m [%p] '`
/// (https://www.postgresql.org/docs/current/runtime-config-logging.html#GUC-LOG-LINE-PREFIX): `DETAIL`, `HINT`,
/// `CONTEXT`, `QUERY` and `STATEMENT` lines, and the tab-indented lines of multi-line statements, join the
/// message they belong to.
#[test]
fn postgres_default_prefix_fixture() {
    let (evs, file_format) = events(include_str!("fixtures/postgres_default.log"));
    assert_eq!(file_format, "postgres");
    assert!(evs.iter().all(|e| e.format == "postgres"), "{evs:#?}");
    assert_eq!(evs.len(), 27, "{evs:#?}");
    assert_eq!(ts_level_share(&evs), 100.0);
    let first = &evs[0];
    assert_eq!(first.ts.as_deref(), Some("2026-11-20T10:00:00.101Z"));
    assert_eq!(
        (first.level, first.pid.as_deref()),
        (Some("INFO"), Some("1"))
    );
    assert!(first.message.starts_with("starting PostgreSQL 16.4"));
    let e = &evs[6];
    assert_eq!((e.line, e.end_line, e.level), (7, 9, Some("ERROR")));
    assert_eq!(e.pid.as_deref(), Some("2345"));
    assert!(e
        .message
        .starts_with("relation \"orderz\" does not exist at character 15\n"));
    assert!(e
        .message
        .contains("STATEMENT:  SELECT * FROM orderz\n\tWHERE id = 42;"));
    let dup = &evs[7];
    assert_eq!((dup.line, dup.end_line), (10, 12));
    assert!(dup.message.contains("DETAIL:  Key (email)"));
    let fatal = &evs[9];
    assert_eq!(
        (fatal.level, fatal.message.as_str()),
        (Some("FATAL"), "sorry, too many clients already")
    );
    let deadlock = &evs[11];
    assert_eq!((deadlock.line, deadlock.end_line), (17, 24));
    assert!(deadlock.message.contains("\tProcess 2403: UPDATE"));
    assert!(deadlock.message.contains("HINT:  See server log"));
    assert_eq!((evs[12].line, evs[12].end_line), (25, 27));
    assert_eq!(evs[13].level, Some("INFO")); // NOTICE
    assert_eq!(evs[18].level, Some("DEBUG"));
    assert_eq!(evs[26].level, Some("FATAL")); // PANIC
}

/// pgBadger's recommended `log_line_prefix = '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '`
/// (https://pgbadger.darold.net/documentation.html#POSTGRESQL-CONFIGURATION): user, database, application and
/// client become fields.
#[test]
fn postgres_pgbadger_prefix_fixture() {
    let (evs, file_format) = events(include_str!("fixtures/postgres_pgbadger.log"));
    assert_eq!(file_format, "postgres");
    assert_eq!(evs.len(), 6, "{evs:#?}");
    assert_eq!(ts_level_share(&evs), 100.0);
    assert!(evs[0].fields.is_empty());
    let f = |e: &Ev| -> Vec<(String, String)> { e.fields.clone() };
    let want = |u: &str, d: &str, a: &str, c: &str| -> Vec<(String, String)> {
        [("user", u), ("db", d), ("app", a), ("client", c)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(f(&evs[1]), want("app", "shop", "[unknown]", "10.0.0.5"));
    let err = &evs[3];
    assert_eq!((err.line, err.end_line, err.level), (4, 6, Some("ERROR")));
    assert_eq!(err.ts.as_deref(), Some("2026-11-20T10:00:07Z"));
    assert!(err.message.contains("HINT:  Perhaps"));
    assert_eq!(
        f(&evs[4]),
        want("report", "dwh", "pgAdmin 4 - DB:dwh", "10.0.0.9")
    );
    assert_eq!(evs[4].level, Some("WARN"));
}

/// Docker's json-file logging driver (https://docs.docker.com/engine/logging/drivers/json-file/): `log` is the
/// message without its final line end, `stream` a field; the level is the inner line's own (a pino JSON line, a
/// logback line, a level word), else WARN on stderr and none on stdout.
#[test]
fn docker_json_file_fixture() {
    let (evs, file_format) = events(include_str!("fixtures/docker_json.log"));
    assert_eq!(file_format, "json");
    assert_eq!(evs.len(), 9, "{evs:#?}");
    assert!(evs.iter().all(|e| e.ts.is_some()), "{evs:#?}");
    assert_eq!(evs[0].message, "Starting nginx 1.27.2");
    assert_eq!(evs[0].ts.as_deref(), Some("2026-11-20T10:00:00.123456789Z"));
    let stream = |e: &Ev| {
        e.fields
            .iter()
            .find(|(k, _)| k == "stream")
            .map(|(_, v)| v.clone())
    };
    assert_eq!(stream(&evs[0]).as_deref(), Some("stdout"));
    assert_eq!(stream(&evs[2]).as_deref(), Some("stderr"));
    let levels: Vec<Option<&str>> = evs.iter().map(|e| e.level).collect();
    assert_eq!(
        levels,
        [
            None,          // stdout, no level
            Some("INFO"),  // an access log line: status 200
            Some("WARN"),  // stderr
            Some("ERROR"), // pino level 50 inside
            Some("INFO"),  // logback inside
            Some("WARN"),  // stderr
            Some("WARN"),  // stderr
            Some("WARN"),  // stderr
            Some("ERROR"), // `ERROR:` on stdout
        ]
    );
    assert_eq!(
        evs[3].message,
        "{\"level\":50,\"time\":1795168803000,\"pid\":1,\"hostname\":\"api\",\"msg\":\"payment declined\"}"
    );
}

/// journald's JSON export, `journalctl -o json` (https://www.freedesktop.org/software/systemd/man/latest/journalctl.html,
/// fields: https://www.freedesktop.org/software/systemd/man/latest/systemd.journal-fields.html):
/// `__REALTIME_TIMESTAMP` in microseconds, `PRIORITY` as the syslog severity, `SYSLOG_IDENTIFIER` as the
/// component, `_PID`, `_HOSTNAME`; a multi-line `MESSAGE` is one event.
#[test]
fn journald_json_fixture() {
    let (evs, file_format) = events(include_str!("fixtures/journald.json"));
    assert_eq!(file_format, "json");
    assert_eq!(evs.len(), 8, "{evs:#?}");
    assert_eq!(ts_level_share(&evs), 100.0);
    let e = &evs[1];
    assert_eq!(e.ts.as_deref(), Some("2026-11-20T10:00:01.250000Z"));
    assert_eq!(e.level, Some("INFO"));
    assert_eq!(e.component.as_deref(), Some("sshd"));
    assert_eq!(e.pid.as_deref(), Some("1234"));
    assert_eq!(e.host.as_deref(), Some("web-1"));
    assert!(e.message.starts_with("Accepted publickey for root"));
    let levels: Vec<Option<&str>> = evs.iter().map(|e| e.level).collect();
    assert_eq!(
        levels,
        [
            Some("INFO"),
            Some("INFO"),
            Some("ERROR"),
            Some("WARN"),
            Some("FATAL"),
            Some("DEBUG"),
            Some("INFO"),
            Some("FATAL")
        ]
    );
    assert_eq!(evs[2].ts.as_deref(), Some("2026-11-20T10:00:02.000001Z"));
    assert_eq!(
        (evs[3].component.as_deref(), evs[3].pid.as_deref()),
        (Some("kernel"), None)
    );
    assert!(evs[7]
        .message
        .contains("dumped core.\n\nStack trace of thread 4242:\n#0"));
}

/// journald's `journalctl -o short-iso` (https://www.freedesktop.org/software/systemd/man/latest/journalctl.html):
/// `2026-11-20T10:00:00+0000 host ident[pid]: msg`, read by the syslog reader's RFC 3339 branch.
#[test]
fn journald_short_iso_fixture() {
    let (evs, file_format) = events(include_str!("fixtures/journald_short_iso.log"));
    assert_eq!(file_format, "syslog_rfc3164");
    assert_eq!(evs.len(), 5, "{evs:#?}");
    assert!(
        evs.iter()
            .all(|e| e.ts.is_some() && e.host.as_deref() == Some("web-1")),
        "{evs:#?}"
    );
    let e = &evs[1];
    assert_eq!(e.ts.as_deref(), Some("2026-11-20T10:00:01Z"));
    assert_eq!(e.component.as_deref(), Some("sshd"));
    assert_eq!(e.pid.as_deref(), Some("1234"));
    assert_eq!(
        e.message,
        "Accepted publickey for root from 10.0.0.5 port 51234 ssh2"
    );
    assert_eq!(
        (evs[3].component.as_deref(), evs[3].pid.as_deref()),
        (Some("kernel"), None)
    );
}

#[test]
fn inferred_levels_are_marked() {
    let input = "\
127.0.0.1 - - [20/Nov/2026:10:00:00 +0000] \"GET /a HTTP/1.1\" 503 12 \"-\" \"curl/8\"
{\"log\":\"listening\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-20T10:00:00Z\"}
{\"log\":\"ERROR boom\\n\",\"stream\":\"stderr\",\"time\":\"2026-11-20T10:00:01Z\"}
2026-11-20 10:00:02.000 ERROR 1 --- [main] c.a.App : written
";
    let mut out = Vec::new();
    let _ = logsieve_engine::pipeline::parse_all(
        input.as_bytes(),
        logsieve_engine::ParseOptions::with_year(2026),
        |ev| out.push((ev.level().map(|l| l.as_str()), ev.header.level_inferred)),
    );
    assert_eq!(
        out,
        [
            (Some("ERROR"), true),
            (Some("WARN"), true),
            (Some("ERROR"), false),
            (Some("ERROR"), false)
        ]
    );
}
