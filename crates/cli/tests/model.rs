//! `logsieve parse FILE --model DIR` with a real (tiny, generated) Qwen3 GGUF and tokenizer: the templates the
//! rules cannot name go to the model once each, answers are cached in `--model-cache`, every event of a named
//! template carries `fields`, and a second run with the same cache makes no model call.
//!
//! The tiny model has random weights, so its answers are no JSON (each is cached as failed after one retry); one
//! template's answer is put in the cache beforehand, as an earlier run with a real model would have left it, so
//! that the mapping of names to every event's values is checked too.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candle_core::quantized::GgmlDType;
use logsieve_model::cache::{AnswerStatus, CacheKey, CachedAnswer};
use logsieve_model::tiny::{gguf_bytes, tiny_tokenizer_json, TinyConfig};
use logsieve_model::{map_fields, DirCache, FieldCache, Fields, Prompt};
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_logsieve"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("logsieve-model-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A log no format rule knows: three kinds of line with values.
fn unknown_log() -> String {
    let mut s = String::new();
    for i in 0..30 {
        s.push_str(&format!(
            "widget {i} entered state s{} after {}ms\n",
            i % 3,
            10 + i
        ));
        if i % 2 == 0 {
            s.push_str(&format!(
                "spindle {} rotated by {} degrees\n",
                i * 7,
                i + 90
            ));
        }
        if i % 5 == 0 {
            s.push_str(&format!("operator carol{i} logged off console {}\n", i % 4));
        }
    }
    s
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "status {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The `--model-stats` JSON line of a run.
fn stats(out: &Output) -> Value {
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no stats line on stderr: {err}"));
    serde_json::from_str(line).unwrap()
}

fn events(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn parse_with_model(log: &Path, model: &Path, cache: &Path) -> Output {
    run_ok(bin().args([
        "parse",
        log.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--model-cache",
        cache.to_str().unwrap(),
        "--model-stats",
    ]))
}

#[test]
fn parse_with_a_model_names_each_template_once_and_caches() {
    let dir = temp_dir("parse");
    let model_dir = dir.join("model");
    std::fs::create_dir_all(&model_dir).unwrap();
    let gguf = gguf_bytes(&TinyConfig::tiny(), 7, GgmlDType::Q8_0).unwrap();
    std::fs::write(model_dir.join("model.gguf"), &gguf).unwrap();
    std::fs::write(model_dir.join("tokenizer.json"), tiny_tokenizer_json()).unwrap();
    let log = dir.join("app.log");
    std::fs::write(&log, unknown_log()).unwrap();
    let cache_dir = dir.join("cache");

    // The templates, as the parse will see them.
    let out = run_ok(bin().args(["templates", log.to_str().unwrap()]));
    let templates: Value = serde_json::from_slice(&out.stdout).unwrap();
    let templates = templates
        .as_array()
        .or_else(|| templates["templates"].as_array())
        .expect("a list of templates")
        .clone();
    let texts: Vec<String> = templates
        .iter()
        .map(|t| t["template"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    let widget = texts
        .iter()
        .find(|t| t.starts_with("widget"))
        .expect("the widget template")
        .clone();
    assert!(widget.contains("<*>"), "{widget}");

    // An earlier run's answer for the widget template (what a real model would have said).
    let example = "widget 0 entered state s0 after 10ms";
    let fields = Fields(vec![
        ("widget_id".into(), "0".into()),
        ("state".into(), "s0".into()),
        ("duration_ms".into(), "10".into()),
    ]);
    let names = map_fields(&widget, example, &fields);
    assert!(names.named() >= 2, "{names:?} for {widget}");
    let prompt = Prompt::builtin();
    let tag = format!("model.gguf:{}", gguf.len());
    let mut cache = DirCache::new(&cache_dir).unwrap();
    cache
        .put(
            &CacheKey::new(&widget, &prompt.id, &tag),
            &CachedAnswer {
                template: widget.clone(),
                prompt_id: prompt.id.clone(),
                status: AnswerStatus::Named,
                fields,
                names,
                reason: String::new(),
            },
        )
        .unwrap();

    // First run: the other two templates go to the model, once each.
    let first = parse_with_model(&log, &model_dir, &cache_dir);
    let s = stats(&first);
    assert_eq!(s["templates"], 3, "{s}");
    assert_eq!(s["calls"], 2, "{s}");
    assert_eq!(s["cached"], 1, "{s}");
    let evs = events(&first);
    assert_eq!(evs.len(), 30 + 15 + 6);
    let mut widgets = 0;
    for ev in &evs {
        let msg = ev["message"].as_str().unwrap();
        if let Some(rest) = msg.strip_prefix("widget ") {
            widgets += 1;
            let id = rest.split(' ').next().unwrap();
            assert_eq!(ev["fields"]["widget_id"], id, "{ev}");
            assert!(
                msg.contains(ev["fields"]["state"].as_str().unwrap()),
                "{ev}"
            );
        } else {
            // The tiny model's answers are no JSON: those templates got no names.
            assert!(ev.get("fields").is_none(), "{ev}");
        }
    }
    assert_eq!(widgets, 30);
    // The model's answers were cached, failures included.
    let entries = std::fs::read_dir(&cache_dir).unwrap().count();
    assert_eq!(entries, 3);

    // Second run, same cache: no model call, the same output.
    let second = parse_with_model(&log, &model_dir, &cache_dir);
    let s = stats(&second);
    assert_eq!(s["calls"], 0, "{s}");
    assert_eq!(s["cached"], 3, "{s}");
    assert_eq!(first.stdout, second.stdout);

    // Stdin (spooled) gives the same lines.
    let piped = run_ok(
        bin()
            .args([
                "parse",
                "-",
                "--model",
                model_dir.to_str().unwrap(),
                "--model-cache",
                cache_dir.to_str().unwrap(),
            ])
            .stdin(std::fs::File::open(&log).unwrap()),
    );
    assert_eq!(piped.stdout, first.stdout);

    // Without --model: no `fields`.
    let plain = run_ok(bin().args(["parse", log.to_str().unwrap()]));
    assert!(events(&plain).iter().all(|e| e.get("fields").is_none()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn model_options_need_parse_and_a_folder() {
    let dir = temp_dir("opts");
    let log = dir.join("a.log");
    std::fs::write(&log, "hello 1\n").unwrap();
    let out = bin()
        .args(["stats", log.to_str().unwrap(), "--model", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args([
            "parse",
            log.to_str().unwrap(),
            "--model",
            dir.join("nothing").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--model"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn model_bench_runs_natively_on_a_gguf() {
    let dir = temp_dir("bench");
    let gguf = dir.join("tiny.gguf");
    std::fs::write(
        &gguf,
        gguf_bytes(&TinyConfig::tiny(), 1, GgmlDType::Q8_0).unwrap(),
    )
    .unwrap();
    let out = run_ok(bin().args([
        "model-bench",
        "--gguf",
        gguf.to_str().unwrap(),
        "--prompt",
        "16",
        "--decode",
        "8",
        "--context",
        "32",
    ]));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["runtime"], "native");
    assert_eq!(line["prompt_tokens"], 16);
    assert!(line["decode_tok_s"].as_f64().unwrap() > 0.0, "{line}");
    std::fs::remove_dir_all(&dir).unwrap();
}
