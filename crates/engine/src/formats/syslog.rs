//! Syslog: RFC 3164 (BSD) lines as files and relays write them, and RFC 5424.
//!
//! RFC 3164: `[<PRI>]Mmm dd HH:MM:SS[.fff] host tag[pid]: msg`. The same reader takes rsyslog's high-precision
//! form (`2024-01-15T10:23:45.123456+01:00 host tag[pid]: msg`) and macOS's `tag[pid] (address): msg`. The tag
//! is read as loghub reads it (`<Component>(\[<PID>\])?: <Content>`): the shortest text followed by `: ` or
//! `[pid]: `, so `syslogd 1.4.1: restart.` has the component `syslogd 1.4.1`.
//!
//! RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD]|- MSG`; `-` is "no value".

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header, Level};

/// `<PRI>` at the start: `(severity level, end)`.
fn pri(b: &[u8]) -> Option<(Level, usize)> {
    if b.first() != Some(&b'<') {
        return None;
    }
    let (v, e) = num_var(b, 1, 1, 3)?;
    byte(b, e, b'>')?;
    if v > 191 {
        return None;
    }
    Some((Level::from_syslog_severity((v & 7) as u8), e + 1))
}

pub fn parse_rfc3164(line: &str, ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let first = *b.first()?;
    if !(first == b'<' || first.is_ascii_uppercase() || first.is_ascii_digit()) {
        return None;
    }
    let (level, i) = match pri(b) {
        Some((l, e)) => (Some(l), e),
        None => (None, 0),
    };
    let (ts, i, iso) = if is_digit(b, i) {
        // rsyslog's RFC 3339 timestamp: needs the `T` and a tag below to be taken for syslog.
        if b.get(i + 10) != Some(&b'T') {
            return None;
        }
        let (t, e) = iso8601(b, i)?;
        (t, e, true)
    } else {
        let (t, e) = bsd_timestamp(b, i, ctx.default_year)?;
        (t, e, false)
    };
    let i = ws1(b, i)?;
    let mut h = Header {
        format: FormatId::SyslogRfc3164,
        ts: Some(ts),
        level,
        ..Header::default()
    };
    read_host_and_tag(b, i, &mut h, iso)?;
    Some(h)
}

/// `Mmm dd HH:MM:SS[.fff]` (the day may be padded with a space): `(timestamp, end)`.
pub fn bsd_timestamp(b: &[u8], i: usize, year: i32) -> Option<(crate::Timestamp, usize)> {
    let month = month_abbrev(b, i)?;
    let j = ws1(b, i + 3)?;
    let (day, j) = num_var(b, j, 1, 2)?;
    let j = ws1(b, j)?;
    let (h, m, s, j) = hms(b, j)?;
    let (nanos, fd, j) = frac(b, j, b".");
    let t = ts(year, month, day as u8, h, m, s, nanos, fd, None)?;
    Some((t, j))
}

/// Reads `host tag[pid]: msg` from `i`. A first token that is itself a tag (`sshd[1]:`, `kernel:`) means the
/// line has no host. `strict`: the line must have a tag (for timestamps that other formats also start with).
fn read_host_and_tag(b: &[u8], i: usize, h: &mut Header, strict: bool) -> Option<()> {
    let host_end = token(b, i)?;
    let word = &b[i..host_end];
    // `--- last message repeated 3 times ---` (macOS) has no host and no tag.
    if word == b"---" {
        if strict {
            return None;
        }
        h.message_start = i as u32;
        return Some(());
    }
    let tag_start = if word.ends_with(b":") {
        i
    } else {
        // After an RFC 3339 timestamp (which other formats start with too) the host must look like one.
        if strict
            && (level_of(b, i, host_end).is_some()
                || !word
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b':')))
        {
            return None;
        }
        h.host = Some(span(i, host_end));
        skip_ws(b, host_end)
    };
    match syslog_tag(b, tag_start) {
        // rsyslog's tags are one word.
        Some(t)
            if strict
                && b[t.component.start as usize..t.component.end as usize]
                    .iter()
                    .any(|c| is_ws(*c)) =>
        {
            return None
        }
        Some(t) => {
            h.component = Some(t.component);
            h.pid = t.pid;
            h.level = h.level.or(t.level);
            h.message_start = t.message as u32;
        }
        None if strict => return None,
        None => h.message_start = tag_start as u32,
    }
    Some(())
}

pub fn parse_rfc5424(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let (level, i) = pri(b)?;
    // VERSION: 1 (up to 3 digits), then a space.
    let (_, i) = num_var(b, i, 1, 3)?;
    let i = byte(b, i, b' ')?;
    let (ts, i) = if b.get(i) == Some(&b'-') {
        (None, i + 1)
    } else {
        let (t, e) = iso8601(b, i)?;
        (Some(t), e)
    };
    let i = byte(b, i, b' ')?;
    let host_end = token(b, i)?;
    let host = opt_span(b, i, host_end);
    let i = byte(b, host_end, b' ')?;
    let app_end = token(b, i)?;
    let app = opt_span(b, i, app_end);
    let i = byte(b, app_end, b' ')?;
    let proc_end = token(b, i)?;
    let procid = opt_span(b, i, proc_end);
    let i = byte(b, proc_end, b' ')?;
    let msgid_end = token(b, i)?;
    let msgid = opt_span(b, i, msgid_end);
    let mut i = msgid_end;
    let mut fields = Vec::new();
    if let Some(m) = msgid {
        fields.push(("msgid", FieldValue::Text(m)));
    }
    if i < b.len() {
        i = byte(b, i, b' ')?;
        if b.get(i) == Some(&b'-') {
            i += 1;
        } else if b.get(i) == Some(&b'[') {
            let sd_start = i;
            // One or more `[id k="v" ...]` elements; `]` and `"` inside values are escaped with a backslash.
            while b.get(i) == Some(&b'[') {
                i += 1;
                let mut in_quote = false;
                loop {
                    let c = *b.get(i)?;
                    match c {
                        b'\\' if in_quote => i += 1,
                        b'"' => in_quote = !in_quote,
                        b']' if !in_quote => break,
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            fields.push(("structured_data", FieldValue::Text(span(sd_start, i))));
        } else {
            return None;
        }
        if b.get(i) == Some(&b' ') {
            i += 1;
        }
        // A UTF-8 byte order mark may start the message.
        if b.get(i..i + 3) == Some(&[0xEF, 0xBB, 0xBF]) {
            i += 3;
        }
    }
    Some(Header {
        format: FormatId::SyslogRfc5424,
        ts,
        level: Some(level),
        component: app,
        pid: procid,
        host,
        message_start: i as u32,
        fields,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn rfc3164_linux() {
        let l =
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 ";
        let h = parse_rfc3164(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "syslog_rfc3164",
                ts: Some("2026-06-14T15:16:01"),
                host: Some("combo"),
                component: Some("sshd(pam_unix)"),
                pid: Some("19939"),
                message: "authentication failure; logname= uid=0 ",
                ..Want::default()
            },
        );
    }

    #[test]
    fn rfc3164_variants() {
        let l = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8";
        let h = parse_rfc3164(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "syslog_rfc3164",
                ts: Some("2026-10-11T22:14:15"),
                level: Some("FATAL"),
                host: Some("mymachine"),
                component: Some("su"),
                message: "'su root' failed for lonvick on /dev/pts/8",
                ..Want::default()
            },
        );
        let l = "Jul  1 09:29:02 calvisitor-10-105-160-95 sandboxd[129] ([31211]): com.apple.Addres(31211) deny";
        let h = parse_rfc3164(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "syslog_rfc3164",
                ts: Some("2026-07-01T09:29:02"),
                host: Some("calvisitor-10-105-160-95"),
                component: Some("sandboxd"),
                pid: Some("129"),
                message: "com.apple.Addres(31211) deny",
                ..Want::default()
            },
        );
        let l = "Jun 19 04:09:11 combo syslogd 1.4.1: restart.";
        let h = parse_rfc3164(l, &CTX).unwrap();
        assert_eq!(h.component.unwrap().of(l), "syslogd 1.4.1");
        assert_eq!(msg(l, &h), "restart.");
        let l = "Jul  7 08:06:15 combo  -- root[2421]: ROOT LOGIN ON tty2";
        let h = parse_rfc3164(l, &CTX).unwrap();
        assert_eq!(h.component.unwrap().of(l), "-- root");
        assert_eq!(msg(l, &h), "ROOT LOGIN ON tty2");
        // rsyslog's high-precision timestamps.
        let l = "2024-01-15T10:23:45.123456+01:00 web-1 nginx[812]: started";
        let h = parse_rfc3164(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "syslog_rfc3164",
                ts: Some("2024-01-15T10:23:45.123456+01:00"),
                host: Some("web-1"),
                component: Some("nginx"),
                pid: Some("812"),
                message: "started",
                ..Want::default()
            },
        );
        let l = "Aug 18 16:29:25 --- last message repeated 1 time ---";
        let h = parse_rfc3164(l, &CTX).unwrap();
        assert_eq!((h.host, h.component), (None, None));
        assert_eq!(msg(l, &h), "--- last message repeated 1 time ---");
        let l = "Oct  6 14:31:16 ip-172-27-239-114 Docker[24271] <Error>: Socket.Stream: caught";
        let h = parse_rfc3164(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "ERROR");
        assert_eq!(msg(l, &h), "Socket.Stream: caught");
        // No tag: the message follows the host.
        let l = "Dec 10 06:55:46 LabSZ something without a tag";
        let h = parse_rfc3164(l, &CTX).unwrap();
        assert_eq!(h.host.unwrap().of(l), "LabSZ");
        assert_eq!(h.component, None);
        assert_eq!(msg(l, &h), "something without a tag");
    }

    #[test]
    fn rfc3164_rejects() {
        for l in [
            "2024-01-15 10:23:45.123  INFO 12345 --- [main] o.s.Foo : x",
            "2024-01-15T10:23:45Z ERROR db: connection refused",
            "2024-01-15T10:23:45.123 [main] INFO com.x - msg: detail",
            "2024-01-15T10:23:45.123 host-1 INFO com.x - msg: detail",
            "Jun 14 is a month",
            "Junk 14 15:16:01 combo x: y",
            "{\"msg\":\"x\"}",
            "<165>1 2003-10-11T22:14:15.003Z host app - - - msg",
        ] {
            assert!(parse_rfc3164(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn rfc5424() {
        let l = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] An application event log entry...";
        let h = parse_rfc5424(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "syslog_rfc5424",
                ts: Some("2003-10-11T22:14:15.003Z"),
                level: Some("INFO"),
                host: Some("mymachine.example.com"),
                component: Some("evntslog"),
                message: "An application event log entry...",
                fields: &[
                    ("msgid", "ID47"),
                    (
                        "structured_data",
                        "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]",
                    ),
                ],
                ..Want::default()
            },
        );
        let l = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su 8710 - - 'su root' failed";
        let h = parse_rfc5424(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "syslog_rfc5424",
                ts: Some("2003-10-11T22:14:15.003Z"),
                level: Some("FATAL"),
                host: Some("mymachine.example.com"),
                component: Some("su"),
                pid: Some("8710"),
                message: "'su root' failed",
                ..Want::default()
            },
        );
        assert!(parse_rfc5424("<34>Oct 11 22:14:15 mymachine su: x", &CTX).is_none());
        assert!(parse_rfc5424("Jun 14 15:16:01 combo x: y", &CTX).is_none());
    }
}
