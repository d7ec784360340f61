//! Messages between the UI and the parsing worker.
//!
//! On the wire each message is a JS object `{ json: "<serde_json of Request or Response>" }`; a request that opens
//! a file carries the `File` as `file`, and the export's answer carries the NDJSON `Blob` as `blob`. Numbers are
//! inside the JSON string, so 64-bit counts survive exactly.

use crate::stage::{Fault, Skip, Stage};
use logsieve_engine::Stats;
use serde::{Deserialize, Serialize};

/// Rows per [`Request::Rows`] page of the table (the worker sends the first page unasked with
/// [`Response::Parsed`]).
pub const PAGE_ROWS: u32 = 100;
/// Templates per [`Request::Templates`] page (the first page also comes unasked with [`Response::Parsed`]).
pub const PAGE_TEMPLATES: u32 = 100;

/// UI → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum Request {
    /// Parse the attached `File` (message field `file`). Starts a new session. `skip`: stages to leave out (a retry
    /// after one failed; see [`Stage::skippable`]), with why. `fault`: the test-only fault switch, set only from
    /// the page's own URL (see [`crate::stage`]).
    Open {
        name: String,
        #[serde(default)]
        skip: Vec<Skip>,
        #[serde(default)]
        fault: Option<Fault>,
    },
    /// Sets the table's view: the levels kept (names as in [`Summary::levels`], `NONE` for events without a level;
    /// empty: all), a search text (case-insensitive substring of the event's text; empty: no search) and a
    /// template (its final id, as in [`TemplateRow::id`]; `None`: all). Answered by [`Response::View`] with the same
    /// `generation`.
    Query {
        generation: u32,
        levels: Vec<String>,
        search: String,
        #[serde(default)]
        template: Option<u32>,
    },
    /// Rows `start..start + count` of the view `generation`. Answered by [`Response::Rows`].
    Rows {
        generation: u32,
        start: u64,
        count: u32,
    },
    /// The whole event number `event` (0-based, in file order). Answered by [`Response::Detail`].
    Detail { event: u64 },
    /// Re-streams the file through the engine into an NDJSON Blob. Answered by [`Response::ExportReady`].
    Export,
    /// Templates `start..start + count` in the list's order (most frequent first, then by id: the order of
    /// `logsieve templates`). Answered by [`Response::Templates`].
    Templates { start: u32, count: u32 },
    /// The event that holds 1-based line `line` (a finding's evidence). Answered by [`Response::Located`].
    Locate { line: u64 },
    /// The redacted digest of the open file for "Ask an LLM", cut to `budget` tokens. Answered by
    /// [`Response::Digest`].
    Digest { budget: usize },
    /// The Markdown incident report of the open file. Answered by [`Response::Report`].
    Report,
    /// Restricts the table's view, the charts (but the volume chart) and the findings to the events with a time in
    /// `range` (Unix ms, `[from, to)`), or back to the whole file (`None`). The worker applies the range to every
    /// later [`Request::Query`] (send one after this), and answers with [`Response::Findings`] then
    /// [`Response::Charts`] with the same `generation` (a newer `Range` cancels an older one's pass).
    Range {
        generation: u32,
        range: Option<crate::charts::TimeRange>,
    },
    /// The templates the model should name (their variables the rules could not), most frequent first, with
    /// their example events. Answered by [`Response::ModelTemplates`].
    ModelTemplates,
    /// The names the model gave template `id`'s variables: from now on rows ([`Response::RowFields`]), details
    /// and the export carry each of its events' `fields`. No answer.
    ModelFields {
        id: u32,
        template: String,
        names: logsieve_model::TemplateFields,
    },
}

/// Worker → UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum Response {
    /// The worker's wasm is running and its message handler is installed.
    Ready,
    /// Progress and heartbeat: at most every ~100 ms, at least every second while the worker works, and whenever
    /// it enters a new [`Stage`]. The page shows a worker that sends nothing for 10 s while running as stalled.
    Progress {
        bytes_done: u64,
        bytes_total: u64,
        events: u64,
        elapsed_ms: f64,
        #[serde(default)]
        stage: Stage,
    },
    /// The pass is over and the events and templates can be browsed (the table, the templates list), while the
    /// analyses (findings, the Kubernetes audit) still run; [`Response::Done`] or [`Response::Failed`] follows
    /// them. Sent with the first page of rows and of templates right after it, so that what was parsed stays on
    /// the page even if a later stage kills the worker.
    Parsed {
        summary: Summary,
    },
    /// The whole file was read and analysed (possibly with warnings, e.g. a truncated gzip: see
    /// [`Summary::error`]). The charts may come after it.
    Done {
        summary: Summary,
    },
    /// The worker panicked in `stage` (its panic hook sends this just before the wasm traps; the worker is dead).
    Crashed {
        stage: Stage,
        message: String,
    },
    /// The file could not be read to its end (a read error). The events read before it are kept and can be
    /// browsed: `summary` describes them.
    Failed {
        message: String,
        summary: Summary,
    },
    /// The view of a [`Request::Query`]: how many events it holds.
    View {
        generation: u32,
        count: u64,
        elapsed_ms: f64,
    },
    Rows {
        generation: u32,
        start: u64,
        rows: Vec<Row>,
    },
    Detail {
        detail: Detail,
    },
    Templates {
        start: u32,
        templates: Vec<TemplateRow>,
    },
    ExportProgress {
        bytes_done: u64,
        bytes_total: u64,
    },
    /// The export is in the message's `blob`.
    ExportReady {
        file_name: String,
        bytes: u64,
        events: u64,
    },
    /// The file's findings (`logsieve-findings`, and the Kubernetes audit when the file is manifests or kubectl
    /// output), most severe first: sent right after [`Response::Done`] or [`Response::Failed`].
    Findings {
        findings: Findings,
    },
    /// The answer to [`Request::Locate`]: the event holding `line`, if any.
    Located {
        line: u64,
        event: Option<u64>,
    },
    /// The charts' series: of the whole file right after [`Response::Findings`] (once the geo database the worker
    /// fetched for an access log is in), with `generation` 0; of a selected range in answer to [`Request::Range`].
    Charts {
        generation: u32,
        charts: crate::charts::Charts,
    },
    /// The answer to [`Request::Digest`] (`logsieve_llm::build_digest` over the file's stats, top templates and
    /// findings).
    Digest {
        digest: logsieve_llm::Digest,
    },
    /// The answer to [`Request::Report`]: `logsieve analyze FILE`'s Markdown report.
    Report {
        file_name: String,
        markdown: String,
    },
    /// A request could not be answered (no file open, a read error, ...).
    Error {
        message: String,
    },
    /// The answer to [`Request::ModelTemplates`].
    ModelTemplates {
        templates: Vec<ModelTemplate>,
    },
    /// The model's fields of rows just sent in [`Response::Rows`] (same `generation` and `start`), by event
    /// number; only events with fields, and only once the model named their template.
    RowFields {
        generation: u32,
        start: u64,
        fields: Vec<(u64, Vec<(String, String)>)>,
    },
}

/// A template for the model to name: its final id, text, count and example event (its first line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelTemplate {
    pub id: u32,
    pub template: String,
    pub example: String,
    pub count: u64,
}

/// The findings of a file, as the Findings panel shows them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Findings {
    /// Most severe first, then by first evidence line (the order of `logsieve analyze`).
    pub findings: Vec<logsieve_engine::Finding>,
    /// Redacted text of some evidence lines, by line number.
    pub excerpts: Vec<(u64, String)>,
    /// What the Kubernetes audit read (`manifests`, ...), when the file is Kubernetes input.
    pub k8s_input: Option<String>,
    /// Why the Kubernetes audit did not run or failed, if it did not.
    pub k8s_note: Option<String>,
    /// Why the log's findings were not computed (the stage was left out after it failed), if they were not.
    #[serde(default)]
    pub skipped: Option<String>,
}

/// What the summary shows. Built from the engine's [`Stats`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub name: String,
    pub events: u64,
    pub lines: u64,
    /// Bytes of the file (compressed size for gzip).
    pub bytes_in: u64,
    pub bytes_decoded: u64,
    pub gzip: bool,
    pub multiline_events: u64,
    pub invalid_utf8_lines: u64,
    pub truncated_lines: u64,
    pub nul_bytes: u64,
    pub file_format: String,
    /// Events per format, most frequent first.
    pub formats: Vec<(String, u64)>,
    /// Events per level, in severity order (`NONE` first).
    pub levels: Vec<(String, u64)>,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    /// The engine's warnings (binary content, a truncated gzip, ...), shown as they are.
    pub warnings: Vec<String>,
    /// The input error that ended the parse early (truncated or corrupt gzip, a read error), if any. The events
    /// before it were kept.
    pub error: Option<String>,
    pub elapsed_ms: f64,
    /// Size of the worker's wasm memory when the parse finished (the index lives there; the file does not).
    pub wasm_memory_bytes: u64,
    /// Number of templates the miner found (the length of the templates list).
    pub templates: u64,
    /// What the templates' sparklines span.
    pub template_axis: TemplateAxis,
}

/// The x axis of the templates' sparklines: [`TemplateRow::histogram`] has [`TemplateAxis::BUCKETS`] buckets of
/// equal width from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TemplateAxis {
    /// `true`: over the file's time range (events without a time are not counted); `false`: over the events in
    /// file order (the file has no times, or all its events have the same).
    pub by_time: bool,
    /// The first bucket's start and the last one's end, for people: times as `logsieve templates` writes them, or
    /// event numbers (1-based).
    pub from: String,
    pub to: String,
}

impl TemplateAxis {
    pub const BUCKETS: usize = 40;
}

/// One template of the templates list: what `logsieve templates` prints for it, with the example cut for display
/// and a histogram of its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateRow {
    /// Position in the list (0-based; most frequent first).
    pub rank: u32,
    /// The final template id: the `template_id` of its events' NDJSON.
    pub id: u32,
    /// The template text (log text: shown as text only).
    pub template: String,
    pub count: u64,
    /// Events per level (`NONE` for none), in severity order, only levels with events.
    pub levels: Vec<(String, u64)>,
    pub first_ts: Option<String>,
    pub last_ts: Option<String>,
    pub example_line: u64,
    /// The example event's message (its first line, as the miner kept it).
    pub example: String,
    /// Sample values of each variable (`<*>`), in order.
    pub samples: Vec<Vec<String>>,
    /// Events per bucket of [`Summary::template_axis`] ([`TemplateAxis::BUCKETS`] of them).
    pub histogram: Vec<u32>,
}

impl Summary {
    pub fn from_stats(
        name: &str,
        stats: &Stats,
        error: Option<String>,
        elapsed_ms: f64,
    ) -> Summary {
        let mut formats: Vec<(String, u64)> = stats
            .formats
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        formats.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let order = ["NONE", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
        let mut levels: Vec<(String, u64)> = stats
            .levels
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        levels.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(order.len()));
        Summary {
            name: name.to_string(),
            events: stats.events,
            lines: stats.lines,
            bytes_in: stats.bytes_in,
            bytes_decoded: stats.bytes_decoded,
            gzip: stats.gzip,
            multiline_events: stats.multiline_events,
            invalid_utf8_lines: stats.invalid_utf8_lines,
            truncated_lines: stats.truncated_lines,
            nul_bytes: stats.nul_bytes,
            file_format: stats.file_format.to_string(),
            formats,
            levels,
            first_ts: stats.first_ts.clone(),
            last_ts: stats.last_ts.clone(),
            warnings: stats.warnings.clone(),
            error,
            elapsed_ms,
            wasm_memory_bytes: 0,
            templates: 0,
            template_axis: TemplateAxis::default(),
        }
    }

    /// Parse speed in MB/s (10^6 bytes of input per second).
    pub fn mb_per_s(&self) -> f64 {
        mb_per_s(self.bytes_in, self.elapsed_ms)
    }
}

pub fn mb_per_s(bytes: u64, elapsed_ms: f64) -> f64 {
    if elapsed_ms <= 0.0 {
        return 0.0;
    }
    bytes as f64 / 1e6 / (elapsed_ms / 1000.0)
}

/// One table row: the columns of an event, its message cut to a preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Event number (0-based, in file order): what [`Request::Detail`] takes.
    pub event: u64,
    pub line: u64,
    pub end_line: u64,
    pub ts: Option<String>,
    pub level: Option<String>,
    pub component: Option<String>,
    /// The message's first line, at most [`Row::PREVIEW_CHARS`] characters.
    pub message: String,
    pub format: String,
    pub truncated: bool,
    pub invalid_utf8: bool,
    /// The event's final template id (its NDJSON `template_id`).
    pub template_id: Option<u32>,
}

impl Row {
    pub const PREVIEW_CHARS: usize = 400;
}

/// The whole event, for the detail panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detail {
    pub event: u64,
    /// Exactly the event's line of `logsieve parse` (without its `\n`), template included.
    pub ndjson: String,
    /// The event's fields in NDJSON order, as text, without `message` and without null ones (`template_id` and
    /// `template` last).
    pub fields: Vec<(String, String)>,
    pub message: String,
    /// The event's text: its lines joined by `\n`.
    pub text: String,
}

pub use logsieve_findings::text::thousands;

/// A byte size for people: `211 KB`, `1.5 MB`, `2.1 GB` (powers of 1000).
pub fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n < 1e3 {
        format!("{n} B")
    } else if n < 1e6 {
        format!("{:.0} KB", n / 1e3)
    } else if n < 1e9 {
        format!("{:.1} MB", n / 1e6)
    } else {
        format!("{:.2} GB", n / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip() {
        let r = Request::Query {
            generation: 3,
            levels: vec!["ERROR".into()],
            search: "x\"y".into(),
            template: Some(7),
        };
        let s = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Request>(&s).unwrap(), r);
        let old = r#"{"t":"Query","generation":1,"levels":[],"search":""}"#;
        assert!(matches!(
            serde_json::from_str::<Request>(old).unwrap(),
            Request::Query { template: None, .. }
        ));
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(human_bytes(211_000), "211 KB");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
    }
}
