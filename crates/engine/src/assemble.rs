//! EventAssembler: turns lines into events. It picks the file's format from the first lines, reads each line's
//! header, and joins continuation lines (stack traces, indented lines) to the event they belong to.

use crate::event::{Event, Header};
use crate::formats::{self, FormatId, ParseContext};
use crate::lines::Line;
use crate::stats::Stats;
use std::borrow::Cow;

/// Limits and defaults of the assembler; see `ParseOptions` for their meaning.
#[derive(Debug, Clone, Copy)]
pub struct AssemblerLimits {
    pub max_event_bytes: usize,
    pub detect_lines: usize,
    pub detect_bytes: usize,
}

struct SampleLine {
    bytes: Vec<u8>,
    offset: u64,
    len: u64,
    truncated: bool,
}

struct Pending {
    text: String,
    line: u64,
    end_line: u64,
    offset: u64,
    len: u64,
    header: Header,
    truncated: bool,
    invalid_utf8: bool,
}

pub struct EventAssembler {
    ctx: ParseContext,
    limits: AssemblerLimits,
    /// `None` until the sample is complete.
    file_format: Option<FormatId>,
    /// The last format that accepted a line the file's format did not: tried first next time.
    fallback: FormatId,
    sample: Vec<SampleLine>,
    sample_bytes: usize,
    pending: Option<Pending>,
    /// Inside a Python traceback (after `Traceback (most recent call last):`): its last unindented line, the
    /// exception (`requests.exceptions.ReadTimeout: …`), still belongs to the event and ends the traceback.
    in_py_traceback: bool,
    line_no: u64,
    pub stats: Stats,
}

impl EventAssembler {
    pub fn new(ctx: ParseContext, limits: AssemblerLimits) -> EventAssembler {
        EventAssembler {
            ctx,
            limits,
            file_format: None,
            fallback: FormatId::Unknown,
            sample: Vec::new(),
            sample_bytes: 0,
            pending: None,
            in_py_traceback: false,
            line_no: 0,
            stats: Stats::default(),
        }
    }

    /// Skips detection: the input is read as `format`, and a line it does not accept tries `fallback` first
    /// (see `ParseOptions::forced_format`). Call before the first line.
    pub fn force_format(&mut self, format: FormatId, fallback: Option<FormatId>) {
        self.file_format = Some(format);
        self.stats.file_format = format.as_str();
        self.fallback = fallback.unwrap_or(FormatId::Unknown);
    }

    pub fn file_format(&self) -> Option<FormatId> {
        self.file_format
    }

    pub fn push_line(&mut self, line: Line<'_>, on_event: &mut dyn FnMut(&Event<'_>)) {
        if self.file_format.is_some() {
            self.process(line, on_event);
            return;
        }
        self.sample_bytes += line.bytes.len();
        self.sample.push(SampleLine {
            bytes: line.bytes.to_vec(),
            offset: line.offset,
            len: line.len,
            truncated: line.truncated,
        });
        if self.sample.len() >= self.limits.detect_lines
            || self.sample_bytes >= self.limits.detect_bytes
        {
            self.decide(on_event);
        }
    }

    pub fn finish(&mut self, on_event: &mut dyn FnMut(&Event<'_>)) {
        if self.file_format.is_none() {
            self.decide(on_event);
        }
        self.emit(on_event);
        self.stats.settle();
    }

    fn decide(&mut self, on_event: &mut dyn FnMut(&Event<'_>)) {
        let sample = std::mem::take(&mut self.sample);
        let texts: Vec<Cow<'_, str>> = sample
            .iter()
            .map(|l| String::from_utf8_lossy(&l.bytes))
            .collect();
        let refs: Vec<&str> = texts.iter().map(|t| t.as_ref()).collect();
        let format = formats::detect(&refs, &self.ctx);
        self.file_format = Some(format);
        self.stats.file_format = format.as_str();
        let nul = sample
            .iter()
            .map(|l| memchr::memchr_iter(0, &l.bytes).count())
            .sum::<usize>();
        let control = sample
            .iter()
            .flat_map(|l| l.bytes.iter())
            .filter(|b| **b < 0x09 || (**b > 0x0d && **b < 0x20))
            .count();
        if self.sample_bytes > 0 && (nul + control) * 100 > self.sample_bytes {
            self.stats.warnings.push(format!(
                "the input looks binary ({} of the first {} bytes are NUL or control bytes): it was read as text anyway",
                nul + control,
                self.sample_bytes
            ));
        }
        drop(texts);
        for l in &sample {
            self.process(
                Line {
                    bytes: &l.bytes,
                    offset: l.offset,
                    len: l.len,
                    truncated: l.truncated,
                },
                on_event,
            );
        }
    }

    fn process(&mut self, line: Line<'_>, on_event: &mut dyn FnMut(&Event<'_>)) {
        self.line_no += 1;
        self.stats.lines += 1;
        self.stats.bytes_decoded += line.len;
        if line.truncated {
            self.stats.truncated_lines += 1;
        }
        if memchr::memchr(0, line.bytes).is_some() {
            self.stats.nul_bytes += memchr::memchr_iter(0, line.bytes).count() as u64;
        }
        let (text, invalid) = match std::str::from_utf8(line.bytes) {
            Ok(s) => (Cow::Borrowed(s), false),
            Err(_) => {
                self.stats.invalid_utf8_lines += 1;
                (String::from_utf8_lossy(line.bytes), true)
            }
        };
        let file_format = self.file_format.unwrap_or_default();
        let starts_traceback = text.starts_with(formats::PY_TRACEBACK);
        let mut header = formats::parse(file_format, &text, &self.ctx);
        if header.is_none() {
            if self.pending.is_some()
                && self.in_py_traceback
                && formats::looks_like_py_exception_line(&text)
            {
                self.in_py_traceback = false;
                self.append(&text, &line, invalid);
                return;
            }
            if self.pending.is_some() && formats::is_continuation(&text, file_format) {
                self.in_py_traceback |= starts_traceback;
                self.append(&text, &line, invalid);
                return;
            }
            if self.fallback != FormatId::Unknown {
                header = formats::parse(self.fallback, &text, &self.ctx);
            }
            if header.is_none() {
                header = formats::parse_any(&text, &self.ctx, file_format);
                if let Some(h) = &header {
                    self.fallback = h.format;
                }
            }
        }
        if let (Some(h), Some(p)) = (&header, &self.pending) {
            if h.continues && p.header.format == h.format {
                self.append(&text, &line, invalid);
                return;
            }
        }
        let header = header.unwrap_or_else(|| formats::unknown::header(&text, &self.ctx));
        self.in_py_traceback = starts_traceback;
        self.emit(on_event);
        let mut text_buf = String::new();
        if let Some(p) = self.pending.take() {
            // Reuse the previous event's allocation.
            text_buf = p.text;
            text_buf.clear();
        }
        text_buf.push_str(&text);
        self.pending = Some(Pending {
            text: text_buf,
            line: self.line_no,
            end_line: self.line_no,
            offset: line.offset,
            len: line.len,
            header,
            truncated: line.truncated,
            invalid_utf8: invalid,
        });
    }

    fn append(&mut self, text: &str, line: &Line<'_>, invalid: bool) {
        let max = self.limits.max_event_bytes;
        let p = self.pending.as_mut().expect("append needs a pending event");
        p.end_line = self.line_no;
        p.len += line.len;
        p.invalid_utf8 |= invalid;
        p.truncated |= line.truncated;
        if p.text.len() + 1 + text.len() <= max {
            p.text.push('\n');
            p.text.push_str(text);
        } else {
            p.truncated = true;
        }
    }

    fn emit(&mut self, on_event: &mut dyn FnMut(&Event<'_>)) {
        let Some(p) = self.pending.as_mut() else {
            return;
        };
        if p.line == 0 {
            return;
        }
        let ev = Event {
            line: p.line,
            end_line: p.end_line,
            offset: p.offset,
            len: p.len,
            text: &p.text,
            header: &p.header,
            truncated: p.truncated,
            invalid_utf8: p.invalid_utf8,
        };
        self.stats.record(&ev);
        on_event(&ev);
        // Mark as emitted but keep the buffer for reuse.
        p.line = 0;
    }
}
