//! Messages between the page (main thread) and the model worker, sent as JSON strings in `{ json, ... }` objects.

use logsieve_model::TemplateFields;
use serde::{Deserialize, Serialize};

/// Page → model worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum ModelRequest {
    /// Load the model from the message's `model` Blob (GGUF) and `tokenizer` Blob (`tokenizer.json`).
    /// `model_name` and the Blob's size name the model in cache keys (as the CLI's `--model` does: `model.gguf:SIZE`),
    /// so answers cached by one are valid for the other only for the same file.
    Load { model_name: String },
    /// Name the variables of `template` from its example event. `file` is the page's file generation: answers for
    /// an older file are dropped by the page (they are cached all the same). Answered by [`ModelResponse::Named`].
    Name {
        file: u32,
        id: u32,
        template: String,
        example: String,
    },
}

/// Model worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum ModelResponse {
    /// The worker's wasm runs and its message handler is installed.
    Ready,
    /// The model is loaded and the cache read.
    Loaded {
        /// Weight types, e.g. `q8_0`.
        weights: String,
        weight_bytes: u64,
        load_ms: f64,
        /// Answers found in the page's cache.
        cached_answers: u64,
        /// The worker's wasm memory after loading.
        wasm_memory_bytes: u64,
    },
    /// The answer for one template.
    Named {
        file: u32,
        id: u32,
        /// Answered from the cache: no model call.
        cached: bool,
        /// `true` when the model gave a usable JSON object (`false`: failed after a retry; cached as failed).
        ok: bool,
        /// Names of the template's variables (and constants).
        names: TemplateFields,
        /// Model calls so far in this worker (templates sent; a retry does not count).
        calls: u64,
        /// Decode speed of this call (0 when cached).
        decode_tok_s: f64,
        prefill_tok_s: f64,
        reason: String,
    },
    Error {
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let r = ModelRequest::Name {
            file: 2,
            id: 9,
            template: "user <*> \"x\"".into(),
            example: "user bob \"x\"".into(),
        };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<ModelRequest>(&s).unwrap(), r);
        let a = ModelResponse::Named {
            file: 2,
            id: 9,
            cached: false,
            ok: true,
            names: TemplateFields {
                names: vec![Some("user".into())],
                ..TemplateFields::default()
            },
            calls: 1,
            decode_tok_s: 12.5,
            prefill_tok_s: 40.0,
            reason: String::new(),
        };
        let s = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<ModelResponse>(&s).unwrap(), a);
    }
}
