//! logsieve-web: the page's shared code.
//!
//! - [`protocol`]: the messages between the UI (main thread) and the parsing worker, as serde types sent as JSON
//!   strings inside `{ json, file?, blob? }` JS objects (a `File` or `Blob` is structured-cloned next to it).
//! - [`index`], [`view`], [`templates`]: the worker's logic that does not touch the browser: the compact per-event
//!   index, re-reading events from the source's bytes, the level, template and text filters, table rows, event
//!   details, the export, and the templates list (the miner's map, its order and per-template histograms).
//!   Natively testable (`cargo test -p logsieve-web`).
//! - [`postbuild`]: the post-build step that moves Trunk's inline start-up script into a file, so that the page's
//!   Content-Security-Policy needs no inline script (std only; the xtask runs it after `trunk build`).
//! - [`charts`]: the charts' series as the worker sends them, the time-range filter and the selected range's pass
//!   (`charts_worker`, wasm32 only: the lazy geo fetch and the range pass in the worker).
//! - [`llm`], [`llm_markdown`]: "Ask an LLM": what the worker keeps for the digest and the Markdown report, and the
//!   answer's Markdown as a closed tree of nodes (no HTML) for the page to draw.
//! - [`model_fields`]: the parsing worker's side of the model: the templates to name, and the names applied to
//!   rows, details and the export (the model runs in its own worker: crates/model-worker).
//! - [`stage`]: the worker's stages (reported with its progress, named when it fails, left out on a retry) and the
//!   test-only fault switch.
//! - `worker` (wasm32 only): the worker's browser glue (FileReaderSync, postMessage, Blobs).

pub mod charts;
pub mod index;
pub mod llm;
pub mod llm_markdown;
pub mod model_fields;
pub mod postbuild;
pub mod protocol;
pub mod stage;
pub mod templates;
pub mod view;

#[cfg(target_arch = "wasm32")]
pub mod charts_worker;
#[cfg(target_arch = "wasm32")]
pub mod worker;

/// Bytes read per `File.slice` while parsing, searching and exporting.
pub const SLICE_BYTES: u64 = 4 << 20;

/// Size of the parts of the exported NDJSON Blob.
pub const EXPORT_PART_BYTES: usize = 8 << 20;
