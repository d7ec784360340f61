//! Views over a parsed file, computed from the [`EventIndex`] and the source's bytes: table rows, an event's
//! detail, the level, template and text filters, and the NDJSON export.
//!
//! An event is re-read by re-parsing its bytes alone with the file's format forced
//! (`ParseOptions::forced_format`) and the event's own format as the fallback: it comes out exactly as in the full
//! pass (same header, message, fields and flags), and its line numbers are those the index kept. So a row, a
//! detail and the export all show the engine's own output, not a second implementation of it. Their template
//! comes from the index and the miner's map ([`Templates`]): nothing is re-mined.

use crate::index::{level_code_of, EventIndex, Record, FLAG_TRUNCATED};
use crate::protocol::{Detail, Row};
use crate::templates::Templates;
use crate::{EXPORT_PART_BYTES, SLICE_BYTES};
use logsieve_engine::event::FieldRef;
use logsieve_engine::{ndjson, EngineError, Event, FormatId, ParseOptions, Pipeline};
use memchr::memmem;

/// Where the decoded bytes of the file can be read back: the `File` itself for plain text, a Blob of the decoded
/// text for gzip (in the worker), a byte slice in tests.
pub trait Source {
    /// Bytes `start..end` of the decoded stream.
    fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, String>;
}

impl Source for [u8] {
    fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        self.get(start as usize..end as usize)
            .map(|b| b.to_vec())
            .ok_or_else(|| format!("read past the end: {start}..{end} of {}", self.len()))
    }
}

impl Source for Vec<u8> {
    fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        self.as_slice().read(start, end)
    }
}

/// A parsed file: its index and what is needed to re-read its events.
pub struct Session {
    pub index: EventIndex,
    /// The format the full pass chose for the file.
    pub file_format: FormatId,
    /// The year the full pass gave to dates without one.
    pub year: i32,
    /// The templates mined during the full pass.
    pub templates: Templates,
}

/// The table's filter: levels kept, a template and a search text.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Kept level codes (see [`crate::index::level_code`]); `None`: all.
    pub levels: Option<[bool; 7]>,
    /// Kept provisional template ids (`templates[record.template]`, see [`Templates::mask`]); `None`: all.
    pub templates: Option<Vec<bool>>,
    /// Lowercased search text; empty: no search.
    pub needle: String,
}

impl Query {
    /// Level names as in `Stats::levels` (empty: all); the search text is matched case-insensitively and without
    /// line breaks (an event's text is searched line by line).
    pub fn new(levels: &[String], search: &str) -> Query {
        let levels = if levels.is_empty() {
            None
        } else {
            let mut keep = [false; 7];
            for l in levels {
                if let Some(c) = level_code_of(l) {
                    keep[c as usize] = true;
                }
            }
            Some(keep)
        };
        let cleaned: String = search
            .chars()
            .filter(|c| *c != '\n' && *c != '\r')
            .collect();
        Query {
            levels,
            templates: None,
            needle: cleaned.to_lowercase(),
        }
    }

    /// Keeps only the events of the template with final id `id`.
    pub fn with_template(mut self, templates: &Templates, id: Option<u32>) -> Query {
        self.templates = id.map(|id| templates.mask(id));
        self
    }

    pub fn is_all(&self) -> bool {
        self.levels.is_none() && self.templates.is_none() && self.needle.is_empty()
    }

    /// Whether the event passes the level and template filters.
    fn record_ok(&self, rec: &Record) -> bool {
        self.levels
            .is_none_or(|l| l.get(rec.level as usize).copied().unwrap_or(false))
            && self
                .templates
                .as_ref()
                .is_none_or(|t| t.get(rec.template as usize).copied().unwrap_or(false))
    }

    /// Whether an event's text contains the needle, the way the search defines it.
    pub fn text_matches(&self, text: &str) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        if self.needle.is_ascii() {
            memmem::find(text.to_ascii_lowercase().as_bytes(), self.needle.as_bytes()).is_some()
        } else {
            text.to_lowercase().contains(&self.needle)
        }
    }
}

impl Session {
    fn options_for(&self, i: u64) -> ParseOptions {
        let rec = self.index.get(i);
        let own = self.index.format(&rec);
        let mut opts = ParseOptions::with_year(self.year);
        opts.forced_format = Some(self.file_format);
        if own != self.file_format && own != FormatId::Unknown {
            opts.fallback_format = Some(own);
        }
        opts
    }

    /// The final id and the text of event `i`'s template.
    fn template_of(&self, i: u64) -> Option<(u32, &str)> {
        let t = self.templates.template_of(self.index.get(i).template)?;
        Some((t.id.0, &t.template))
    }

    fn template_id(&self, i: u64) -> Option<u32> {
        self.templates
            .template_of(self.index.get(i).template)
            .map(|t| t.id.0)
    }

    /// Re-parses event `i`, reading its bytes from `src` (in slices: an event may be a 50 MB line), and hands it
    /// to `f` with its line numbers from the full pass. `bytes`: its bytes when already read.
    pub fn with_event<S: Source + ?Sized, R>(
        &self,
        src: &S,
        i: u64,
        bytes: Option<&[u8]>,
        f: impl FnOnce(&Event<'_>) -> R,
    ) -> Result<R, String> {
        let (start, end) = self.index.span(i);
        let rec = self.index.get(i);
        let end_line = self.index.end_line(i);
        let mut pipeline = Pipeline::new(self.options_for(i));
        let mut f = Some(f);
        let mut out = None;
        let mut on_event = |ev: &Event<'_>| {
            if let Some(f) = f.take() {
                let fixed = Event {
                    line: rec.line,
                    end_line,
                    offset: rec.offset,
                    len: ev.len,
                    text: ev.text,
                    header: ev.header,
                    truncated: ev.truncated,
                    invalid_utf8: ev.invalid_utf8,
                };
                out = Some(f(&fixed));
            }
        };
        match bytes {
            Some(b) => {
                let _ = pipeline.feed(b, &mut on_event);
            }
            None => {
                let mut at = start;
                while at < end {
                    let to = (at + SLICE_BYTES).min(end);
                    let b = src.read(at, to)?;
                    let _ = pipeline.feed(&b, &mut on_event);
                    at = to;
                }
            }
        }
        let _ = pipeline.finish(&mut on_event);
        out.ok_or_else(|| format!("event {i} could not be read back (bytes {start}..{end})"))
    }

    /// Rows of the given events (event numbers in file order, ascending or not), reading neighbours together.
    pub fn rows<S: Source + ?Sized>(&self, src: &S, events: &[u64]) -> Result<Vec<Row>, String> {
        let mut rows = Vec::with_capacity(events.len());
        let mut k = 0;
        while k < events.len() {
            // A run of consecutive events read with one slice.
            let first = events[k];
            let (start, mut end) = self.index.span(first);
            let mut j = k + 1;
            while j < events.len() && events[j] == events[j - 1] + 1 {
                let (_, e) = self.index.span(events[j]);
                if e - start > SLICE_BYTES {
                    break;
                }
                end = e;
                j += 1;
            }
            if end - start > SLICE_BYTES {
                let t = self.template_id(first);
                rows.push(self.with_event(src, first, None, |ev| row_of(first, ev, t))?);
                k += 1;
                continue;
            }
            let bytes = src.read(start, end)?;
            for &ev_i in &events[k..j] {
                let (s, e) = self.index.span(ev_i);
                let b = &bytes[(s - start) as usize..(e - start) as usize];
                let t = self.template_id(ev_i);
                rows.push(self.with_event(src, ev_i, Some(b), |ev| row_of(ev_i, ev, t))?);
            }
            k = j;
        }
        Ok(rows)
    }

    pub fn detail<S: Source + ?Sized>(&self, src: &S, i: u64) -> Result<Detail, String> {
        if i >= self.index.len() {
            return Err(format!("no event {i}: the file has {}", self.index.len()));
        }
        let t = self.template_of(i);
        self.with_event(src, i, None, |ev| detail_of(i, ev, t))
    }

    /// The events of the view `q` (event numbers in file order), or `None` when it keeps them all. `progress` gets
    /// the bytes scanned so far.
    pub fn filter<S: Source + ?Sized>(
        &self,
        src: &S,
        q: &Query,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Option<Vec<u32>>, String> {
        if q.is_all() {
            return Ok(None);
        }
        let n = self.index.len();
        let mut out: Vec<u32> = Vec::new();
        if q.needle.is_empty() {
            for (i, rec) in self.index.iter().enumerate() {
                if q.record_ok(&rec) {
                    out.push(i as u32);
                }
            }
            return Ok(Some(out));
        }
        let ascii = q.needle.is_ascii();
        let finder = memmem::Finder::new(q.needle.as_bytes());
        let mut lower: Vec<u8> = Vec::new();
        let mut i = 0u64;
        while i < n {
            let (start, mut end) = self.index.span(i);
            let mut j = i + 1;
            let mut any_level = q.record_ok(&self.index.get(i));
            while j < n {
                let (_, e) = self.index.span(j);
                if e - start > SLICE_BYTES {
                    break;
                }
                any_level |= q.record_ok(&self.index.get(j));
                end = e;
                j += 1;
            }
            if !any_level {
                i = j;
                progress(end);
                continue;
            }
            if end - start > SLICE_BYTES {
                // One event bigger than a slice: it is truncated anyway; check its text.
                if q.record_ok(&self.index.get(i))
                    && self.with_event(src, i, None, |ev| q.text_matches(ev.text))?
                {
                    out.push(i as u32);
                }
                i += 1;
                progress(end);
                continue;
            }
            let bytes = src.read(start, end)?;
            if ascii {
                // The needle has no line break and only ASCII bytes, so a match in the raw bytes is a match in the
                // event's text (CR stripping and U+FFFD replacement do not touch ASCII runs), except in the part of
                // a truncated event that its text dropped: those are checked against their text.
                lower.clear();
                lower.extend(bytes.iter().map(|b| b.to_ascii_lowercase()));
                let mut k = i;
                let mut last_checked = None;
                for pos in finder.find_iter(&lower) {
                    let abs = start + pos as u64;
                    while self.index.span(k).1 <= abs {
                        k += 1;
                    }
                    if last_checked == Some(k) {
                        continue;
                    }
                    last_checked = Some(k);
                    let rec = self.index.get(k);
                    if !q.record_ok(&rec) {
                        continue;
                    }
                    if rec.flags & FLAG_TRUNCATED != 0 {
                        let (s, e) = self.index.span(k);
                        let b = &bytes[(s - start) as usize..(e - start) as usize];
                        if !self.with_event(src, k, Some(b), |ev| q.text_matches(ev.text))? {
                            continue;
                        }
                    }
                    out.push(k as u32);
                }
            } else {
                for k in i..j {
                    let rec = self.index.get(k);
                    if !q.record_ok(&rec) {
                        continue;
                    }
                    let (s, e) = self.index.span(k);
                    let b = &bytes[(s - start) as usize..(e - start) as usize];
                    let hit = if rec.flags & FLAG_TRUNCATED != 0 {
                        self.with_event(src, k, Some(b), |ev| q.text_matches(ev.text))?
                    } else {
                        String::from_utf8_lossy(b)
                            .to_lowercase()
                            .contains(&q.needle)
                    };
                    if hit {
                        out.push(k as u32);
                    }
                }
            }
            progress(end);
            i = j;
        }
        Ok(Some(out))
    }
}

fn row_of(i: u64, ev: &Event<'_>, template_id: Option<u32>) -> Row {
    let msg = ev.message();
    let first = msg.split('\n').next().unwrap_or("");
    let message = match first.char_indices().nth(Row::PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}…", &first[..cut]),
        None => first.to_string(),
    };
    Row {
        event: i,
        line: ev.line,
        end_line: ev.end_line,
        ts: ev.ts().map(|t| t.to_rfc3339()),
        level: ev.level().map(|l| l.as_str().to_string()),
        component: ev.component().map(str::to_string),
        message,
        format: ev.format().as_str().to_string(),
        truncated: ev.truncated,
        invalid_utf8: ev.invalid_utf8,
        template_id,
    }
}

/// `template`: the event's final template id and text.
fn detail_of(i: u64, ev: &Event<'_>, template: Option<(u32, &str)>) -> Detail {
    let mut ndjson_line = String::new();
    ndjson::write_event(ev, &mut ndjson_line);
    if let Some((id, text)) = template {
        let mut json = String::with_capacity(text.len() + 2);
        ndjson::json_str(&mut json, text);
        ndjson::push_template(&mut ndjson_line, id, &json);
    }
    if ndjson_line.ends_with('\n') {
        ndjson_line.pop();
    }
    let mut fields: Vec<(String, String)> = vec![
        ("line".into(), ev.line.to_string()),
        ("end_line".into(), ev.end_line.to_string()),
    ];
    let mut opt = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            fields.push((k.to_string(), v));
        }
    };
    opt("ts", ev.ts().map(|t| t.to_rfc3339()));
    opt("level", ev.level().map(|l| l.as_str().to_string()));
    opt("component", ev.component().map(str::to_string));
    opt("pid", ev.pid().map(str::to_string));
    opt("thread", ev.thread().map(str::to_string));
    opt("trace_id", ev.trace_id().map(str::to_string));
    opt("host", ev.host().map(str::to_string));
    opt("format", Some(ev.format().as_str().to_string()));
    for (k, v) in ev.fields() {
        let v = match v {
            FieldRef::Text(s) => s.to_string(),
            FieldRef::Int(n) => n.to_string(),
            FieldRef::Float(f) => f.to_string(),
        };
        fields.push((k.to_string(), v));
    }
    if ev.truncated {
        fields.push(("truncated".into(), "true".into()));
    }
    if ev.invalid_utf8 {
        fields.push(("invalid_utf8".into(), "true".into()));
    }
    if let Some((id, text)) = template {
        fields.push(("template_id".into(), id.to_string()));
        fields.push(("template".into(), text.to_string()));
    }
    Detail {
        event: i,
        ndjson: ndjson_line,
        fields,
        message: ev.message().to_string(),
        text: ev.text.to_string(),
    }
}

/// The NDJSON export: the input re-streamed through a fresh pipeline, each event written by the engine's
/// `ndjson::write_event` and given its template from the index (`ndjson::push_template`, as `logsieve parse`
/// does), in parts of about [`EXPORT_PART_BYTES`]. Byte for byte what `logsieve parse` prints.
pub struct NdjsonExport<'a> {
    pipeline: Pipeline,
    session: &'a Session,
    /// Template texts as JSON strings, by index into the template map.
    escaped: Vec<String>,
    buf: String,
    pub events: u64,
    pub bytes: u64,
    /// Set when the re-read does not give the indexed events (the file changed since it was parsed): the export
    /// is then not the parse's and must not be offered.
    pub mismatch: Option<String>,
}

impl<'a> NdjsonExport<'a> {
    pub fn new(session: &'a Session) -> NdjsonExport<'a> {
        NdjsonExport {
            pipeline: Pipeline::new(ParseOptions::with_year(session.year)),
            session,
            escaped: session.templates.escaped(),
            buf: String::with_capacity(EXPORT_PART_BYTES + (1 << 20)),
            events: 0,
            bytes: 0,
            mismatch: None,
        }
    }

    /// Feeds a chunk of the file (as read, gzip or not); full parts go to `on_part`.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        on_part: &mut dyn FnMut(&[u8]),
    ) -> Result<(), EngineError> {
        let NdjsonExport {
            pipeline,
            session,
            escaped,
            buf,
            events,
            bytes,
            mismatch,
        } = self;
        pipeline.feed(chunk, &mut |ev| {
            write_one(session, escaped, ev, buf, events, mismatch);
            if buf.len() >= EXPORT_PART_BYTES {
                *bytes += buf.len() as u64;
                on_part(buf.as_bytes());
                buf.clear();
            }
        })
    }

    /// Ends the input (after the last chunk or an error) and hands over the last part.
    pub fn finish(&mut self, on_part: &mut dyn FnMut(&[u8])) -> Result<(), EngineError> {
        let NdjsonExport {
            pipeline,
            session,
            escaped,
            buf,
            events,
            mismatch,
            ..
        } = self;
        let r = pipeline.finish(&mut |ev| write_one(session, escaped, ev, buf, events, mismatch));
        if !self.buf.is_empty() {
            self.bytes += self.buf.len() as u64;
            on_part(self.buf.as_bytes());
            self.buf.clear();
        }
        r
    }
}

/// Writes the next event of the export with its template from the index.
fn write_one(
    session: &Session,
    escaped: &[String],
    ev: &Event<'_>,
    buf: &mut String,
    events: &mut u64,
    mismatch: &mut Option<String>,
) {
    let k = *events;
    if k >= session.index.len() {
        mismatch.get_or_insert_with(|| {
            format!(
                "the file now has more events than the {} parsed",
                session.index.len()
            )
        });
        return;
    }
    let rec = session.index.get(k);
    if rec.offset != ev.offset || rec.line != ev.line {
        mismatch.get_or_insert_with(|| {
            format!(
                "event {} is not where the parse found it: the file changed",
                k + 1
            )
        });
    }
    ndjson::write_event(ev, buf);
    if let Some(ti) = session.templates.index_of(rec.template) {
        ndjson::push_template(
            buf,
            session.templates.map().templates[ti].id.0,
            &escaped[ti],
        );
    }
    *events += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::EventIndex;
    use logsieve_engine::pipeline::parse_all;
    use logsieve_engine::template::TemplateMiner;

    /// The session the worker builds, and the lines `logsieve parse` prints (mined the same way as
    /// crates/cli/src/parse.rs: provisional ids while streaming, final templates added at the end).
    fn session(input: &[u8], year: i32) -> (Session, Vec<String>) {
        let mut index = EventIndex::new();
        let mut lines = Vec::new();
        let mut ids = Vec::new();
        let mut file_format = None;
        let mut miner = TemplateMiner::new();
        let mut p = Pipeline::new(ParseOptions::with_year(year));
        let mut on = |ev: &Event<'_>| {
            let id = miner.observe_event(ev).0;
            index.push(ev, id);
            ids.push(id);
            let mut s = String::new();
            ndjson::write_event(ev, &mut s);
            lines.push(s);
        };
        // Odd chunk sizes: events must not depend on where the reads fall.
        for c in input.chunks(if input.len() > 100_000 { 65_537 } else { 7 }) {
            let _ = p.feed(c, &mut on);
        }
        let _ = p.finish(&mut on);
        let stats = p.stats().clone();
        if let Some(f) = FormatId::KNOWN
            .iter()
            .find(|f| f.as_str() == stats.file_format)
        {
            file_format = Some(*f);
        }
        let map = miner.finish();
        for (line, id) in lines.iter_mut().zip(&ids) {
            let t = &map.templates[map.resolve[*id as usize] as usize];
            let mut json = String::new();
            ndjson::json_str(&mut json, &t.template);
            ndjson::push_template(line, t.id.0, &json);
        }
        let templates = Templates::build(map, &index);
        (
            Session {
                index,
                file_format: file_format.unwrap_or_default(),
                year,
                templates,
            },
            lines,
        )
    }

    /// Every event re-read alone gives the full pass's NDJSON line.
    fn assert_reread_equals_full_pass(input: &[u8]) {
        let (s, lines) = session(input, 2024);
        assert_eq!(s.index.len() as usize, lines.len());
        for i in 0..s.index.len() {
            let d = s.detail(input, i).unwrap();
            assert_eq!(format!("{}\n", d.ndjson), lines[i as usize], "event {i}");
        }
        let all: Vec<u64> = (0..s.index.len()).collect();
        let rows = s.rows(input, &all).unwrap();
        assert_eq!(rows.len(), lines.len());
        for (r, l) in rows.iter().zip(&lines) {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["line"].as_u64(), Some(r.line));
            assert_eq!(v["end_line"].as_u64(), Some(r.end_line));
            assert_eq!(v["template_id"].as_u64(), r.template_id.map(u64::from));
        }
        // The export: the whole input re-streamed, templates from the index.
        let mut ex = NdjsonExport::new(&s);
        let mut out = Vec::new();
        for c in input.chunks(65_537) {
            let _ = ex.feed(c, &mut |p| out.extend_from_slice(p));
        }
        let _ = ex.finish(&mut |p| out.extend_from_slice(p));
        assert_eq!(ex.mismatch, None);
        assert!(String::from_utf8(out).unwrap() == lines.concat(), "export");
        // Each template's filter keeps exactly its events.
        let src = input.to_vec();
        for t in s.templates.rows(0, 50) {
            let q = Query::new(&[], "").with_template(&s.templates, Some(t.id));
            let view = s.filter(&src, &q, &mut |_| {}).unwrap().unwrap();
            assert_eq!(view.len() as u64, t.count, "template {}", t.id);
            let want = format!(",\"template_id\":{},", t.id);
            assert!(view.iter().all(|&e| lines[e as usize].contains(&want)));
        }
    }

    #[test]
    fn reread_matches_full_pass_on_edge_input() {
        assert_reread_equals_full_pass(b"");
        assert_reread_equals_full_pass(b"one line without newline");
        assert_reread_equals_full_pass(b"a\r\nb\xff\xfe c\r\n\r\n  indented\nlast");
        assert_reread_equals_full_pass(
            b"\x1f\x8b not gzip in the middle\nline\n\x1f\x8bstarts like gzip\n",
        );
        let mut long = b"start\n".to_vec();
        long.extend(std::iter::repeat_n(b'x', 3 << 20));
        long.extend(b"\nend\n");
        assert_reread_equals_full_pass(&long);
        assert_reread_equals_full_pass(
            b"Exception in thread main\njava.lang.IllegalStateException: boom\n\tat a.b(C.java:1)\nCaused by: x\nnext\n",
        );
    }

    #[test]
    fn reread_matches_full_pass_on_loghub() {
        let shared = std::env::var("LOGSIEVE_SHARED").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").to_string()
        });
        let Ok(dir) = std::fs::read_dir(format!("{shared}/loghub")) else {
            eprintln!("no {shared}/loghub: skipped");
            return;
        };
        let mut logs = Vec::new();
        for d in dir.flatten() {
            let Ok(files) = std::fs::read_dir(d.path()) else {
                continue;
            };
            for f in files.flatten() {
                if f.file_name().to_string_lossy().ends_with("_2k.log") {
                    logs.push(f.path());
                }
            }
        }
        if let Ok(files) = std::fs::read_dir(format!("{shared}/samples/access_log")) {
            logs.extend(files.flatten().map(|f| f.path()));
        }
        logs.sort();
        assert!(logs.len() >= 8, "{} logs", logs.len());
        let mut all = Vec::new();
        for l in &logs {
            let bytes = std::fs::read(l).unwrap();
            assert_reread_equals_full_pass(&bytes);
            all.extend(bytes);
        }
        // All of them in one file: one format is the file's, the others are read through the fallback.
        assert_reread_equals_full_pass(&all);
        logs.reverse();
        let reversed: Vec<u8> = logs
            .iter()
            .flat_map(|l| std::fs::read(l).unwrap())
            .collect();
        assert_reread_equals_full_pass(&reversed);
    }

    #[test]
    fn search_and_levels() {
        let input = b"alpha INFO x\nBeta error\n  gAMMa continued\ndelta \xff ALPHA\n";
        let (s, _) = session(input, 2024);
        let src = input.to_vec();
        let count = |levels: &[&str], q: &str| {
            let levels: Vec<String> = levels.iter().map(|s| s.to_string()).collect();
            s.filter(&src, &Query::new(&levels, q), &mut |_| {})
                .unwrap()
        };
        assert_eq!(count(&[], ""), None);
        let n = s.index.len() as usize;
        assert_eq!(count(&[], "alpha").unwrap().len(), 2);
        assert_eq!(count(&[], "GAMMA").unwrap(), vec![1]);
        assert_eq!(count(&[], "zzz").unwrap().len(), 0);
        assert_eq!(count(&[], "\u{fffd}").unwrap().len(), 1);
        let all_levels = ["NONE", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
        assert_eq!(count(&all_levels, "").unwrap().len(), n);
        assert_eq!(count(&all_levels, "a").unwrap().len(), n);
        // Non-ASCII needle: Unicode lowercase.
        let input2 = "Ärger\nnothing\närger again\n".as_bytes();
        let (s2, _) = session(input2, 2024);
        let r = s2
            .filter(&input2.to_vec(), &Query::new(&[], "ÄRGER"), &mut |_| {})
            .unwrap()
            .unwrap();
        assert_eq!(r, vec![0, 2]);
    }

    #[test]
    fn search_skips_dropped_text_of_truncated_lines() {
        let mut input = b"head ".to_vec();
        input.extend(std::iter::repeat_n(b'x', (1 << 20) + 10));
        input.extend(b"needle\nother\n");
        let (s, _) = session(&input, 2024);
        let r = s
            .filter(&input, &Query::new(&[], "needle"), &mut |_| {})
            .unwrap()
            .unwrap();
        assert!(r.is_empty());
        let r = s
            .filter(&input, &Query::new(&[], "head"), &mut |_| {})
            .unwrap()
            .unwrap();
        assert_eq!(r, vec![0]);
    }

    #[test]
    fn export_equals_full_pass() {
        let input = b"a\nb\r\n  c\n\xffd";
        let (s, lines) = session(input, 2024);
        let mut ex = NdjsonExport::new(&s);
        let mut out = Vec::new();
        for c in input.chunks(3) {
            ex.feed(c, &mut |p| out.extend_from_slice(p)).unwrap();
        }
        ex.finish(&mut |p| out.extend_from_slice(p)).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), lines.concat());
        let (stats, _) = parse_all(input, ParseOptions::with_year(2024), |_| {});
        assert_eq!(ex.events, stats.events);
        assert_eq!(ex.mismatch, None);
        // Another file than the one parsed: the export says so.
        let mut other = NdjsonExport::new(&s);
        let _ = other.feed(b"x\ny\nz\nw\nv\n", &mut |_| {});
        let _ = other.finish(&mut |_| {});
        assert!(other.mismatch.is_some());
    }

    #[test]
    fn template_filter_combines_with_levels_and_search() {
        let input = b"2024-01-01T00:00:00Z INFO user 17 logged in\n\
            2024-01-01T00:00:02Z INFO disk full\n\
            2024-01-01T00:00:03Z INFO user 19 logged in\n\
            2024-01-01T00:00:04Z INFO user 20 logged in\n";
        let (s, lines) = session(input, 2024);
        let src = input.to_vec();
        let id = s.templates.rows(0, 1)[0].id;
        let view = |levels: &[&str], q: &str| {
            let levels: Vec<String> = levels.iter().map(|s| s.to_string()).collect();
            let q = Query::new(&levels, q).with_template(&s.templates, Some(id));
            s.filter(&src, &q, &mut |_| {}).unwrap().unwrap()
        };
        assert_eq!(view(&[], ""), vec![0, 2, 3], "{lines:?}");
        assert_eq!(view(&["INFO"], ""), vec![0, 2, 3]);
        assert!(view(&["NONE"], "").is_empty());
        assert_eq!(view(&[], "user 19"), vec![2]);
        assert_eq!(view(&["INFO"], "user 2"), vec![3]);
        assert!(view(&[], "disk").is_empty());
        let d = s.detail(&src, 3).unwrap();
        assert_eq!(format!("{}\n", d.ndjson), lines[3]);
        assert_eq!(d.fields.last().unwrap().0, "template");
    }
}
