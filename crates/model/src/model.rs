//! [`LogModel`]: one Qwen3, from GGUF or safetensors, behind one interface: start a sequence with room for `n`
//! positions, run tokens, get the next-token logits.

use candle_core::{DType, Device, Tensor};
use candle_transformers::models::qwen3::ModelForCausalLM;

use crate::qwen3_gguf::ModelWeights;
use crate::{err, Result};

/// What was loaded, for display and benchmarks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// `gguf` or `safetensors`.
    pub format: &'static str,
    /// The weight types: `q8_0`, `q4k+q6k`, `bf16`, ...
    pub weights: String,
    /// Bytes of weights held in memory.
    pub weight_bytes: usize,
    pub vocab_size: usize,
    pub layers: usize,
    pub hidden_size: usize,
    /// Key (= value) width per position and layer: KV heads × head dim.
    pub kv_dim: usize,
    /// The most positions (prompt + answer) one request may use.
    pub max_context: usize,
}

/// candle's safetensors Qwen3 with its dtype. Its KV cache is a concatenation that grows with the sequence, so it
/// is sized to what a request uses by construction.
pub struct SafetensorsModel {
    inner: ModelForCausalLM,
    dtype: DType,
}

impl SafetensorsModel {
    pub(crate) fn new(inner: ModelForCausalLM, dtype: DType) -> Self {
        SafetensorsModel { inner, dtype }
    }
}

enum Backend {
    Gguf(Box<ModelWeights>),
    Safetensors(Box<SafetensorsModel>),
}

/// A loaded LoGEM (or any Qwen3), ready to run one sequence at a time.
pub struct LogModel {
    backend: Backend,
    info: ModelInfo,
    /// Positions of the current sequence.
    pos: usize,
    capacity: usize,
}

impl LogModel {
    pub(crate) fn from_gguf(weights: ModelWeights, info: ModelInfo) -> Self {
        LogModel {
            backend: Backend::Gguf(Box::new(weights)),
            info,
            pos: 0,
            capacity: 0,
        }
    }

    pub(crate) fn from_safetensors(model: SafetensorsModel, info: ModelInfo) -> Self {
        LogModel {
            backend: Backend::Safetensors(Box::new(model)),
            info,
            pos: 0,
            capacity: 0,
        }
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Starts a new sequence that will use at most `capacity` positions (prompt + new tokens). The GGUF model's
    /// KV cache is freed and allocated for exactly that many positions.
    pub fn begin(&mut self, capacity: usize) -> Result<()> {
        if capacity > self.info.max_context {
            return err!(
                "the request needs {capacity} positions, the model was loaded for {}",
                self.info.max_context
            );
        }
        match &mut self.backend {
            Backend::Gguf(m) => m.reset(capacity)?,
            Backend::Safetensors(m) => m.inner.clear_kv_cache(),
        }
        self.pos = 0;
        self.capacity = capacity;
        Ok(())
    }

    /// Positions used so far in this sequence.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes held by the KV cache now (GGUF: what was allocated; safetensors: what is used).
    pub fn kv_cache_bytes(&self) -> usize {
        match &self.backend {
            Backend::Gguf(m) => m.kv_cache_bytes(),
            Backend::Safetensors(m) => {
                self.pos * self.info.layers * 2 * self.info.kv_dim * m.dtype.size_in_bytes()
            }
        }
    }

    /// Runs `tokens` at the next positions of the sequence and returns the logits (f32, one per vocabulary
    /// entry) for the token that follows the last of them.
    pub fn forward(&mut self, tokens: &[u32]) -> Result<Vec<f32>> {
        if tokens.is_empty() {
            return err!("no tokens to run");
        }
        if self.pos + tokens.len() > self.capacity {
            return err!(
                "the sequence would use {} positions, {} were asked for at `begin`",
                self.pos + tokens.len(),
                self.capacity
            );
        }
        let input = Tensor::new(tokens, &Device::Cpu)?.unsqueeze(0)?;
        let logits = match &mut self.backend {
            Backend::Gguf(m) => m.forward(&input, self.pos)?,
            Backend::Safetensors(m) => m.inner.forward(&input, self.pos)?,
        };
        self.pos += tokens.len();
        Ok(logits
            .flatten_all()?
            .to_dtype(DType::F32)?
            .to_vec1::<f32>()?)
    }
}
