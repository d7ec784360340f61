//! Bad and awkward input through the whole pipeline: chunk boundaries, CRLF, invalid UTF-8, NUL bytes, empty
//! input, a 50 MB line, gzip and truncated gzip, binary content. Nothing may be lost silently or crash.

use flate2::{write::GzEncoder, Compression};
use logsieve_engine::pipeline::parse_all;
use logsieve_engine::{ndjson, EngineError, ParseOptions, Pipeline};
use std::io::Write;

fn opts() -> ParseOptions {
    ParseOptions::with_year(2026)
}

/// NDJSON of the input fed in chunks of `chunk` bytes.
fn ndjson_chunked(input: &[u8], chunk: usize) -> (String, Result<(), EngineError>) {
    let mut p = Pipeline::new(opts());
    let mut out = String::new();
    let mut res = Ok(());
    for c in input.chunks(chunk.max(1)) {
        if let Err(e) = p.feed(c, &mut |ev| ndjson::write_event(ev, &mut out)) {
            res = Err(e);
            break;
        }
    }
    let fin = p.finish(&mut |ev| ndjson::write_event(ev, &mut out));
    (out, res.and(fin))
}

fn messages(ndjson: &str) -> Vec<String> {
    ndjson
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid JSON line");
            v["message"].as_str().unwrap().to_string()
        })
        .collect()
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn sample_log() -> Vec<u8> {
    let mut s = String::new();
    for i in 0..3000 {
        s.push_str(&format!(
            "2024-01-15 10:23:{:02},{:03} INFO [worker-{}] com.example.Service - handled request {} in {} ms\n",
            i % 60,
            i % 1000,
            i % 7,
            i,
            i * 3 % 97
        ));
        if i % 500 == 7 {
            s.push_str("java.lang.IllegalStateException: boom\n\tat com.example.Service.run(Service.java:42)\nCaused by: java.io.IOException: disk\n\t... 12 more\n");
        }
    }
    s.into_bytes()
}

#[test]
fn chunking_never_changes_the_output() {
    let input = sample_log();
    let (whole, r) = ndjson_chunked(&input, input.len());
    assert!(r.is_ok());
    for chunk in [1, 2, 3, 7, 64, 1000, 4096, 65_537] {
        let (out, r) = ndjson_chunked(&input, chunk);
        assert!(r.is_ok());
        assert_eq!(out, whole, "chunk size {chunk}");
    }
}

#[test]
fn every_line_is_accounted_for() {
    let input = sample_log();
    let mut last_end = 0;
    let (stats, r) = parse_all(&input, opts(), |ev| {
        assert_eq!(ev.line, last_end + 1, "events cover lines without gaps");
        last_end = ev.end_line;
    });
    assert!(r.is_ok());
    let newlines = input.iter().filter(|b| **b == b'\n').count() as u64;
    assert_eq!(stats.lines, newlines);
    assert_eq!(last_end, newlines);
    assert_eq!(stats.bytes_decoded, input.len() as u64);
}

#[test]
fn stack_traces_join_the_event_before_them() {
    let input = b"first line\njava.lang.IllegalStateException: boom\n\tat a.b.C.d(C.java:1)\nCaused by: java.io.IOException: x\n\t... 3 more\nsecond line\n";
    let mut events = Vec::new();
    let (_, r) = parse_all(input, opts(), |ev| {
        events.push((ev.line, ev.end_line, ev.message().to_string()))
    });
    assert!(r.is_ok());
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!((events[0].0, events[0].1), (1, 5));
    assert!(events[0].2.contains("Caused by: java.io.IOException"));
    assert_eq!(events[1], (6, 6, "second line".to_string()));
}

#[test]
fn crlf_is_stripped() {
    let (out, r) = ndjson_chunked(b"one\r\ntwo\r\n\r\nthree", 2);
    assert!(r.is_ok());
    assert_eq!(messages(&out), vec!["one", "two\n", "three"]);
}

#[test]
fn invalid_utf8_is_kept_lossily_and_counted() {
    let input = b"good line\nbad \xff\xfe line\nalso good\n";
    let mut msgs = Vec::new();
    let mut flagged = Vec::new();
    let (stats, r) = parse_all(input, opts(), |ev| {
        msgs.push(ev.message().to_string());
        flagged.push(ev.invalid_utf8);
    });
    assert!(r.is_ok());
    assert_eq!(stats.invalid_utf8_lines, 1);
    assert_eq!(msgs[1], "bad \u{fffd}\u{fffd} line");
    assert_eq!(flagged, vec![false, true, false]);
}

#[test]
fn nul_bytes_survive_and_are_counted() {
    let (out, r) = ndjson_chunked(b"a\0b\nc\n", 1);
    assert!(r.is_ok());
    assert_eq!(messages(&out), vec!["a\0b", "c"]);
    assert!(out.contains("a\\u0000b"));
    let (stats, _) = parse_all(b"a\0b\nc\n", opts(), |_| {});
    assert_eq!(stats.nul_bytes, 1);
}

#[test]
fn empty_input_gives_no_events_and_no_error() {
    let (stats, r) = parse_all(b"", opts(), |_| panic!("no events expected"));
    assert!(r.is_ok());
    assert_eq!((stats.lines, stats.events), (0, 0));
}

#[test]
fn a_50_mb_line_is_cut_at_the_limit_and_marked() {
    let mut input = vec![b'x'; 50 << 20];
    input.extend_from_slice(b"\nnext\n");
    let mut got = Vec::new();
    let mut p = Pipeline::new(opts());
    for c in input.chunks(4 << 20) {
        p.feed(c, &mut |ev| {
            got.push((ev.message().len(), ev.truncated, ev.len))
        })
        .unwrap();
    }
    p.finish(&mut |ev| got.push((ev.message().len(), ev.truncated, ev.len)))
        .unwrap();
    let limit = ParseOptions::default().max_line_bytes;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], (limit, true, (50 << 20) + 1));
    assert_eq!(got[1], (4, false, 5));
    assert_eq!(p.stats().truncated_lines, 1);
}

#[test]
fn gzip_gives_the_same_events_as_plain() {
    let input = sample_log();
    let (plain, _) = ndjson_chunked(&input, 1 << 16);
    let (zipped, r) = ndjson_chunked(&gz(&input), 777);
    assert!(r.is_ok());
    assert_eq!(zipped, plain);
    let (stats, _) = parse_all(&gz(&input), opts(), |_| {});
    assert!(stats.gzip);
    assert_eq!(stats.bytes_decoded, input.len() as u64);
}

#[test]
fn truncated_gzip_keeps_readable_events_and_says_why() {
    let input = sample_log();
    let z = gz(&input);
    let cut = &z[..z.len() * 2 / 3];
    let (out, r) = ndjson_chunked(cut, 4096);
    let err = r.expect_err("a cut gzip is an error");
    assert!(err.to_string().contains("truncated"), "{err}");
    let n = out.lines().count();
    assert!(n > 1000, "kept {n} events");
    let (plain, _) = ndjson_chunked(&input, 1 << 16);
    // Every kept event but the last (which may be cut mid-line) is exactly as in the plain parse.
    let kept: Vec<&str> = out.lines().collect();
    let all: Vec<&str> = plain.lines().collect();
    assert_eq!(kept[..n - 1], all[..n - 1]);
    let (stats, _) = parse_all(cut, opts(), |_| {});
    assert!(stats.warnings.iter().any(|w| w.contains("truncated")));
}

#[test]
fn binary_input_is_read_with_a_warning() {
    let input: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let (stats, r) = parse_all(&input, opts(), |_| {});
    assert!(r.is_ok());
    assert!(stats.events > 0);
    assert!(
        stats.warnings.iter().any(|w| w.contains("binary")),
        "{:?}",
        stats.warnings
    );
}

#[test]
fn a_pem_block_stays_in_its_event() {
    let input = b"2024-03-05 10:00:00,000 INFO [main] com.acme.Tls - loaded key\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\naZ5oXv1bq3c5f0pJtC9pYq3nP2sW5yR3oKJ9fYx3Q1mW8sT4lP6vN2cB0aE7dF9g\n-----END RSA PRIVATE KEY-----\n2024-03-05 10:00:01,000 INFO [main] com.acme.Tls - next\n";
    let mut events = Vec::new();
    let (_, r) = parse_all(input, opts(), |ev| events.push((ev.line, ev.end_line)));
    assert!(r.is_ok());
    assert_eq!(events, vec![(1, 5), (6, 6)]);
}
