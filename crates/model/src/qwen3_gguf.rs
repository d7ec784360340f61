//! Qwen3 from GGUF weights: candle's `quantized_qwen3`, adapted for a small memory footprint.
//!
//! Adapted from `candle_transformers::models::quantized_qwen3` (candle 0.11.1, <https://github.com/huggingface/candle>,
//! Copyright The Candle Authors, licensed MIT OR Apache-2.0). The maths is unchanged; what changed, and why:
//!
//! - **KV cache sized to the request.** Upstream allocates a `RawInterleavedKvCache` of 4 096 positions per layer
//!   when the model is built (28 layers × 8 KV heads × 2 × 128 × 4 096 × 4 B = 470 MB for Qwen3-0.6B) and keeps
//!   a second, concatenated copy of the prompt's keys and values for prefill. Here [`ModelWeights::reset`] drops
//!   the caches and allocates each layer's cache for exactly `capacity` positions (the caller passes prompt +
//!   max new tokens: 512 positions are 59 MB), and prefill reads its keys and values from that same cache.
//! - **The embedding stays quantized.** Upstream dequantizes `token_embd` to f32 up front (151 936 × 1 024 × 4 B =
//!   622 MB). Here one `Arc<QTensor>` serves both the embedding lookup (`QTensor::embedding` dequantizes only the
//!   rows asked for) and, when the model ties them (Qwen3-0.6B does), the output projection.
//! - **Rotary tables sized to the context actually used** (`max_context`, not `qwen3.context_length` = 40 960),
//!   computed in f32 (upstream defaults to f16 when `general.dtype` is absent).
//! - **Tensors read in file order**, so a forward-only source can release what has been read (see
//!   `loader::ChunkedSource`).
//! - **In wasm**, Q8_0 linear layers, attention and the MLP's SiLU go through [`crate::kernels`] (SIMD128, and
//!   relaxed SIMD for prefill with the `relaxed-simd` feature) rather than candle's kernels, which are scalar or
//!   per-dot-product there.
//! - CPU only, batch 1 (the upstream GPU path is dropped).

use std::collections::HashMap;
use std::sync::Arc;

use candle_core::quantized::{gguf_file, QMatMul, QTensor};
use candle_core::{bail, DType, Device, Module, Result, Storage, Tensor};
use candle_nn::attention::cpu_flash::causal::causal_decode_f32_interleaved;
use candle_nn::attention::{flash_attn, AttnMask};
use candle_nn::kv_cache::RawInterleavedKvCache;
use candle_nn::Activation;
use candle_transformers::quantized_nn::RmsNorm;

/// Shapes read from the GGUF metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct Qwen3Shape {
    pub num_heads: usize,
    pub num_kv_heads: usize,
    pub head_dim: usize,
    pub num_layers: usize,
    pub hidden_size: usize,
    pub vocab_size: usize,
    pub context_length: usize,
    pub rms_norm_eps: f64,
    pub rope_freq_base: f64,
}

impl Qwen3Shape {
    pub fn from_metadata(md: &HashMap<String, gguf_file::Value>) -> Result<Self> {
        let get = |key: &str| match md.get(key) {
            Some(v) => Ok(v),
            None => bail!("GGUF metadata has no `{key}` (is this a qwen3 GGUF?)"),
        };
        let arch = get("general.architecture")
            .and_then(|v| v.to_string().cloned())
            .unwrap_or_else(|_| "qwen3".to_owned());
        if arch != "qwen3" {
            bail!("GGUF architecture is `{arch}`, expected `qwen3`");
        }
        let u = |key: &str| -> Result<usize> { Ok(get(key)?.to_u32()? as usize) };
        let f = |key: &str| -> Result<f64> { Ok(get(key)?.to_f32()? as f64) };
        Ok(Qwen3Shape {
            num_heads: u("qwen3.attention.head_count")?,
            num_kv_heads: u("qwen3.attention.head_count_kv")?,
            head_dim: u("qwen3.attention.key_length")?,
            num_layers: u("qwen3.block_count")?,
            hidden_size: u("qwen3.embedding_length")?,
            // Filled in from token_embd's shape by the loader.
            vocab_size: 0,
            context_length: u("qwen3.context_length")?,
            rms_norm_eps: f("qwen3.attention.layer_norm_rms_epsilon")?,
            rope_freq_base: f("qwen3.rope.freq_base")?,
        })
    }

    /// The tensor names this model reads, in no particular order.
    pub fn tensor_names(&self) -> Vec<String> {
        let mut names = vec![
            "token_embd.weight".to_owned(),
            "output_norm.weight".to_owned(),
        ];
        for i in 0..self.num_layers {
            for t in [
                "attn_norm",
                "ffn_norm",
                "attn_q",
                "attn_k",
                "attn_v",
                "attn_output",
                "attn_q_norm",
                "attn_k_norm",
                "ffn_gate",
                "ffn_up",
                "ffn_down",
            ] {
                names.push(format!("blk.{i}.{t}.weight"));
            }
        }
        names
    }
}

#[derive(Debug, Clone)]
struct Rotary {
    sin: Tensor,
    cos: Tensor,
    positions: usize,
}

impl Rotary {
    fn new(head_dim: usize, positions: usize, theta: f64, dev: &Device) -> Result<Self> {
        let inv_freq: Vec<f32> = (0..head_dim)
            .step_by(2)
            .map(|i| 1f32 / theta.powf(i as f64 / head_dim as f64) as f32)
            .collect();
        let n = inv_freq.len();
        let inv_freq = Tensor::from_vec(inv_freq, (1, n), dev)?;
        let t = Tensor::arange(0u32, positions as u32, dev)?
            .to_dtype(DType::F32)?
            .reshape((positions, 1))?;
        let freqs = t.matmul(&inv_freq)?;
        Ok(Rotary {
            sin: freqs.sin()?,
            cos: freqs.cos()?,
            positions,
        })
    }

    fn apply(&self, q: &Tensor, k: &Tensor, offset: usize) -> Result<(Tensor, Tensor)> {
        let (_, _, seq_len, _) = q.dims4()?;
        if offset + seq_len > self.positions {
            bail!(
                "position {} is past the model's context of {} tokens",
                offset + seq_len,
                self.positions
            );
        }
        let cos = self.cos.narrow(0, offset, seq_len)?;
        let sin = self.sin.narrow(0, offset, seq_len)?;
        let q = candle_nn::rotary_emb::rope(&q.contiguous()?, &cos, &sin)?;
        let k = candle_nn::rotary_emb::rope(&k.contiguous()?, &cos, &sin)?;
        Ok((q, k))
    }
}

/// Whether Q8_0 layers use [`crate::kernels`] in wasm (on by default; off compares with candle's kernels).
static WASM_KERNELS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns the wasm Q8_0 kernels on or off (benchmarks compare them with candle's). No effect natively.
pub fn set_wasm_kernels(on: bool) {
    WASM_KERNELS.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Time spent per kind of work (seconds), for benchmarks: linear layers, attention, everything else.
pub mod profile {
    use std::cell::Cell;
    thread_local! {
        static ON: Cell<bool> = const { Cell::new(false) };
        static LINEAR: Cell<f64> = const { Cell::new(0.0) };
        static ATTENTION: Cell<f64> = const { Cell::new(0.0) };
    }
    /// Starts (and zeroes) or stops the counters.
    pub fn enable(on: bool) {
        ON.with(|c| c.set(on));
        LINEAR.with(|c| c.set(0.0));
        ATTENTION.with(|c| c.set(0.0));
    }
    /// (linear, attention) seconds since `enable(true)`.
    pub fn read() -> (f64, f64) {
        (LINEAR.with(Cell::get), ATTENTION.with(Cell::get))
    }
    pub(super) fn time<T>(linear: bool, f: impl FnOnce() -> T) -> T {
        if !ON.with(Cell::get) {
            return f();
        }
        let t0 = crate::time::now_secs();
        let out = f();
        let dt = crate::time::now_secs() - t0;
        if linear {
            LINEAR.with(|c| c.set(c.get() + dt));
        } else {
            ATTENTION.with(|c| c.set(c.get() + dt));
        }
        out
    }
}

/// A linear layer without bias over quantized weights (`out × in`).
#[derive(Debug, Clone)]
struct Linear {
    inner: QMatMul,
    /// The weights when they are Q8_0 (for the wasm kernel).
    #[cfg_attr(
        not(all(target_arch = "wasm32", target_feature = "simd128")),
        allow(dead_code)
    )]
    q8_0: Option<Arc<QTensor>>,
}

impl Linear {
    fn new(w: QTensor) -> Result<Self> {
        Self::from_arc(Arc::new(w))
    }

    fn from_arc(w: Arc<QTensor>) -> Result<Self> {
        let q8_0 = (w.dtype() == candle_core::quantized::GgmlDType::Q8_0 && w.rank() == 2)
            .then(|| w.clone());
        Ok(Linear {
            inner: QMatMul::from_arc(w)?,
            q8_0,
        })
    }
}

impl Module for Linear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        profile::time(true, || self.forward_inner(x))
    }
}

impl Linear {
    fn forward_inner(&self, x: &Tensor) -> Result<Tensor> {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Some(w) = &self.q8_0 {
            if WASM_KERNELS.load(std::sync::atomic::Ordering::Relaxed) && x.dtype() == DType::F32 {
                return q8_0_forward(w, x);
            }
        }
        self.inner.forward(x)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn q8_0_forward(w: &QTensor, x: &Tensor) -> Result<Tensor> {
    let (n, k) = w.shape().dims2()?;
    let mut dims = x.dims().to_vec();
    if dims.last() != Some(&k) {
        bail!("linear layer of {k} inputs applied to a tensor of shape {dims:?}");
    }
    let m = x.elem_count() / k;
    let x = x.contiguous()?;
    let data = w.data()?;
    let mut out = vec![0f32; m * n];
    cpu_f32(&x, |xs| {
        crate::kernels::matmul_q8_0(xs, m, k, &data, n, &mut out);
        Ok(())
    })?;
    *dims.last_mut().expect("checked above") = n;
    Tensor::from_vec(out, dims, &Device::Cpu)
}

#[derive(Debug, Clone)]
struct Mlp {
    gate: Linear,
    up: Linear,
    down: Linear,
}

impl Module for Mlp {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if WASM_KERNELS.load(std::sync::atomic::Ordering::Relaxed)
            && crate::kernels::RELAXED_SIMD.load(std::sync::atomic::Ordering::Relaxed)
            && x.dtype() == DType::F32
        {
            // SiLU and the product in one SIMD128 pass (candle's is scalar `expf` per value in wasm).
            let gate = self.gate.forward(x)?;
            let up = self.up.forward(x)?;
            let dims = gate.dims().to_vec();
            let mut g = gate.flatten_all()?.to_vec1::<f32>()?;
            let mut ok = Ok(());
            cpu_f32(&up.contiguous()?, |u| {
                let len = g.len();
                if u.len() < len {
                    ok = Err(candle_core::Error::Msg(
                        "up projection shorter than gate".into(),
                    ));
                } else {
                    crate::kernels::silu_mul(&mut g, &u[..len]);
                }
                Ok(())
            })?;
            ok?;
            return self.down.forward(&Tensor::from_vec(g, dims, &Device::Cpu)?);
        }
        let gate = self.gate.forward(x)?.apply(&Activation::Silu)?;
        let up = self.up.forward(x)?;
        self.down.forward(&(gate * up)?)
    }
}

#[derive(Debug, Clone)]
struct Attention {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    o_proj: Linear,
    q_norm: RmsNorm,
    k_norm: RmsNorm,
    num_heads: usize,
    num_kv_heads: usize,
    head_dim: usize,
    rotary: Arc<Rotary>,
    cache: RawInterleavedKvCache,
}

/// The f32 slice of a contiguous CPU tensor.
fn cpu_f32(t: &Tensor, f: impl FnOnce(&[f32]) -> Result<()>) -> Result<()> {
    let (guard, layout) = t.storage_and_layout();
    match &*guard {
        Storage::Cpu(cpu) => f(&cpu.as_slice::<f32>()?[layout.start_offset()..]),
        _ => bail!("the GGUF Qwen3 runs on the CPU only"),
    }
}

impl Attention {
    fn forward(&mut self, x: &Tensor, offset: usize) -> Result<Tensor> {
        let (b, l, _) = x.dims3()?;
        if b != 1 {
            bail!("batch size {b}: only 1 is supported");
        }
        if self.cache.len() != offset {
            bail!(
                "offset {offset} does not follow the {} cached positions",
                self.cache.len()
            );
        }
        let (nh, nkv, hd) = (self.num_heads, self.num_kv_heads, self.head_dim);
        let q = self
            .q_proj
            .forward(x)?
            .reshape((b, l, nh, hd))?
            .transpose(1, 2)?;
        let k = self
            .k_proj
            .forward(x)?
            .reshape((b, l, nkv, hd))?
            .transpose(1, 2)?;
        let v = self
            .v_proj
            .forward(x)?
            .reshape((b, l, nkv, hd))?
            .transpose(1, 2)?;

        let q = self
            .q_norm
            .forward(&q.flatten(0, 2)?)?
            .reshape((b, nh, l, hd))?;
        let k = self
            .k_norm
            .forward(&k.flatten(0, 2)?)?
            .reshape((b, nkv, l, hd))?;
        let (q, k) = self.rotary.apply(&q, &k, offset)?;
        let scale = 1.0 / (hd as f32).sqrt();

        // Append this step's keys and values, position major: (L, H_kv, D).
        let k_rows = k.squeeze(0)?.transpose(0, 1)?.contiguous()?;
        let v_rows = v.squeeze(0)?.transpose(0, 1)?.contiguous()?;
        let cache = &mut self.cache;
        cpu_f32(&k_rows, |k_d| {
            cpu_f32(&v_rows, |v_d| {
                cache.write_kv_batch(k_d, v_d, l);
                Ok(())
            })
        })?;
        let kv_len = self.cache.len();

        let ctx = profile::time(false, || -> Result<Tensor> {
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            if WASM_KERNELS.load(std::sync::atomic::Ordering::Relaxed) {
                let q = q.contiguous()?;
                let mut out = Vec::new();
                cpu_f32(&q, |q_d| {
                    out = crate::kernels::causal_attention(
                        q_d,
                        l,
                        nh,
                        nkv,
                        hd,
                        self.cache.data(),
                        offset,
                        scale,
                    );
                    Ok(())
                })?;
                return Tensor::from_vec(out, (b, l, nh * hd), x.device());
            }
            Ok(if l == 1 {
                // Decode: the fused kernel reads the interleaved cache directly.
                let q = q.flatten_all()?.contiguous()?;
                let mut out = None;
                cpu_f32(&q, |q_d| {
                    out = Some(causal_decode_f32_interleaved(
                        &q_d[..nh * hd],
                        self.cache.data(),
                        nh,
                        nkv,
                        hd,
                        kv_len,
                        scale,
                    )?);
                    Ok(())
                })?;
                out.expect("set above")
            } else {
                // Prefill (possibly a later chunk): flash attention over everything cached so far.
                let kv = Tensor::from_slice(self.cache.data(), (kv_len, nkv, 2 * hd), x.device())?;
                let kv_k = kv.narrow(2, 0, hd)?.unsqueeze(0)?.contiguous()?;
                let kv_v = kv.narrow(2, hd, hd)?.unsqueeze(0)?.contiguous()?;
                let q = q.transpose(1, 2)?.contiguous()?;
                flash_attn::<f32>(
                    &q,
                    &kv_k,
                    &kv_v,
                    scale,
                    AttnMask::causal_with_offset(offset),
                    None,
                    None,
                )?
                .transpose(1, 2)?
            })
        })?;
        ctx.reshape((b, l, nh * hd))?.apply(&self.o_proj)
    }
}

#[derive(Debug, Clone)]
struct Layer {
    attn: Attention,
    mlp: Mlp,
    ln1: RmsNorm,
    ln2: RmsNorm,
}

impl Layer {
    fn forward(&mut self, x: &Tensor, offset: usize) -> Result<Tensor> {
        let h = self.attn.forward(&x.apply(&self.ln1)?, offset)?;
        let x = (x + h)?;
        let h = x.apply(&self.ln2)?.apply(&self.mlp)?;
        x + h
    }
}

/// A Qwen3 built from GGUF tensors. See the module documentation for how it differs from candle's.
#[derive(Debug, Clone)]
pub struct ModelWeights {
    embed: Arc<QTensor>,
    layers: Vec<Layer>,
    norm: RmsNorm,
    lm_head: Linear,
    shape: Qwen3Shape,
    max_context: usize,
    weight_bytes: usize,
}

impl ModelWeights {
    /// Builds the model from its tensors (by GGUF name). `max_context` bounds the positions (prompt + answer) a
    /// request may use; the rotary tables are computed for that many.
    pub fn from_tensors(
        mut shape: Qwen3Shape,
        mut tensors: HashMap<String, QTensor>,
        max_context: usize,
        device: &Device,
    ) -> Result<Self> {
        if !device.is_cpu() {
            bail!("the GGUF Qwen3 runs on the CPU only");
        }
        let weight_bytes = tensors.values().map(QTensor::storage_size_in_bytes).sum();
        let mut take = |name: &str| match tensors.remove(name) {
            Some(t) => Ok(t),
            None => bail!("GGUF has no tensor `{name}`"),
        };
        let eps = shape.rms_norm_eps;
        let embed = Arc::new(take("token_embd.weight")?);
        let (vocab, hidden) = embed.shape().dims2()?;
        if hidden != shape.hidden_size {
            bail!(
                "token_embd is {vocab}×{hidden}, metadata says hidden size {}",
                shape.hidden_size
            );
        }
        shape.vocab_size = vocab;
        let max_context = max_context.min(shape.context_length).max(1);
        let rotary = Arc::new(Rotary::new(
            shape.head_dim,
            max_context,
            shape.rope_freq_base,
            device,
        )?);
        let mut layers = Vec::with_capacity(shape.num_layers);
        for i in 0..shape.num_layers {
            let mut t = |n: &str| take(&format!("blk.{i}.{n}.weight"));
            let attn = Attention {
                q_proj: Linear::new(t("attn_q")?)?,
                k_proj: Linear::new(t("attn_k")?)?,
                v_proj: Linear::new(t("attn_v")?)?,
                o_proj: Linear::new(t("attn_output")?)?,
                q_norm: RmsNorm::from_qtensor(t("attn_q_norm")?, eps)?,
                k_norm: RmsNorm::from_qtensor(t("attn_k_norm")?, eps)?,
                num_heads: shape.num_heads,
                num_kv_heads: shape.num_kv_heads,
                head_dim: shape.head_dim,
                rotary: rotary.clone(),
                cache: RawInterleavedKvCache::new(shape.num_kv_heads, shape.head_dim, 1),
            };
            let mlp = Mlp {
                gate: Linear::new(t("ffn_gate")?)?,
                up: Linear::new(t("ffn_up")?)?,
                down: Linear::new(t("ffn_down")?)?,
            };
            layers.push(Layer {
                attn,
                mlp,
                ln1: RmsNorm::from_qtensor(t("attn_norm")?, eps)?,
                ln2: RmsNorm::from_qtensor(t("ffn_norm")?, eps)?,
            });
        }
        let norm = RmsNorm::from_qtensor(take("output_norm.weight")?, eps)?;
        // Tied embeddings (Qwen3-0.6B): the output projection shares the embedding's quantized weights.
        let lm_head = match tensors.remove("output.weight") {
            Some(out) => Linear::new(out)?,
            None => Linear::from_arc(embed.clone())?,
        };
        Ok(ModelWeights {
            embed,
            layers,
            norm,
            lm_head,
            shape,
            max_context,
            weight_bytes,
        })
    }

    pub fn shape(&self) -> &Qwen3Shape {
        &self.shape
    }

    /// The most positions (prompt + answer) one request may use.
    pub fn max_context(&self) -> usize {
        self.max_context
    }

    /// Bytes of the quantized weights as held in memory.
    pub fn weight_bytes(&self) -> usize {
        self.weight_bytes
    }

    /// Bytes the KV cache holds now (all layers).
    pub fn kv_cache_bytes(&self) -> usize {
        self.layers.len() * self.kv_bytes_per_layer(self.cached_positions())
    }

    fn kv_bytes_per_layer(&self, positions: usize) -> usize {
        positions * self.shape.num_kv_heads * 2 * self.shape.head_dim * 4
    }

    /// Positions held in the KV cache.
    pub fn cached_positions(&self) -> usize {
        self.layers.first().map_or(0, |l| l.attn.cache.len())
    }

    /// Starts a new sequence: frees the KV cache and allocates room for exactly `capacity` positions per layer
    /// (it grows by doubling if a request goes past it, which a caller that passes prompt + max new tokens never
    /// does).
    pub fn reset(&mut self, capacity: usize) -> Result<()> {
        if capacity > self.max_context {
            bail!(
                "{capacity} positions asked for, the model was loaded for at most {}",
                self.max_context
            );
        }
        for layer in &mut self.layers {
            // Drop the old buffer before allocating the new one.
            layer.attn.cache = RawInterleavedKvCache::new(0, 0, 0);
            // At least one position: the cache grows by doubling, which an empty buffer cannot.
            layer.attn.cache = RawInterleavedKvCache::new(
                self.shape.num_kv_heads,
                self.shape.head_dim,
                capacity.max(1),
            );
        }
        Ok(())
    }

    /// Runs `input` (shape `(1, L)`) at positions `offset..offset+L`; returns the logits of the last position,
    /// shape `(1, vocab)`.
    pub fn forward(&mut self, input: &Tensor, offset: usize) -> Result<Tensor> {
        let (_, l) = input.dims2()?;
        let mut h = self.embed.embedding(input)?;
        for layer in &mut self.layers {
            h = layer.forward(&h, offset)?;
        }
        let h = h.apply(&self.norm)?;
        self.lm_head.forward(&h.narrow(1, l - 1, 1)?)?.squeeze(1)
    }
}
