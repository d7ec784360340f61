//! The model in the command line: `logsieve parse FILE --model DIR` names the variables of the templates the rules
//! could not (LoGEM through `logsieve-model`), once per template, most frequent first, cached in a folder; and
//! `logsieve model-bench` runs the model benchmark natively.
//!
//! `parse` writes the names as each event's `fields` object (`ndjson::push_fields`): the template's variables
//! under the names the model gave them, with this event's values, plus the template's constants the model
//! reported. Every event of a template carries them; the model saw only the template's example event. A second run
//! over a log with the same templates answers from the cache folder and makes no model call.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use logsieve_engine::ndjson;
use logsieve_engine::template::TemplateMap;
use logsieve_model::bench::{self, BenchRun};
use logsieve_model::fields::event_fields;
use logsieve_model::namer::{mined_text, needs_naming};
use logsieve_model::{
    load_dir, load_gguf_reader, DirCache, FieldNamer, LoadOptions, NamerOptions, Outcome,
    TemplateFields,
};

/// `--model DIR`, `--model-cache DIR`, `--model-stats`.
#[derive(Debug, Clone, Default)]
pub struct ModelOptions {
    pub dir: Option<PathBuf>,
    pub cache: Option<PathBuf>,
    /// Print the counts as one JSON line on stderr (else one line for people).
    pub stats: bool,
}

impl ModelOptions {
    /// Takes a model option and its value from the command line; `false` when `arg` is not one.
    pub fn take(
        &mut self,
        arg: &str,
        next: &mut dyn Iterator<Item = String>,
    ) -> Result<bool, String> {
        match arg {
            "--model" => self.dir = Some(next.next().ok_or("--model needs a folder")?.into()),
            "--model-cache" => {
                self.cache = Some(next.next().ok_or("--model-cache needs a folder")?.into())
            }
            "--model-stats" => self.stats = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub fn is_set(&self) -> bool {
        self.dir.is_some() || self.cache.is_some() || self.stats
    }
}

/// The cache folder when `--model-cache` is not given: `$XDG_CACHE_HOME/logsieve/model-fields`, else
/// `~/.cache/logsieve/model-fields`, else one under the system's temporary folder.
fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("logsieve").join("model-fields")
}

/// Names for the variables of some templates (by index into `TemplateMap::templates`).
pub struct NamedTemplates {
    names: HashMap<usize, TemplateFields>,
    texts: HashMap<usize, String>,
}

impl NamedTemplates {
    /// Whether template `ti` got any field (so its events need their message to be aligned).
    pub fn has(&self, ti: usize) -> bool {
        self.names.contains_key(&ti)
    }

    /// Adds `fields` for an event of template `ti` with message `message` to its NDJSON line.
    pub fn push(&self, ti: usize, message: &str, line: &mut String) {
        let (Some(names), Some(template)) = (self.names.get(&ti), self.texts.get(&ti)) else {
            return;
        };
        if let Some(fields) = event_fields(names, template, mined_text(message)) {
            ndjson::push_fields(line, &fields);
        }
    }
}

#[derive(Debug, Default, serde::Serialize)]
struct Counts {
    /// Templates that needed the model (had a variable the rules did not name).
    templates: usize,
    /// Templates sent to the model in this run.
    calls: usize,
    /// Answered from the cache folder.
    cached: usize,
    /// Answers that were no usable JSON object (cached as failed, not asked again).
    failed: usize,
    /// Templates with at least one named variable.
    named: usize,
    /// Mean decode speed of this run's calls.
    decode_tok_s: f64,
    cache: String,
}

/// Loads the model and names the templates that need it. `formats[i]`: the format of template `i`'s first event.
pub fn name_templates(
    opts: &ModelOptions,
    map: &TemplateMap,
    formats: &[&'static str],
) -> Result<NamedTemplates, String> {
    let dir = opts
        .dir
        .as_deref()
        .ok_or("--model-cache and --model-stats need --model DIR")?;
    let started = std::time::Instant::now();
    let loaded = load_dir(dir, &LoadOptions::default()).map_err(|e| format!("--model: {e}"))?;
    let load_secs = started.elapsed().as_secs_f64();
    let cache_dir = opts.cache.clone().unwrap_or_else(default_cache_dir);
    let mut cache = DirCache::new(&cache_dir).map_err(|e| e.to_string())?;
    let logsieve_model::LoadedDir {
        mut model,
        mut tokenizer,
        prompt,
        model_tag,
    } = loaded;
    let mut namer = FieldNamer::new(
        &mut model,
        &mut tokenizer,
        &prompt,
        &mut cache,
        NamerOptions {
            model_tag,
            ..NamerOptions::default()
        },
    );
    let wanted: Vec<_> = map
        .templates
        .iter()
        .enumerate()
        .filter(|(i, t)| needs_naming(&t.template, formats.get(*i).copied().unwrap_or("unknown")))
        .map(|(_, t)| t)
        .collect();
    let index_of: HashMap<u32, usize> = map
        .templates
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.0, i))
        .collect();
    let mut counts = Counts {
        templates: wanted.len(),
        cache: cache_dir.display().to_string(),
        ..Counts::default()
    };
    let mut out = NamedTemplates {
        names: HashMap::new(),
        texts: HashMap::new(),
    };
    let mut decode_secs = 0.0;
    let mut decode_steps = 0usize;
    namer
        .name_templates(&wanted, &|| false, &mut |t, outcome| {
            match outcome {
                Outcome::Asked { stats, .. } => {
                    counts.calls += 1;
                    decode_secs += stats.decode_secs;
                    decode_steps += stats.decode_steps;
                }
                Outcome::Cached(_) => counts.cached += 1,
                Outcome::Skipped | Outcome::Cancelled => {}
            }
            let Some(answer) = outcome.answer() else {
                return;
            };
            if answer.status == logsieve_model::cache::AnswerStatus::Failed {
                counts.failed += 1;
            }
            let useful = answer.names.named() > 0 || !answer.names.constants.is_empty();
            if let (true, Some(&ti)) = (useful, index_of.get(&t.id.0)) {
                counts.named += 1;
                out.names.insert(ti, answer.names.clone());
                out.texts.insert(ti, t.template.clone());
            }
        })
        .map_err(|e| format!("model: {e}"))?;
    if decode_secs > 0.0 {
        counts.decode_tok_s = (decode_steps as f64 / decode_secs * 10.0).round() / 10.0;
    }
    if opts.stats {
        eprintln!(
            "{}",
            serde_json::to_string(&counts).unwrap_or_else(|_| "{}".into())
        );
    } else {
        eprintln!(
            "logsieve: model: {} templates to name, {} sent to the model, {} from the cache, {} named \
             (loaded in {load_secs:.1} s)",
            counts.templates, counts.calls, counts.cached, counts.named
        );
    }
    Ok(out)
}

const BENCH_USAGE: &str = "\
logsieve model-bench: the model's speed and memory, natively (one JSON line).

Usage:
  logsieve model-bench [--quant q8_0|q4_k] [--gguf FILE | --model DIR] [--prompt 256] [--decode 64]
                       [--context 512] [--threads N]
  logsieve model-bench --write-tiny DIR

Without --gguf or --model, a Qwen3 with random weights and exactly Qwen3-0.6B's shapes (LoGEM's; speed does not
depend on the weight values) is generated once into the cache folder (about 640 MB for q8_0). --threads sets
candle's threads (CANDLE_NUM_THREADS; default 1, as the page's one worker).
--write-tiny DIR writes a tiny Qwen3 with random weights (DIR/model.gguf, Q8_0, 64 wide, 2 layers) and a tiny
DIR/tokenizer.json: real files for trying the pipeline (`parse --model DIR`, the page's Model panel) and for the
tests. Its answers are no JSON: every template it is asked about is cached as failed.";

/// `logsieve model-bench ...`: `args` are the arguments after `model-bench`.
pub fn bench_main(args: &[String]) -> Result<(), String> {
    let opt = |name: &str| -> Option<&str> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let num = |name: &str, default: usize| -> Result<usize, String> {
        opt(name).map_or(Ok(default), |v| {
            v.parse().map_err(|_| format!("{name}: not a number: {v}"))
        })
    };
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{BENCH_USAGE}");
        return Ok(());
    }
    if let Some(dir) = opt("--write-tiny") {
        return write_tiny(Path::new(dir));
    }
    let known = [
        "--write-tiny",
        "--quant",
        "--gguf",
        "--model",
        "--prompt",
        "--decode",
        "--context",
        "--threads",
    ];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if !known.contains(&a.as_str()) {
            return Err(format!("model-bench: unexpected argument {a}; see --help"));
        }
        it.next();
    }
    let quant = opt("--quant").unwrap_or("q8_0");
    let threads = num("--threads", 1)?;
    // candle reads it when its thread pool starts, so before the model is loaded.
    std::env::set_var("CANDLE_NUM_THREADS", threads.to_string());
    let prompt = num("--prompt", 256)?;
    let decode = num("--decode", 64)?;
    let context = num("--context", 512)?.max(prompt + decode);
    let load = LoadOptions {
        max_context: context,
        ..LoadOptions::default()
    };
    let t0 = std::time::Instant::now();
    let (mut model, label) = match (opt("--gguf"), opt("--model")) {
        (Some(_), Some(_)) => return Err("model-bench: --gguf or --model, not both".into()),
        (None, Some(dir)) => {
            let loaded = load_dir(Path::new(dir), &load).map_err(|e| e.to_string())?;
            (loaded.model, quant.to_string())
        }
        (gguf, None) => {
            let path = match gguf {
                Some(p) => PathBuf::from(p),
                None => random_model(quant)?,
            };
            let file =
                std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut reader = BufReader::with_capacity(1 << 20, file);
            (
                load_gguf_reader(&mut reader, &load).map_err(|e| e.to_string())?,
                quant.to_string(),
            )
        }
    };
    let load_secs = t0.elapsed().as_secs_f64();
    let (prefill, dec) =
        bench::run(&mut model, prompt, decode, context, 42).map_err(|e| e.to_string())?;
    let info = model.info();
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    let line = BenchRun {
        runtime: "native".into(),
        quant: label,
        prefill_tok_s: round1(prefill),
        decode_tok_s: round1(dec),
        peak_mem_mb: round1(bench::peak_rss_mb().unwrap_or(0.0)),
        prompt_tokens: prompt,
        decode_tokens: decode,
        load_secs: round1(load_secs),
        weights_mb: round1(info.weight_bytes as f64 / 1e6),
        kv_cache_mb: round1((info.layers * 2 * info.kv_dim * 4 * context) as f64 / 1e6),
        threads,
    };
    println!("{}", line.json_line());
    Ok(())
}

/// `--write-tiny DIR`: the tiny generated model and tokenizer, as `model.gguf` and `tokenizer.json`.
fn write_tiny(dir: &Path) -> Result<(), String> {
    use logsieve_model::tiny::{gguf_bytes, tiny_tokenizer_json, TinyConfig};
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let gguf = gguf_bytes(
        &TinyConfig::tiny(),
        7,
        candle_core::quantized::GgmlDType::Q8_0,
    )
    .map_err(|e| e.to_string())?;
    for (name, bytes) in [
        ("model.gguf", gguf),
        ("tokenizer.json", tiny_tokenizer_json().into_bytes()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// The random Qwen3-0.6B-shaped GGUF of `quant`, generated once into the cache folder.
fn random_model(quant: &str) -> Result<PathBuf, String> {
    use logsieve_model::tiny::{self, TinyConfig};
    let dtype = match quant {
        "q8_0" => candle_core::quantized::GgmlDType::Q8_0,
        "q4_k" => candle_core::quantized::GgmlDType::Q4K,
        other => {
            return Err(format!(
                "model-bench: unknown --quant {other} (q8_0 or q4_k)"
            ))
        }
    };
    let dir = default_cache_dir()
        .parent()
        .map(|p| p.join("bench-model"))
        .unwrap_or_else(|| std::env::temp_dir().join("logsieve-bench-model"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("qwen3-0.6b-random-{quant}.gguf"));
    if path.is_file() {
        return Ok(path);
    }
    eprintln!(
        "logsieve: model-bench: generating {} (once)",
        path.display()
    );
    let tmp = path.with_extension("partial");
    let file = std::fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let mut w = std::io::BufWriter::new(file);
    tiny::write_gguf(&TinyConfig::qwen3_0_6b(), 1, dtype, &mut w).map_err(|e| e.to_string())?;
    drop(w);
    std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(path)
}
