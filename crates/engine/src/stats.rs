//! Stats: the counts a summary needs, gathered while events stream past (no second pass).

use crate::event::{Event, Level};
use crate::formats::FormatId;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Bytes of input (compressed size for gzip).
    pub bytes_in: u64,
    /// Bytes of text after decompression.
    pub bytes_decoded: u64,
    pub gzip: bool,
    pub lines: u64,
    pub events: u64,
    /// Events of more than one line (stack traces and other continuations).
    pub multiline_events: u64,
    /// Lines that were not valid UTF-8 (kept, with U+FFFD in place of the bad bytes).
    pub invalid_utf8_lines: u64,
    /// Lines cut at the line limit.
    pub truncated_lines: u64,
    /// NUL bytes seen in the text.
    pub nul_bytes: u64,
    /// The format chosen for the file from its first lines.
    pub file_format: &'static str,
    /// Events per format (lines of other formats are recognised one by one).
    pub formats: BTreeMap<&'static str, u64>,
    /// Events per level; `NONE` for events without one.
    pub levels: BTreeMap<&'static str, u64>,
    /// Earliest and latest event time, RFC 3339.
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    /// Things the user should know about the input (binary content, a truncated gzip, ...).
    pub warnings: Vec<String>,
    #[serde(skip)]
    level_counts: [u64; 7],
    #[serde(skip)]
    format_counts: Vec<(FormatId, u64)>,
    #[serde(skip)]
    ts_min: Option<(i64, String)>,
    #[serde(skip)]
    ts_max: Option<(i64, String)>,
}

impl Stats {
    pub fn record(&mut self, ev: &Event<'_>) {
        self.events += 1;
        if ev.end_line > ev.line {
            self.multiline_events += 1;
        }
        let li = ev.level().map(|l| l as usize + 1).unwrap_or(0);
        self.level_counts[li] += 1;
        let f = ev.format();
        match self.format_counts.iter_mut().find(|(k, _)| *k == f) {
            Some((_, n)) => *n += 1,
            None => self.format_counts.push((f, 1)),
        }
        if let Some(ts) = ev.ts() {
            let ms = ts.unix_millis();
            if self.ts_min.as_ref().is_none_or(|(m, _)| ms < *m) {
                self.ts_min = Some((ms, ts.to_rfc3339()));
            }
            if self.ts_max.as_ref().is_none_or(|(m, _)| ms > *m) {
                self.ts_max = Some((ms, ts.to_rfc3339()));
            }
        }
    }

    /// Fills the derived maps; called by the pipeline when the input ends (and before a summary is read).
    pub fn settle(&mut self) {
        self.levels.clear();
        for (i, n) in self.level_counts.iter().enumerate() {
            if *n > 0 {
                let name = if i == 0 {
                    "NONE"
                } else {
                    Level::ALL[i - 1].as_str()
                };
                self.levels.insert(name, *n);
            }
        }
        self.formats = self
            .format_counts
            .iter()
            .map(|(f, n)| (f.as_str(), *n))
            .collect();
        self.first_ts = self.ts_min.as_ref().map(|(_, s)| s.clone());
        self.last_ts = self.ts_max.as_ref().map(|(_, s)| s.clone());
    }

    /// Earliest and latest event time in Unix milliseconds.
    pub fn time_range_millis(&self) -> Option<(i64, i64)> {
        Some((self.ts_min.as_ref()?.0, self.ts_max.as_ref()?.0))
    }
}
