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
