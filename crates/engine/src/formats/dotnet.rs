//! .NET application logs.
//!
//! ASP.NET Core's console formatter writes `info: Microsoft.Hosting.Lifetime[0]` and the message on the
//! following line(s), indented by six spaces; those lines join the event as continuations, and the message is
//! read from the first of them (past the newline and the indentation). With `SingleLine` the message follows
//! the event id on the same line. An optional timestamp (`TimestampFormat`) may come first. Levels: `trce`,
//! `dbug`, `info`, `warn`, `fail`, `crit`.
//!
//! Serilog: the console sink's `[10:23:45 INF] msg` (no date, so no timestamp) and the file sink's
//! `2024-01-15 10:23:45.123 +01:00 [INF] msg`.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{Header, Level};

/// The indentation of ASP.NET Core's message lines (the width of `info: `).
const ASPNET_INDENT: usize = 6;

fn aspnet_level(code: &[u8]) -> Option<Level> {
    Some(match code {
        b"trce" => Level::Trace,
        b"dbug" => Level::Debug,
        b"info" => Level::Info,
        b"warn" => Level::Warn,
        b"fail" => Level::Error,
        b"crit" => Level::Fatal,
        _ => return None,
    })
}

pub fn parse_aspnet_core(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let first = *b.first()?;
    let mut ts = None;
    let mut i = 0;
    if first.is_ascii_digit() {
        let (t, e) = iso8601(b, 0)?;
        ts = Some(t);
        i = ws1(b, e)?;
    } else if first == b'[' {
        let close = find(b, 1, b']')?;
        if let Some((t, _)) = iso8601(b, 1) {
            ts = Some(t);
        } else {
            hms(b, 1)?;
        }
        i = ws1(b, close + 1)?;
    } else if !first.is_ascii_lowercase() {
        return None;
    }
    let level = aspnet_level(b.get(i..i + 4)?)?;
    let i = lit(b, i + 4, b": ")?;
    // Category[EventId]
    let open = find(b, i, b'[')?;
    let cat = &b[i..open];
    if cat.is_empty() || cat.iter().any(|c| is_ws(*c)) {
        return None;
    }
    let close = find(b, open + 1, b']')?;
    if !b[open + 1..close]
        .iter()
        .all(|c| c.is_ascii_digit() || *c == b'-')
    {
        return None;
    }
    let message_start = if close + 1 == b.len() {
        b.len() + 1 + ASPNET_INDENT
    } else {
        skip_ws(b, close + 1)
    };
    Some(Header {
        format: FormatId::AspnetCore,
        ts,
        level: Some(level),
        component: Some(span(i, open)),
        message_start: message_start as u32,
        ..Header::default()
    })
}

pub fn parse_serilog(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let first = *b.first()?;
    let (ts, i) = if first == b'[' {
        // [HH:mm:ss LVL]
        let (_, _, _, e) = hms(b, 1)?;
        let (_, _, e) = frac(b, e, b".");
        let e = byte(b, e, b' ')?;
        let le = e + 3;
        let level = level_of(b, e, le)?;
        let m = byte(b, le, b']')?;
        return Some(Header {
            format: FormatId::Serilog,
            level: Some(level),
            message_start: skip_ws(b, m) as u32,
            ..Header::default()
        });
    } else if first.is_ascii_digit() {
        let (mut t, e) = iso8601(b, 0)?;
        let mut e = byte(b, e, b' ')?;
        if t.offset_minutes.is_none() {
            if let Some((off, z)) = zone(b, e) {
                t.offset_minutes = Some(off);
                // The offset moves a leap second (valid only at 23:59:60 UTC): check again.
                if !t.is_valid() {
                    return None;
                }
                e = byte(b, z, b' ')?;
            }
        }
        (t, e)
    } else {
        return None;
    };
    byte(b, i, b'[')?;
    let close = find(b, i + 1, b']')?;
    if close - i > 12 {
        return None;
    }
    let level = level_of(b, i + 1, close)?;
    Some(Header {
        format: FormatId::Serilog,
        ts: Some(ts),
        level: Some(level),
        message_start: skip_ws(b, close + 1) as u32,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn aspnet_core() {
        let l = "info: Microsoft.Hosting.Lifetime[0]";
        let h = parse_aspnet_core(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "aspnet_core",
                level: Some("INFO"),
                component: Some("Microsoft.Hosting.Lifetime"),
                message: "",
                ..Want::default()
            },
        );
        assert_eq!(h.message_start as usize, l.len() + 7);
        let l = "fail: Microsoft.AspNetCore.Server.Kestrel[13] Connection id \"0HN1\", Request id \"0HN1:00000001\": An unhandled exception was thrown";
        let h = parse_aspnet_core(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "aspnet_core",
                level: Some("ERROR"),
                component: Some("Microsoft.AspNetCore.Server.Kestrel"),
                message: "Connection id \"0HN1\", Request id \"0HN1:00000001\": An unhandled exception was thrown",
                ..Want::default()
            },
        );
        let l = "2024-01-15 10:23:45 trce: App.Worker[1001]";
        let h = parse_aspnet_core(l, &CTX).unwrap();
        assert_eq!(h.ts.unwrap().to_rfc3339(), "2024-01-15T10:23:45");
        assert_eq!(h.level.unwrap().as_str(), "TRACE");
        for l in [
            "information: x[0]",
            "info: has space[0]",
            "warning: foo",
            "Info: X[0]",
        ] {
            assert!(parse_aspnet_core(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn serilog() {
        let l = "[10:23:45 INF] Starting web host";
        let h = parse_serilog(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "serilog",
                level: Some("INFO"),
                message: "Starting web host",
                ..Want::default()
            },
        );
        let l = "2024-01-15 10:23:45.123 +01:00 [WRN] Disk space low: 5%";
        let h = parse_serilog(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "serilog",
                ts: Some("2024-01-15T10:23:45.123+01:00"),
                level: Some("WARN"),
                message: "Disk space low: 5%",
                ..Want::default()
            },
        );
        let l = "2024-01-15 10:23:45 [FTL] Host terminated";
        let h = parse_serilog(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "FATAL");
        assert_eq!(h.ts.unwrap().to_rfc3339(), "2024-01-15T10:23:45");
        for l in [
            "[10.30 16:49:06] chrome.exe - x",
            "[Sun Dec 04 04:47:44 2005] [notice] x",
            "2024-01-15 10:23:45,123 [main] INFO  com.x.Y - msg",
        ] {
            assert!(parse_serilog(l, &CTX).is_none(), "{l}");
        }
    }
}
