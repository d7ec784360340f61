//! Python's `logging` module: lines written by a `logging.Formatter` with one of the common format strings.
//!
//! The format strings are data ([`FORMATS`]), written exactly as a program passes them to `logging.Formatter` or
//! `logging.basicConfig(format=...)` (<https://docs.python.org/3/library/logging.html#logrecord-attributes>); a
//! small interpreter matches a line against each in turn. A directive reads:
//!
//! - `%(asctime)s`: `Formatter.formatTime`'s default `2026-11-20 10:00:03,123` (ISO 8601 with a comma before the
//!   milliseconds), or any ISO 8601 `datefmt`, optionally followed by a space and a `%z` offset (gunicorn);
//! - `%(levelname)s`: one of the level names `logging` defines (`DEBUG`, `INFO`, `WARNING`, `ERROR`,
//!   `CRITICAL`, and the aliases `WARN`, `FATAL`), in capitals as `logging` writes them; a width
//!   (`%(levelname)-8s`) pads with spaces;
//! - `%(name)s` (the logger: the component), `%(threadName)s`, `%(module)s`, `%(funcName)s`, `%(filename)s`: text
//!   without spaces, up to the literal that follows the directive;
//! - `%(process)d` (the pid), `%(thread)d`, `%(lineno)d`: digits;
//! - `%(message)s`: the rest of the line (then the lines of a traceback, which the assembler joins).
//!
//! A literal that starts with a space matches one or more spaces (padding from a directive's width).

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header, Level};

/// The format strings recognised, most specific first.
pub const FORMATS: &[&str] = &[
    // The logging cookbook's format (https://docs.python.org/3/howto/logging-cookbook.html).
    "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
    // The logging HOWTO's `basicConfig` example without the logger name.
    "%(asctime)s - %(levelname)s - %(message)s",
    "%(asctime)s [%(levelname)s] %(name)s: %(message)s",
    "%(asctime)s %(levelname)s %(name)s: %(message)s",
    "%(asctime)s:%(levelname)s:%(name)s:%(message)s",
    // Django projects' customary "verbose" formatter in the `%` style.
    "[%(asctime)s] %(levelname)s [%(name)s:%(lineno)d] %(message)s",
    // gunicorn's error log (glogging.py: `%(asctime)s [%(process)d] [%(levelname)s] %(message)s`, datefmt
    // `[%Y-%m-%d %H:%M:%S %z]`).
    "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s",
    // `logging.BASIC_FORMAT`, the default of `basicConfig()`: `ERROR:root:boom`.
    "%(levelname)s:%(name)s:%(message)s",
];

/// The level names `logging` writes (`logging.getLevelName`), and the aliases `WARN` and `FATAL`.
const LEVELS: &[(&[u8], Level)] = &[
    (b"DEBUG", Level::Debug),
    (b"INFO", Level::Info),
    (b"WARNING", Level::Warn),
    (b"WARN", Level::Warn),
    (b"ERROR", Level::Error),
    (b"CRITICAL", Level::Fatal),
    (b"FATAL", Level::Fatal),
];

pub fn parse(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let c = *b.first()?;
    if !(c.is_ascii_digit() || c == b'[' || c.is_ascii_uppercase()) {
        return None;
    }
    FORMATS.iter().find_map(|f| match_format(f.as_bytes(), b))
}

/// The end of the literal `lit` matched at `i`. A leading space matches a run of spaces; a trailing space may be
/// missing at the end of the line (an empty message).
fn literal(b: &[u8], mut i: usize, mut s: &[u8]) -> Option<usize> {
    if s.first() == Some(&b' ') {
        i = ws1(b, i)?;
        while s.first() == Some(&b' ') {
            s = &s[1..];
        }
    }
    if let Some(e) = lit(b, i, s) {
        return Some(e);
    }
    match s.split_last() {
        Some((b' ', head)) if i + head.len() == b.len() => lit(b, i, head),
        _ => None,
    }
}

/// The literal text of the format string from `f` to the next directive.
fn literal_at(fmt: &[u8], f: usize) -> &[u8] {
    let e = memchr::memchr(b'%', &fmt[f..]).map_or(fmt.len(), |p| p + f);
    &fmt[f..e]
}

/// `asctime`: an ISO 8601 time, optionally followed by ` ±HHMM` (`%z` after a space): `(timestamp, end)`.
fn asctime(b: &[u8], i: usize) -> Option<(crate::Timestamp, usize)> {
    let (mut t, mut e) = iso8601(b, i)?;
    if t.offset_minutes.is_none() && b.get(e) == Some(&b' ') {
        if let Some((off, ze)) = zone(b, e + 1).filter(|_| b[e + 1] != b'Z') {
            if ze - e == 6 && matches!(b.get(ze), None | Some(b']' | b' ')) {
                t.offset_minutes = Some(off);
                if t.is_valid() {
                    e = ze;
                }
            }
        }
    }
    t.is_valid().then_some((t, e))
}

fn match_format(fmt: &[u8], b: &[u8]) -> Option<Header> {
    let mut h = Header {
        format: FormatId::Python,
        ..Header::default()
    };
    let (mut f, mut i) = (0, 0);
    while f < fmt.len() {
        if fmt[f] != b'%' {
            let l = literal_at(fmt, f);
            i = literal(b, i, l)?;
            f += l.len();
            continue;
        }
        // `%(key)[-][width]c`
        let close = f + 2 + memchr::memchr(b')', &fmt[f + 2..])?;
        let key = &fmt[f + 2..close];
        let mut k = close + 1;
        while k < fmt.len() && (fmt[k] == b'-' || fmt[k].is_ascii_digit()) {
            k += 1;
        }
        f = k + 1;
        let next = literal_at(fmt, f.min(fmt.len()));
        match key {
            b"message" => {
                h.message_start = i as u32;
                return Some(h);
            }
            b"asctime" => {
                let (t, e) = asctime(b, i)?;
                h.ts = Some(t);
                i = e;
            }
            b"levelname" => {
                let mut e = i;
                while e < b.len() && b[e].is_ascii_uppercase() {
                    e += 1;
                }
                let word = &b[i..e];
                h.level = Some(LEVELS.iter().find(|(w, _)| *w == word)?.1);
                i = e;
            }
            b"process" | b"thread" | b"lineno" => {
                let e = digits_end(b, i);
                if e == i {
                    return None;
                }
                match key {
                    b"process" => h.pid = Some(span(i, e)),
                    b"lineno" => {
                        let (v, _) = num_var(b, i, 1, 9)?;
                        h.fields.push(("lineno", FieldValue::Int(v as i64)));
                    }
                    _ => {}
                }
                i = e;
            }
            _ => {
                // Text up to the next literal's first byte (or a space), never empty nor holding a space.
                let stop = next.first().copied().unwrap_or(b' ');
                let mut e = i;
                while e < b.len() && b[e] != stop && !is_ws(b[e]) {
                    e += 1;
                }
                if e == i {
                    return None;
                }
                match key {
                    b"name" => h.component = Some(span(i, e)),
                    b"threadName" => h.thread = Some(span(i, e)),
                    _ => {}
                }
                i = e;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn every_documented_format() {
        let cases = [
            (
                "2026-11-20 10:00:03,123 - app.main - INFO - bye",
                Want {
                    ts: Some("2026-11-20T10:00:03.123"),
                    level: Some("INFO"),
                    component: Some("app.main"),
                    message: "bye",
                    ..Want::default()
                },
            ),
            (
                "2026-11-20 10:00:03,123 - WARNING - disk almost full - 91%",
                Want {
                    ts: Some("2026-11-20T10:00:03.123"),
                    level: Some("WARN"),
                    message: "disk almost full - 91%",
                    ..Want::default()
                },
            ),
            (
                "2026-11-20 10:00:03,123 [ERROR] app.db: connection lost: retrying",
                Want {
                    ts: Some("2026-11-20T10:00:03.123"),
                    level: Some("ERROR"),
                    component: Some("app.db"),
                    message: "connection lost: retrying",
                    ..Want::default()
                },
            ),
            (
                "2026-11-20 10:00:03,123 CRITICAL   app.main: out of memory",
                Want {
                    ts: Some("2026-11-20T10:00:03.123"),
                    level: Some("FATAL"),
                    component: Some("app.main"),
                    message: "out of memory",
                    ..Want::default()
                },
            ),
            (
                "2026-11-20 10:00:03,123:DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): api:443",
                Want {
                    ts: Some("2026-11-20T10:00:03.123"),
                    level: Some("DEBUG"),
                    component: Some("urllib3.connectionpool"),
                    message: "Starting new HTTPS connection (1): api:443",
                    ..Want::default()
                },
            ),
            (
                "[2026-11-20 10:00:03,123] WARNING [django.request:241] Not Found: /favicon.ico",
                Want {
                    ts: Some("2026-11-20T10:00:03.123"),
                    level: Some("WARN"),
                    component: Some("django.request"),
                    message: "Not Found: /favicon.ico",
                    fields: &[("lineno", "241")],
                    ..Want::default()
                },
            ),
            (
                "[2026-11-20 10:00:03 +0100] [4242] [INFO] Booting worker with pid: 4242",
                Want {
                    ts: Some("2026-11-20T10:00:03+01:00"),
                    level: Some("INFO"),
                    pid: Some("4242"),
                    message: "Booting worker with pid: 4242",
                    ..Want::default()
                },
            ),
            (
                "ERROR:root:boom",
                Want {
                    level: Some("ERROR"),
                    component: Some("root"),
                    message: "boom",
                    ..Want::default()
                },
            ),
            (
                "WARNING:py.warnings:",
                Want {
                    level: Some("WARN"),
                    component: Some("py.warnings"),
                    message: "",
                    ..Want::default()
                },
            ),
        ];
        for (l, mut w) in cases {
            let h = parse(l, &CTX).unwrap_or_else(|| panic!("{l}"));
            w.format = "python";
            check(l, &h, w);
        }
    }

    #[test]
    fn rejects_other_formats() {
        for l in [
            // Zookeeper, log4j, Hadoop, Spark, OpenStack
            "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
            "2024-01-15 10:23:45,123 ERROR [main] com.x.Y - msg",
            "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster",
            "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers",
            "2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-1] ok",
            "2026-11-20 10:00:03,123 - app.main - Info - lower case is not logging's",
            "Error:root:x",
            "NOTICE:root:x",
            "ERROR:root x",
            "[2026-11-20 10:00:03,123] WARNING [django.request:x] y",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
    }
}
