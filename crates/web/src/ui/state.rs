//! The page's state, in signals, and what each worker answer does to it. No DOM here but the download link.

use super::client;
use leptos::prelude::*;
use logsieve_web::protocol::{Detail, Findings, Request, Response, Row, Summary, TemplateRow};
use logsieve_web::stage::{Fault, Skip, Stage};
use std::collections::{HashMap, HashSet};
use wasm_bindgen::JsCast;
use web_sys::{Blob, File};

/// Where the page is; `data-state` of the status element.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Idle,
    /// The worker works on the file (`stalled`: it has sent nothing for [`STALL_MS`]).
    Running(Running),
    Done(Summary),
    /// `summary`: what was read before the error (kept and browsable), if anything. `stage`: the stage that
    /// failed (or was cancelled), when known: the page offers to parse again without it.
    Error {
        message: String,
        summary: Option<Summary>,
        stage: Option<Stage>,
    },
}

/// A parse in progress, as its latest progress message left it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Running {
    pub name: String,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub events: u64,
    pub elapsed_ms: f64,
    /// The stage the worker said it is in.
    pub stage: Stage,
    /// No message from the worker for [`STALL_MS`].
    pub stalled: bool,
    /// What the pass produced (`Response::Parsed`), once it is over: the table and the templates can be used
    /// while the analyses run.
    pub parsed: Option<Summary>,
}

/// A running worker that sends nothing for this long is shown as stalled (it sends a heartbeat every second).
pub const STALL_MS: f64 = 10_000.0;

impl Phase {
    pub fn state(&self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running(r) if r.stalled => "stalled",
            Phase::Running(_) => "running",
            Phase::Done(_) => "done",
            Phase::Error { .. } => "error",
        }
    }
    pub fn summary(&self) -> Option<&Summary> {
        match self {
            Phase::Done(s) => Some(s),
            Phase::Running(r) => r.parsed.as_ref(),
            Phase::Error { summary, .. } => summary.as_ref(),
            _ => None,
        }
    }
    /// The stage the worker is in, or the one that failed.
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Phase::Running(r) => Some(r.stage),
            Phase::Error { stage, .. } => *stage,
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExportState {
    Idle,
    Running {
        bytes_done: u64,
        bytes_total: u64,
    },
    Ready {
        file_name: String,
        bytes: u64,
        events: u64,
    },
    Failed(String),
}

/// Rows fetched per request, and how many cached rows are kept around the visible ones.
pub const PAGE_ROWS: u64 = logsieve_web::protocol::PAGE_ROWS as u64;
const MAX_CACHED_ROWS: usize = 20_000;
/// Templates fetched per request (they are all kept once fetched: at most ~16.5 k per file).
pub use logsieve_web::protocol::PAGE_TEMPLATES;

/// The tab shown under the toolbar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Events,
    Templates,
    Findings,
}

/// The template the table is filtered to.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateFilter {
    pub id: u32,
    pub template: String,
    pub count: u64,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub phase: RwSignal<Phase>,
    /// The view the table shows: its generation (bumped by each query) and its size (`None` while computing).
    pub view_generation: RwSignal<u32>,
    pub view_count: RwSignal<Option<u64>>,
    pub view_ms: RwSignal<Option<f64>>,
    /// Cached rows of the current view, by position in it.
    pub rows: RwSignal<HashMap<u64, Row>>,
    /// Pages of rows asked for and not yet answered.
    pub in_flight: StoredValue<HashSet<u64>>,
    /// Checked levels (all of the file's by default) and the search text.
    pub levels: RwSignal<Vec<String>>,
    pub search: RwSignal<String>,
    pub selected: RwSignal<Option<u64>>,
    pub detail: RwSignal<Option<Detail>>,
    pub export: RwSignal<ExportState>,
    /// A passing message (a failed request, ...).
    pub notice: RwSignal<Option<String>>,
    /// The table's first visible row, for the row cache's pruning.
    pub first_visible: RwSignal<u64>,
    pub tab: RwSignal<Tab>,
    /// The template filter (with the level filter and the search), if any.
    pub template_filter: RwSignal<Option<TemplateFilter>>,
    /// Fetched rows of the templates list, by rank.
    pub templates: RwSignal<HashMap<u32, TemplateRow>>,
    /// Pages of templates asked for and not yet answered.
    pub templates_in_flight: StoredValue<HashSet<u32>>,
    /// The file's findings, once the worker sent them (`None` while computing).
    pub findings: RwSignal<Option<Findings>>,
    /// An evidence line asked for (the filters are being cleared and the event looked up).
    pub jump_line: StoredValue<Option<u64>>,
    /// The event to scroll the (unfiltered) table to and select, once located.
    pub jump_event: RwSignal<Option<u64>>,
    /// The charts and the selected time range.
    pub charts: super::charts::ChartsState,
    /// "Ask an LLM": settings, preview, answer, and the Markdown report.
    pub llm: super::llm::LlmState,
    /// The file being parsed (or last parsed), for a retry without a failed stage.
    pub file: StoredValue<Option<File>, LocalStorage>,
    /// The stages the current parse leaves out, and why.
    pub skip: RwSignal<Vec<Skip>>,
    /// When the worker last sent anything (`performance.now()`), for the stall watch.
    pub last_heard: StoredValue<f64>,
}

impl AppState {
    pub fn new() -> AppState {
        AppState {
            phase: RwSignal::new(Phase::Idle),
            view_generation: RwSignal::new(0),
            view_count: RwSignal::new(None),
            view_ms: RwSignal::new(None),
            rows: RwSignal::new(HashMap::new()),
            in_flight: StoredValue::new(HashSet::new()),
            levels: RwSignal::new(Vec::new()),
            search: RwSignal::new(String::new()),
            selected: RwSignal::new(None),
            detail: RwSignal::new(None),
            export: RwSignal::new(ExportState::Idle),
            notice: RwSignal::new(None),
            first_visible: RwSignal::new(0),
            tab: RwSignal::new(Tab::Events),
            template_filter: RwSignal::new(None),
            templates: RwSignal::new(HashMap::new()),
            templates_in_flight: StoredValue::new(HashSet::new()),
            findings: RwSignal::new(None),
            jump_line: StoredValue::new(None),
            jump_event: RwSignal::new(None),
            charts: super::charts::ChartsState::new(),
            llm: super::llm::LlmState::new(),
            file: StoredValue::new_local(None),
            skip: RwSignal::new(Vec::new()),
            last_heard: StoredValue::new(0.0),
        }
    }

    /// Starts parsing a file in a fresh worker.
    pub fn open(self, file: File) {
        self.start(file, Vec::new(), None);
    }

    /// Parses the file again in a fresh worker, leaving out `stage` (which failed: `reason`) and the stages left
    /// out before. What was parsed stays on the page until the new parse replaces it.
    pub fn retry_without(self, stage: Stage, reason: String) {
        let Some(file) = self.file.get_value() else {
            return;
        };
        let mut skip = self.skip.get_untracked();
        skip.retain(|s| s.stage != stage);
        skip.push(Skip { stage, reason });
        let kept = self.phase.with_untracked(|p| p.summary().cloned());
        self.start(file, skip, kept);
    }

    /// Stops the worker (the Cancel button of a stalled or long parse): the page shows `error` with "cancelled"
    /// and the stage it was in, keeps what was parsed, and offers a retry without that stage when it can be left
    /// out.
    pub fn cancel(self) {
        let Some(r) = self.phase.with_untracked(|p| match p {
            Phase::Running(r) => Some(r.clone()),
            _ => None,
        }) else {
            return;
        };
        client::stop();
        let silent = (now_ms() - self.last_heard.get_value()) / 1000.0;
        self.phase.set(Phase::Error {
            message: format!(
                "cancelled in the {} stage (no word from the worker for {silent:.0} s)",
                r.stage.as_str()
            ),
            summary: r.parsed,
            stage: Some(r.stage),
        });
    }

    /// A message came from the worker: it is alive (a stalled parse is running again).
    fn heard(self) {
        self.last_heard.set_value(now_ms());
        if self
            .phase
            .with_untracked(|p| matches!(p, Phase::Running(r) if r.stalled))
        {
            self.phase.update(|p| {
                if let Phase::Running(r) = p {
                    r.stalled = false;
                }
            });
        }
    }

    /// The stall watch (four times a second): a running parse whose worker said nothing for [`STALL_MS`] is stalled.
    pub fn check_stall(self) {
        let quiet = now_ms() - self.last_heard.get_value() >= STALL_MS;
        if quiet
            && self
                .phase
                .with_untracked(|p| matches!(p, Phase::Running(r) if !r.stalled))
        {
            self.phase.update(|p| {
                if let Phase::Running(r) = p {
                    r.stalled = true;
                }
            });
        }
    }

    /// Starts a parse in a fresh worker. `kept`: the summary of an earlier parse of the same file, shown (with its
    /// cached rows and templates) until this one's pass is over.
    fn start(self, file: File, skip: Vec<Skip>, kept: Option<Summary>) {
        let name = file.name();
        let total = file.size() as u64;
        client::restart();
        self.last_heard.set_value(now_ms());
        self.file.set_value(Some(file.clone()));
        self.skip.set(skip.clone());
        let retry = kept.is_some();
        self.phase.set(Phase::Running(Running {
            name: name.clone(),
            bytes_total: total,
            parsed: kept,
            ..Running::default()
        }));
        self.findings.set(None);
        self.charts.reset();
        self.llm.reset();
        self.export.set(ExportState::Idle);
        self.notice.set(None);
        // The test-only fault switch: only the page's own URL sets it (see logsieve_web::stage).
        let fault = window()
            .location()
            .search()
            .ok()
            .and_then(|q| Fault::from_query(&q));
        client::send(&Request::Open { name, skip, fault }, Some(&file));
        if retry {
            return;
        }
        super::model::on_new_file();
        self.reset_view(0, None);
        self.levels.set(Vec::new());
        self.search.set(String::new());
        self.selected.set(None);
        self.detail.set(None);
        self.template_filter.set(None);
        self.templates.set(HashMap::new());
        self.templates_in_flight.set_value(HashSet::new());
        self.jump_line.set_value(None);
        self.jump_event.set(None);
    }

    /// Whether the current parse's pass is over (`Response::Parsed` came).
    fn was_parsed(self) -> bool {
        self.phase
            .with_untracked(|p| matches!(p, Phase::Running(r) if r.parsed.is_some()))
    }

    /// The pass is over: the table shows the file's events (all levels checked), the model may start.
    fn on_parsed(self, summary: &Summary) {
        self.levels
            .set(summary.levels.iter().map(|(l, _)| l.clone()).collect());
        self.search.set(String::new());
        self.template_filter.set(None);
        self.selected.set(None);
        self.detail.set(None);
        self.templates.set(HashMap::new());
        self.templates_in_flight.set_value(HashSet::new());
        self.reset_view(0, Some(summary.events));
        super::model::on_parsed();
    }

    fn reset_view(self, generation: u32, count: Option<u64>) {
        self.view_generation.set(generation);
        self.view_count.set(count);
        self.rows.set(HashMap::new());
        self.in_flight.set_value(HashSet::new());
        self.first_visible.set(0);
    }

    /// Sends the current filter (levels and search) to the worker.
    pub fn query(self) {
        let Some(summary) = self.phase.with_untracked(|p| p.summary().cloned()) else {
            return;
        };
        let checked = self.levels.get_untracked();
        let all = summary.levels.iter().all(|(l, _)| checked.contains(l));
        let levels = if all {
            Vec::new()
        } else if checked.is_empty() {
            // Nothing checked: a level no event has.
            vec!["-".to_string()]
        } else {
            checked
        };
        let generation = self.view_generation.get_untracked() + 1;
        self.reset_view(generation, None);
        self.view_ms.set(None);
        client::send(
            &Request::Query {
                generation,
                levels,
                search: self.search.get_untracked(),
                template: self
                    .template_filter
                    .with_untracked(|f| f.as_ref().map(|f| f.id)),
            },
            None,
        );
    }

    /// Asks for the pages of rows that cover `first..first + n` of the view, unless cached or asked for.
    pub fn want_rows(self, first: u64, n: u64) {
        let Some(count) = self.view_count.get_untracked() else {
            return;
        };
        if count == 0 {
            return;
        }
        let generation = self.view_generation.get_untracked();
        let last = (first + n).min(count - 1);
        for page in first / PAGE_ROWS..=last / PAGE_ROWS {
            let start = page * PAGE_ROWS;
            let cached = self.rows.with_untracked(|m| m.contains_key(&start));
            let asked = self.in_flight.with_value(|s| s.contains(&page));
            if cached || asked {
                continue;
            }
            self.in_flight.update_value(|s| {
                s.insert(page);
            });
            client::send(
                &Request::Rows {
                    generation,
                    start,
                    count: PAGE_ROWS as u32,
                },
                None,
            );
        }
    }

    /// Asks for the pages of templates that cover ranks `first..first + n`, unless fetched or asked for.
    pub fn want_templates(self, first: u32, n: u32) {
        let total = self
            .phase
            .with_untracked(|p| p.summary().map(|s| s.templates))
            .unwrap_or(0)
            .min(u32::MAX as u64) as u32;
        if total == 0 {
            return;
        }
        let last = first.saturating_add(n).min(total - 1);
        for page in first / PAGE_TEMPLATES..=last / PAGE_TEMPLATES {
            let start = page * PAGE_TEMPLATES;
            let fetched = self.templates.with_untracked(|m| m.contains_key(&start));
            let asked = self.templates_in_flight.with_value(|s| s.contains(&page));
            if fetched || asked {
                continue;
            }
            self.templates_in_flight.update_value(|s| {
                s.insert(page);
            });
            client::send(
                &Request::Templates {
                    start,
                    count: PAGE_TEMPLATES,
                },
                None,
            );
        }
    }

    /// Filters the table to one template (keeping the levels and the search) and shows it.
    pub fn filter_template(self, t: &TemplateRow) {
        self.template_filter.set(Some(TemplateFilter {
            id: t.id,
            template: t.template.clone(),
            count: t.count,
        }));
        self.tab.set(Tab::Events);
        self.query();
    }

    pub fn clear_template_filter(self) {
        self.template_filter.set(None);
        self.query();
    }

    /// Shows the event holding `line` (a finding's evidence): switches to Events, clears the filters (levels,
    /// search, template), and once the worker located it, scrolls the table to it and selects it.
    pub fn jump_to_line(self, line: u64) {
        let Some(levels) = self
            .phase
            .with_untracked(|p| p.summary().map(|s| s.levels.clone()))
        else {
            return;
        };
        self.levels
            .set(levels.into_iter().map(|(l, _)| l).collect());
        self.search.set(String::new());
        self.template_filter.set(None);
        self.tab.set(Tab::Events);
        self.jump_event.set(None);
        self.jump_line.set_value(Some(line));
        self.query();
        client::send(&Request::Locate { line }, None);
    }

    pub fn select(self, event: u64) {
        self.selected.set(Some(event));
        client::send(&Request::Detail { event }, None);
    }

    pub fn export(self) {
        self.export.set(ExportState::Running {
            bytes_done: 0,
            bytes_total: 0,
        });
        client::send(&Request::Export, None);
    }

    /// What a worker answer does to the page.
    pub fn on_response(self, resp: Response, blob: Option<Blob>) {
        self.heard();
        match resp {
            Response::Ready => {}
            Response::Progress {
                bytes_done,
                bytes_total,
                events,
                elapsed_ms,
                stage,
            } => self.phase.update(|p| {
                if let Phase::Running(r) = p {
                    r.bytes_done = bytes_done;
                    r.bytes_total = bytes_total;
                    r.events = events;
                    r.elapsed_ms = elapsed_ms;
                    r.stage = stage;
                }
            }),
            Response::Parsed { summary } => {
                self.on_parsed(&summary);
                self.phase.update(|p| {
                    if let Phase::Running(r) = p {
                        r.parsed = Some(summary);
                    }
                });
            }
            Response::Done { summary } => {
                if !self.was_parsed() {
                    self.on_parsed(&summary);
                }
                self.phase.set(Phase::Done(summary));
            }
            Response::Failed { message, summary } => {
                if !self.was_parsed() {
                    self.on_parsed(&summary);
                }
                self.phase.set(Phase::Error {
                    message,
                    summary: Some(summary),
                    stage: None,
                });
            }
            Response::Crashed { stage, message } => {
                let summary = self.phase.with_untracked(|p| p.summary().cloned());
                self.phase.set(Phase::Error {
                    message: format!(
                        "the {} stage failed: the worker panicked: {message}",
                        stage.as_str()
                    ),
                    summary,
                    stage: Some(stage),
                });
            }
            Response::View {
                generation,
                count,
                elapsed_ms,
            } => {
                if generation == self.view_generation.get_untracked() {
                    self.view_count.set(Some(count));
                    self.view_ms.set(Some(elapsed_ms));
                }
            }
            Response::Rows {
                generation,
                start,
                rows,
            } => {
                if generation != self.view_generation.get_untracked() {
                    return;
                }
                self.in_flight.update_value(|s| {
                    s.remove(&(start / PAGE_ROWS));
                });
                let first = self.first_visible.get_untracked();
                self.rows.update(|m| {
                    for (k, r) in rows.into_iter().enumerate() {
                        m.insert(start + k as u64, r);
                    }
                    if m.len() > MAX_CACHED_ROWS {
                        let keep = (MAX_CACHED_ROWS / 4) as u64;
                        m.retain(|pos, _| pos.abs_diff(first) < keep);
                    }
                });
            }
            Response::ModelTemplates { templates } => super::model::on_templates(templates),
            Response::RowFields {
                generation, fields, ..
            } => {
                if generation == self.view_generation.get_untracked() {
                    super::model::on_row_fields(fields);
                }
            }
            Response::Templates { start, templates } => {
                self.templates_in_flight.update_value(|s| {
                    s.remove(&(start / PAGE_TEMPLATES));
                });
                self.templates.update(|m| {
                    for t in templates {
                        m.insert(t.rank, t);
                    }
                });
            }
            Response::Findings { findings } => self.findings.set(Some(findings)),
            Response::Charts { generation, charts } => self.charts.on_charts(generation, charts),
            Response::Digest { digest } => self.llm.on_digest(digest),
            Response::Report {
                file_name,
                markdown,
            } => self.llm.on_report(file_name, markdown),
            Response::Located { line, event } => {
                if self.jump_line.get_value() == Some(line) {
                    self.jump_line.set_value(None);
                    match event {
                        Some(ev) => self.jump_event.set(Some(ev)),
                        None => self
                            .notice
                            .set(Some(format!("line {line} is not in the file"))),
                    }
                }
            }
            Response::Detail { detail } => {
                if self.selected.get_untracked() == Some(detail.event) {
                    self.detail.set(Some(detail));
                }
            }
            Response::ExportProgress {
                bytes_done,
                bytes_total,
            } => self.export.set(ExportState::Running {
                bytes_done,
                bytes_total,
            }),
            Response::ExportReady {
                file_name,
                bytes,
                events,
            } => match blob {
                Some(b) => {
                    download(&b, &file_name);
                    self.export.set(ExportState::Ready {
                        file_name,
                        bytes,
                        events,
                    });
                }
                None => self.export.set(ExportState::Failed(
                    "the export came without its data".into(),
                )),
            },
            Response::Error { message } => {
                self.llm.on_worker_error(&message);
                let running = self.phase.with_untracked(|p| match p {
                    Phase::Running(r) => Some(r.clone()),
                    _ => None,
                });
                if let Some(r) = running {
                    // The worker died (a trap) or gave up: say in which stage, and keep what was parsed.
                    self.phase.set(Phase::Error {
                        message: format!("{message} (in the {} stage)", r.stage.as_str()),
                        summary: r.parsed,
                        stage: Some(r.stage),
                    });
                } else {
                    if matches!(self.export.get_untracked(), ExportState::Running { .. }) {
                        self.export.set(ExportState::Failed(message.clone()));
                    }
                    self.in_flight.set_value(HashSet::new());
                    self.templates_in_flight.set_value(HashSet::new());
                    self.notice.set(Some(message));
                }
            }
        }
    }
}

fn now_ms() -> f64 {
    window()
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Saves a Blob as a file: an object URL on a temporary `<a download>`, clicked, then revoked.
pub fn download(blob: &Blob, file_name: &str) {
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    let a = document()
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(a) = a {
        a.set_href(&url);
        a.set_download(file_name);
        let _ = a.set_attribute("hidden", "");
        let _ = document().body().map(|b| b.append_child(&a));
        a.click();
        a.remove();
    }
    // Long enough for the browser to take the download over.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(60),
    );
}
