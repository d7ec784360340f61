//! PostgreSQL's server log (`log_destination = 'stderr'`, the logging collector's files): a line prefix, then
//! `SEVERITY:  message`.
//!
//! The prefix is whatever `log_line_prefix` says; the common settings are data ([`PREFIXES`]), written as they
//! are in `postgresql.conf`, and a small interpreter reads a line with each in turn
//! (<https://www.postgresql.org/docs/current/runtime-config-logging.html#GUC-LOG-LINE-PREFIX>):
//!
//! - `%m` (`2026-11-20 10:00:00.123 UTC`), `%t` (the same without milliseconds), `%n` (epoch with
//!   milliseconds): the timestamp; the zone is `log_timezone`'s abbreviation (`UTC` and `GMT` are read as
//!   +00:00, a numeric `+03`/`-0330` as that offset, any other name leaves the time without an offset);
//! - `%p`: the pid; `%l`: the session's line number; `%u`, `%d`, `%a`, `%h`/`%r`: user, database, application
//!   and client, kept as the fields `user`, `db`, `app`, `client` when not empty; the other escapes are read and
//!   dropped;
//! - `%q`: non-session processes stop the prefix here, so the rest of it is optional.
//!
//! Severities (elog.c `error_severity`): `DEBUG` (and `DEBUG1`–`DEBUG5`) → DEBUG; `LOG`, `INFO`, `NOTICE` →
//! INFO; `WARNING` → WARN; `ERROR` → ERROR; `FATAL`, `PANIC` → FATAL. The `DETAIL`, `HINT`, `QUERY`, `CONTEXT`,
//! `LOCATION` and `STATEMENT` lines that follow a message, with the same prefix, belong to its event
//! ([`Header::continues`]); lines of a multi-line message or statement start with a tab and join it as any
//! indented line does.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header, Level};

/// The `log_line_prefix` settings recognised, most specific first.
pub const PREFIXES: &[&str] = &[
    // pgBadger's recommended settings for stderr (https://pgbadger.darold.net/documentation.html).
    "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: [%l-1] user=%u,db=%d ",
    // Amazon RDS / Aurora's fixed prefix.
    "%t:%r:%u@%d:[%p]:",
    // Debian and Ubuntu's packaged default.
    "%m [%p] %q%u@%d ",
    // PostgreSQL's default since version 10.
    // (`%t` reads as `%m` does, milliseconds or not.)
    "%m [%p] ",
    "%m [%p]: ",
];

/// What follows the prefix: the severity words elog.c writes, their level, and whether the line continues the
/// message before it.
const SEVERITIES: &[(&[u8], Option<Level>, bool)] = &[
    (b"LOG", Some(Level::Info), false),
    (b"ERROR", Some(Level::Error), false),
    (b"WARNING", Some(Level::Warn), false),
    (b"FATAL", Some(Level::Fatal), false),
    (b"PANIC", Some(Level::Fatal), false),
    (b"INFO", Some(Level::Info), false),
    (b"NOTICE", Some(Level::Info), false),
    (b"DEBUG", Some(Level::Debug), false),
    (b"DEBUG1", Some(Level::Debug), false),
    (b"DEBUG2", Some(Level::Debug), false),
    (b"DEBUG3", Some(Level::Debug), false),
    (b"DEBUG4", Some(Level::Debug), false),
    (b"DEBUG5", Some(Level::Debug), false),
    (b"DETAIL", None, true),
    (b"HINT", None, true),
    (b"STATEMENT", None, true),
    (b"CONTEXT", None, true),
    (b"QUERY", None, true),
    (b"LOCATION", None, true),
];

pub fn parse(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    PREFIXES.iter().find_map(|p| {
        let mut h = Header {
            format: FormatId::Postgres,
            ..Header::default()
        };
        let i = prefix(p.as_bytes(), 0, b, 0, &mut h)?;
        severity(b, i, &mut h)?;
        Some(h)
    })
}

/// `SEVERITY:  ` at `i`: sets the level, `continues` and the message start.
fn severity(b: &[u8], i: usize, h: &mut Header) -> Option<()> {
    let mut e = i;
    while e < b.len() && (b[e].is_ascii_uppercase() || b[e].is_ascii_digit()) {
        e += 1;
    }
    let word = &b[i..e];
    let &(_, level, continues) = SEVERITIES.iter().find(|(w, _, _)| *w == word)?;
    byte(b, e, b':')?;
    if e + 1 < b.len() && b[e + 1] != b' ' {
        return None;
    }
    h.level = level;
    h.continues = continues;
    h.message_start = skip_ws(b, e + 1) as u32;
    Some(())
}

/// The literal text of the prefix from `f` to the next escape.
fn literal_at(p: &[u8], f: usize) -> &[u8] {
    let e = memchr::memchr(b'%', &p[f..]).map_or(p.len(), |x| x + f);
    &p[f..e]
}

/// `%m`/`%t`: `2026-11-20 10:00:00[.123] ZONE`.
fn timestamp(b: &[u8], i: usize) -> Option<(crate::Timestamp, usize)> {
    let (mut t, e) = iso8601(b, i)?;
    if t.offset_minutes.is_some() || b.get(e) != Some(&b' ') {
        return None;
    }
    let zs = e + 1;
    let mut ze = zs;
    while ze < b.len() && b[ze].is_ascii_alphabetic() {
        ze += 1;
    }
    if ze > zs {
        if ze - zs > 6 {
            return None;
        }
        if matches!(&b[zs..ze], b"UTC" | b"GMT" | b"UCT" | b"Z") {
            t.offset_minutes = Some(0);
        }
        return Some((t, ze));
    }
    // A numeric abbreviation: `+03`, `-0330`.
    let (off, ze) = zone(b, zs)?;
    t.offset_minutes = Some(off);
    t.is_valid().then_some((t, ze))
}

/// Matches the prefix `p` from `f` against the line from `i`: the end of the prefix in the line.
fn prefix(p: &[u8], mut f: usize, b: &[u8], mut i: usize, h: &mut Header) -> Option<usize> {
    while f < p.len() {
        if p[f] != b'%' {
            let l = literal_at(p, f);
            i = lit(b, i, l)?;
            f += l.len();
            continue;
        }
        let esc = *p.get(f + 1)?;
        f += 2;
        match esc {
            b'%' => i = byte(b, i, b'%')?,
            b'q' => {
                // Non-session processes end the prefix here.
                let mut rest = h.clone();
                if let Some(e) = prefix(p, f, b, i, &mut rest) {
                    if severity(b, e, &mut rest.clone()).is_some() {
                        *h = rest;
                        return Some(e);
                    }
                }
                return Some(i);
            }
            b'm' | b't' => {
                let (t, e) = timestamp(b, i)?;
                h.ts = Some(t);
                i = e;
            }
            b'n' => {
                let e = token(b, i)?;
                let e = memchr::memchr(b' ', &b[i..e]).map_or(e, |x| x + i);
                h.ts = Some(super::json::epoch_value(&b[i..e])?);
                i = e;
            }
            b'p' | b'l' => {
                let e = digits_end(b, i);
                if e == i {
                    return None;
                }
                if esc == b'p' {
                    h.pid = Some(span(i, e));
                }
                i = e;
            }
            _ => {
                // Text up to the next literal (which must exist); it may be empty (`user=,db=`).
                let next = literal_at(p, f);
                let e = if next.is_empty() {
                    return None;
                } else if next == b" " {
                    token_end(b, i)
                } else {
                    find_str(b, i, next)?
                };
                // Only the application name and the command tag may hold spaces.
                if !matches!(esc, b'a' | b'i') && b[i..e].iter().any(|c| is_ws(*c)) {
                    return None;
                }
                let name = match esc {
                    b'u' => Some("user"),
                    b'd' => Some("db"),
                    b'a' => Some("app"),
                    b'h' | b'r' => Some("client"),
                    _ => None,
                };
                if let (Some(name), true) = (name, e > i) {
                    h.fields.push((name, FieldValue::Text(span(i, e))));
                }
                i = e;
            }
        }
    }
    Some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    fn t(l: &str, mut w: Want<'_>) -> Header {
        let h = parse(l, &CTX).unwrap_or_else(|| panic!("{l}"));
        w.format = "postgres";
        check(l, &h, w);
        h
    }

    #[test]
    fn default_prefix_and_severities() {
        let h = t(
            "2026-11-20 10:00:00.123 UTC [2345] FATAL:  sorry, too many clients already",
            Want {
                ts: Some("2026-11-20T10:00:00.123Z"),
                level: Some("FATAL"),
                pid: Some("2345"),
                message: "sorry, too many clients already",
                ..Want::default()
            },
        );
        assert!(!h.continues);
        for (sev, level) in [
            ("LOG", "INFO"),
            ("INFO", "INFO"),
            ("NOTICE", "INFO"),
            ("WARNING", "WARN"),
            ("ERROR", "ERROR"),
            ("PANIC", "FATAL"),
            ("DEBUG", "DEBUG"),
            ("DEBUG3", "DEBUG"),
        ] {
            let l = format!("2026-11-20 10:00:00.123 CET [7] {sev}:  x y");
            t(
                &l,
                Want {
                    ts: Some("2026-11-20T10:00:00.123"),
                    level: Some(level),
                    pid: Some("7"),
                    message: "x y",
                    ..Want::default()
                },
            );
        }
        for sev in [
            "DETAIL",
            "HINT",
            "STATEMENT",
            "CONTEXT",
            "QUERY",
            "LOCATION",
        ] {
            let l = format!("2026-11-20 10:00:00.123 UTC [7] {sev}:  more");
            let h = parse(&l, &CTX).unwrap();
            assert!(h.continues && h.level.is_none(), "{l}");
        }
        t(
            "2026-11-20 10:00:00.123 +03 [7] LOG:  checkpoint starting: time",
            Want {
                ts: Some("2026-11-20T10:00:00.123+03:00"),
                level: Some("INFO"),
                pid: Some("7"),
                message: "checkpoint starting: time",
                ..Want::default()
            },
        );
    }

    #[test]
    fn common_prefixes() {
        t(
            "2026-11-20 10:00:00 UTC [2345]: [3-1] user=app,db=shop,app=pgAdmin 4 - DB:shop,client=10.0.0.5 ERROR:  relation \"x\" does not exist at character 15",
            Want {
                ts: Some("2026-11-20T10:00:00Z"),
                level: Some("ERROR"),
                pid: Some("2345"),
                message: "relation \"x\" does not exist at character 15",
                fields: &[
                    ("user", "app"),
                    ("db", "shop"),
                    ("app", "pgAdmin 4 - DB:shop"),
                    ("client", "10.0.0.5"),
                ],
                ..Want::default()
            },
        );
        t(
            "2026-11-20 10:00:00 UTC [31]: [1-1] user=,db=,app=,client= LOG:  checkpoint complete",
            Want {
                ts: Some("2026-11-20T10:00:00Z"),
                level: Some("INFO"),
                pid: Some("31"),
                message: "checkpoint complete",
                ..Want::default()
            },
        );
        t(
            "2026-11-20 10:00:00 UTC:10.0.0.7(51234):alice@orders:[4242]:WARNING:  there is no transaction in progress",
            Want {
                ts: Some("2026-11-20T10:00:00Z"),
                level: Some("WARN"),
                pid: Some("4242"),
                message: "there is no transaction in progress",
                fields: &[("client", "10.0.0.7(51234)"), ("user", "alice"), ("db", "orders")],
                ..Want::default()
            },
        );
        // Debian's `%m [%p] %q%u@%d `: with and without a session.
        t(
            "2026-11-20 10:00:00.123 UTC [99] bob@shop ERROR:  division by zero",
            Want {
                ts: Some("2026-11-20T10:00:00.123Z"),
                level: Some("ERROR"),
                pid: Some("99"),
                message: "division by zero",
                fields: &[("user", "bob"), ("db", "shop")],
                ..Want::default()
            },
        );
        t(
            "2026-11-20 10:00:00.123 UTC [1] LOG:  database system is ready to accept connections",
            Want {
                ts: Some("2026-11-20T10:00:00.123Z"),
                level: Some("INFO"),
                pid: Some("1"),
                message: "database system is ready to accept connections",
                ..Want::default()
            },
        );
    }

    #[test]
    fn rejects() {
        for l in [
            "2026-11-20 10:00:00.123 UTC [2345] Fatal:  x",
            "2026-11-20 10:00:00.123 UTC [2345] FATAL x",
            "2026-11-20 10:00:00.123 UTC [main] INFO x",
            "2026-11-20 10:00:00.123 [2345] LOG:  no zone",
            "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
    }
}
