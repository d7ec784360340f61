//! logsieve-findings: the diagnosis, not the grep.
//!
//! An [`Analyzer`] watches the events of one file stream past (one cheap call per event) and, at the end, writes
//! [`Finding`]s in the shape every logsieve analysis shares: stack-trace groups with their root cause and first
//! application frame; resource exhaustion and failure signatures (`oom`, `fd_exhaustion`, `db_pool_exhausted`,
//! `thread_pool_exhausted`, `timeout`, `connection_refused`, `deadlock`, `disk_full`, `dns_failure`,
//! `tls_error`, `crash_loop`); error bursts against the file's own baseline with their onset, precursors and a
//! transient/systemic verdict (`error_burst`); security signals with the offending clients (`sql_injection`,
//! `xss_attempt`, `path_traversal`, `command_injection`, `scanner`, `auth_failure_burst`); and exposed secrets
//! and personal data (`secret_exposure`, `pii_exposure`). Each finding carries evidence lines, a hotfix, a
//! long-term fix, commands to confirm it and LogQL/KQL/SPL queries.
//!
//! The [`Redactor`] masks secrets and personal data with typed masks (`<secret:aws-key>`, `<email>`) and the
//! [`Pseudonymizer`] gives addresses and host names stable pseudonyms; the analyzer runs the redactor on every
//! piece of log text it puts into a finding. [`report::markdown`] writes the incident report of
//! `logsieve analyze`.
//!
//! ```
//! use logsieve_engine::{pipeline::parse_all, ParseOptions};
//! use logsieve_findings::Analyzer;
//!
//! let log = b"2024-03-05 03:00:35.112 ERROR 1 --- [exec-1] c.a.Db : java.net.SocketException: Too many open files\n";
//! let mut analyzer = Analyzer::new();
//! parse_all(log, ParseOptions::with_year(2024), |ev| analyzer.observe(ev, None));
//! let findings = analyzer.finish(&|_| None);
//! assert_eq!(findings[0].kind, "fd_exhaustion");
//! ```
//!
//! The crate is a plain library without I/O: it builds for wasm32 and runs in the page's worker.

mod advice;
pub mod analyzer;
mod build;
pub mod burst;
mod crash;
pub mod kinds;
pub mod pii;
mod pii_email;
mod pii_ids;
mod query;
pub mod redact;
pub mod report;
pub mod secrets;
mod secrets_shape;
pub mod security;
pub mod stack;
mod suspects;
pub mod text;
pub mod work;

pub use analyzer::Analyzer;
pub use burst::{Incident, Precursor};
pub use logsieve_engine::{Evidence, Finding, Queries, Severity};
pub use redact::{LineRedactor, Pseudonymizer, Redactor};
pub use secrets::{Class, Hit};

use serde::Serialize;
use std::collections::BTreeMap;

/// Every finding kind this crate emits.
pub const KINDS: &[&str] = &[
    "oom",
    "fd_exhaustion",
    "db_pool_exhausted",
    "thread_pool_exhausted",
    "timeout",
    "connection_refused",
    "deadlock",
    "disk_full",
    "dns_failure",
    "tls_error",
    "crash_loop",
    "error_burst",
    "exception",
    "sql_injection",
    "xss_attempt",
    "path_traversal",
    "command_injection",
    "scanner",
    "auth_failure_burst",
    "secret_exposure",
    "pii_exposure",
];

/// A group of identical stack traces.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceSummary {
    /// Grouping key: language, exception classes, top application frames (redacted).
    pub signature: String,
    pub lang: &'static str,
    /// Exception classes, outermost first.
    pub classes: Vec<String>,
    /// The deepest exception with its message (redacted).
    pub root_cause: String,
    /// The first application (non-framework) frame.
    pub app_frame: Option<String>,
    pub count: u64,
    pub first_line: u64,
    pub last_line: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Not caught: the process or request died with it.
    pub uncaught: bool,
}

/// What [`Analyzer::finish_analysis`] returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Most severe first, then by first evidence line.
    pub findings: Vec<Finding>,
    /// Redacted text (first line, at most 300 bytes) of up to three evidence lines per finding, by line number.
    pub excerpts: BTreeMap<u64, String>,
    /// Error bursts, in time order.
    pub incidents: Vec<Incident>,
    /// Stack-trace groups, most frequent first (at most 100).
    pub traces: Vec<TraceSummary>,
    /// Events observed, and how many were errors.
    pub events: u64,
    pub errors: u64,
}

impl Analysis {
    /// The Markdown incident report (see [`report::markdown`]).
    pub fn markdown(&self, stats: &logsieve_engine::Stats) -> String {
        report::markdown(stats, &self.findings, &self.excerpts)
    }
}
