//! The worker's per-event index: one 32-byte record per event (where its bytes are, its first line, time, level,
//! format, flags), not its text. Rows, search and details re-read the text from the source when needed, so the
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
}

#[derive(Debug, Default)]
pub struct EventIndex {
    chunks: Vec<Vec<Record>>,
    len: u64,
    /// Offset just past the last event.
    end: u64,
    /// Number of lines of the whole input (the last event's `end_line`).
    lines: u64,
    /// Format codes: `formats[record.format]`.
    formats: Vec<FormatId>,
    last_format: Option<(FormatId, u8)>,
}

impl EventIndex {
    pub fn new() -> EventIndex {
        EventIndex::default()
    }

    /// Records an event; events come in file order.
    pub fn push(&mut self, ev: &Event<'_>) {
        let format = self.format_code(ev.format());
        let mut flags = 0;
        if ev.truncated {
            flags |= FLAG_TRUNCATED;
        }
        if ev.invalid_utf8 {
            flags |= FLAG_INVALID_UTF8;
        }
        let rec = Record {
            offset: ev.offset,
            line: ev.line,
            ts: ev.ts().map(|t| t.unix_millis()).unwrap_or(i64::MIN),
            len: u32::try_from(ev.len).unwrap_or(u32::MAX),
            level: level_code(ev.level()),
            format,
            flags,
        };
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
        self.chunks[(i / CHUNK as u64) as usize][(i % CHUNK as u64) as usize]
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

    /// Bytes the index holds (for the memory note in the summary).
    pub fn heap_bytes(&self) -> u64 {
        self.chunks.len() as u64 * CHUNK as u64 * std::mem::size_of::<Record>() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_is_compact() {
        assert_eq!(std::mem::size_of::<Record>(), 32);
    }

    #[test]
    fn level_codes_round_trip() {
        for c in 0..=6u8 {
            assert_eq!(level_code_of(level_name(c)), Some(c));
        }
        assert_eq!(level_name(level_code(Some(Level::Error))), "ERROR");
        assert_eq!(level_code_of("nope"), None);
    }
}
