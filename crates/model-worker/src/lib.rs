//! logsieve-model-worker: the model in the page, in a worker of its own with its own wasm (`model-worker`), so
//! that a page whose user never turns the model on downloads neither the model nor candle.
//!
//! - [`protocol`]: the messages between the page and this worker (plain serde types; `logsieve-web` uses them
//!   too). On the wire each is a JS object `{ json }`; `Load` carries the model and the tokenizer as `Blob`s
//!   (`model`, `tokenizer`: OPFS files or a drop, structured-cloned, never copied into the page's memory).
//! - `worker` (wasm32 only): loads the GGUF through `logsieve_model::web::JsReader` (tensor by tensor from the
//!   Blob, with `FileReaderSync`), keeps the answers in IndexedDB by `logsieve_model::CacheKey` (the hash of
//!   template, prompt and model), and answers one `Name` request at a time with `logsieve_model::FieldNamer`.

pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod worker;
