//! logsieve-llm: ask a language model about a log with the user's own key, sending only a redacted summary.
//!
//! The crate owns everything between the analysis and the wire, and nothing of the wire itself (no HTTP client,
//! no I/O), so the page's worker (wasm32) and the `logsieve ask` command share it:
//!
//! - [`build_digest`]: the digest — file stats, top templates, findings, incidents, stack-trace groups — every
//!   log-derived string redacted and pseudonymized, quoted as JSON strings inside a `<log_data>` block, cut to a
//!   token budget in a stated order ([`digest`]).
//! - [`prepare`] / [`headers`]: the exact request (URL, pretty-printed JSON body, headers) for an
//!   OpenAI-compatible chat-completions endpoint or the Anthropic Messages API, streaming on ([`request`],
//!   with the prompt in [`prompt`]).
//! - [`StreamDecoder`]: the server-sent events of either API, fed in chunks split anywhere ([`stream`]).
//! - [`http_error_message`]: one clear sentence for a failed HTTP status ([`errors`]).

pub mod digest;
pub mod errors;
pub mod prompt;
pub mod request;
pub mod stream;

pub use digest::{
    build_digest, estimate_tokens, Digest, DigestInput, TemplateCount, DEFAULT_BUDGET_TOKENS,
};
pub use errors::http_error_message;
pub use request::{endpoint_url, headers, prepare, LlmConfig, PreparedRequest, Provider};
pub use stream::{StreamDecoder, StreamEvent};
