//! Multi-line fixtures through the whole pipeline: events must join their continuation lines (Java stack traces
//! with `Caused by:` and `... N more`, ASP.NET Core's indented message lines, Python tracebacks after logfmt and
//! JSON lines) and keep their headers.

use logsieve_engine::pipeline::{parse_all, ParseOptions};

#[derive(Debug)]
struct Ev {
    line: u64,
    end_line: u64,
    format: &'static str,
    level: Option<&'static str>,
    component: Option<String>,
    thread: Option<String>,
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
