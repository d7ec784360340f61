//! Deterministic random Qwen3 models and a tiny `tokenizer.json`, written in the real file formats (safetensors +
//! `config.json`; GGUF with llama.cpp tensor names and qwen3 metadata) so that tests and benchmarks go through
//! the same loaders as LoGEM itself.
//!
//! Weights come from a SplitMix64 stream seeded per tensor (seed, tensor name): the same on every platform, so a
//! model generated natively and one generated in wasm are the same bytes, and any tensor can be generated
//! without the others.

use std::io::{Cursor, Seek, Write};

use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{DType, Device, Tensor};
use serde_json::json;

use crate::Result;

/// The shapes of a Qwen3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TinyConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub num_kv_heads: usize,
    pub head_dim: usize,
    pub max_position: usize,
    pub rope_theta: f64,
    pub rms_norm_eps: f64,
}

impl TinyConfig {
    /// Hidden 64, 2 layers, 4 query / 2 KV heads of 16, vocabulary 384 (covers [`tiny_tokenizer_json`]).
    pub fn tiny() -> Self {
        TinyConfig {
            vocab_size: 384,
            hidden_size: 64,
            intermediate_size: 128,
            num_layers: 2,
            num_heads: 4,
            num_kv_heads: 2,
            head_dim: 16,
            max_position: 4096,
            rope_theta: 1_000_000.0,
            rms_norm_eps: 1e-6,
        }
    }

    /// Exactly Qwen3-0.6B's shapes (hidden 1024, 28 layers, 16 query / 8 KV heads of 128, intermediate 3072,
    /// vocabulary 151 936, tied embeddings).
    pub fn qwen3_0_6b() -> Self {
        TinyConfig {
            vocab_size: 151_936,
            hidden_size: 1024,
            intermediate_size: 3072,
            num_layers: 28,
            num_heads: 16,
            num_kv_heads: 8,
            head_dim: 128,
            max_position: 40_960,
            rope_theta: 1_000_000.0,
            rms_norm_eps: 1e-6,
        }
    }

    /// Parameters (tied embeddings counted once).
    pub fn params(&self) -> usize {
        tensors(self)
            .iter()
            .map(|t| t.shape.iter().product::<usize>())
            .sum()
    }
}

/// One tensor of the model: its Hugging Face and llama.cpp names and shape.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorSpec {
    pub hf: String,
    pub gguf: String,
    pub shape: Vec<usize>,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Embedding,
    /// `gain` scales the standard deviation (above 1 on the projections into the residual stream, so that a
    /// random model's next token depends on its context rather than echoing its input through the tied
    /// embeddings).
    Linear {
        fan_in: usize,
        gain: f32,
    },
    Norm {
        scale: f32,
    },
}

/// The tensors of a Qwen3 with tied embeddings, in llama.cpp's file order.
pub fn tensors(c: &TinyConfig) -> Vec<TensorSpec> {
    let (h, q, kv, i) = (
        c.hidden_size,
        c.num_heads * c.head_dim,
        c.num_kv_heads * c.head_dim,
        c.intermediate_size,
    );
    let spec = |hf: String, gguf: String, shape: Vec<usize>, kind| TensorSpec {
        hf,
        gguf,
        shape,
        kind,
    };
    let mut out = vec![spec(
        "model.embed_tokens.weight".into(),
        "token_embd.weight".into(),
        vec![c.vocab_size, h],
        Kind::Embedding,
    )];
    for l in 0..c.num_layers {
        let hf = |n: &str| format!("model.layers.{l}.{n}.weight");
        let gg = |n: &str| format!("blk.{l}.{n}.weight");
        let lin = |fan_in| Kind::Linear { fan_in, gain: 1.0 };
        // Sharp attention: a random model that attends to everything averages its context away.
        let qk_norm = Kind::Norm {
            scale: QK_NORM_SCALE,
        };
        let out_lin = |fan_in| Kind::Linear {
            fan_in,
            gain: RESIDUAL_GAIN,
        };
        out.extend([
            spec(
                hf("input_layernorm"),
                gg("attn_norm"),
                vec![h],
                Kind::Norm { scale: 1.0 },
            ),
            spec(hf("self_attn.q_proj"), gg("attn_q"), vec![q, h], lin(h)),
            spec(hf("self_attn.k_proj"), gg("attn_k"), vec![kv, h], lin(h)),
            spec(hf("self_attn.v_proj"), gg("attn_v"), vec![kv, h], lin(h)),
            spec(
                hf("self_attn.o_proj"),
                gg("attn_output"),
                vec![h, q],
                out_lin(q),
            ),
            spec(
                hf("self_attn.q_norm"),
                gg("attn_q_norm"),
                vec![c.head_dim],
                qk_norm,
            ),
            spec(
                hf("self_attn.k_norm"),
                gg("attn_k_norm"),
                vec![c.head_dim],
                qk_norm,
            ),
            spec(
                hf("post_attention_layernorm"),
                gg("ffn_norm"),
                vec![h],
                Kind::Norm { scale: 1.0 },
            ),
            spec(hf("mlp.gate_proj"), gg("ffn_gate"), vec![i, h], lin(h)),
            spec(hf("mlp.up_proj"), gg("ffn_up"), vec![i, h], lin(h)),
            spec(hf("mlp.down_proj"), gg("ffn_down"), vec![h, i], out_lin(i)),
        ]);
    }
    out.push(spec(
        "model.norm.weight".into(),
        "output_norm.weight".into(),
        vec![h],
        Kind::Norm { scale: 1.0 },
    ));
    out
}

const RESIDUAL_GAIN: f32 = 4.0;
const QK_NORM_SCALE: f32 = 4.0;

/// SplitMix64: small, fast, the same everywhere.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f32 {
        ((self.next() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// A 64-bit LCG stream of inputs for kernel tests and benchmarks that feed the same values to two
/// implementations (ours against candle's or a reference). Not the weights' generator ([`SplitMix`]): these
/// callers only need cheap, repeatable numbers.
pub struct TestValues(pub u64);

impl TestValues {
    /// `len` values uniform in [`lo`, `hi`) (the top 24 bits of each step).
    pub fn take(&mut self, len: usize, lo: f32, hi: f32) -> Vec<f32> {
        (0..len)
            .map(|_| {
                self.0 = self
                    .0
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * (hi - lo) + lo
            })
            .collect()
    }
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The values of one tensor (row major), from `seed` and its name.
pub fn tensor_values(spec: &TensorSpec, seed: u64) -> Vec<f32> {
    let n: usize = spec.shape.iter().product();
    let mut rng = SplitMix(seed ^ fnv1a(&spec.gguf));
    match spec.kind {
        Kind::Embedding => (0..n).map(|_| rng.unit()).collect(),
        Kind::Linear { fan_in, gain } => {
            // Uniform with standard deviation gain/sqrt(fan_in).
            let a = gain * (3.0 / fan_in as f32).sqrt();
            (0..n).map(|_| rng.unit() * a).collect()
        }
        Kind::Norm { scale } => (0..n).map(|_| scale * (1.0 + 0.1 * rng.unit())).collect(),
    }
}

/// `config.json` for the model (Hugging Face layout).
pub fn config_json(c: &TinyConfig) -> String {
    json!({
        "architectures": ["Qwen3ForCausalLM"],
        "model_type": "qwen3",
        "vocab_size": c.vocab_size,
        "hidden_size": c.hidden_size,
        "intermediate_size": c.intermediate_size,
        "num_hidden_layers": c.num_layers,
        "num_attention_heads": c.num_heads,
        "num_key_value_heads": c.num_kv_heads,
        "head_dim": c.head_dim,
        "attention_bias": false,
        "max_position_embeddings": c.max_position,
        "max_window_layers": c.num_layers,
        "sliding_window": null,
        "use_sliding_window": false,
        "tie_word_embeddings": true,
        "rope_theta": c.rope_theta,
        "rms_norm_eps": c.rms_norm_eps,
        "hidden_act": "silu",
        "torch_dtype": "float32",
        "bos_token_id": 151643,
        "eos_token_id": 151645
    })
    .to_string()
}

/// The model as a safetensors file in `dtype` (f32, bf16 or f16), with Hugging Face names.
pub fn safetensors_bytes(c: &TinyConfig, seed: u64, dtype: DType) -> Result<Vec<u8>> {
    let (tag, elem) = match dtype {
        DType::F32 => ("F32", 4),
        DType::BF16 => ("BF16", 2),
        DType::F16 => ("F16", 2),
        other => return crate::err!("safetensors dtype {other:?} is not supported here"),
    };
    let specs = tensors(c);
    let mut header = serde_json::Map::new();
    let mut offset = 0usize;
    for s in &specs {
        let len = s.shape.iter().product::<usize>() * elem;
        header.insert(
            s.hf.clone(),
            json!({"dtype": tag, "shape": s.shape, "data_offsets": [offset, offset + len]}),
        );
        offset += len;
    }
    header.insert("__metadata__".into(), json!({"format": "pt"}));
    let mut header = serde_json::Value::Object(header).to_string().into_bytes();
    while !header.len().is_multiple_of(8) {
        header.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend((header.len() as u64).to_le_bytes());
    out.extend(header);
    for s in &specs {
        let v = tensor_values(s, seed);
        match dtype {
            DType::F32 => v.iter().for_each(|x| out.extend(x.to_le_bytes())),
            DType::BF16 => v
                .iter()
                .for_each(|x| out.extend(half::bf16::from_f32(*x).to_le_bytes())),
            _ => v
                .iter()
                .for_each(|x| out.extend(half::f16::from_f32(*x).to_le_bytes())),
        }
    }
    Ok(out)
}

/// The name llama.cpp's `general.file_type` uses for the quantization.
fn file_type(q: GgmlDType) -> u32 {
    match q {
        GgmlDType::F32 => 0,
        GgmlDType::F16 => 1,
        GgmlDType::Q4_0 => 2,
        GgmlDType::Q8_0 => 7,
        GgmlDType::Q4K => 15,
        GgmlDType::Q6K => 18,
        _ => 0,
    }
}

/// Writes the model as GGUF: 2-D weights in `quant` (K-quants need rows that are multiples of 256), norms in
/// f32, as llama.cpp's converters lay them out (tied embeddings: no `output.weight`).
pub fn write_gguf<W: Write + Seek>(
    c: &TinyConfig,
    seed: u64,
    quant: GgmlDType,
    w: &mut W,
) -> Result<()> {
    let specs = tensors(c);
    let mut qtensors: Vec<(String, QTensor)> = Vec::with_capacity(specs.len());
    for s in &specs {
        let t = Tensor::from_vec(tensor_values(s, seed), s.shape.clone(), &Device::Cpu)?;
        let dtype = if s.shape.len() == 2 {
            quant
        } else {
            GgmlDType::F32
        };
        qtensors.push((s.gguf.clone(), QTensor::quantize(&t, dtype)?));
    }
    use gguf_file::Value as V;
    let md: Vec<(&str, V)> = vec![
        ("general.architecture", V::String("qwen3".into())),
        (
            "general.name",
            V::String(format!("random qwen3 (seed {seed})")),
        ),
        ("general.file_type", V::U32(file_type(quant))),
        ("general.quantization_version", V::U32(2)),
        ("qwen3.block_count", V::U32(c.num_layers as u32)),
        ("qwen3.context_length", V::U32(c.max_position as u32)),
        ("qwen3.embedding_length", V::U32(c.hidden_size as u32)),
        (
            "qwen3.feed_forward_length",
            V::U32(c.intermediate_size as u32),
        ),
        ("qwen3.attention.head_count", V::U32(c.num_heads as u32)),
        (
            "qwen3.attention.head_count_kv",
            V::U32(c.num_kv_heads as u32),
        ),
        ("qwen3.attention.key_length", V::U32(c.head_dim as u32)),
        ("qwen3.attention.value_length", V::U32(c.head_dim as u32)),
        (
            "qwen3.attention.layer_norm_rms_epsilon",
            V::F32(c.rms_norm_eps as f32),
        ),
        ("qwen3.rope.freq_base", V::F32(c.rope_theta as f32)),
    ];
    let md_refs: Vec<(&str, &V)> = md.iter().map(|(k, v)| (*k, v)).collect();
    let t_refs: Vec<(&str, &QTensor)> = qtensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    gguf_file::write(w, &md_refs, &t_refs)?;
    Ok(())
}

/// The model as GGUF bytes (see [`write_gguf`]).
pub fn gguf_bytes(c: &TinyConfig, seed: u64, quant: GgmlDType) -> Result<Vec<u8>> {
    let mut cur = Cursor::new(Vec::new());
    write_gguf(c, seed, quant, &mut cur)?;
    Ok(cur.into_inner())
}

/// GPT-2's byte-to-character table of byte-level BPE.
fn byte_chars() -> Vec<char> {
    let mut printable: Vec<u32> = (b'!' as u32..=b'~' as u32)
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut chars: Vec<u32> = printable.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !printable.contains(&b) {
            printable.push(b);
            chars.push(256 + n);
            n += 1;
        }
    }
    let mut table = vec!['\0'; 256];
    for (b, c) in printable.iter().zip(chars) {
        table[*b as usize] = char::from_u32(c).expect("valid");
    }
    table
}

/// Special tokens of the tiny tokenizer, as Qwen3 has them (id offset after the byte tokens and merges).
pub const TINY_SPECIALS: [(&str, bool); 5] = [
    ("<|endoftext|>", true),
    ("<|im_start|>", true),
    ("<|im_end|>", true),
    ("<think>", false),
    ("</think>", false),
];

/// A tiny `tokenizer.json` built like Qwen3's: NFC, Qwen's split regex, byte-level BPE (the 256 byte tokens and a
/// few merges), Qwen's special tokens (`<|endoftext|>`, `<|im_start|>`, `<|im_end|>`, `<think>`, `</think>`).
/// 283 tokens in all.
pub fn tiny_tokenizer_json() -> String {
    let table = byte_chars();
    let ch = |b: u8| table[b as usize].to_string();
    let mut vocab = serde_json::Map::new();
    for b in 0..=255u8 {
        vocab.insert(ch(b), json!(b as u32));
    }
    // A few merges of JSON and log text, each of two existing tokens.
    let pairs: [(&str, &str); 22] = [
        (" ", "\""),
        ("\"", ":"),
        ("\"", ","),
        ("{", "\""),
        ("\"", "}"),
        (" ", "t"),
        (" ", "a"),
        ("e", "r"),
        ("i", "n"),
        ("o", "r"),
        ("r", "e"),
        ("o", "n"),
        ("e", "n"),
        ("a", "t"),
        ("s", "e"),
        ("_", "i"),
        ("=", "\""),
        ("i", "d"),
        (" ", "f"),
        ("u", "s"),
        ("us", "er"),
        (" ", "p"),
    ];
    let enc = |s: &str| s.bytes().map(ch).collect::<String>();
    let mut merges = Vec::new();
    for (a, b) in pairs {
        let (a, b) = (enc(a), enc(b));
        let id = vocab.len() as u32;
        vocab.insert(format!("{a}{b}"), json!(id));
        merges.push(format!("{a} {b}"));
    }
    let first_special = vocab.len() as u32;
    let added: Vec<serde_json::Value> = TINY_SPECIALS
        .iter()
        .enumerate()
        .map(|(i, (content, special))| {
            json!({
                "id": first_special + i as u32,
                "content": content,
                "single_word": false,
                "lstrip": false,
                "rstrip": false,
                "normalized": false,
                "special": special
            })
        })
        .collect();
    let byte_level = json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false});
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {
                    "type": "Split",
                    "pattern": {"Regex": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"},
                    "behavior": "Isolated",
                    "invert": false
                },
                byte_level
            ]
        },
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {
            "type": "BPE",
            "dropout": null,
            "unk_token": null,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": false,
            "byte_fallback": false,
            "ignore_merges": false,
            "vocab": vocab,
            "merges": merges
        }
    })
    .to_string()
}

/// Which tiny model a golden run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TinyKind {
    SafetensorsF32,
    GgufQ8_0,
}

/// The seed of the golden runs.
pub const GOLDEN_SEED: u64 = 7;
/// The event of the golden runs.
pub const GOLDEN_EVENT: &str =
    "2024-05-01T12:00:03Z sshd[411]: Failed password for root from 10.0.0.5 port 5122 ssh2";
/// New tokens of the golden runs.
pub const GOLDEN_TOKENS: usize = 24;

/// What a golden run computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Golden {
    pub prompt_len: usize,
    /// The 8 most likely next tokens after the prompt, most likely first.
    pub top8: Vec<u32>,
    /// [`GOLDEN_TOKENS`] tokens decoded greedily.
    pub tokens: Vec<u32>,
    /// The 4 most likely tokens at each of those steps, flattened.
    pub top4: Vec<u32>,
}

/// Generates the tiny model (seed [`GOLDEN_SEED`]) and tokenizer, loads them through the real loaders, renders
/// the built-in prompt for [`GOLDEN_EVENT`], ranks the next token's logits and decodes [`GOLDEN_TOKENS`] tokens
/// greedily (past end tokens and JSON, so the length is fixed). The native test and the wasm test compare the
/// result with the same constants.
pub fn golden_run(kind: TinyKind) -> Result<Golden> {
    let c = TinyConfig::tiny();
    let opts = crate::LoadOptions::default();
    let mut model = match kind {
        TinyKind::SafetensorsF32 => crate::load_safetensors(
            &safetensors_bytes(&c, GOLDEN_SEED, DType::F32)?,
            config_json(&c).as_bytes(),
            &opts,
        )?,
        TinyKind::GgufQ8_0 => {
            crate::load_gguf(&gguf_bytes(&c, GOLDEN_SEED, GgmlDType::Q8_0)?, &opts)?
        }
    };
    let mut tok = crate::load_tokenizer(tiny_tokenizer_json().as_bytes())?;
    let ids = tok.encode_segments(&crate::Prompt::builtin().render(GOLDEN_EVENT, None))?;
    // Greedy decoding, step by step, recording the ranking at each step (a random model soon repeats its
    // argmax; the runners-up still change with every position, so they check the decode path too).
    model.begin(ids.len() + GOLDEN_TOKENS)?;
    let mut logits = model.forward(&ids)?;
    let mut tokens = Vec::with_capacity(GOLDEN_TOKENS);
    let mut top4 = Vec::with_capacity(GOLDEN_TOKENS * 4);
    let mut top8 = Vec::new();
    for step in 0..GOLDEN_TOKENS {
        let ranked = top_k(&logits, 8);
        if step == 0 {
            top8 = ranked.clone();
        }
        top4.extend(&ranked[..4]);
        let next = crate::decode::argmax(&logits);
        tokens.push(next);
        logits = model.forward(&[next])?;
    }
    // The same through the decoder the pipeline uses.
    let decoded = crate::generate(
        &mut model,
        &tok,
        &ids,
        crate::DecodeOptions {
            max_new_tokens: GOLDEN_TOKENS,
            stop_at_json: false,
            ignore_eos: true,
            answer_prefix: String::new(),
        },
        &|| false,
        &mut |_| {},
    )?;
    if decoded.tokens != tokens {
        return crate::err!(
            "generate() and the step loop disagree: {:?} vs {tokens:?}",
            decoded.tokens
        );
    }
    Ok(Golden {
        prompt_len: ids.len(),
        top8,
        tokens,
        top4,
    })
}

/// The `k` largest logits' ids, largest first (ties: lower id first).
pub fn top_k(logits: &[f32], k: usize) -> Vec<u32> {
    let mut order: Vec<u32> = (0..logits.len() as u32).collect();
    order.sort_by(|&a, &b| {
        logits[b as usize]
            .total_cmp(&logits[a as usize])
            .then(a.cmp(&b))
    });
    order.truncate(k);
    order
}
