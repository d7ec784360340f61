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

/// A span of bytes inside the event's first line, or (with [`Span::DECODED`] set in `start`) inside the header's
/// [`Header::decoded`] text. Resolve spans with [`Header::text_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// Set in `start` when the span is in [`Header::decoded`] rather than in the line (lines are at most a few
    /// MiB, far below 2 GiB, so the bit is free).
    pub const DECODED: u32 = 1 << 31;

    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    /// A span of [`Header::decoded`].
    pub fn decoded(start: usize, end: usize) -> Span {
        Span {
            start: start as u32 | Span::DECODED,
            end: end as u32,
        }
    }
    pub fn is_decoded(&self) -> bool {
        self.start & Span::DECODED != 0
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
    /// Values that are not a plain slice of the line: JSON strings with backslash escapes, decoded. Spans made
    /// with [`Span::decoded`] point here; empty for most lines.
    pub decoded: String,
    /// The message is `decoded[message_start..message_end]` (a JSON string with escapes), not a slice of the text.
    pub message_decoded: bool,
    /// The line has a header of its own but continues the event before it when that has the same format
    /// (PostgreSQL's `DETAIL:`, `HINT:`, `STATEMENT:` lines after the message they explain).
    pub continues: bool,
    /// The level is not written in the line but inferred: from an access log's HTTP status (5xx `ERROR`, 4xx
    /// `WARN`), or from Docker's `stderr` stream.
    pub level_inferred: bool,
}

impl Header {
    /// The text of a span of this header: in `line` (the event's first line), or in [`Header::decoded`].
    pub fn text_of<'a>(&'a self, line: &'a str, s: Span) -> &'a str {
        if s.is_decoded() {
            let start = (s.start & !Span::DECODED) as usize;
            let r = self.decoded.get(start..s.end as usize);
            debug_assert!(r.is_some() || start > s.end as usize, "{s:?}");
            r.unwrap_or("")
        } else {
            s.of(line)
        }
    }
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
        let header: &'a Header = self.header;
        s.map(|s| header.text_of(self.first_line(), s))
            .filter(|v| !v.is_empty())
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
    /// The message: the first line after its header, then every continuation line. For a JSON line whose message
    /// is a string it is that string, escapes decoded (RFC 8259: `\n` is a line feed, `\u00e9` is `é`; an invalid
    /// escape or a lone surrogate is U+FFFD; one final line end dropped), without continuation lines.
    pub fn message(&self) -> &'a str {
        if self.header.message_decoded {
            let d: &'a str = &self.header.decoded;
            let (s, e) = (
                self.header.message_start as usize,
                self.header.message_end.unwrap_or(0) as usize,
            );
            return d.get(s..e).unwrap_or("");
        }
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
        let header: &'a Header = self.header;
        header.fields.iter().map(move |(k, v)| {
            (
                *k,
                match v {
                    FieldValue::Text(s) => FieldRef::Text(header.text_of(line, *s)),
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
