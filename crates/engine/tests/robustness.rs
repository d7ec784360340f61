//! Regression tests of issue #12 ("never hang, never crash, never leak"), through the whole pipeline: impossible
//! dates, JSON string escapes, input that once panicked, pathological lines that must stay linear in time.

use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{ndjson, ParseOptions, Pipeline};
use std::time::{Duration, Instant};

/// The NDJSON of `input`, each line parsed back.
fn events(input: &[u8]) -> Vec<serde_json::Value> {
    let mut p = Pipeline::new(ParseOptions::with_year(2026));
    let mut out = String::new();
    p.feed(input, &mut |ev| ndjson::write_event(ev, &mut out))
        .unwrap();
    p.finish(&mut |ev| ndjson::write_event(ev, &mut out))
        .unwrap();
    out.lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

/// Parses `input` and mines its templates, as `logsieve parse` does; returns the number of events.
fn parse_and_mine(input: &[u8]) -> usize {
    let mut p = Pipeline::new(ParseOptions::with_year(2026));
    let mut miner = TemplateMiner::new();
    let mut out = String::new();
    let mut n = 0;
    let mut on = |ev: &logsieve_engine::Event<'_>| {
        miner.observe_event(ev);
        out.clear();
        ndjson::write_event(ev, &mut out);
        n += 1;
    };
    p.feed(input, &mut on).unwrap();
    p.finish(&mut on).unwrap();
    miner.finish();
    n
}

#[test]
fn impossible_dates_give_no_timestamp() {
    for (line, want) in [
        ("2026-02-31T10:00:00Z INFO x", None),
        ("2026-02-29 10:00:00,000 INFO [main] a.B - x", None),
        (
            "2024-02-29 10:00:00,000 INFO [main] a.B - x",
            Some("2024-02-29T10:00:00.000"),
        ),
        ("{\"ts\":\"2026-02-31T10:00:00Z\",\"msg\":\"x\"}", None),
        ("{\"ts\":\"2026-04-31T10:00:00Z\",\"msg\":\"x\"}", None),
        ("{\"ts\":\"2026-01-31T24:00:00Z\",\"msg\":\"x\"}", None),
        ("{\"ts\":\"2026-01-31T10:00:00+24:00\",\"msg\":\"x\"}", None),
        (
            "{\"ts\":\"2026-01-31T10:00:00+23:59\",\"msg\":\"x\"}",
            Some("2026-01-31T10:00:00+23:59"),
        ),
        (
            "{\"ts\":\"2016-12-31T23:59:60Z\",\"msg\":\"x\"}",
            Some("2016-12-31T23:59:60Z"),
        ),
        ("{\"ts\":\"2016-12-30T23:59:60Z\",\"msg\":\"x\"}", None),
        ("<34>1 2026-02-30T22:14:15.003Z host app - - - x", None),
        ("Feb 30 10:00:00 host app[1]: x", None),
        ("[Sat Feb 29 10:00:00 2025] [error] x", None),
    ] {
        let ev = &events(line.as_bytes())[0];
        assert_eq!(ev["ts"].as_str(), want, "{line}");
        assert!(ev["message"].as_str().unwrap().ends_with('x'), "{line}");
    }
}

#[test]
fn json_strings_are_decoded_and_written_back_as_valid_json() {
    let input = concat!(
        r#"{"msg":"bad \"q\"\nx","level":"warn"}"#,
        "\n",
        r#"{"log":"GET /a?b=\u00e9 \ud83d\ude00 \\ done\n","stream":"stdout","time":"2024-01-15T10:23:45.1Z"}"#,
        "\n",
        r#"{"message":"lone \ud800 and bad \q escape","logger":"a\/b","thread":"t\t1"}"#,
        "\n",
        r#"{"message":"nul \u0000 del \u007f bell \u0007"}"#,
        "\n",
    );
    let evs = events(input.as_bytes());
    let msgs: Vec<&str> = evs.iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert_eq!(
        msgs,
        [
            "bad \"q\"\nx",
            "GET /a?b=é \u{1F600} \\ done",
            "lone \u{FFFD} and bad \u{FFFD} escape",
            "nul \0 del \u{7f} bell \u{7}",
        ]
    );
    assert_eq!(evs[2]["component"], "a/b");
    assert_eq!(evs[2]["thread"], "t\t1");
    assert_eq!(evs[1]["ts"], "2024-01-15T10:23:45.100Z");
}

/// Lines that once took long or could: one character repeated over the whole line limit (1 MiB), deep JSON
/// nesting, many tokens for the template miner. Each must finish quickly (linear in its size): the bound is far
/// above what linear code needs even in a debug build under load, and far below what quadratic code takes on
/// 1 MiB.
#[test]
fn pathological_lines_stay_linear() {
    let mib = 1 << 20;
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    // Each format's header, then one character repeated over 256 KiB (quadratic work on that is still minutes).
    const HEADERS: &[&str] = &[
        "2024-01-15 10:23:45,123 INFO [main] a.B - ",
        "<165>1 2003-10-11T22:14:15.003Z host app 1 ID [ex k=\"",
        "Jun 14 15:16:01 host prog[12]: ",
        "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /",
        "level=info msg=\"",
        "{\"level\":\"info\",\"msg\":\"",
        "I0115 10:23:45.123456   12345 file.go:123] ",
        "01-15 10:23:45.123  1234  5678 I Tag: ",
        "info: Cat[0]\n      ",
        "[Sun Dec 04 04:47:44 2005] [notice] ",
    ];
    for c in [
        "(", "\"", "[", "{", "=", ":", "\\", " ", "0", ".", "-", "<", "é", "a", "/", "<*>", "\t",
        "]", "}", "'",
    ] {
        cases.push((
            format!("{c:?} repeated"),
            c.repeat(mib / c.len()).into_bytes(),
        ));
        for h in HEADERS {
            cases.push((
                format!("{h:?} then {c:?} repeated"),
                format!("{h}{}", c.repeat((mib / 4) / c.len())).into_bytes(),
            ));
        }
    }
    let deep = 100_000;
    cases.push((
        "JSON nested 100k deep".into(),
        format!("{}1{}", "{\"a\":".repeat(deep), "}".repeat(deep)).into_bytes(),
    ));
    cases.push((
        "JSON arrays 100k deep".into(),
        format!("{{\"msg\":{}{}}}", "[".repeat(deep), "]".repeat(deep)).into_bytes(),
    ));
    cases.push((
        "JSON unclosed 100k deep".into(),
        "{\"a\":".repeat(deep).into_bytes(),
    ));
    for (name, unit) in [
        ("alternating tokens", "a 1 "),
        ("key=value pairs", "k=1,"),
        ("quoted words", "\"a b\" "),
        ("IPs and ports", "10.0.0.1:80 "),
        ("escapes in a JSON string", "\\\"\\u00e9\\n"),
        ("dotted names", "a.b.c."),
        ("paths", "/a/b/1"),
    ] {
        let body = unit.repeat(mib / unit.len());
        cases.push((format!("{name}: one 1 MiB line"), body.clone().into_bytes()));
        cases.push((
            name.to_string() + " in a JSON message",
            format!("{{\"msg\":\"{}\"}}", body.replace('"', "'")).into_bytes(),
        ));
    }
    let mut times = Vec::new();
    for (name, input) in &cases {
        let t = Instant::now();
        assert!(parse_and_mine(input) >= 1, "{name}");
        times.push((t.elapsed(), name));
    }
    times.sort();
    let (slowest, name) = times.last().unwrap();
    eprintln!(
        "slowest: {name} {slowest:?}; next {:?}",
        &times[times.len().saturating_sub(4)..]
    );
    assert!(
        *slowest < Duration::from_secs(30),
        "{name} took {slowest:?}"
    );
}

/// Many distinct lines for the miner: time per line stays flat (the miner's key limit bounds its work).
#[test]
fn many_distinct_lines_stay_linear() {
    let mut input = String::new();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for i in 0..100_000u32 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        input.push_str(&format!(
            "w{:x} z{} q{:x}\n",
            x & 0x00ff_ffff,
            i % 977,
            x >> 40
        ));
    }
    let t = Instant::now();
    assert_eq!(parse_and_mine(input.as_bytes()), 100_000);
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
}

/// Random bytes, and random text dense in multi-byte characters and dotted names, parse and mine without a panic
/// (3 MB of random bytes once panicked about one time in twenty: a dotted name's common prefix was cut inside a
/// character).
#[test]
fn random_bytes_and_multibyte_text_never_panic() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..4 {
        let bytes: Vec<u8> = (0..256 << 10).map(|_| next() as u8).collect();
        parse_and_mine(&bytes);
    }
    const CHARS: &[&str] = &[
        "é",
        "è",
        "ʩ",
        "ũ",
        "日",
        "本",
        "\u{1F600}",
        ".",
        ".",
        " ",
        "a",
        "1",
        "=",
        ":",
        "_",
        "/",
    ];
    for _ in 0..4 {
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(if i % 3 == 0 { "op " } else { "run " });
            for _ in 0..next() % 24 {
                text.push_str(CHARS[(next() % CHARS.len() as u64) as usize]);
            }
            text.push_str(" done\n");
        }
        parse_and_mine(text.as_bytes());
    }
}

/// The smallest inputs that panicked the miner before: words that differ in a multi-byte character whose bytes
/// other words share (`é` C3 A9, `ʩ` CA A9, `è` C3 A8) — `cluster.rs` cut their common prefix or suffix inside it.
#[test]
fn words_differing_inside_a_character_mine() {
    for input in [
        "op é.y done\nop ʩ.y done\nop ũ.y done\nop Ʃ.y done\nop ĩ.y done\n",
        "op a.b.é done\nop a.b.è done\nop a.b.ê done\nop a.b.ë done\nop a.b.ì done\n",
        "op x=é done\nop x=ʩ done\nop x=ũ done\nop x=Ʃ done\nop x=ĩ done\n",
    ] {
        assert_eq!(parse_and_mine(input.as_bytes()), 5);
    }
}
