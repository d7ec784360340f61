//! The native side of `cargo xtask bench-model`.
//!
//! ```text
//! model_bench gen --quant q8_0|q4_k --out FILE [--shape qwen3-0.6b|tiny] [--seed N]
//!     writes a random Qwen3 GGUF (speed does not depend on the weight values)
//! model_bench run --gguf FILE --quant NAME [--prompt 256] [--decode 64] [--context 512]
//!     loads it (streamed from the file, tensor by tensor), runs the prompt and the decode, prints one JSON line
//! ```

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::process::ExitCode;

use candle_core::quantized::GgmlDType;
use logsieve_model::bench::{self, BenchRun};
use logsieve_model::tiny::{self, TinyConfig};
use logsieve_model::{load_gguf_reader, LoadOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("model_bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn opt<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn num(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    opt(args, name).map_or(Ok(default), |v| {
        v.parse().map_err(|_| format!("{name}: not a number: {v}"))
    })
}

fn quant(name: &str) -> Result<GgmlDType, String> {
    match name {
        "q8_0" => Ok(GgmlDType::Q8_0),
        "q4_k" => Ok(GgmlDType::Q4K),
        "q4_0" => Ok(GgmlDType::Q4_0),
        "q6_k" => Ok(GgmlDType::Q6K),
        "f16" => Ok(GgmlDType::F16),
        other => Err(format!("unknown quantization {other}")),
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((cmd, args)) = args.split_first() else {
        return Err("usage: model_bench gen|run ... (see the source)".into());
    };
    let q = opt(args, "--quant").ok_or("--quant is required")?;
    match cmd.as_str() {
        "gen" => {
            let out = opt(args, "--out").ok_or("--out is required")?;
            let shape = match opt(args, "--shape").unwrap_or("qwen3-0.6b") {
                "qwen3-0.6b" => TinyConfig::qwen3_0_6b(),
                "tiny" => TinyConfig::tiny(),
                other => return Err(format!("unknown shape {other}")),
            };
            let seed = num(args, "--seed", 1)? as u64;
            let tmp = format!("{out}.partial");
            let mut w = BufWriter::new(File::create(&tmp).map_err(|e| format!("{tmp}: {e}"))?);
            tiny::write_gguf(&shape, seed, quant(q)?, &mut w).map_err(|e| e.to_string())?;
            drop(w);
            std::fs::rename(&tmp, out).map_err(|e| format!("{out}: {e}"))?;
            Ok(())
        }
        "run" => {
            let path = opt(args, "--gguf").ok_or("--gguf is required")?;
            let prompt = num(args, "--prompt", 256)?;
            let decode = num(args, "--decode", 64)?;
            let context = num(args, "--context", 512)?.max(prompt + decode);
            let t0 = std::time::Instant::now();
            let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
            let mut reader = BufReader::with_capacity(1 << 20, file);
            let opts = LoadOptions {
                max_context: context,
                ..LoadOptions::default()
            };
            let mut model = load_gguf_reader(&mut reader, &opts).map_err(|e| e.to_string())?;
            drop(reader);
            let load_secs = t0.elapsed().as_secs_f64();
            mem("loaded");
            // The KV cache for the whole context, as a request of that length would have it.
            model.begin(context).map_err(|e| e.to_string())?;
            let kv_cache_mb =
                (model.info().layers * 2 * model.info().kv_dim * 4 * context) as f64 / 1e6;
            mem("kv allocated");
            let (prefill, dec) =
                bench::run(&mut model, prompt, decode, context, 42).map_err(|e| e.to_string())?;
            let line = BenchRun {
                runtime: "native".into(),
                quant: q.into(),
                prefill_tok_s: round1(prefill),
                decode_tok_s: round1(dec),
                peak_mem_mb: round1(bench::peak_rss_mb().unwrap_or(0.0)),
                prompt_tokens: prompt,
                decode_tokens: decode,
                load_secs: round1(load_secs),
                weights_mb: round1(model.info().weight_bytes as f64 / 1e6),
                kv_cache_mb: round1(kv_cache_mb),
                threads: std::env::var("CANDLE_NUM_THREADS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            };
            mem("ran");
            println!("{}", line.json_line());
            Ok(())
        }
        other => Err(format!("unknown command {other}")),
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// With MODEL_BENCH_MEM=1: resident and peak memory at a stage, on stderr.
fn mem(stage: &str) {
    if std::env::var_os("MODEL_BENCH_MEM").is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let get = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    eprintln!(
        "{stage}: rss {:.0} MB, peak {:.0} MB",
        get("VmRSS:"),
        get("VmHWM:")
    );
}
