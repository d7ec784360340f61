//! The speed and memory benchmark: a prompt of random tokens (prefill) and greedy decoding past end tokens, on a
//! loaded model. Speed does not depend on the weight values, so a random model with LoGEM's shapes
//! ([`crate::tiny::TinyConfig::qwen3_0_6b`]) measures what LoGEM will do. `cargo xtask bench-model` runs it
//! natively (`examples/model_bench.rs`) and in headless Chromium (`examples/wasm_bench.rs` in a worker).

use serde::Serialize;

use crate::model::LogModel;
use crate::time::now_secs;
use crate::{err, Result};

/// One benchmark run, printed as one JSON line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchRun {
    /// `native` or `wasm-chromium`.
    pub runtime: String,
    /// `q8_0`, `q4_k`, ...
    pub quant: String,
    pub prefill_tok_s: f64,
    pub decode_tok_s: f64,
    /// Peak resident memory of the process (native) or the wasm memory's size (wasm, which never shrinks).
    pub peak_mem_mb: f64,
    pub prompt_tokens: usize,
    pub decode_tokens: usize,
    pub load_secs: f64,
    pub weights_mb: f64,
    pub kv_cache_mb: f64,
    /// Threads candle used (0: its default, all physical cores; wasm: 1).
    pub threads: usize,
}

impl BenchRun {
    pub fn json_line(&self) -> String {
        serde_json::to_string(self).expect("plain data")
    }
}

/// Speeds of one run: (prefill tokens/s, decode tokens/s). The KV cache is allocated for `context` positions (at
/// least prompt + decode), as a request with that context would have it.
pub fn run(
    model: &mut LogModel,
    prompt_tokens: usize,
    decode_tokens: usize,
    context: usize,
    seed: u64,
) -> Result<(f64, f64)> {
    if prompt_tokens == 0 {
        return err!("the benchmark needs a prompt");
    }
    let vocab = model.info().vocab_size as u64;
    // Random tokens from a fixed stream (any tokens do: speed does not depend on them).
    let mut x = seed | 1;
    let prompt: Vec<u32> = (0..prompt_tokens)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % vocab) as u32
        })
        .collect();
    model.begin(context.max(prompt_tokens + decode_tokens))?;
    crate::qwen3_gguf::profile::enable(true);
    let t0 = now_secs();
    let mut logits = Vec::new();
    for chunk in prompt.chunks(crate::decode::PREFILL_CHUNK) {
        logits = model.forward(chunk)?;
    }
    let prefill = now_secs() - t0;
    let p_prefill = crate::qwen3_gguf::profile::read();
    crate::qwen3_gguf::profile::enable(true);
    let t1 = now_secs();
    for _ in 0..decode_tokens {
        let next = crate::decode::argmax(&logits);
        logits = model.forward(&[next])?;
    }
    let decode = now_secs() - t1;
    let p_decode = crate::qwen3_gguf::profile::read();
    crate::qwen3_gguf::profile::enable(false);
    LAST_PROFILE.with(|c| {
        c.set(Profile {
            prefill_secs: prefill,
            prefill_linear_secs: p_prefill.0,
            prefill_attention_secs: p_prefill.1,
            decode_secs: decode,
            decode_linear_secs: p_decode.0,
            decode_attention_secs: p_decode.1,
        })
    });
    Ok((
        prompt_tokens as f64 / prefill.max(1e-9),
        decode_tokens as f64 / decode.max(1e-9),
    ))
}

/// Where the time of the last [`run`] went (GGUF models).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Profile {
    pub prefill_secs: f64,
    pub prefill_linear_secs: f64,
    pub prefill_attention_secs: f64,
    pub decode_secs: f64,
    pub decode_linear_secs: f64,
    pub decode_attention_secs: f64,
}

thread_local! {
    static LAST_PROFILE: std::cell::Cell<Profile> = const { std::cell::Cell::new(Profile {
        prefill_secs: 0.0,
        prefill_linear_secs: 0.0,
        prefill_attention_secs: 0.0,
        decode_secs: 0.0,
        decode_linear_secs: 0.0,
        decode_attention_secs: 0.0,
    }) };
}

/// The profile of the last [`run`] on this thread.
pub fn last_profile() -> Profile {
    LAST_PROFILE.with(std::cell::Cell::get)
}

/// Peak resident memory of this process in MB (`VmHWM`), where the platform says.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
