//! Targets of the engine crate: the decoder (plain, gzip, truncated and corrupt gzip), the pipeline under arbitrary
//! chunk splits, every format parser (and the forced-format re-parse of one event), the template miner and the
//! NDJSON writer.

use crate::{chunks, is_slice, options, OwnedEvent, Params};
use flate2::write::GzEncoder;
use flate2::Compression;
use logsieve_engine::decode::{DecodeError, Decoder};
use logsieve_engine::event::{FieldValue, Header};
use logsieve_engine::formats::{self, FormatId, ParseContext};
use logsieve_engine::pipeline::parse_all;
use logsieve_engine::template::{MinerLimits, TemplateId, TemplateMiner};
use logsieve_engine::{ndjson, Event, Level, ParseOptions, Pipeline};
use serde_json::Value;
use std::io::Write;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Feeds `chunks` to a new decoder: the decoded bytes, the first error, and whether it read gzip.
fn run_decoder(chunks: &[&[u8]]) -> (Vec<u8>, Result<(), DecodeError>, bool) {
    let mut d = Decoder::new();
    let mut out = Vec::new();
    let mut result = Ok(());
    for c in chunks {
        if let Err(e) = d.feed(c, &mut |t| out.extend_from_slice(t)) {
            result = Err(e);
            break;
        }
    }
    let end = d.finish(&mut |t| out.extend_from_slice(t));
    (out, result.and(end), d.is_gzip())
}

fn gzip(members: &[&[u8]], level: u32) -> Vec<u8> {
    let mut all = Vec::new();
    for m in members {
        let mut enc = GzEncoder::new(Vec::new(), Compression::new(level));
        enc.write_all(m).expect("gzip into memory");
        all.extend(enc.finish().expect("gzip into memory"));
    }
    all
}

/// The decoder: bits 3–4 of the flags choose raw bytes, gzip (one or two members), gzip cut short, or gzip with a
/// damaged byte. Decoded text equals the original, a cut stream keeps a prefix and reports an error, and feeding in
/// chunks gives what one feed gives.
pub fn decode(data: &[u8]) {
    let p = Params::new(data);
    let sizes = p.bytes();
    let pick = |i: usize| sizes.get(i).copied().unwrap_or(0) as usize;
    match (p.flags() >> 3) & 3 {
        0 => {
            let (one, r1, gz1) = run_decoder(&[p.body]);
            let (many, r2, gz2) = run_decoder(&chunks(p.body, sizes));
            assert_eq!(
                (&one, &r1, gz1),
                (&many, &r2, gz2),
                "chunked decode differs"
            );
            if !p.body.starts_with(&GZIP_MAGIC) {
                assert!(!gz1 && r1.is_ok());
                assert_eq!(one, p.body, "plain input must pass through unchanged");
            }
        }
        1 => {
            let split = if p.body.is_empty() {
                0
            } else {
                pick(0) * 131 % (p.body.len() + 1)
            };
            let members: Vec<&[u8]> = if p.flags() & 0x20 != 0 {
                vec![&p.body[..split], &p.body[split..]]
            } else {
                vec![p.body]
            };
            let z = gzip(&members, (p.flags() >> 6) as u32 * 3);
            let (out, r, gz) = run_decoder(&chunks(&z, sizes));
            assert!(gz, "gzip input not recognised");
            assert_eq!(r, Ok(()), "complete gzip stream reported an error");
            assert!(out == p.body, "gzip round trip differs");
        }
        2 => {
            let z = gzip(&[p.body], 6);
            let cut = (pick(0) * 256 + pick(1)) % z.len();
            let (out, r, _) = run_decoder(&chunks(&z[..cut], &sizes[sizes.len().min(2)..]));
            // Under two bytes the decoder cannot know it is gzip: it passes them on as text.
            if cut >= 2 {
                assert!(
                    p.body.starts_with(&out),
                    "a cut gzip stream gave bytes that are not a prefix"
                );
                assert!(
                    r.is_err(),
                    "a gzip stream cut at {cut} of {} was not reported",
                    z.len()
                );
            }
        }
        _ => {
            let mut z = gzip(&[p.body], 6);
            let at = (pick(0) * 256 + pick(1)) % z.len();
            z[at] ^= (pick(2) as u8).max(1);
            // Any outcome but a panic or a hang; the text before the damage is what it is.
            let _ = run_decoder(&chunks(&z, &sizes[sizes.len().min(3)..]));
        }
    }
}

/// Options from the flags: bit 3 a small line limit, bit 4 a small event limit, bit 5 a short detection sample.
fn options_from(p: &Params<'_>) -> ParseOptions {
    let mut o = options();
    let b = |i: usize| p.bytes().get(i).copied().unwrap_or(7) as usize;
    if p.flags() & 0x08 != 0 {
        o.max_line_bytes = 1 + b(0);
    }
    if p.flags() & 0x10 != 0 {
        o.max_event_bytes = 1 + b(1) * 3;
    }
    if p.flags() & 0x20 != 0 {
        o.detect_lines = 1 + b(2) % 8;
        o.detect_bytes = 1 + b(3) * 4;
    }
    o
}

struct Run {
    events: Vec<OwnedEvent>,
    stats: String,
    error: Option<String>,
}

fn run_pipeline(opts: ParseOptions, chunks: &[&[u8]]) -> Run {
    let mut p = Pipeline::new(opts);
    let mut events = Vec::new();
    let mut error = None;
    for c in chunks {
        if let Err(e) = p.feed(c, &mut |ev| events.push(OwnedEvent::of(ev))) {
            error.get_or_insert(e.to_string());
        }
    }
    if let Err(e) = p.finish(&mut |ev| events.push(OwnedEvent::of(ev))) {
        error.get_or_insert(e.to_string());
    }
    let stats = serde_json::to_string(p.stats()).expect("stats serialize");
    Run {
        events,
        stats,
        error,
    }
}

/// The whole pipeline fed in chunks cut from the input's first bytes gives byte-identical events and stats to one
/// feed; events number their lines and cover the decoded bytes without gaps.
pub fn pipeline_chunks(data: &[u8]) {
    let p = Params::new(data);
    let opts = options_from(&p);
    let one = run_pipeline(opts, &[p.body]);
    let many = run_pipeline(opts, &p.chunks());
    assert_eq!(one.error, many.error, "chunked feed: different error");
    assert_eq!(one.stats, many.stats, "chunked feed: different stats");
    assert_eq!(
        one.events.len(),
        many.events.len(),
        "chunked feed: different event count"
    );
    for (a, b) in one.events.iter().zip(&many.events) {
        assert_eq!(a, b, "chunked feed: different event");
    }
    let (mut line, mut offset) = (1, 0);
    for ev in &one.events {
        assert_eq!(ev.line, line, "events must number every line once");
        assert!(ev.end_line >= ev.line);
        assert_eq!(ev.offset, offset, "events must cover the text without gaps");
        line = ev.end_line + 1;
        offset = ev.offset + ev.len;
    }
}

/// Spans of a header point into `line` on character boundaries (they are sliced unchecked later).
fn check_header(line: &str, h: &Header, who: FormatId) {
    let spans = [h.component, h.pid, h.thread, h.trace_id, h.host];
    for s in spans.into_iter().flatten() {
        assert!(
            is_slice(line, s.start as usize, s.end as usize),
            "{who:?}: span {s:?} outside line of {} bytes",
            line.len()
        );
    }
    for (k, v) in &h.fields {
        if let FieldValue::Text(s) = v {
            assert!(
                is_slice(line, s.start as usize, s.end as usize),
                "{who:?}: field {k} span {s:?} outside line of {} bytes",
                line.len()
            );
        }
    }
    if let Some(ts) = &h.ts {
        let _ = ts.unix_millis();
        let _ = ts.to_rfc3339();
    }
}

/// Each line through every format parser, `parse_any`, the unknown header, continuation and detection; then the
/// page's re-read of one event (its bytes alone, the file's format forced, its own as the fallback) gives the event
/// of the full pass.
pub fn formats(data: &[u8]) {
    let ctx = ParseContext {
        default_year: crate::YEAR,
    };
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .take(2000)
        .collect();
    for line in &lines {
        for &f in FormatId::KNOWN {
            if let Some(h) = formats::parse(f, line, &ctx) {
                check_header(line, &h, f);
            }
            let _ = formats::is_continuation(line, f);
        }
        if let Some(h) = formats::parse_any(line, &ctx, FormatId::Unknown) {
            check_header(line, &h, h.format);
        }
        check_header(
            line,
            &formats::unknown::header(line, &ctx),
            FormatId::Unknown,
        );
    }
    let _ = formats::detect(&lines[..lines.len().min(200)], &ctx);

    // The forced-format re-parse, as the page does for a row (plain input only: the page reads gzip apart).
    if data.starts_with(&GZIP_MAGIC) {
        return;
    }
    let mut events = Vec::new();
    let mut own = Vec::new();
    let (stats, res) = parse_all(data, options(), |ev| {
        if events.len() < 300 {
            events.push(OwnedEvent::of(ev));
            own.push(ev.format());
        }
    });
    assert!(res.is_ok());
    let file_format = FormatId::from_name(stats.file_format).unwrap_or(FormatId::Unknown);
    for (ev, own) in events.iter().zip(own) {
        let mut opts = options();
        opts.forced_format = Some(file_format);
        if own != file_format && own != FormatId::Unknown {
            opts.fallback_format = Some(own);
        }
        let bytes = &data[ev.offset as usize..(ev.offset + ev.len) as usize];
        let mut again = Vec::new();
        let (_, res) = parse_all(bytes, opts, |e| again.push(OwnedEvent::of(e)));
        assert!(res.is_ok());
        assert_eq!(
            again.len(),
            1,
            "re-reading event at line {} gave {} events",
            ev.line,
            again.len()
        );
        assert_eq!(
            after_lines(&again[0].ndjson),
            after_lines(&ev.ndjson),
            "re-reading event at line {} differs",
            ev.line
        );
    }
}

/// An NDJSON line without its `line` and `end_line` (a re-read event numbers its lines from 1).
fn after_lines(ndjson: &str) -> &str {
    ndjson.find(",\"ts\":").map_or(ndjson, |i| &ndjson[i..])
}

/// A message kept for replaying into another miner.
struct Seen {
    message: String,
    level: Option<Level>,
    ts: Option<i64>,
    line: u64,
}

fn template_set(m: &mut TemplateMiner) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = m
        .finish()
        .templates
        .into_iter()
        .map(|t| (t.template, t.count))
        .collect();
    v.sort();
    v
}

/// The template miner over the events (with small limits when flag bit 3 is set, so that bounded mode, patterns
/// and overflow templates run): every id resolves to a template and the counts add up; unbounded, mining two
/// slices apart and absorbing one into the other gives the same templates.
pub fn miner(data: &[u8]) {
    let p = Params::new(data);
    let b = |i: usize| p.bytes().get(i).copied().unwrap_or(0) as usize;
    let small = p.flags() & 0x08 != 0;
    let limits = if small {
        MinerLimits {
            max_keys: 1 + b(0) % 64,
            first_compaction: 1 + b(1) % 32,
            max_bytes: 256 * (1 + b(2)),
        }
    } else {
        MinerLimits::default()
    };
    let mut miner = TemplateMiner::with_limits(limits);
    let mut ids = Vec::new();
    let mut seen = Vec::new();
    let _ = parse_all(p.body, options(), |ev: &Event<'_>| {
        let id = miner.observe_event(ev);
        assert!(miner.provisional_template(id).is_some());
        ids.push(id);
        seen.push(Seen {
            message: ev.message().to_string(),
            level: ev.level(),
            ts: ev.ts().map(|t| t.unix_millis()),
            line: ev.line,
        });
    });
    let unbounded = !small && miner.len() < limits.first_compaction;
    let map = miner.finish();
    let total: u64 = map.templates.iter().map(|t| t.count).sum();
    assert_eq!(
        total,
        ids.len() as u64,
        "template counts do not add up to the events"
    );
    for id in &ids {
        let t = map.get(*id).expect("every id resolves to a template");
        assert_eq!(map.final_id(*id), Some(t.id));
        assert!(t.count >= 1);
        assert!(
            map.get(t.id).is_some_and(|u| u.id == t.id),
            "final id resolves to itself"
        );
    }
    if unbounded && seen.len() >= 2 {
        let split = b(3) * seen.len() / 256;
        let replay = |part: &[Seen]| {
            let mut m = TemplateMiner::new();
            for s in part {
                m.observe(&s.message, s.level, s.ts, s.line);
            }
            m
        };
        let mut whole = replay(&seen);
        let mut first = replay(&seen[..split]);
        let remap = first.absorb(replay(&seen[split..]));
        assert!(remap.len() <= seen.len() - split);
        assert!(remap.iter().all(|id| (id.0 as usize) < first.len()));
        assert_eq!(
            template_set(&mut first),
            template_set(&mut whole),
            "absorbing a slice mined apart changes the templates"
        );
    }
    let _ = map.get(TemplateId(u32::MAX));
}

/// Whether `s` is `YYYY-MM-DDTHH:MM:SS[.f+][Z|±HH:MM]` with a real calendar date.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let d = b.get(r)?;
        d.iter()
            .all(u8::is_ascii_digit)
            .then(|| d.iter().fold(0, |n, c| n * 10 + (c - b'0') as u32))
    };
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let dim = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if d == 0 || d > dim || h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        b"Z" | b"" => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// The NDJSON writer: every event's line parses as one JSON object whose message, format and line are the event's,
/// whose time is a real RFC 3339 time; with a template and model fields added it still parses; any text written as
/// a JSON string reads back unchanged.
pub fn ndjson(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut quoted = String::new();
    ndjson::json_str(&mut quoted, &text);
    let back: String = serde_json::from_str(&quoted).expect("json_str writes a JSON string");
    assert_eq!(back, text, "json_str does not round-trip");

    let words: Vec<&str> = text.split_whitespace().take(8).collect();
    let _ = parse_all(data, options(), |ev| {
        let mut line = String::new();
        ndjson::write_event(ev, &mut line);
        assert!(line.ends_with("}\n") && !line[..line.len() - 1].contains('\n'));
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("NDJSON line does not parse ({e}): {line}"));
        assert_eq!(v["line"].as_u64(), Some(ev.line));
        assert_eq!(v["end_line"].as_u64(), Some(ev.end_line));
        assert_eq!(v["message"].as_str(), Some(ev.message()), "message differs");
        assert_eq!(v["format"].as_str(), Some(ev.format().as_str()));
        match &v["ts"] {
            Value::Null => {}
            Value::String(ts) => assert!(is_rfc3339(ts), "ts {ts:?} is not an RFC 3339 time"),
            other => panic!("ts is {other}"),
        }
        let mut template = String::new();
        ndjson::json_str(&mut template, ev.message());
        ndjson::push_template(&mut line, ev.line as u32, &template);
        let fields: Vec<(String, String)> = words
            .chunks(2)
            .map(|kv| (kv[0].to_string(), kv.get(1).unwrap_or(&"").to_string()))
            .collect();
        ndjson::push_fields(&mut line, &fields);
        let v: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("NDJSON line with template does not parse ({e}): {line}"));
        assert_eq!(v["template"].as_str(), Some(ev.message()));
    });
}

#[cfg(test)]
mod tests {
    use super::is_rfc3339;

    #[test]
    fn rfc3339_check() {
        assert!(is_rfc3339("2024-02-29T10:00:00Z"));
        assert!(is_rfc3339("2024-02-29T10:00:00.123+01:00"));
        assert!(is_rfc3339("2024-02-29T10:00:00"));
        assert!(!is_rfc3339("2023-02-29T10:00:00Z"));
        assert!(!is_rfc3339("2024-13-01T10:00:00Z"));
        assert!(!is_rfc3339("2024-04-31T10:00:00Z"));
        assert!(!is_rfc3339("2024-04-30T24:00:00Z"));
        assert!(!is_rfc3339("2024-04-30"));
    }
}
