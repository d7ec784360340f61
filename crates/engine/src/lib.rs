//! logsieve-engine: bytes in, structured log events out.
//!
//! The engine is a plain library: it knows nothing of browsers, files or threads, so the CLI, the tests, the
//! benchmarks and the web worker all run the same code. The data path (see `../shared/DESIGN.md`):
//!
//! ```text
//! byte chunks ─ Decoder (plain or gzip) ─ LineSplitter ─ EventAssembler + formats ─ Event
//! ```
//!
//! [`Pipeline`] wires the stages together: feed it chunks of any size with [`Pipeline::feed`], then call
//! [`Pipeline::finish`]. Each finished event is handed to a callback as a borrowed [`Event`]; nothing requires the
//! whole input in memory.

pub mod assemble;
pub mod decode;
pub mod event;
pub mod finding;
pub mod formats;
pub mod lines;
pub mod ndjson;
pub mod pipeline;
pub mod stats;
pub mod template;
pub mod timestamp;

pub use event::{Event, FieldValue, Level};
pub use finding::{Evidence, Finding, K8sTarget, Queries, Severity, Suspect};
pub use formats::FormatId;
pub use pipeline::{EngineError, ParseOptions, Pipeline};
pub use stats::Stats;
pub use timestamp::Timestamp;
