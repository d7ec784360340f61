//! JSON lines: one object per line (pino, bunyan, zap, logrus, slog, Serilog CLEF, ECS, Docker's json-file, ...).
//!
//! The object is walked by a small hand-written scanner rather than deserialised: the header keeps *spans* into
//! the line, which a deserialiser cannot give, and walking costs no allocation. Keys are matched without regard
//! to case, at the top level and one or two levels down as dotted paths (`log.level`, `trace.id`,
//! `process.thread.name`); a literal dotted key (`"log.level"`) matches the same. When several keys name the
//! same thing the most specific wins (`@timestamp` over `time`, `@m` over `@mt`).
//!
//! - timestamp: `@timestamp`, `timestamp`, `time`, `ts`, `t`, `@t`, `date`, `datetime`, `asctime`: an RFC 3339
//!   string, or an epoch (number or digit string) in seconds, milliseconds, microseconds or nanoseconds by
//!   magnitude (fractional seconds kept);
//! - level: `level`, `lvl`, `severity`, `loglevel`, `log.level`, `@l`, `levelname`: a level word, or a
//!   pino/bunyan number (10 trace ... 60 fatal);
//! - message: `msg`, `message`, `@m`, `@mt`, `RenderedMessage`, `MessageTemplate`, `log` (Docker), `body`;
//!   the message is the string's content with its escapes decoded (see [`unescape_into`]; a string without
//!   escapes stays a span of the line, one with escapes is decoded into [`Header::decoded`]), less one final line
//!   end (Docker's json-file keeps each line's `\n` in `log`); `message_end` marks its end;
//! - component: `logger`, `logger_name`, `log.logger`, `component`, `name`, `caller`, `SourceContext`, `module`;
//! - thread: `thread`, `thread_name`, `process.thread.name`; trace id: `trace_id`, `traceId`, `trace.id`,
//!   `dd.trace_id`; host: `host`, `hostname`, `host.name`; pid: `pid`, `process.pid`.
//!
//! Two shapes are known beyond these keys:
//!
//! - Docker's json-file driver (`{"log":"...\n","stream":"stderr","time":"..."}`,
//!   <https://docs.docker.com/engine/logging/drivers/json-file/>): `log` is the message; `stream` is kept as a
//!   field. The level is the one of the program's own line inside `log` when it has a known format (a JSON,
//!   logback, ... line) or a level word near its start; failing that, a line written to `stderr` is WARN and one
//!   written to `stdout` has none.
//! - journald's export as `journalctl -o json` (<https://www.freedesktop.org/software/systemd/man/latest/systemd.journal-fields.html>):
//!   `_SOURCE_REALTIME_TIMESTAMP` or `__REALTIME_TIMESTAMP` (microseconds since the epoch, as a string) is the
//!   timestamp, `PRIORITY` (the syslog severity 0–7) the level, `MESSAGE` the message, `SYSLOG_IDENTIFIER` or
//!   `_COMM` the component, `_PID` (or `SYSLOG_PID`) the pid and `_HOSTNAME` the host.
//!
//! A line without a message key keeps the whole line as its message. Every string value taken (level, logger,
//! thread, trace id, host, pid, timestamp) is decoded the same way.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header, Level, Span};
use crate::timestamp::Timestamp;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Role {
    Ts,
    Level,
    Message,
    Component,
    Thread,
    TraceId,
    Host,
    Pid,
    /// A syslog severity digit (journald's `PRIORITY`), taken only in a journald record.
    Severity,
    /// Docker's `stream` (`stdout` or `stderr`).
    Stream,
}

/// The role of a (lowercased, dotted) key and its priority (lower wins).
pub(crate) fn role(path: &[u8]) -> Option<(Role, u8)> {
    Some(match path {
        b"@timestamp" => (Role::Ts, 0),
        b"timestamp" => (Role::Ts, 1),
        b"time" => (Role::Ts, 2),
        b"ts" => (Role::Ts, 3),
        b"@t" => (Role::Ts, 4),
        b"t" => (Role::Ts, 5),
        b"datetime" => (Role::Ts, 6),
        b"date" => (Role::Ts, 7),
        b"asctime" => (Role::Ts, 8),
        b"_source_realtime_timestamp" => (Role::Ts, 9),
        b"__realtime_timestamp" => (Role::Ts, 10),
        b"level" => (Role::Level, 0),
        b"log.level" => (Role::Level, 1),
        b"lvl" => (Role::Level, 2),
        b"severity" => (Role::Level, 3),
        b"loglevel" | b"log_level" => (Role::Level, 4),
        b"levelname" | b"level_name" => (Role::Level, 5),
        b"@l" => (Role::Level, 6),
        b"severitytext" => (Role::Level, 7),
        b"msg" => (Role::Message, 0),
        b"message" => (Role::Message, 1),
        b"@m" => (Role::Message, 2),
        b"renderedmessage" => (Role::Message, 3),
        b"@mt" => (Role::Message, 4),
        b"messagetemplate" => (Role::Message, 5),
        b"log" => (Role::Message, 6),
        b"body" => (Role::Message, 7),
        b"logger" => (Role::Component, 0),
        b"logger_name" | b"loggername" => (Role::Component, 1),
        b"log.logger" => (Role::Component, 2),
        b"component" => (Role::Component, 3),
        b"sourcecontext" => (Role::Component, 4),
        b"name" => (Role::Component, 5),
        b"module" => (Role::Component, 6),
        b"caller" => (Role::Component, 7),
        b"syslog_identifier" => (Role::Component, 8),
        b"_comm" => (Role::Component, 9),
        b"thread" => (Role::Thread, 0),
        b"thread_name" | b"threadname" => (Role::Thread, 1),
        b"process.thread.name" => (Role::Thread, 2),
        b"trace_id" => (Role::TraceId, 0),
        b"traceid" => (Role::TraceId, 1),
        b"trace.id" => (Role::TraceId, 2),
        b"dd.trace_id" => (Role::TraceId, 3),
        b"host" => (Role::Host, 0),
        b"hostname" => (Role::Host, 1),
        b"host.name" => (Role::Host, 2),
        b"host.hostname" => (Role::Host, 3),
        b"_hostname" => (Role::Host, 4),
        b"pid" => (Role::Pid, 0),
        b"process.pid" => (Role::Pid, 1),
        b"_pid" => (Role::Pid, 2),
        b"syslog_pid" => (Role::Pid, 3),
        b"priority" => (Role::Severity, 0),
        b"stream" => (Role::Stream, 0),
        _ => return None,
    })
}

/// A value as the scanner saw it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value {
    /// String content (between the quotes, escapes as written) and whether it holds a backslash escape.
    Str(usize, usize, bool),
    /// A number, `true`, `false` or `null`.
    Scalar(usize, usize),
    /// An object or an array.
    Composite,
}

/// A text value of the line: `s..e`, whether it was a quoted string, whether it holds escapes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Text {
    s: usize,
    e: usize,
    quoted: bool,
    esc: bool,
}

/// What the keys of a line said, each with the priority of the key it came from.
#[derive(Default)]
pub(crate) struct Acc {
    pub ts: Option<(u8, Timestamp)>,
    pub level: Option<(u8, Level)>,
    pub message: Option<(u8, Text)>,
    pub component: Option<(u8, Text)>,
    pub thread: Option<(u8, Text)>,
    pub trace_id: Option<(u8, Text)>,
    pub host: Option<(u8, Text)>,
    pub pid: Option<(u8, Text)>,
    pub severity: Option<Level>,
    pub stream: Option<Text>,
    /// A journald key (`__REALTIME_TIMESTAMP`, `_SOURCE_REALTIME_TIMESTAMP`) gave the timestamp.
    pub journald: bool,
    pub recognised: usize,
}

/// U+FFFD, for escapes that do not stand for a character.
const REPLACEMENT: char = '\u{FFFD}';

/// The value of four hex digits at `i`.
#[inline]
fn hex4(b: &[u8], i: usize) -> Option<u32> {
    let d = b.get(i..i + 4)?;
    let mut v = 0;
    for &c in d {
        v = v << 4 | (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Appends the content of a JSON string (between its quotes, as written) to `out` with its escapes decoded, as
/// RFC 8259 §7 defines them: `\" \\ \/ \b \f \n \r \t` and `\uXXXX`, where a UTF-16 surrogate pair (`\ud83d\ude00`)
/// is one character. Never fails: an escape JSON does not have (`\x`, with the character after the backslash), a
/// `\u` without four hex digits (the text after `\u` is kept), and a surrogate without its other half each become
/// U+FFFD.
pub fn unescape_into(raw: &str, out: &mut String) {
    let b = raw.as_bytes();
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'\\', &b[i..]) {
        let p = i + p;
        // Runs end at an ASCII backslash: whole characters.
        out.push_str(&raw[i..p]);
        let Some(&c) = b.get(p + 1) else {
            out.push(REPLACEMENT);
            return;
        };
        i = p + 2;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => match hex4(b, p + 2) {
                None => REPLACEMENT,
                Some(hi) => {
                    i = p + 6;
                    match hi {
                        0xD800..=0xDBFF => {
                            let lo = (b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u'))
                                .then(|| hex4(b, i + 2))
                                .flatten();
                            match lo {
                                Some(lo @ 0xDC00..=0xDFFF) => {
                                    i += 6;
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                        .unwrap_or(REPLACEMENT)
                                }
                                // A high surrogate alone; what follows is read on its own.
                                _ => REPLACEMENT,
                            }
                        }
                        0xDC00..=0xDFFF => REPLACEMENT,
                        _ => char::from_u32(hi).unwrap_or(REPLACEMENT),
                    }
                }
            },
            _ => {
                // Not a JSON escape: the backslash and the whole character after it (it may be multi-byte).
                i = p + 1 + raw[p + 1..].chars().next().map_or(1, char::len_utf8);
                REPLACEMENT
            }
        };
        out.push(ch);
    }
    out.push_str(&raw[i..]);
}

/// `line[s..e]`: `s` and `e` sit next to ASCII quotes or delimiters, so this is whole characters (empty if not:
/// a bug, not a reason to panic).
fn text_at(line: &str, s: usize, e: usize) -> &str {
    line.get(s..e).unwrap_or_default()
}

/// `b[s..e]` with escapes decoded, in a new string (for values read once: level, timestamp).
fn unescaped(b: &[u8], s: usize, e: usize) -> String {
    let mut out = String::new();
    unescape_into(
        &String::from_utf8_lossy(b.get(s..e).unwrap_or_default()),
        &mut out,
    );
    out
}

fn better<T>(slot: &Option<(u8, T)>, prio: u8) -> bool {
    slot.as_ref().is_none_or(|(p, _)| prio < *p)
}

impl Acc {
    /// Records a value under its role. `quoted`: the value was a quoted string (for the message's end).
    pub(crate) fn offer(&mut self, b: &[u8], role: Role, prio: u8, v: Value) {
        let t = match v {
            Value::Str(s, e, esc) => Text {
                s,
                e,
                quoted: true,
                esc,
            },
            Value::Scalar(s, e) => Text {
                s,
                e,
                quoted: false,
                esc: false,
            },
            Value::Composite => return,
        };
        let (s, e) = (t.s, t.e);
        self.recognised += 1;
        match role {
            Role::Ts if better(&self.ts, prio) => {
                let ts = if t.esc {
                    let d = unescaped(b, s, e);
                    value_timestamp(d.as_bytes(), 0, d.len())
                } else {
                    value_timestamp(b, s, e)
                };
                if let Some(ts) = ts {
                    self.ts = Some((prio, ts));
                    self.journald = prio >= 9;
                }
            }
            Role::Level if better(&self.level, prio) => {
                let l = match num_var(b, s, 1, 3).filter(|(_, end)| *end == e) {
                    Some((n, _)) => numeric_level(n as i64),
                    None if t.esc => {
                        let d = unescaped(b, s, e);
                        level_of(d.as_bytes(), 0, d.len())
                    }
                    None => level_of(b, s, e),
                };
                if let Some(l) = l {
                    self.level = Some((prio, l));
                }
            }
            Role::Message if better(&self.message, prio) => self.message = Some((prio, t)),
            Role::Component if better(&self.component, prio) && e > s => {
                self.component = Some((prio, t))
            }
            Role::Thread if better(&self.thread, prio) && e > s => self.thread = Some((prio, t)),
            Role::TraceId if better(&self.trace_id, prio) && e > s => {
                self.trace_id = Some((prio, t))
            }
            Role::Host if better(&self.host, prio) && e > s => self.host = Some((prio, t)),
            Role::Pid if better(&self.pid, prio) && e > s => self.pid = Some((prio, t)),
            Role::Severity => {
                if let Some(d @ b'0'..=b'7') = (e == s + 1).then(|| b[s]) {
                    self.severity = Some(Level::from_syslog_severity(d - b'0'));
                }
            }
            Role::Stream if t.quoted && !t.esc && e > s => self.stream = Some(t),
            _ => {}
        }
    }

    /// The header of the line `b`: spans of the line for plain values, values with escapes decoded into
    /// [`Header::decoded`].
    pub(crate) fn into_header(self, format: FormatId, line: &str, ctx: &ParseContext) -> Header {
        let journald_level = self.severity.filter(|_| self.journald);
        // Docker json-file: the message came from `log` next to a `stream`.
        let docker = self.stream.filter(|_| matches!(self.message, Some((6, _))));
        let mut decoded = String::new();
        let mut span_of = |slot: Option<(u8, Text)>| -> Option<Span> {
            let t = slot?.1;
            if !t.esc {
                return Some(span(t.s, t.e));
            }
            let start = decoded.len();
            unescape_into(text_at(line, t.s, t.e), &mut decoded);
            Some(Span::decoded(start, decoded.len()))
        };
        let component = span_of(self.component);
        let pid = span_of(self.pid);
        let thread = span_of(self.thread);
        let trace_id = span_of(self.trace_id);
        let host = span_of(self.host);
        let (mut message_start, mut message_end, mut message_decoded) = (0, None, false);
        if let Some((_, t)) = self.message {
            if t.esc {
                message_start = decoded.len();
                unescape_into(text_at(line, t.s, t.e), &mut decoded);
                // A final line end is the end of the line the program wrote (Docker's json-file keeps it), not
                // part of its message.
                let mut end = decoded.len();
                if decoded.ends_with('\n') && end > message_start {
                    end -= 1;
                    if decoded[..end].ends_with('\r') && end > message_start {
                        end -= 1;
                    }
                }
                message_end = Some(end as u32);
                message_decoded = true;
            } else {
                message_start = t.s;
                message_end = (t.quoted || t.e < line.len()).then_some(t.e as u32);
            }
        }
        let mut level = self.level.map(|x| x.1).or(journald_level);
        let mut fields = Vec::new();
        let mut level_inferred = false;
        if let Some(st) = docker {
            fields.push(("stream", FieldValue::Text(span(st.s, st.e))));
            if level.is_none() {
                let m = if message_decoded {
                    decoded.get(message_start..message_end.unwrap_or(0) as usize)
                } else {
                    line.get(message_start..message_end.map_or(line.len(), |e| e as usize))
                };
                level = m.and_then(|m| inner_level(m, ctx));
                if level.is_none() && &line.as_bytes()[st.s..st.e] == b"stderr" {
                    level = Some(Level::Warn);
                    level_inferred = true;
                }
            }
        }
        Header {
            format,
            ts: self.ts.map(|x| x.1),
            level,
            component,
            pid,
            thread,
            trace_id,
            host,
            message_start: message_start as u32,
            message_end,
            fields,
            decoded,
            message_decoded,
            continues: false,
            level_inferred,
        }
    }
}

/// The level of a program's own line wrapped in a Docker record: the level its format gives (one level down: a
/// JSON line inside is read without looking inside it again), else a level word near its start.
fn inner_level(m: &str, ctx: &ParseContext) -> Option<Level> {
    let h = if m.starts_with('{') {
        parse_object(m, ctx, false)
    } else {
        super::parse_any(m, ctx, FormatId::Unknown)
    };
    h.and_then(|h| h.level)
        .or_else(|| super::unknown::find_level(m.as_bytes()))
}

/// pino/bunyan numeric levels.
fn numeric_level(v: i64) -> Option<Level> {
    Some(match v {
        10 => Level::Trace,
        20 => Level::Debug,
        30 => Level::Info,
        40 => Level::Warn,
        50 => Level::Error,
        60 => Level::Fatal,
        _ => return None,
    })
}

/// A timestamp value: RFC 3339 text, or an epoch (seconds, millis, micros or nanos by magnitude).
pub(crate) fn value_timestamp(b: &[u8], s: usize, e: usize) -> Option<Timestamp> {
    if e <= s {
        return None;
    }
    if e - s >= 16 && b[s + 4] == b'-' {
        return iso8601(b, s).map(|x| x.0);
    }
    epoch_value(&b[s..e])
}

/// `1700000000`, `1700000000123`, `1700000000.123456`: a Unix time.
pub(crate) fn epoch_value(v: &[u8]) -> Option<Timestamp> {
    let int_end = v
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(v.len());
    if int_end == 0 || int_end > 19 {
        return None;
    }
    let int = num_var(v, 0, 1, 19)?.0;
    let (frac_nanos, frac_n) = if int_end < v.len() {
        if v[int_end] != b'.' {
            return None;
        }
        let (n, d, end) = frac_digits(v, int_end + 1);
        if end != v.len() || d == 0 {
            return None;
        }
        (n, d)
    } else {
        (0, 0)
    };
    let (secs, nanos, digits) = match int_end {
        1..=11 => (int as i64, frac_nanos, frac_n),
        12..=14 => ((int / 1000) as i64, (int % 1000) as u32 * 1_000_000, 3),
        15..=17 => ((int / 1_000_000) as i64, (int % 1_000_000) as u32 * 1000, 6),
        _ => (
            (int / 1_000_000_000) as i64,
            (int % 1_000_000_000) as u32,
            9,
        ),
    };
    // 1990..2100: anything else is a number, not a time.
    if !(631_152_000..4_102_444_800).contains(&secs) {
        return None;
    }
    Some(Timestamp::from_unix(secs, nanos, digits))
}

#[inline]
fn json_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// A string at `i` (on its opening quote): `(content start, content end, has escapes, end)`.
#[inline]
fn string(b: &[u8], i: usize) -> Option<(usize, usize, bool, usize)> {
    // Most keys and values are short: look at the first bytes one by one before calling memchr.
    let short_end = b.len().min(i + 1 + 24);
    let mut j = i + 1;
    while j < short_end {
        match b[j] {
            b'"' => return Some((i + 1, j, false, j + 1)),
            b'\\' => break,
            _ => j += 1,
        }
    }
    let mut esc = false;
    loop {
        let p = memchr::memchr2(b'"', b'\\', b.get(j..)?)? + j;
        if b[p] == b'\\' {
            esc = true;
            j = p + 2;
        } else {
            return Some((i + 1, p, esc, p + 1));
        }
    }
}

/// Skips an object or array at `i` (on its bracket): the end.
fn skip_composite(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    while j < b.len() {
        match b[j] {
            b'"' => {
                j = string(b, j)?.3;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    None
}

/// A scalar at `i`: its end.
fn scalar(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
        j += 1;
    }
    let v = &b[i..j];
    let ok = match v.first()? {
        b't' => v == b"true",
        b'f' => v == b"false",
        b'n' => v == b"null",
        c => c.is_ascii_digit() || *c == b'-',
    };
    ok.then_some(j)
}

/// The longest dotted key path that can name a role (`_source_realtime_timestamp` and a little room).
const PATH_MAX: usize = 32;

/// The lowercased dotted path of the key being read; longer paths are not matched (no role is that long).
struct Path {
    buf: [u8; PATH_MAX],
    len: usize,
    /// The path did not fit.
    long: bool,
}

impl Path {
    /// Sets the path to `parent` (its first `base` bytes) + `.` + `key`.
    #[inline]
    fn set(&mut self, base: usize, base_long: bool, key: &[u8]) {
        let dot = (base > 0) as usize;
        let len = base + dot + key.len();
        self.long = base_long || len > PATH_MAX;
        if self.long {
            self.len = base;
            return;
        }
        if dot == 1 {
            self.buf[base] = b'.';
        }
        for (d, c) in self.buf[base + dot..len].iter_mut().zip(key) {
            *d = c.to_ascii_lowercase();
        }
        self.len = len;
    }
}

/// Walks the object at `i` (on its `{`); `path` holds the lowercased parent keys. Returns the end.
fn walk(b: &[u8], i: usize, path: &mut Path, depth: usize, acc: &mut Acc) -> Option<usize> {
    let mut i = json_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some(i + 1);
    }
    let (base, base_long) = (path.len, path.long);
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (ks, ke, kesc, e) = string(b, i)?;
        i = json_ws(b, e);
        byte(b, i, b':')?;
        i = json_ws(b, i + 1);
        path.set(base, base_long || kesc, &b[ks..ke]);
        let c = *b.get(i)?;
        let value = match c {
            b'"' => {
                let (s, e, esc, end) = string(b, i)?;
                i = end;
                Value::Str(s, e, esc)
            }
            b'{' => {
                i = if depth < 2 && !path.long {
                    let end = walk(b, i, path, depth + 1, acc)?;
                    path.set(base, base_long || kesc, &b[ks..ke]);
                    end
                } else {
                    skip_composite(b, i)?
                };
                Value::Composite
            }
            b'[' => {
                i = skip_composite(b, i)?;
                Value::Composite
            }
            _ => {
                let end = scalar(b, i)?;
                let v = Value::Scalar(i, end);
                i = end;
                v
            }
        };
        if !path.long {
            if let Some((r, p)) = role(&path.buf[..path.len]) {
                acc.offer(b, r, p, value);
            }
        }
        i = json_ws(b, i);
        match b.get(i)? {
            b',' => i = json_ws(b, i + 1),
            b'}' => {
                path.len = base;
                path.long = base_long;
                return Some(i + 1);
            }
            _ => return None,
        }
    }
}

pub fn parse(line: &str, ctx: &ParseContext) -> Option<Header> {
    parse_object(line, ctx, true)
}

/// `nested`: whether a Docker record's inner line may be read (not when this is already an inner line).
fn parse_object(line: &str, ctx: &ParseContext, nested: bool) -> Option<Header> {
    let b = line.as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    let mut acc = Acc::default();
    let mut path = Path {
        buf: [0; PATH_MAX],
        len: 0,
        long: false,
    };
    let end = walk(b, 0, &mut path, 0, &mut acc)?;
    if json_ws(b, end) != b.len() {
        return None;
    }
    if !nested {
        acc.stream = None;
    }
    Some(acc.into_header(FormatId::Json, line, ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn pino() {
        let l = r#"{"level":50,"time":1700000000123,"pid":4242,"hostname":"api-1","name":"orders","msg":"payment \"declined\"","err":{"type":"Error"}}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2023-11-14T22:13:20.123Z"),
                level: Some("ERROR"),
                component: Some("orders"),
                pid: Some("4242"),
                host: Some("api-1"),
                message: r#"payment "declined""#,
                ..Want::default()
            },
        );
    }

    #[test]
    fn ecs_nested_and_dotted() {
        let l = r#"{"@timestamp":"2024-01-15T10:23:45.123Z","log.level":"warn","message":"slow query","log":{"logger":"db.pool"},"process":{"pid":7,"thread":{"name":"worker-2"}},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"host":{"name":"db-1"}}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2024-01-15T10:23:45.123Z"),
                level: Some("WARN"),
                component: Some("db.pool"),
                pid: Some("7"),
                thread: Some("worker-2"),
                trace_id: Some("4bf92f3577b34da6a3ce929d0e0e4736"),
                host: Some("db-1"),
                message: "slow query",
                ..Want::default()
            },
        );
    }

    #[test]
    fn zap_logrus_clef() {
        let l = r#"{"level":"info","ts":1700000000.5,"caller":"server/main.go:42","msg":"listening","addr":":8080"}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2023-11-14T22:13:20.500Z"),
                level: Some("INFO"),
                component: Some("server/main.go:42"),
                message: "listening",
                ..Want::default()
            },
        );
        let l = r#"{"@t":"2024-01-15T10:23:45.1234567+01:00","@mt":"Order {Id} failed","@m":"Order 7 failed","@l":"Error","SourceContext":"Shop.Orders","traceId":"abc123","ThreadId":5}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2024-01-15T10:23:45.123456700+01:00"),
                level: Some("ERROR"),
                component: Some("Shop.Orders"),
                trace_id: Some("abc123"),
                message: "Order 7 failed",
                ..Want::default()
            },
        );
        // No message key: the whole line.
        let l = r#"{"time":"2024-01-15T10:23:45Z","lvl":"debug","thread_name":"main"}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2024-01-15T10:23:45Z"),
                level: Some("DEBUG"),
                thread: Some("main"),
                message: l,
                ..Want::default()
            },
        );
    }

    #[test]
    fn rejects() {
        for l in [
            r#"{"a":1"#,
            r#"{"a":1} trailing"#,
            r#"{a:1}"#,
            r#"["a"]"#,
            "{ this is not json }",
            r#"{"level":"info","msg":"x",}"#,
            "level=info msg=x",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
        // Every line the scanner accepts is valid JSON.
        for l in [r#"{}"#, r#"{"a":[1,{"b":"]}"}],"c":null,"d":-1.5e3}"#] {
            assert!(parse(l, &CTX).is_some(), "{l}");
            assert!(serde_json::from_str::<serde_json::Value>(l).is_ok());
        }
    }

    #[test]
    fn string_escapes_are_decoded() {
        let u = |raw: &str| {
            let mut out = String::new();
            unescape_into(raw, &mut out);
            out
        };
        assert_eq!(u(r#"bad \"q\"\nx"#), "bad \"q\"\nx");
        assert_eq!(u(r#"\\ \/ \b\f\n\r\t"#), "\\ / \u{8}\u{c}\n\r\t");
        assert_eq!(u(r#"caf\u00e9 \u65E5"#), "café 日");
        assert_eq!(u(r#"\ud83d\ude00!"#), "\u{1F600}!");
        // Lone surrogates, a high one before a plain `\u`, short or bad hex, unknown escapes, a final backslash.
        assert_eq!(u(r#"a\ud83db"#), "a\u{FFFD}b");
        assert_eq!(u(r#"a\ude00b"#), "a\u{FFFD}b");
        assert_eq!(u(r#"\ud83d\u0041"#), "\u{FFFD}A");
        assert_eq!(u(r#"\ud83d\ud83d\ude00"#), "\u{FFFD}\u{1F600}");
        assert_eq!(u(r#"\u12"#), "\u{FFFD}12");
        assert_eq!(u(r#"\u12G4x"#), "\u{FFFD}12G4x");
        assert_eq!(u(r#"\x41 \é"#), "\u{FFFD}41 \u{FFFD}");
        assert_eq!(u("end\\"), "end\u{FFFD}");
        assert_eq!(u("\\u0000"), "\0");
        assert_eq!(u("no escapes é"), "no escapes é");
    }

    #[test]
    fn escaped_values_are_decoded_in_the_header() {
        let l = r#"{"level":"\u0045RROR","logger":"a\/b","thread":"t\"1","trace_id":"ab\u0063","host":"h\u00e9","pid":"4\u0032","msg":"bad \"q\"\nx\n","time":"2024-01-15T10:23:45\u002B01:00"}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2024-01-15T10:23:45+01:00"),
                level: Some("ERROR"),
                component: Some("a/b"),
                pid: Some("42"),
                thread: Some("t\"1"),
                trace_id: Some("abc"),
                host: Some("hé"),
                message: "bad \"q\"\nx",
                ..Want::default()
            },
        );
        // Docker json-file: the line's own `\n` (or `\r\n`) is not part of the message; only one is dropped.
        let l = r#"{"log":"listening on :8080\r\n","stream":"stdout","time":"2024-01-15T10:23:45.123456789Z"}"#;
        let h = parse(l, &CTX).unwrap();
        assert_eq!(msg(l, &h), "listening on :8080");
        let l = r#"{"log":"two\n\n"}"#;
        assert_eq!(msg(l, &parse(l, &CTX).unwrap()), "two\n");
        let l = r#"{"log":"\n"}"#;
        assert_eq!(msg(l, &parse(l, &CTX).unwrap()), "");
    }

    #[test]
    fn docker_and_journald() {
        let l =
            r#"{"log":"listening on :8080\n","stream":"stderr","time":"2026-11-20T10:00:00.5Z"}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2026-11-20T10:00:00.500Z"),
                level: Some("WARN"),
                message: "listening on :8080",
                fields: &[("stream", "stderr")],
                ..Want::default()
            },
        );
        let l = r#"{"log":"listening\n","stream":"stdout","time":"2026-11-20T10:00:00Z"}"#;
        assert_eq!(parse(l, &CTX).unwrap().level, None);
        // The inner line's level wins over the stream; an inner Docker record is not unwrapped again.
        let l = r#"{"log":"{\"level\":\"debug\",\"msg\":\"x\"}\n","stream":"stderr"}"#;
        assert_eq!(parse(l, &CTX).unwrap().level, Some(Level::Debug));
        let l = r#"{"log":"{\"log\":\"y\",\"stream\":\"stderr\"}","stream":"stdout"}"#;
        assert_eq!(parse(l, &CTX).unwrap().level, None);
        let l = r#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1795168800123456","_HOSTNAME":"web-1","PRIORITY":"3","SYSLOG_IDENTIFIER":"nginx","_PID":"880","_COMM":"nginx","MESSAGE":"bind() failed"}"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "json",
                ts: Some("2026-11-20T10:00:00.123456Z"),
                level: Some("ERROR"),
                component: Some("nginx"),
                pid: Some("880"),
                host: Some("web-1"),
                message: "bind() failed",
                ..Want::default()
            },
        );
        // `PRIORITY` is a syslog severity only in a journald record.
        let l = r#"{"time":"2026-11-20T10:00:00Z","priority":"1","msg":"task"}"#;
        assert_eq!(parse(l, &CTX).unwrap().level, None);
    }

    #[test]
    fn epochs() {
        let f = |s: &str| epoch_value(s.as_bytes()).map(|t| t.to_rfc3339());
        assert_eq!(f("1700000000").as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(
            f("1700000000123456").as_deref(),
            Some("2023-11-14T22:13:20.123456Z")
        );
        assert_eq!(
            f("1700000000123456789").as_deref(),
            Some("2023-11-14T22:13:20.123456789Z")
        );
        assert_eq!(f("42"), None);
        assert_eq!(f("17x"), None);
    }
}
