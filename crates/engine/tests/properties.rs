//! Properties of the whole pipeline on generated log-like input: mixes of timestamps in many formats (impossible
//! dates included), levels, JSON lines with escapes and nesting, logfmt, access-log lines, stack-trace
//! continuation lines, CRLF, invalid UTF-8, NUL bytes, multi-byte characters and long tokens.
//!
//! What is checked, for every input:
//! - feeding it in any chunks gives byte-identical NDJSON (every split point of small inputs, random splits of
//!   larger ones);
//! - every NDJSON line is valid JSON, and its `message` is exactly the event's message as the engine holds it
//!   ([`Event::message`]); a JSON line's message is its message key's value as `serde_json` decodes it; the event's `text` is its input lines (line `line` to `end_line`), each with CR
//!   stripped and invalid UTF-8 replaced by U+FFFD, joined by `\n` (unless marked `truncated`);
//! - `ts`, when present, is a real instant (a strict RFC 3339 parser, the `time` crate's, accepts it; a local
//!   time, written without an offset, is checked as UTC);
//! - the same bytes gzipped, in one member or several, give the same NDJSON;
//! - each event's final template is its message's first line with values replaced: the template's literal text
//!   (split at blanks and `<*>`) appears in that line, piece after piece, in order.
//!
//! Case counts are modest (64–128) so that `cargo test` stays fast; `PROPTEST_CASES` raises them.

use flate2::{write::GzEncoder, Compression};
use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{ndjson, Event, ParseOptions, Pipeline};
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::io::Write;

// ---------------------------------------------------------------------------------------------------------------
// Generators.

/// A piece of message text: words, values, punctuation, multi-byte characters, long tokens.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z]{1,8}",
        2 => "[A-Z][a-z]{0,6}",
        2 => (0u32..100_000).prop_map(|n| n.to_string()),
        1 => "[0-9a-f]{6,16}",
        1 => (0u8..=255, 0u8..=255, 0u16..=65535).prop_map(|(a, b, p)| format!("10.{a}.{b}.1:{p}")),
        1 => "(/[a-z]{1,5}){1,4}",
        1 => "[a-z]{1,5}(\\.[a-z]{1,5}){1,4}",
        1 => "[a-z]{1,4}=[a-z0-9]{0,5}",
        1 => Just("é".to_string()),
        1 => Just("日本語".to_string()),
        1 => Just("\u{1F600}".to_string()),
        1 => "[éèʩũ.a-z0-9]{1,6}",
        1 => prop::sample::select(vec!["(", ")", "[", "]", "{", "}", "\"", "'", ":", "=", ",", ";", "\\", "<*>", "|", "@", "#", "-", "..."])
            .prop_map(str::to_string),
        1 => ("[a-zé]", 200usize..3000).prop_map(|(c, n)| c.repeat(n)),
    ]
}

fn words(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..max).prop_map(|w| w.join(" "))
}

/// A date and time, sometimes impossible (month 0 or 13, 31 February, hour 24, minute 60, second 60 anywhere).
fn datetime() -> impl Strategy<Value = (u32, u32, u32, u32, u32, u32)> {
    (
        prop_oneof![Just(2024u32), Just(2025), Just(2026), 1990u32..2100],
        prop_oneof![8 => 1u32..=12, 1 => 0u32..=13],
        prop_oneof![8 => 1u32..=28, 2 => 29u32..=31, 1 => Just(0u32), 1 => Just(32u32)],
        prop_oneof![8 => 0u32..=23, 1 => 24u32..=25],
        prop_oneof![8 => 0u32..=59, 1 => Just(60u32)],
        prop_oneof![8 => 0u32..=59, 1 => 60u32..=61],
    )
}

fn offset() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        2 => Just("Z".to_string()),
        2 => (0u32..=25, 0u32..=61, any::<bool>())
            .prop_map(|(h, m, neg)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
        1 => (0u32..=14, any::<bool>()).prop_map(|(h, neg)| format!("{}{h:02}00", if neg { '-' } else { '+' })),
    ]
}

fn level() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "INFO", "WARN", "ERROR", "DEBUG", "TRACE", "FATAL", "info", "warning", "E", "notice",
    ])
}

/// A JSON string's content with escapes of every kind, valid and not.
fn json_content() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[a-z é日]{0,6}",
            1 => prop::sample::select(vec![
                "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u00e9", "\\u65E5", "\\ud83d\\ude00",
                "\\ud800", "\\udc00", "\\ud83d\\u0041", "\\u12", "\\u00", "\\x41", "\\q", "\\é", "\\u0000", "\\u001f",
                "\\r\\n",
            ])
            .prop_map(str::to_string),
        ],
        0..10,
    )
    .prop_map(|v| v.concat())
}

fn json_line() -> impl Strategy<Value = String> {
    (
        datetime(),
        offset(),
        level(),
        json_content(),
        json_content(),
        prop::sample::select(vec!["msg", "message", "log", "@m", "body"]),
        0usize..4,
        any::<bool>(),
    )
        .prop_map(|((y, mo, d, h, mi, s), off, lvl, msg, logger, key, depth, epoch)| {
            let time = if epoch {
                format!("{}", 1_700_000_000u64 + (y as u64) * 1000 + s as u64)
            } else {
                format!("\"{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.123{off}\"")
            };
            let nested = (0..depth).fold("1".to_string(), |acc, _| format!("{{\"a\":{acc},\"b\":[\"]}}\",{{}}]}}"));
            format!(
                "{{\"time\":{time},\"level\":\"{lvl}\",\"{key}\":\"{msg}\",\"logger\":\"{logger}\",\"ctx\":{nested}}}"
            )
        })
}

fn header_line() -> impl Strategy<Value = String> {
    (datetime(), offset(), level(), words(10), 0u32..5).prop_map(|((y, mo, d, h, mi, s), off, lvl, msg, kind)| {
        const MON: [&str; 14] = ["Nul", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Xyz"];
        let mon = MON[mo.min(13) as usize];
        match kind {
            0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{off} {lvl} {msg}"),
            1 => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02},123 {lvl} [main] com.example.App - {msg}"),
            2 => format!("{mon} {d:2} {h:02}:{mi:02}:{s:02} host app[{mi}]: {msg}"),
            3 => format!(
                "10.0.0.{s} - - [{d:02}/{mon}/{y:04}:{h:02}:{mi:02}:{s:02} +0000] \"GET /a/{mi}?q={msg} HTTP/1.1\" 200 {s} \"-\" \"curl/8\""
            ),
            _ => format!("time={y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{off} level={lvl} msg=\"{msg}\" user={mi}"),
        }
    })
}

fn continuation_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\tat com.example.Service.run(Service.java:42)".to_string()),
        Just("Caused by: java.io.IOException: disk".to_string()),
        Just("\t... 12 more".to_string()),
        words(6).prop_map(|w| format!("    {w}")),
        Just("Traceback (most recent call last):".to_string()),
    ]
}

/// One line's bytes (without its end).
fn line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => header_line().prop_map(String::into_bytes),
        3 => json_line().prop_map(String::into_bytes),
        2 => continuation_line().prop_map(String::into_bytes),
        2 => words(12).prop_map(String::into_bytes),
        // Invalid UTF-8, NUL and control bytes, cut multi-byte sequences.
        1 => prop::collection::vec(
            prop_oneof![
                Just(vec![0xffu8]),
                Just(vec![0u8]),
                Just(vec![0xe6u8, 0x97]),
                Just(vec![0xc3u8]),
                Just(vec![0x1bu8, b'[']),
                "[a-z ]{1,5}".prop_map(String::into_bytes),
            ],
            1..8,
        )
        .prop_map(|v| v.concat()),
    ]
}

/// Log-like input: lines ended by LF or CRLF, the last one maybe without an end.
fn input(max_lines: usize) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((line(), any::<bool>()), 0..max_lines),
        any::<bool>(),
    )
        .prop_map(|(lines, last_end)| {
            let mut out = Vec::new();
            let n = lines.len();
            for (i, (l, crlf)) in lines.into_iter().enumerate() {
                out.extend_from_slice(&l);
                if i + 1 < n || last_end {
                    out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                }
            }
            // Input that starts like gzip is read as gzip: not what these properties are about.
            if out.starts_with(&[0x1f, 0x8b]) {
                out.insert(0, b' ');
            }
            out
        })
}

// ---------------------------------------------------------------------------------------------------------------
// Running the pipeline.

fn opts() -> ParseOptions {
    ParseOptions::with_year(2026)
}

/// NDJSON of `input` fed in the given chunks.
fn ndjson_of<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut p = Pipeline::new(opts());
    let mut out = String::new();
    for c in chunks {
        p.feed(c, &mut |ev| ndjson::write_event(ev, &mut out))
            .expect("plain input never fails");
    }
    p.finish(&mut |ev| ndjson::write_event(ev, &mut out))
        .expect("plain input never fails");
    out
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Whether `s` is a timestamp as the engine writes it and a real instant: strict RFC 3339 when it has an offset;
/// a local time (no offset) is checked as UTC.
fn strict_rfc3339(s: &str) -> bool {
    let has_zone = s.ends_with('Z') || {
        let t = &s[s.find('T').map_or(0, |i| i + 1)..];
        t.contains('+') || t.contains('-')
    };
    let full = if has_zone {
        s.to_string()
    } else {
        format!("{s}Z")
    };
    time::OffsetDateTime::parse(&full, &time::format_description::well_known::Rfc3339).is_ok()
}

/// The input's lines as the engine reads them: CR stripped, invalid UTF-8 replaced.
fn input_lines(input: &[u8]) -> Vec<String> {
    let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if input.ends_with(b"\n") || input.is_empty() {
        lines.pop();
    }
    lines
        .into_iter()
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
        .collect()
}

fn check_events(input: &[u8]) -> Result<(), TestCaseError> {
    let lines = input_lines(input);
    let mut p = Pipeline::new(opts());
    let mut miner = TemplateMiner::new();
    let mut seen: Vec<(u32, String)> = Vec::new();
    let mut err: Option<String> = None;
    let mut buf = String::new();
    let mut on = |ev: &Event<'_>| {
        if err.is_some() {
            return;
        }
        buf.clear();
        ndjson::write_event(ev, &mut buf);
        let v: serde_json::Value = match serde_json::from_str(buf.trim_end_matches('\n')) {
            Ok(v) => v,
            Err(e) => {
                err = Some(format!("invalid JSON {e}: {buf}"));
                return;
            }
        };
        if v["message"].as_str() != Some(ev.message()) {
            err = Some(format!(
                "message {:?} is not {:?}",
                v["message"],
                ev.message()
            ));
        }
        if let Some(ts) = v["ts"].as_str() {
            if !strict_rfc3339(ts) {
                err = Some(format!("ts {ts} is not a valid RFC 3339 instant ({buf})"));
            }
        }
        if !ev.truncated {
            let want = lines[(ev.line - 1) as usize..ev.end_line as usize].join("\n");
            if ev.text != want {
                err = Some(format!(
                    "text {:?} is not lines {}..{}: {want:?}",
                    ev.text, ev.line, ev.end_line
                ));
            }
        }
        // A JSON line's message is its message key's string as a JSON parser decodes it (when serde_json can: it
        // rejects lone surrogates, which the engine reads as U+FFFD), less one final line end.
        if ev.format().as_str() == "json" {
            let first = ev.text.split('\n').next().unwrap_or("");
            if let Ok(serde_json::Value::Object(o)) =
                serde_json::from_str::<serde_json::Value>(first)
            {
                if let Some(serde_json::Value::String(m)) = ["msg", "message", "@m", "log", "body"]
                    .iter()
                    .find_map(|k| o.get(*k))
                {
                    let m = m
                        .strip_suffix('\n')
                        .map_or(m.as_str(), |m| m.strip_suffix('\r').unwrap_or(m));
                    if ev.message() != m {
                        err = Some(format!("JSON message {:?} is not {m:?}", ev.message()));
                    }
                }
            }
        }
        let id = miner.observe_event(ev);
        seen.push((id.0, ev.message().to_string()));
    };
    p.feed(input, &mut on).unwrap();
    p.finish(&mut on).unwrap();
    if let Some(e) = err {
        return Err(TestCaseError::fail(e));
    }
    let map = miner.finish();
    for (id, msg) in &seen {
        let t = map
            .get(logsieve_engine::template::TemplateId(*id))
            .ok_or_else(|| TestCaseError::fail(format!("no template for id {id}")))?;
        let first = msg.split('\n').next().unwrap_or("").trim_end_matches('\r');
        let mut rest = first;
        for piece in t.template.split(' ').flat_map(|w| w.split("<*>")) {
            if piece.is_empty() {
                continue;
            }
            match rest.find(piece) {
                Some(i) => rest = &rest[i + piece.len()..],
                None => {
                    return Err(TestCaseError::fail(format!(
                        "template {:?}: {piece:?} is not in (the rest of) {first:?}",
                        t.template
                    )))
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------------
// Properties.

/// `n` cases, or `PROPTEST_CASES` when set (a longer search than the suite's).
fn cases(n: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(n)
}

proptest! {
    #![proptest_config(Config { cases: cases(64), ..Config::default() })]

    /// Small inputs split in two at every byte: the output never depends on where a chunk ends. Every prefix
    /// (the input truncated at that byte) parses too, into valid JSON lines.
    #[test]
    fn every_split_of_a_small_input_gives_the_same_output(input in input(6)) {
        let input = &input[..input.len().min(600)];
        let whole = ndjson_of([input]);
        for i in 0..=input.len() {
            let (a, b) = input.split_at(i);
            prop_assert_eq!(&ndjson_of([a, b]), &whole, "split at {}", i);
            for l in ndjson_of([a]).lines() {
                prop_assert!(serde_json::from_str::<serde_json::Value>(l).is_ok(), "{}", l);
            }
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: cases(128), ..Config::default() })]

    /// Larger inputs fed in random chunk sizes (1 byte to 8 KiB).
    #[test]
    fn random_chunks_give_the_same_output(input in input(60), sizes in prop::collection::vec(1usize..8192, 1..40)) {
        let whole = ndjson_of([&input[..]]);
        let mut chunks = Vec::new();
        let mut at = 0;
        for s in sizes.iter().cycle() {
            if at >= input.len() {
                break;
            }
            let e = (at + if s % 3 == 0 { s % 7 + 1 } else { *s }).min(input.len());
            chunks.push(&input[at..e]);
            at = e;
        }
        prop_assert_eq!(ndjson_of(chunks), whole);
    }

    /// Valid JSON, `message` = the event's message, `text` = its lines, `ts` a real instant, templates from the
    /// message.
    #[test]
    fn events_are_valid_and_faithful(input in input(60)) {
        check_events(&input)?;
    }

    /// Gzip, in one member or in several, reads as the plain bytes.
    #[test]
    fn gzip_reads_as_the_plain_bytes(input in input(40), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4)) {
        let plain = ndjson_of([&input[..]]);
        prop_assert_eq!(&ndjson_of([&gz(&input)[..]]), &plain);
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(input.len() + 1)).collect();
        at.sort_unstable();
        let mut multi = Vec::new();
        let mut prev = 0;
        for c in at.into_iter().chain([input.len()]) {
            multi.extend_from_slice(&gz(&input[prev..c]));
            prev = c;
        }
        prop_assert_eq!(&ndjson_of(multi.chunks(777)), &plain);
    }
}
