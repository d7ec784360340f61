//! Web server error logs.
//!
//! Nginx: `2024/01/01 12:00:00 [error] 123#456: *7 msg` — pid `123`, thread (worker tid) `456`, the connection
//! number `*7` as the `connection` field.
//!
//! Apache: `[Sun Dec 04 04:47:44 2005] [notice] msg` (2.2) and
//! `[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] msg` (2.4):
//! the module is the component, `[pid N:tid M]` gives pid and thread. `[client ...]` stays in the message (as in
//! 2.2, where it is part of the text) and its address is also the `client_ip` field.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header};

pub fn parse_nginx(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let (y, mo, d, i) = ymd(b, 0, b'/')?;
    let i = byte(b, i, b' ')?;
    let (h, m, s, i) = hms(b, i)?;
    let i = lit(b, i, b" [")?;
    let close = find(b, i, b']')?;
    if close - i > 8 {
        return None;
    }
    let level = level_of(b, i, close)?;
    let mut i = byte(b, close + 1, b' ')?;
    let mut pid = None;
    let mut thread = None;
    // `pid#tid: `
    let pe = digits_end(b, i);
    if pe > i && b.get(pe) == Some(&b'#') {
        let te = digits_end(b, pe + 1);
        if te > pe + 1 && b.get(te) == Some(&b':') {
            pid = Some(span(i, pe));
            thread = Some(span(pe + 1, te));
            i = skip_ws(b, te + 1);
        }
    }
    let mut fields = Vec::new();
    if b.get(i) == Some(&b'*') {
        let ce = digits_end(b, i + 1);
        if ce > i + 1 && b.get(ce) == Some(&b' ') {
            if let Ok(c) = line[i + 1..ce].parse::<i64>() {
                fields.push(("connection", FieldValue::Int(c)));
                i = ce + 1;
            }
        }
    }
    Some(Header {
        format: FormatId::NginxError,
        ts: Some(ts(y, mo, d, h, m, s, 0, 0, None)?),
        level: Some(level),
        pid,
        thread,
        message_start: i as u32,
        fields,
        ..Header::default()
    })
}

/// `Sun Dec 04 04:47:44[.902022] 2005` at `i`: `(timestamp, end)`.
pub fn apache_timestamp(b: &[u8], i: usize) -> Option<(crate::Timestamp, usize)> {
    // Day of week: three letters.
    let dow = b.get(i..i + 3)?;
    if !dow.iter().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let j = byte(b, i + 3, b' ')?;
    let mo = month_abbrev(b, j)?;
    let j = ws1(b, j + 3)?;
    let (d, j) = num_var(b, j, 1, 2)?;
    let j = byte(b, j, b' ')?;
    let (h, m, s, j) = hms(b, j)?;
    let (nanos, fd, j) = frac(b, j, b".");
    let j = byte(b, j, b' ')?;
    let y = num(b, j, 4)?;
    Some((ts(y as i32, mo, d as u8, h, m, s, nanos, fd, None)?, j + 4))
}

pub fn parse_apache(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if b.first() != Some(&b'[') || !b.get(1).is_some_and(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let (ts, i) = apache_timestamp(b, 1)?;
    let i = lit(b, i, b"] [")?;
    let close = find(b, i, b']')?;
    if close - i > 40 {
        return None;
    }
    // `level` or `module:level`
    let (component, lvl_start) = match find(b, i, b':').filter(|c| *c < close) {
        Some(c) => (opt_span(b, i, c), c + 1),
        None => (None, i),
    };
    let level = level_of(b, lvl_start, close)?;
    let mut i = close + 1;
    let mut pid = None;
    let mut thread = None;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    // `[pid 35708:tid 4328636416] ` or `[pid 35708] `
    if let Some(j) = lit(b, i, b"[pid ") {
        let pe = digits_end(b, j);
        if pe > j {
            let close = find(b, pe, b']')?;
            pid = Some(span(j, pe));
            if let Some(t) = lit(b, pe, b":tid ") {
                let te = digits_end(b, t);
                if te > t {
                    thread = Some(span(t, te));
                }
            }
            i = skip_ws(b, close + 1);
        }
    }
    let mut fields = Vec::new();
    if let Some(j) = lit(b, i, b"[client ") {
        if let Some(close) = find(b, j, b']') {
            fields.push(("client_ip", FieldValue::Text(span(j, close))));
        }
    }
    Some(Header {
        format: FormatId::ApacheError,
        ts: Some(ts),
        level: Some(level),
        component,
        pid,
        thread,
        message_start: skip_ws(b, i) as u32,
        fields,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn nginx() {
        let l = "2024/01/01 12:00:00 [error] 123#456: *7 open() \"/srv/x\" failed (2: No such file or directory), client: 10.0.0.1";
        let h = parse_nginx(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "nginx_error",
                ts: Some("2024-01-01T12:00:00"),
                level: Some("ERROR"),
                pid: Some("123"),
                thread: Some("456"),
                message:
                    "open() \"/srv/x\" failed (2: No such file or directory), client: 10.0.0.1",
                fields: &[("connection", "7")],
                ..Want::default()
            },
        );
        let l = "2024/01/01 12:00:00 [notice] 1#1: using the \"epoll\" event method";
        let h = parse_nginx(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "nginx_error",
                ts: Some("2024-01-01T12:00:00"),
                level: Some("INFO"),
                pid: Some("1"),
                thread: Some("1"),
                message: "using the \"epoll\" event method",
                ..Want::default()
            },
        );
        assert!(parse_nginx("2024/01/01 12:00:00 [main] x", &CTX).is_none());
        assert!(parse_nginx("2024-01-01 12:00:00 [error] x", &CTX).is_none());
        assert!(parse_nginx("17/06/09 20:10:40 INFO x: y", &CTX).is_none());
    }

    #[test]
    fn apache_22() {
        let l = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties";
        let h = parse_apache(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "apache_error",
                ts: Some("2005-12-04T04:47:44"),
                level: Some("INFO"),
                message: "workerEnv.init() ok /etc/httpd/conf/workers2.properties",
                ..Want::default()
            },
        );
        let l = "[Mon Dec 05 13:31:22 2005] [error] [client 218.75.106.250] Directory index forbidden by rule: /var/www/html/";
        let h = parse_apache(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "apache_error",
                ts: Some("2005-12-05T13:31:22"),
                level: Some("ERROR"),
                message:
                    "[client 218.75.106.250] Directory index forbidden by rule: /var/www/html/",
                fields: &[("client_ip", "218.75.106.250")],
                ..Want::default()
            },
        );
    }

    #[test]
    fn apache_24() {
        let l = "[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico";
        let h = parse_apache(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "apache_error",
                ts: Some("2011-09-09T10:42:29.902022"),
                level: Some("ERROR"),
                component: Some("core"),
                pid: Some("35708"),
                thread: Some("4328636416"),
                message: "[client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico",
                fields: &[("client_ip", "72.15.99.187")],
                ..Want::default()
            },
        );
        let l = "[Wed Oct 11 14:32:52.000000 2000] [:warn] [pid 7] AH00558: httpd: Could not reliably determine";
        let h = parse_apache(l, &CTX).unwrap();
        assert_eq!(h.component, None);
        assert_eq!(h.level.unwrap().as_str(), "WARN");
        assert_eq!(h.thread, None);
        assert_eq!(msg(l, &h), "AH00558: httpd: Could not reliably determine");
        assert!(parse_apache("[10.30 16:49:06] chrome.exe - x", &CTX).is_none());
        assert!(parse_apache("[Sun Dec 04 04:47:44 2005] [main] x", &CTX).is_none());
        assert!(parse_apache("[10:23:45 INF] x", &CTX).is_none());
    }
}
