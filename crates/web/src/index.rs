//! The worker's per-event index: one 32-byte record per event (where its bytes are, its first line, time, level,
//! format, flags, the template miner's provisional id), not its text. Rows, search and details re-read the text from the source when needed, so the
//! wasm heap grows with the number of events, not with the size of the file (DESIGN.md, "Memory").
//!
//! Records are stored in fixed-size chunks: growing the index never copies it (a 2 GB file may have tens of
//! millions of events).

use logsieve_engine::{Event, FormatId, Level};

const CHUNK: usize = 1 << 16;

/// Flag: some line of the event was cut, or lines were dropped (its text is not its bytes).
pub const FLAG_TRUNCATED: u8 = 1;
/// Flag: some line of the event was not valid UTF-8.
pub const FLAG_INVALID_UTF8: u8 = 2;

/// Level code: 0 for none, `Level as u8 + 1` otherwise (the order of `Level::ALL`).
pub fn level_code(level: Option<Level>) -> u8 {
    level.map(|l| l as u8 + 1).unwrap_or(0)
}

/// The name of a level code, as `Stats::levels` writes it.
pub fn level_name(code: u8) -> &'static str {
    match code {
        0 => "NONE",
        c => Level::ALL
            .get(c as usize - 1)
            .map(|l| l.as_str())
            .unwrap_or("NONE"),
    }
}

/// The level code of a name (`NONE`, `INFO`, ...).
pub fn level_code_of(name: &str) -> Option<u8> {
    (0u8..=Level::ALL.len() as u8).find(|c| level_name(*c) == name)
}

/// An event as the index gives it back (unpacked; what is stored is [`Packed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Byte offset of the event in the decoded stream.
    pub offset: u64,
    /// 1-based number of its first line.
    pub line: u64,
    /// Unix milliseconds, `i64::MIN` without a timestamp.
    pub ts: i64,
    /// Length in bytes; `u32::MAX`: longer, see [`EventIndex::span`].
    pub len: u32,
    pub level: u8,
    /// Index into [`EventIndex::formats`].
    pub format: u8,
    pub flags: u8,
    /// The template miner's provisional id (`TemplateMiner::observe_event`); resolved through the `TemplateMap`.
    pub template: u32,
}

/// Bits of [`Packed::offset_meta`] that hold the offset: 2^48 bytes (256 TiB) is far beyond what a browser reads.
const OFFSET_BITS: u32 = 48;
const OFFSET_MASK: u64 = (1 << OFFSET_BITS) - 1;

/// A stored record: 32 bytes. The offset shares its word with the format (8 bits), the level and the flags
/// (4 bits each), so that the template id fits without growing the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    offset_meta: u64,
    line: u64,
    ts: i64,
    len: u32,
    template: u32,
}

impl Packed {
    fn pack(r: &Record) -> Packed {
        let meta = r.format as u64 | ((r.level as u64 & 0xf) << 8) | ((r.flags as u64 & 0xf) << 12);
        Packed {
            offset_meta: (r.offset & OFFSET_MASK) | (meta << OFFSET_BITS),
            line: r.line,
            ts: r.ts,
            len: r.len,
            template: r.template,
        }
    }

    fn unpack(&self) -> Record {
        let meta = self.offset_meta >> OFFSET_BITS;
        Record {
            offset: self.offset_meta & OFFSET_MASK,
            line: self.line,
            ts: self.ts,
            len: self.len,
            level: ((meta >> 8) & 0xf) as u8,
            format: (meta & 0xff) as u8,
            flags: ((meta >> 12) & 0xf) as u8,
            template: self.template,
        }
    }
}

#[derive(Debug, Default)]
pub struct EventIndex {
    chunks: Vec<Vec<Packed>>,
    len: u64,
    /// Offset just past the last event.
    end: u64,
    /// Number of lines of the whole input (the last event's `end_line`).
    lines: u64,
    /// Format codes: `formats[record.format]`.
    formats: Vec<FormatId>,
    last_format: Option<(FormatId, u8)>,
    /// Earliest and latest event time (Unix ms) among the events that have one.
    ts_range: Option<(i64, i64)>,
}

impl EventIndex {
    pub fn new() -> EventIndex {
        EventIndex::default()
    }

    /// Records an event with its provisional template id; events come in file order.
    pub fn push(&mut self, ev: &Event<'_>, template: u32) {
        let format = self.format_code(ev.format());
        let mut flags = 0;
        if ev.truncated {
            flags |= FLAG_TRUNCATED;
        }
        if ev.invalid_utf8 {
            flags |= FLAG_INVALID_UTF8;
        }
        let ts = ev.ts().map(|t| t.unix_millis());
        if let Some(t) = ts {
            self.ts_range = Some(match self.ts_range {
                Some((a, b)) => (a.min(t), b.max(t)),
                None => (t, t),
            });
        }
        let rec = Packed::pack(&Record {
            offset: ev.offset,
            line: ev.line,
            ts: ts.unwrap_or(i64::MIN),
            len: u32::try_from(ev.len).unwrap_or(u32::MAX),
            level: level_code(ev.level()),
            format,
            flags,
            template,
        });
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(rec),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push(rec);
                self.chunks.push(c);
            }
        }
        self.len += 1;
        self.end = ev.offset + ev.len;
        self.lines = ev.end_line;
    }

    fn format_code(&mut self, f: FormatId) -> u8 {
        if let Some((last, code)) = self.last_format {
            if last == f {
                return code;
            }
        }
        let code = match self.formats.iter().position(|x| *x == f) {
            Some(i) => i as u8,
            None => {
                self.formats.push(f);
                (self.formats.len() - 1).min(255) as u8
            }
        };
        self.last_format = Some((f, code));
        code
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: u64) -> Record {
        self.chunks[(i / CHUNK as u64) as usize][(i % CHUNK as u64) as usize].unpack()
    }

    /// Every record in file order (faster than `get` in a loop).
    pub fn iter(&self) -> impl Iterator<Item = Record> + '_ {
        self.chunks.iter().flatten().map(Packed::unpack)
    }

    /// Earliest and latest event time (Unix ms), if any event has one.
    pub fn ts_range(&self) -> Option<(i64, i64)> {
        self.ts_range
    }

    pub fn format(&self, rec: &Record) -> FormatId {
        self.formats
            .get(rec.format as usize)
            .copied()
            .unwrap_or_default()
    }

    /// Byte range of event `i` in the decoded stream. Events tile the stream (every line belongs to one event),
    /// so an event longer than `u32::MAX` bytes ends where the next begins.
    pub fn span(&self, i: u64) -> (u64, u64) {
        let r = self.get(i);
        if r.len != u32::MAX {
            return (r.offset, r.offset + r.len as u64);
        }
        let end = if i + 1 < self.len {
            self.get(i + 1).offset
        } else {
            self.end
        };
        (r.offset, end)
    }

    /// The event's last line: the line before the next event's first (events tile the lines).
    pub fn end_line(&self, i: u64) -> u64 {
        if i + 1 < self.len {
            self.get(i + 1).line - 1
        } else {
            self.lines
        }
    }

    /// The event that holds 1-based line `line` (events tile the lines), if any.
    pub fn event_of_line(&self, line: u64) -> Option<u64> {
        if self.len == 0 || line == 0 || line > self.lines.max(self.get(self.len - 1).line) {
            return None;
        }
        // The last event whose first line is <= line.
        let (mut lo, mut hi) = (0u64, self.len);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).line <= line {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        (self.get(lo).line <= line).then_some(lo)
    }

    /// Bytes the index holds (for the memory note in the summary).
    pub fn heap_bytes(&self) -> u64 {
        self.chunks.len() as u64 * CHUNK as u64 * std::mem::size_of::<Packed>() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_is_compact() {
        assert_eq!(std::mem::size_of::<Packed>(), 32);
    }

    #[test]
    fn records_pack_and_unpack() {
        for r in [
            Record {
                offset: 0,
                line: 1,
                ts: i64::MIN,
                len: 0,
                level: 0,
                format: 0,
                flags: 0,
                template: 0,
            },
            Record {
                offset: OFFSET_MASK,
                line: u64::MAX,
                ts: -5,
                len: u32::MAX,
                level: 6,
                format: 255,
                flags: FLAG_TRUNCATED | FLAG_INVALID_UTF8,
                template: u32::MAX,
            },
            Record {
                offset: 123_456_789_012,
                line: 77,
                ts: 1_700_000_000_000,
                len: 81,
                level: 3,
                format: 7,
                flags: FLAG_INVALID_UTF8,
                template: 16_000,
            },
        ] {
            assert_eq!(Packed::pack(&r).unpack(), r);
        }
    }

    #[test]
    fn level_codes_round_trip() {
        for c in 0..=6u8 {
            assert_eq!(level_code_of(level_name(c)), Some(c));
        }
        assert_eq!(level_name(level_code(Some(Level::Error))), "ERROR");
        assert_eq!(level_code_of("nope"), None);
    }

    #[test]
    fn event_of_line_finds_the_holding_event() {
        let log = b"2024-03-05 03:00:35.112 ERROR 1 --- [main] a.B : boom\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)\n2024-03-05 03:00:36.000 INFO 1 --- [main] a.B : ok\n";
        let mut index = EventIndex::new();
        let (_, read) = logsieve_engine::pipeline::parse_all(
            log,
            logsieve_engine::ParseOptions::with_year(2024),
            |ev| index.push(ev, 0),
        );
        read.unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(index.event_of_line(0), None);
        assert_eq!(index.event_of_line(1), Some(0));
        assert_eq!(index.event_of_line(3), Some(0));
        assert_eq!(index.event_of_line(4), Some(1));
        assert_eq!(index.event_of_line(5), None);
        assert_eq!(EventIndex::new().event_of_line(1), None);
    }
}
