//! `logsieve parse` on input that once crashed it or came out wrong (issue #12): random bytes, JSON lines with
//! escapes, impossible dates. The process must exit 0 with one valid JSON object per event.

use std::process::Command;

fn parse(name: &str, bytes: &[u8]) -> Vec<serde_json::Value> {
    let dir = std::env::temp_dir().join(format!("logsieve-robust-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_logsieve"))
        .arg("parse")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("NDJSON is UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

#[test]
fn random_bytes_parse_to_valid_ndjson() {
    let mut x = 0x0123_4567_89AB_CDEFu64;
    for seed in 0..3 {
        let bytes: Vec<u8> = (0..400_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let evs = parse(&format!("random-{seed}.bin"), &bytes);
        assert!(!evs.is_empty());
        for ev in &evs {
            assert!(ev["message"].is_string());
            assert!(ev["template"].is_string());
        }
    }
}

#[test]
fn json_escapes_and_impossible_dates() {
    let input = concat!(
        r#"{"time":"2026-02-31T10:00:00Z","level":"error","msg":"bad \"q\"\nx"}"#,
        "\n",
        r#"{"time":"2024-02-29T10:00:00Z","level":"info","msg":"caf\u00e9 \ud83d\ude00 \\ok"}"#,
        "\n",
    );
    let evs = parse("escapes.log", input.as_bytes());
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[0]["ts"], serde_json::Value::Null);
    assert_eq!(evs[0]["message"], "bad \"q\"\nx");
    assert_eq!(evs[1]["ts"], "2024-02-29T10:00:00Z");
    assert_eq!(evs[1]["message"], "café \u{1F600} \\ok");
}
