//! logsieve-model: LoGEM (a Qwen3-0.6B fine-tune that turns a log line into JSON fields) through candle, run once
//! per template and cached.
//!
//! The same code runs natively (CLI, tests, benchmark) and in a web worker (wasm32 with `+simd128`). One concern
//! per module, in the order data flows:
//!
//! - [`loader`]: model bytes in (GGUF from bytes or any `Read + Seek`, safetensors + `config.json`,
//!   `tokenizer.json`), a [`LogModel`] and a [`LogTokenizer`] out.
//! - [`model`]: [`LogModel`], one enum over the GGUF Qwen3 ([`qwen3_gguf`], candle's `quantized_qwen3` adapted so
//!   the KV cache is sized to the request) and candle's safetensors `qwen3`.
//! - [`prompt`]: the prompt file (`model-assets/prompt.txt`) and the Qwen3 chat template with thinking off.
//! - [`decode`]: greedy decoding that stops at the end of the first JSON object, a cap on new tokens,
//!   cancellation, prefill/decode speed.
//! - [`guard`]: the answer must be one flat JSON object; one stricter retry, then failed.
//! - [`fields`]: which template variable (`<*>`) each returned value fills: names for the variables.
//! - [`cache`]: answers by a hash of the template and the prompt, in memory or in a directory.
//! - [`namer`]: the pipeline, per template, most frequent first, cache first.
//! - [`tiny`]: deterministic random Qwen3 models and a tiny `tokenizer.json`, for tests and the benchmark.
//! - [`bench`]: the speed and memory benchmark (`cargo xtask bench-model`).
//! - `web` (wasm32 only): `JsReader`, a `Read + Seek` over a JavaScript `Blob` for the loaders.
//! - `kernels` (wasm32): the Q8_0 matrix multiplication the GGUF model uses in wasm instead of candle's.
//!
//! Memory: the KV cache is allocated by [`LogModel::begin`] for exactly the positions a request asks for (the
//! decoder asks for prompt + cap on new tokens) and freed by the next `begin`; candle's `quantized_qwen3` keeps
//! 4 096 positions per layer from load time. See [`qwen3_gguf`] for that and the other differences.
//!
//! ```no_run
//! # fn main() -> logsieve_model::Result<()> {
//! use logsieve_model::*;
//! let dir = std::path::Path::new("model-assets");
//! let LoadedDir { mut model, mut tokenizer, prompt, model_tag } = load_dir(dir, &LoadOptions::default())?;
//! let mut cache = DirCache::new("target/model-cache")?;
//! let opts = NamerOptions { model_tag, ..NamerOptions::default() };
//! let mut namer = FieldNamer::new(&mut model, &mut tokenizer, &prompt, &mut cache, opts);
//! let outcome = namer.name("Accepted password for <*> from <*> port <*> ssh2",
//!                          "Accepted password for root from 10.0.0.5 port 5122 ssh2", &|| false)?;
//! if let Some(answer) = outcome.answer() {
//!     println!("{:?}", answer.names.names); // [Some("user"), Some("client_ip"), Some("client_port")]
//! }
//! # Ok(()) }
//! ```

pub mod bench;
pub mod cache;
pub mod decode;
pub mod fields;
pub mod guard;
#[doc(hidden)]
pub mod kernels;
pub mod loader;
pub mod model;
pub mod namer;
pub mod prompt;
pub mod qwen3_gguf;
mod time;
pub mod tiny;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use cache::{CacheKey, CachedAnswer, DirCache, FieldCache, MemoryCache};
pub use decode::{generate, DecodeOptions, Decoded, Generation, StopReason};
pub use fields::{map_fields, TemplateFields};
pub use guard::{parse_answer, Fields, GuardError};
#[cfg(not(target_arch = "wasm32"))]
pub use loader::{load_dir, LoadedDir};
pub use loader::{load_gguf, load_gguf_reader, load_safetensors, load_tokenizer, LoadOptions};
pub use model::{LogModel, ModelInfo};
pub use namer::{FieldNamer, NamerOptions, Outcome};
pub use prompt::{LogTokenizer, Prompt};

use std::fmt;

/// An error of this crate: one line of text for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error(format!("model: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(format!("io: {e}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error(format!("json: {e}"))
    }
}

#[doc(hidden)]
pub use time::now_secs;

pub type Result<T> = std::result::Result<T, Error>;

/// `Err(Error(format!(...)))`.
#[macro_export]
#[doc(hidden)]
macro_rules! err {
    ($($t:tt)*) => { Err($crate::Error(format!($($t)*))) };
}
