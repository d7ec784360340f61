//! The event: what one log record becomes once its lines are joined and its header is read.

use crate::formats::FormatId;
use crate::timestamp::Timestamp;

/// Severity, normalised across formats (syslog `notice`, Android `W`, .NET `fail`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

impl Level {
    pub const ALL: [Level; 6] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
        Level::Fatal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }

    /// Maps the many spellings of a level to one. Case-insensitive; returns `None` for words that are not levels.
    pub fn parse(word: &str) -> Option<Level> {
        let w = word.trim();
        if w.is_empty() || w.len() > 11 {
            return None;
        }
        let mut buf = [0u8; 11];
        for (i, b) in w.bytes().enumerate() {
            buf[i] = b.to_ascii_lowercase();
        }
        Some(match &buf[..w.len()] {
            b"trace" | b"trc" | b"finest" | b"finer" | b"verbose" | b"v" | b"vrb" => Level::Trace,
            b"debug" | b"dbg" | b"dbug" | b"d" | b"fine" | b"config" | b"dbug:" => Level::Debug,
            b"info" | b"inf" | b"i" | b"information" | b"notice" | b"informational" | b"note" => {
                Level::Info
            }
            b"warn" | b"warning" | b"w" | b"wrn" | b"warnings" => Level::Warn,
            b"error" | b"err" | b"e" | b"fail" | b"failure" | b"severe" | b"eror" => Level::Error,
            b"fatal" | b"f" | b"crit" | b"critical" | b"alert" | b"emerg" | b"emergency"
            | b"panic" | b"ftl" | b"a" => Level::Fatal,
            _ => return None,
        })
    }

    /// Syslog severity 0..=7 (RFC 5424 §6.2.1).
    pub fn from_syslog_severity(sev: u8) -> Level {
        match sev {
            0..=2 => Level::Fatal,
            3 => Level::Error,
            4 => Level::Warn,
            5 | 6 => Level::Info,
            _ => Level::Debug,
        }
    }
}

/// A span of bytes inside the event's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    /// The span's text. Formats build spans at ASCII bytes, so they fall on character boundaries; a span that did
    /// not (a bug) reads as empty rather than panicking on input nobody foresaw.
    pub fn of<'a>(&self, text: &'a str) -> &'a str {
        let r = text.get(self.start as usize..self.end as usize);
        debug_assert!(
            r.is_some() || self.start > self.end,
            "span {self:?} of {text:?}"
        );
        r.unwrap_or("")
    }
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
}

/// A per-format field's value: text from the line, or a number read from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue {
    Text(Span),
    Int(i64),
    Float(f64),
}

/// What a format parser reads from an event's first line. Spans point into that line.
#[derive(Debug, Clone, Default)]
pub struct Header {
    pub format: FormatId,
    pub ts: Option<Timestamp>,
    pub level: Option<Level>,
    pub component: Option<Span>,
    pub pid: Option<Span>,
    pub thread: Option<Span>,
    pub trace_id: Option<Span>,
    pub host: Option<Span>,
    /// Where the message starts in the first line (the message runs to the end of the event).
    pub message_start: u32,
    /// Where the message ends in the first line when a trailer follows it (JSON lines); `None`: to the end.
    pub message_end: Option<u32>,
    /// Per-format fields, in output order (access logs: `client_ip`, `method`, ...).
    pub fields: Vec<(&'static str, FieldValue)>,
}

/// One event, borrowed from the pipeline's buffer for the duration of the callback.
#[derive(Debug)]
pub struct Event<'a> {
    /// 1-based number of the event's first line.
    pub line: u64,
    /// 1-based number of the event's last line (equal to `line` for one-line events).
    pub end_line: u64,
    /// Byte offset of the event's first line in the decoded stream.
    pub offset: u64,
    /// Length in bytes of the event in the decoded stream (line terminators included).
    pub len: u64,
    /// The event's text: its lines joined by `\n`, CR stripped, invalid UTF-8 replaced.
    pub text: &'a str,
    pub header: &'a Header,
    /// Some line of the event was cut at the line limit, or lines were dropped at the event limit.
    pub truncated: bool,
    /// Some line of the event was not valid UTF-8 (replaced with U+FFFD).
    pub invalid_utf8: bool,
}

impl<'a> Event<'a> {
    fn first_line(&self) -> &'a str {
        // memchr rather than `str::find`: every field accessor calls this, so it must be a SIMD scan.
        match memchr::memchr(b'\n', self.text.as_bytes()) {
            Some(i) => &self.text[..i],
            None => self.text,
        }
    }
    fn span(&self, s: Option<Span>) -> Option<&'a str> {
        s.map(|s| s.of(self.first_line())).filter(|v| !v.is_empty())
    }
    pub fn format(&self) -> FormatId {
        self.header.format
    }
    pub fn level(&self) -> Option<Level> {
        self.header.level
    }
    pub fn ts(&self) -> Option<&Timestamp> {
        self.header.ts.as_ref()
    }
    pub fn component(&self) -> Option<&'a str> {
        self.span(self.header.component)
    }
    pub fn pid(&self) -> Option<&'a str> {
        self.span(self.header.pid)
    }
    pub fn thread(&self) -> Option<&'a str> {
        self.span(self.header.thread)
    }
    pub fn trace_id(&self) -> Option<&'a str> {
        self.span(self.header.trace_id)
    }
    pub fn host(&self) -> Option<&'a str> {
        self.span(self.header.host)
    }
    /// The message: the first line after its header, then every continuation line.
    pub fn message(&self) -> &'a str {
        // `message_start` may point past the first line (ASP.NET Core's message is on the next, indented line):
        // never cut a character there.
        let ceil = |mut i: usize| {
            while !self.text.is_char_boundary(i) {
                i += 1;
            }
            i
        };
        let start = ceil((self.header.message_start as usize).min(self.text.len()));
        match self.header.message_end {
            Some(end) => &self.text[start..ceil((end as usize).clamp(start, self.text.len()))],
            None => &self.text[start..],
        }
    }
    /// Per-format fields with their values resolved against the first line.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, FieldRef<'a>)> + '_ {
        let line = self.first_line();
        self.header.fields.iter().map(move |(k, v)| {
            (
                *k,
                match v {
                    FieldValue::Text(s) => FieldRef::Text(s.of(line)),
                    FieldValue::Int(i) => FieldRef::Int(*i),
                    FieldValue::Float(f) => FieldRef::Float(*f),
                },
            )
        })
    }
}

/// A resolved per-format field value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldRef<'a> {
    Text(&'a str),
    Int(i64),
    Float(f64),
}
