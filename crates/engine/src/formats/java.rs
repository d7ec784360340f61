//! Java application logs: Spring Boot's default pattern, common Logback and Log4j patterns, Tomcat's catalina.out.
//!
//! - Spring Boot 2: `2024-01-15 10:23:45.123  INFO 12345 --- [           main] o.s.b.StartupInfoLogger : msg`;
//!   Boot 3 adds `[app-name]` before the thread and, with tracing, `[traceId-spanId]` after it; Sleuth writes
//!   `[app,traceId,spanId,export]` before the pid.
//! - Logback: `[date ]time [thread] LEVEL logger - msg`.
//! - Log4j: `date LEVEL [thread] logger - msg`, `date LEVEL logger - msg`, and JBoss/WildFly's
//!   `date LEVEL [logger] (thread) msg`.
//! - Tomcat (JUL OneLineFormatter): `15-Jan-2024 10:23:45.123 INFO [main] org.apache.catalina.startup.Catalina.start msg`.
//!
//! All are multi-line formats: stack traces follow the header line.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header, Span};

fn is_hex_run(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(|c| c.is_ascii_hexdigit())
}

pub fn parse_spring_boot(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let (ts, i) = iso8601(b, 0)?;
    let i = ws1(b, i)?;
    let (level, i) = level_token(b, i)?;
    let mut i = ws1(b, i)?;
    let mut trace_id = None;
    let mut fields = Vec::new();
    // Sleuth: `[app,traceId,spanId(,export)]` before the pid.
    if b.get(i) == Some(&b'[') {
        let (s, e, end) = bracket_ws(b, i)?;
        let mut parts = b[s..e].split(|c| *c == b',');
        let app = parts.next()?;
        if let Some(t) = parts.next() {
            let t_s = s + app.len() + 1;
            trace_id = opt_span(b, t_s, t_s + t.len());
        }
        if let Some(a) = trimmed(b, s, s + app.len()) {
            fields.push(("application", FieldValue::Text(a)));
        }
        i = ws1(b, end)?;
    }
    let pe = digits_end(b, i);
    if pe == i {
        return None;
    }
    let pid = span(i, pe);
    let i = ws1(b, pe)?;
    let i = lit(b, i, b"---")?;
    let mut i = ws1(b, i)?;
    // Up to three bracketed groups: [app] [thread] [correlation].
    let mut groups: [(usize, usize); 3] = [(0, 0); 3];
    let mut n = 0;
    while n < 3 && b.get(i) == Some(&b'[') {
        let (s, e, end) = bracket_ws(b, i)?;
        groups[n] = (s, e);
        n += 1;
        i = skip_ws(b, end);
    }
    if n > 1 {
        let (s, e) = groups[n - 1];
        let c = &b[s..e];
        let blank = c.iter().all(|x| *x == b' ');
        let dash = memchr::memchr(b'-', c);
        let corr = dash.is_some_and(|d| is_hex_run(&c[..d]) && is_hex_run(&c[d + 1..]));
        if blank || corr {
            if let Some(d) = dash.filter(|_| corr) {
                trace_id = Some(span(s, s + d));
            }
            n -= 1;
        }
    }
    let thread = match n {
        1 => trimmed(b, groups[0].0, groups[0].1),
        2 => {
            if let Some(a) = trimmed(b, groups[0].0, groups[0].1) {
                fields.push(("application", FieldValue::Text(a)));
            }
            trimmed(b, groups[1].0, groups[1].1)
        }
        _ => return None,
    };
    // logger, padded, then ` : `
    let le = token(b, i)?;
    let j = skip_ws(b, le);
    byte(b, j, b':')?;
    if j + 1 < b.len() && !is_ws(b[j + 1]) {
        return None;
    }
    Some(Header {
        format: FormatId::SpringBoot,
        ts: Some(ts),
        level: Some(level),
        component: Some(span(i, le)),
        pid: Some(pid),
        thread,
        trace_id,
        message_start: skip_ws(b, j + 1) as u32,
        fields,
        ..Header::default()
    })
}

/// ` - msg` after a logger (padding allowed): the message start.
fn dash_message(b: &[u8], i: usize) -> Option<usize> {
    let j = skip_ws(b, i);
    byte(b, j, b'-')?;
    if j + 1 == b.len() {
        return Some(j + 1);
    }
    if !is_ws(b[j + 1]) {
        return None;
    }
    Some(skip_ws(b, j + 1))
}

pub fn parse_logback(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    // A full date, or the time of day alone (then the event has no timestamp: there is no date to give it).
    let (ts, i) = match iso8601(b, 0) {
        Some((t, e)) => (Some(t), e),
        None => {
            let (_, _, _, e) = hms(b, 0)?;
            let (_, _, e) = frac(b, e, b".,");
            (None, e)
        }
    };
    let i = ws1(b, i)?;
    let (ts_, te, end) = bracket_ws(b, i)?;
    let i = ws1(b, end)?;
    let (level, i) = level_token(b, i)?;
    let i = ws1(b, i)?;
    let le = token(b, i)?;
    let m = dash_message(b, le)?;
    Some(Header {
        format: FormatId::Logback,
        ts,
        level: Some(level),
        component: Some(span(i, le)),
        thread: trimmed(b, ts_, te),
        message_start: m as u32,
        ..Header::default()
    })
}

pub fn parse_log4j(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let (ts, i) = iso8601(b, 0)?;
    let i = ws1(b, i)?;
    let (level, i) = level_token(b, i)?;
    let i = ws1(b, i)?;
    let mut h = Header {
        format: FormatId::Log4j,
        ts: Some(ts),
        level: Some(level),
        ..Header::default()
    };
    if b.get(i) == Some(&b'[') {
        let (s, e, end) = bracket_ws(b, i)?;
        let j = skip_ws(b, end);
        if b.get(j) == Some(&b'(') {
            // JBoss: [logger] (thread) msg
            let mut k = j + 1;
            let close = loop {
                let p = find(b, k, b')')?;
                if p + 1 == b.len() || is_ws(b[p + 1]) {
                    break p;
                }
                k = p + 1;
            };
            h.component = trimmed(b, s, e);
            h.thread = trimmed(b, j + 1, close);
            h.message_start = skip_ws(b, close + 1) as u32;
            return Some(h);
        }
        // [thread] logger - msg
        let le = token(b, j)?;
        h.thread = trimmed(b, s, e);
        h.component = Some(span(j, le));
        h.message_start = dash_message(b, le)? as u32;
        return Some(h);
    }
    let le = token(b, i)?;
    h.component = Some(span(i, le));
    h.message_start = dash_message(b, le)? as u32;
    Some(h)
}

/// `15-Jan-2024 10:23:45.123`: `(timestamp, end)`.
fn tomcat_timestamp(b: &[u8], i: usize) -> Option<(crate::Timestamp, usize)> {
    let d = num(b, i, 2)?;
    byte(b, i + 2, b'-')?;
    let mo = month_abbrev(b, i + 3)?;
    byte(b, i + 6, b'-')?;
    let y = num(b, i + 7, 4)?;
    byte(b, i + 11, b' ')?;
    let (h, m, s, j) = hms(b, i + 12)?;
    let (nanos, fd, j) = frac(b, j, b".");
    Some((ts(y as i32, mo, d as u8, h, m, s, nanos, fd, None)?, j))
}

pub fn parse_tomcat(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let (ts, i) = tomcat_timestamp(b, 0)?;
    let i = ws1(b, i)?;
    let (level, i) = level_token(b, i)?;
    let i = ws1(b, i)?;
    let (s, e, end) = bracket_ws(b, i)?;
    let i = ws1(b, end)?;
    let se = token(b, i)?;
    Some(Header {
        format: FormatId::TomcatCatalina,
        ts: Some(ts),
        level: Some(level),
        component: Some(Span::new(i, se)),
        thread: trimmed(b, s, e),
        message_start: skip_ws(b, se) as u32,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn spring_boot_2() {
        let l = "2024-01-15 10:23:45.123  INFO 12345 --- [           main] o.s.b.StartupInfoLogger                  : Starting Application v1.0 on host with PID 12345";
        let h = parse_spring_boot(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "spring_boot",
                ts: Some("2024-01-15T10:23:45.123"),
                level: Some("INFO"),
                component: Some("o.s.b.StartupInfoLogger"),
                pid: Some("12345"),
                thread: Some("main"),
                message: "Starting Application v1.0 on host with PID 12345",
                ..Want::default()
            },
        );
        // Sleuth tracing before the pid.
        let l = "2024-01-15 10:23:45.123 ERROR [orders,64b7f8a6c4b9e5f1,7a1c2d3e4f5a6b7c,true] 4242 --- [nio-8080-exec-1] c.e.o.OrderController                    : Order failed";
        let h = parse_spring_boot(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "spring_boot",
                ts: Some("2024-01-15T10:23:45.123"),
                level: Some("ERROR"),
                component: Some("c.e.o.OrderController"),
                pid: Some("4242"),
                thread: Some("nio-8080-exec-1"),
                trace_id: Some("64b7f8a6c4b9e5f1"),
                message: "Order failed",
                fields: &[("application", "orders")],
                ..Want::default()
            },
        );
    }

    #[test]
    fn spring_boot_3() {
        let l = "2024-01-15T10:23:45.123+01:00  WARN 12345 --- [myapp] [           main] o.s.b.StartupInfoLogger    : Careful";
        let h = parse_spring_boot(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "spring_boot",
                ts: Some("2024-01-15T10:23:45.123+01:00"),
                level: Some("WARN"),
                component: Some("o.s.b.StartupInfoLogger"),
                pid: Some("12345"),
                thread: Some("main"),
                message: "Careful",
                fields: &[("application", "myapp")],
                ..Want::default()
            },
        );
        let l = "2024-01-15T10:23:45.123Z DEBUG 7 --- [myapp] [nio-8080-exec-2] [803b448a0489f840-3425f23bb2432450] c.e.Api : hi";
        let h = parse_spring_boot(l, &CTX).unwrap();
        assert_eq!(h.trace_id.unwrap().of(l), "803b448a0489f840");
        assert_eq!(h.thread.unwrap().of(l), "nio-8080-exec-2");
        assert_eq!(msg(l, &h), "hi");
    }

    #[test]
    fn spring_boot_rejects() {
        for l in [
            "2024-01-15 10:23:45,123 [main] INFO  com.x.Y - msg",
            "2024-01-15 10:23:45.123  INFO 12345 [main] o.s.Foo : x",
            "2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: Created",
            "Jun 14 15:16:01 combo sshd[1]: x",
        ] {
            assert!(parse_spring_boot(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn logback() {
        let l = "2024-01-15 10:23:45,123 [main] INFO  com.x.Y - Started in 3.2 s";
        let h = parse_logback(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "logback",
                ts: Some("2024-01-15T10:23:45.123"),
                level: Some("INFO"),
                component: Some("com.x.Y"),
                thread: Some("main"),
                message: "Started in 3.2 s",
                ..Want::default()
            },
        );
        let l = "10:23:45.123 [http-nio-8080-exec-1] ERROR c.e.Service - Boom - again";
        let h = parse_logback(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "logback",
                level: Some("ERROR"),
                component: Some("c.e.Service"),
                thread: Some("http-nio-8080-exec-1"),
                message: "Boom - again",
                ..Want::default()
            },
        );
        assert!(
            parse_logback("2024-01-15 10:23:45,123 INFO  [main] com.x.Y - msg", &CTX).is_none()
        );
        assert!(parse_logback("2015-10-18 18:01:47,978 INFO [main] org.Foo: x", &CTX).is_none());
    }

    #[test]
    fn log4j() {
        let l = "2024-01-15 10:23:45,123 INFO  [com.x.Y] (ServerService Thread Pool -- 65) Deployed \"app.war\"";
        let h = parse_log4j(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "log4j",
                ts: Some("2024-01-15T10:23:45.123"),
                level: Some("INFO"),
                component: Some("com.x.Y"),
                thread: Some("ServerService Thread Pool -- 65"),
                message: "Deployed \"app.war\"",
                ..Want::default()
            },
        );
        let l = "2024-01-15 10:23:45,123 WARN  [worker-3] com.x.Cache - evicted 12 entries";
        let h = parse_log4j(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "log4j",
                ts: Some("2024-01-15T10:23:45.123"),
                level: Some("WARN"),
                component: Some("com.x.Cache"),
                thread: Some("worker-3"),
                message: "evicted 12 entries",
                ..Want::default()
            },
        );
        let l = "2024-01-15 10:23:45.123 DEBUG com.x.Y - plain";
        let h = parse_log4j(l, &CTX).unwrap();
        assert_eq!(h.component.unwrap().of(l), "com.x.Y");
        assert_eq!(h.thread, None);
        assert_eq!(msg(l, &h), "plain");
        for l in [
            "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.Foo: Created MRAppMaster",
            "2015-07-29 17:41:44,747 - INFO  [main:QuorumPeer@1] - x",
            "2024-01-15 10:23:45,123 [main] INFO  com.x.Y - msg",
        ] {
            assert!(parse_log4j(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn tomcat() {
        let l = "15-Jan-2024 10:23:45.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds";
        let h = parse_tomcat(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "tomcat_catalina",
                ts: Some("2024-01-15T10:23:45.123"),
                level: Some("INFO"),
                component: Some("org.apache.catalina.startup.Catalina.start"),
                thread: Some("main"),
                message: "Server startup in [1234] milliseconds",
                ..Want::default()
            },
        );
        let l = "15-Jan-2024 10:23:46.001 SEVERE [http-nio-8080-exec-3] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() threw exception";
        let h = parse_tomcat(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "ERROR");
        assert_eq!(h.thread.unwrap().of(l), "http-nio-8080-exec-3");
        assert!(parse_tomcat("2024-01-15 10:23:45,123 INFO [main] x y", &CTX).is_none());
    }
}
