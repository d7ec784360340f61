//! The parsing worker's browser glue (wasm32 only): messages in and out, reading the `File` in slices with
//! `FileReaderSync`, the engine's pipeline, the index, and Blobs for the export. The logic that does not need a
//! browser lives in [`crate::view`] and [`crate::index`].
//!
//! While parsing, every event also goes through one `TemplateMiner` (in file order, as `logsieve parse` does), whose
//! provisional id is kept in the event's index record; at the end the miner's final map and the per-template
//! histograms are kept with the index ([`crate::templates::Templates`]).
//!
//! The worker's wasm memory holds the index (32 bytes per event) and the templates, never the file. For gzip input the decoded text
//! is kept as a Blob (browser-managed memory, which Chromium pages to disk when large), built from 4 MiB parts
//! while parsing: File offsets do not map to decoded offsets, so rows, search and details re-read that Blob.

use crate::index::EventIndex;
use crate::protocol::{Findings, Request, Response, Summary, PAGE_ROWS, PAGE_TEMPLATES};
use crate::stage::{skipped, Fault, FaultKind, Skip, Stage};
use crate::templates::Templates;
use crate::view::{NdjsonExport, Query, Session, Source};
use crate::SLICE_BYTES;
use js_sys::{Array, Object, Reflect, Uint8Array};
use logsieve_engine::decode::Decoder;
use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{FormatId, ParseOptions, Pipeline};
use std::cell::{Cell, RefCell};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent,
};

/// Files up to this size are read whole after the parse to check for Kubernetes input (manifests, kubectl output).
const K8S_MAX_BYTES: u64 = 16 << 20;
/// How much of the file's start `logsieve_k8s::detect` looks at (as `logsieve analyze`).
const K8S_SNIFF_BYTES: u64 = 256 << 10;

/// Progress messages at most this often.
const PROGRESS_MS: f64 = 100.0;

struct Open {
    name: String,
    /// The file as dropped (what the export re-reads).
    file: File,
    /// Where the decoded bytes are: the file itself, or the decoded Blob of a gzip file.
    source: BlobSource,
    /// The file is plain text (not gzip): its byte offsets are the index's, so a range pass may start mid-file.
    plain: bool,
    session: Session,
    /// The current view: event numbers, or `None` for all.
    view: Option<Vec<u32>>,
    view_generation: u32,
    /// The stats and the analysis, for "Ask an LLM"'s digest and the Markdown report (set with the findings).
    kept: Option<crate::llm::Kept>,
    /// The names the model gave templates' variables (see [`crate::model_fields`]).
    model_fields: crate::model_fields::ModelFields,
}

thread_local! {
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
}

/// Starts the worker: installs the panic hook and the message handler, and says `Ready`.
pub fn start() {
    // A panic traps the whole wasm instance (panic = abort): before it does, log it as usual and tell the page in
    // which stage it happened, so that the page can offer to parse again without it.
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let stage = STAGE.with(|s| s.get());
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        let message = match info.location() {
            Some(l) => format!("{payload} (at {}:{})", l.file(), l.line()),
            None => payload,
        };
        post(&Response::Crashed { stage, message }, None);
    }));
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&Response::Ready, None);
}

pub(crate) fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now_ms() -> f64 {
    scope()
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Posts `{ json, blob? }` to the page (also the charts pass's answers).
pub(crate) fn post(resp: &Response, blob: Option<&Blob>) {
    let msg = Object::new();
    let json = serde_json::to_string(resp).unwrap_or_default();
    let _ = Reflect::set(&msg, &"json".into(), &json.into());
    if let Some(b) = blob {
        let _ = Reflect::set(&msg, &"blob".into(), b);
    }
    let _ = scope().post_message(&msg);
}

pub(crate) fn js_err(e: JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

fn on_message(ev: MessageEvent) {
    let data = ev.data();
    let json = Reflect::get(&data, &"json".into())
        .ok()
        .and_then(|v| v.as_string());
    let req: Request = match json.as_deref().map(serde_json::from_str) {
        Some(Ok(r)) => r,
        _ => {
            post(
                &Response::Error {
                    message: "the worker got a message it does not understand".into(),
                },
                None,
            );
            return;
        }
    };
    match req {
        Request::Open { name, skip, fault } => {
            let file = Reflect::get(&data, &"file".into())
                .ok()
                .and_then(|f| f.dyn_into::<File>().ok());
            match file {
                Some(f) => open(name, f, skip, fault),
                None => post(
                    &Response::Error {
                        message: "no file came with the request".into(),
                    },
                    None,
                ),
            }
        }
        Request::Query {
            generation,
            levels,
            search,
            template,
        } => with_open(|o| query(o, generation, &levels, &search, template)),
        Request::Rows {
            generation,
            start,
            count,
        } => with_open(|o| rows(o, generation, start, count)),
        Request::Detail { event } => with_open(|o| {
            let mut d = o.session.detail(&o.source, event)?;
            add_model_fields(o, &mut d);
            post(&Response::Detail { detail: d }, None);
            Ok(())
        }),
        Request::Export => with_open(export),
        Request::Locate { line } => with_open(|o| {
            let event = o.session.index.event_of_line(line);
            post(&Response::Located { line, event }, None);
            Ok(())
        }),
        Request::Digest { budget } => with_open(|o| {
            let kept = o.kept.as_ref().ok_or("the analysis is not finished")?;
            let digest = kept.digest(&o.name, &o.session.templates, budget);
            post(&Response::Digest { digest }, None);
            Ok(())
        }),
        Request::Report => with_open(|o| {
            let kept = o.kept.as_ref().ok_or("the analysis is not finished")?;
            let file_name = crate::llm::report_file_name(&o.name);
            let markdown = kept.report();
            post(
                &Response::Report {
                    file_name,
                    markdown,
                },
                None,
            );
            Ok(())
        }),
        Request::Range { generation, range } => with_open(|o| {
            crate::charts_worker::select(generation, range, o.file.clone(), o.plain, with_session);
            Ok(())
        }),
        Request::ModelTemplates => with_open(|o| {
            let templates =
                crate::model_fields::model_templates(&o.session.templates, &o.session.index);
            post(&Response::ModelTemplates { templates }, None);
            Ok(())
        }),
        Request::ModelFields {
            id,
            template,
            names,
        } => with_open(|o| {
            o.model_fields.set(id, template, names);
            Ok(())
        }),
        Request::Templates { start, count } => with_open(|o| {
            let templates = o.session.templates.rows(start, count);
            post(&Response::Templates { start, templates }, None);
            Ok(())
        }),
    }
}

/// Runs `f` on the open file's session (the charts' passes read it between their awaits).
fn with_session(f: &mut dyn FnMut(&Session)) {
    OPEN.with(|o| {
        if let Some(open) = o.borrow().as_ref() {
            f(&open.session)
        }
    });
}

fn with_open(f: impl FnOnce(&mut Open) -> Result<(), String>) {
    let res = OPEN.with(|o| match o.borrow_mut().as_mut() {
        Some(open) => f(open),
        None => Err("no file is open".into()),
    });
    if let Err(message) = res {
        post(&Response::Error { message }, None);
    }
}

/// Reads `blob[start..end]` into `buf`.
pub(crate) fn read_into(
    reader: &FileReaderSync,
    blob: &Blob,
    start: u64,
    end: u64,
    buf: &mut Vec<u8>,
) -> Result<(), String> {
    let part = blob
        .slice_with_f64_and_f64(start as f64, end as f64)
        .map_err(js_err)?;
    let ab = reader.read_as_array_buffer(&part).map_err(js_err)?;
    let arr = Uint8Array::new(&ab);
    buf.resize(arr.length() as usize, 0);
    arr.copy_to(buf);
    Ok(())
}

/// A Blob (the File, or decoded gzip text) read back with `FileReaderSync`.
struct BlobSource {
    blob: Blob,
    reader: FileReaderSync,
}

impl Source for BlobSource {
    fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        let mut buf = Vec::new();
        read_into(&self.reader, &self.blob, start, end, &mut buf)?;
        Ok(buf)
    }
}

fn u8_part(bytes: &[u8]) -> Uint8Array {
    let a = Uint8Array::new_with_length(bytes.len() as u32);
    a.copy_from(bytes);
    a
}

/// Collects decoded gzip text into a Blob, in parts.
struct DecodedBlob {
    decoder: Decoder,
    pending: Vec<u8>,
    parts: Array,
}

impl DecodedBlob {
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let arr = Array::of1(&u8_part(&self.pending));
        if let Ok(b) = Blob::new_with_u8_array_sequence(&arr) {
            self.parts.push(&b);
        }
        self.pending.clear();
    }
    fn feed(&mut self, chunk: &[u8]) {
        let DecodedBlob {
            decoder, pending, ..
        } = self;
        let mut full = false;
        let _ = decoder.feed(chunk, &mut |b| {
            pending.extend_from_slice(b);
            full |= pending.len() >= SLICE_BYTES as usize;
        });
        if full {
            self.flush();
        }
    }
    fn finish(mut self) -> Result<Blob, String> {
        let DecodedBlob {
            decoder, pending, ..
        } = &mut self;
        let _ = decoder.finish(&mut |b| pending.extend_from_slice(b));
        self.flush();
        Blob::new_with_blob_sequence(&self.parts).map_err(js_err)
    }
}

fn current_year() -> i32 {
    js_sys::Date::new_0().get_utc_full_year() as i32
}

/// Where the worker is (for the panic hook), and what the current parse leaves out or (tests only) breaks.
struct Plan {
    skip: Vec<Skip>,
    fault: Option<Fault>,
}

thread_local! {
    /// The stage the worker is in: set around every stage's work, per event during the pass (a `Cell` write, so
    /// the hot loop stays cheap), read by the panic hook.
    static STAGE: Cell<Stage> = const { Cell::new(Stage::Parse) };
}

fn set_stage(stage: Stage) {
    STAGE.with(|s| s.set(stage));
}

impl Plan {
    fn runs(&self, stage: Stage) -> bool {
        skipped(&self.skip, stage).is_none()
    }

    /// What the panel of a left-out stage says, if `stage` is left out.
    fn skip_note(&self, stage: Stage) -> Option<String> {
        skipped(&self.skip, stage).map(|s| {
            format!(
                "{} did not run: left out on a retry after: {}.",
                stage.panel_name(),
                s.reason.trim_end_matches('.')
            )
        })
    }

    /// Enters a stage after the pass: tells the page (a progress message with the stage), and springs the test
    /// fault when it is this stage's.
    fn begin(&self, stage: Stage, beat: &Beat) {
        set_stage(stage);
        beat.post(stage);
        if let Some(f) = self.fault.filter(|f| f.stage == stage) {
            spring(f);
        }
    }
}

/// The test fault (see [`crate::stage`]): a panic, or a worker that stops answering (for ten minutes, long past
/// the page's stall timeout; the page's Cancel terminates it sooner).
fn spring(fault: Fault) {
    match fault.kind {
        FaultKind::Panic => panic!(
            "injected fault: a panic in the {} stage (test switch ?fault=panic:{})",
            fault.stage.as_str(),
            fault.stage.as_str()
        ),
        FaultKind::Stall => {
            let until = now_ms() + 600_000.0;
            while now_ms() < until {
                std::hint::spin_loop();
            }
        }
    }
}

/// The parse's progress messages: the bytes done, the events, and when the last message went out.
struct Beat {
    started: f64,
    total: u64,
    at: Cell<u64>,
    events: Cell<u64>,
    last: Cell<f64>,
}

impl Beat {
    fn post(&self, stage: Stage) {
        let now = now_ms();
        self.last.set(now);
        post(
            &Response::Progress {
                bytes_done: self.at.get(),
                bytes_total: self.total,
                events: self.events.get(),
                elapsed_ms: now - self.started,
                stage,
            },
            None,
        );
    }

    /// Posts progress if the last message is at least `ms` old.
    fn post_every(&self, ms: f64, stage: Stage) {
        if now_ms() - self.last.get() >= ms {
            self.post(stage);
        }
    }
}

/// Checks the clock every this many events of a slice, to send a heartbeat when a slice is slow.
const BEAT_EVENTS: u64 = 4096;
/// A heartbeat at least this often while the pass runs (the page calls a worker silent for 10 s stalled).
const BEAT_MS: f64 = 1000.0;

fn open(name: String, file: File, skip: Vec<Skip>, fault: Option<Fault>) {
    // Drop the previous session first: its index may be large.
    OPEN.with(|o| o.borrow_mut().take());
    let plan = Plan { skip, fault };
    let started = now_ms();
    let year = current_year();
    let total = file.size() as u64;
    let beat = Beat {
        started,
        total,
        at: Cell::new(0),
        events: Cell::new(0),
        last: Cell::new(started),
    };
    set_stage(Stage::Read);
    beat.post(Stage::Read);
    let reader = match FileReaderSync::new() {
        Ok(r) => r,
        Err(e) => {
            let message = format!("this browser cannot read files in a worker: {}", js_err(e));
            post(&Response::Error { message }, None);
            return;
        }
    };
    let mut pipeline = Pipeline::new(ParseOptions::with_year(year));
    let mut index = EventIndex::new();
    let mut miner = TemplateMiner::new();
    let mut analyzer = logsieve_findings::Analyzer::new();
    let mut series = crate::charts_worker::SeriesTap::new();
    let (findings_on, charts_on) = (plan.runs(Stage::Findings), plan.runs(Stage::Charts));
    let mut on_event = |ev: &logsieve_engine::Event<'_>| {
        set_stage(Stage::Templates);
        let id = miner.observe_event(ev);
        if findings_on {
            set_stage(Stage::Findings);
            analyzer.observe(ev, Some(id.0));
        }
        if charts_on {
            set_stage(Stage::Charts);
            series.observe(ev, id.0);
        }
        set_stage(Stage::Parse);
        index.push(ev, id.0);
        let n = beat.events.get() + 1;
        beat.events.set(n);
        if n.is_multiple_of(BEAT_EVENTS) {
            beat.post_every(BEAT_MS, Stage::Parse);
        }
    };
    let mut buf = Vec::with_capacity(SLICE_BYTES as usize);
    let mut decoded: Option<DecodedBlob> = None;
    let mut engine_error = None;
    let mut read_error = None;
    let mut at = 0u64;
    while at < total {
        let end = (at + SLICE_BYTES).min(total);
        set_stage(Stage::Read);
        if let Err(e) = read_into(&reader, &file, at, end, &mut buf) {
            read_error = Some(format!("reading the file failed at byte {at}: {e}"));
            break;
        }
        if at == 0 && buf.len() >= 2 && buf[..2] == [0x1f, 0x8b] {
            decoded = Some(DecodedBlob {
                decoder: Decoder::new(),
                pending: Vec::with_capacity(SLICE_BYTES as usize + (256 << 10)),
                parts: Array::new(),
            });
        }
        if let Some(d) = decoded.as_mut() {
            d.feed(&buf);
        }
        set_stage(Stage::Parse);
        let res = pipeline.feed(&buf, &mut on_event);
        at = end;
        beat.at.set(at);
        if let Err(e) = res {
            engine_error = Some(e.to_string());
            break;
        }
        beat.post_every(PROGRESS_MS, Stage::Parse);
    }
    set_stage(Stage::Parse);
    if let Err(e) = pipeline.finish(&mut on_event) {
        engine_error.get_or_insert(e.to_string());
    }
    plan.begin(Stage::Templates, &beat);
    let map = miner.finish();
    let templates = Templates::build(map, &index);
    let stats = pipeline.stats().clone();
    let file_format = FormatId::KNOWN
        .iter()
        .copied()
        .find(|f| f.as_str() == stats.file_format)
        .unwrap_or_default();
    set_stage(Stage::Read);
    let source_blob: Blob = match decoded {
        Some(d) => match d.finish() {
            Ok(b) => b,
            Err(e) => {
                read_error.get_or_insert(format!("keeping the decoded text failed: {e}"));
                file.clone().into()
            }
        },
        None => file.clone().into(),
    };
    let mut summary = Summary::from_stats(&name, &stats, engine_error, now_ms() - started);
    summary.wasm_memory_bytes = wasm_memory_bytes();
    summary.templates = templates.len() as u64;
    summary.template_axis = templates.axis().clone();
    if read_error.is_some() {
        // The engine counted only what it was given; the file's size is what the user dropped.
        summary.error = read_error.clone();
    }
    let source = BlobSource {
        blob: source_blob,
        reader,
    };
    OPEN.with(|o| {
        *o.borrow_mut() = Some(Open {
            name,
            file,
            source,
            plain: !summary.gzip,
            session: Session {
                index,
                file_format,
                year,
                templates,
            },
            view: None,
            view_generation: 0,
            kept: None,
            model_fields: Default::default(),
        })
    });
    // What was parsed goes to the page before the analyses run: if one of them kills the worker, the page still
    // has the summary and the first rows and templates.
    post(
        &Response::Parsed {
            summary: summary.clone(),
        },
        None,
    );
    with_open(|o| {
        rows(o, 0, 0, PAGE_ROWS)?;
        let templates = o.session.templates.rows(0, PAGE_TEMPLATES);
        post(
            &Response::Templates {
                start: 0,
                templates,
            },
            None,
        );
        Ok(())
    });
    let gzip = summary.gzip;
    let failed = read_error.is_some();
    let analysis = if findings_on {
        plan.begin(Stage::Findings, &beat);
        // The miner's final map is the templates list's now.
        analyzer.finish_analysis(&|id| {
            OPEN.with(|o| {
                let o = o.borrow();
                let map = o.as_ref()?.session.templates.map();
                map.get(logsieve_engine::template::TemplateId(id))
                    .map(|t| t.template.clone())
            })
        })
    } else {
        logsieve_findings::Analyzer::new().finish_analysis(&|_| None)
    };
    let mut findings = Findings {
        findings: analysis.findings.clone(),
        excerpts: analysis
            .excerpts
            .iter()
            .map(|(l, t)| (*l, t.clone()))
            .collect(),
        k8s_input: None,
        k8s_note: None,
        skipped: plan.skip_note(Stage::Findings),
    };
    if !failed && !gzip && total > 0 {
        match plan.skip_note(Stage::K8s) {
            Some(note) => findings.k8s_note = Some(note),
            None => {
                plan.begin(Stage::K8s, &beat);
                k8s_audit(&mut findings, total);
            }
        }
    }
    let kept = findings.clone();
    let for_llm = crate::llm::Kept::new(stats, analysis, &findings.findings);
    OPEN.with(|o| {
        if let Some(open) = o.borrow_mut().as_mut() {
            open.kept = Some(for_llm);
        }
    });
    post(&Response::Findings { findings }, None);
    summary.elapsed_ms = now_ms() - started;
    match read_error {
        Some(message) => post(&Response::Failed { message, summary }, None),
        None => post(&Response::Done { summary }, None),
    }
    // The charts after the findings: for an access log they wait for the geo database.
    let charts_note = plan.skip_note(Stage::Charts);
    if charts_note.is_none() {
        plan.begin(Stage::Charts, &beat);
    }
    series.finish(kept, with_session, charts_note);
    // Later work (queries, the geo fetch's charts) is on the parsed events.
    set_stage(Stage::Parse);
}

/// Adds the Kubernetes audit's findings when the open file (small enough) is manifests or kubectl output, and
/// orders all findings as `logsieve analyze` does: most severe first, then by first evidence line.
fn k8s_audit(findings: &mut Findings, total: u64) {
    if total > K8S_MAX_BYTES {
        return;
    }
    let read = |end: u64| -> Result<Vec<u8>, String> {
        OPEN.with(|o| match o.borrow().as_ref() {
            Some(open) => open.source.read(0, end),
            None => Err("no file is open".into()),
        })
    };
    let Ok(head) = read(total.min(K8S_SNIFF_BYTES)) else {
        return;
    };
    if logsieve_k8s::detect(&String::from_utf8_lossy(&head)).is_none() {
        return;
    }
    let text = match read(total).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            findings.k8s_note = Some("the file is not UTF-8 text".into());
            return;
        }
        Err(e) => {
            findings.k8s_note = Some(e);
            return;
        }
    };
    match logsieve_k8s::audit(&text) {
        Ok(a) => {
            findings.k8s_input = Some(a.input.as_str().to_string());
            if a.findings.is_empty() {
                return;
            }
            findings.findings.extend(a.findings);
            let first = |f: &logsieve_engine::Finding| {
                f.evidence.lines.first().copied().unwrap_or(u64::MAX)
            };
            findings
                .findings
                .sort_by(|a, b| b.severity.cmp(&a.severity).then(first(a).cmp(&first(b))));
        }
        Err(e) => findings.k8s_note = Some(format!("the Kubernetes audit failed: {e}")),
    }
}

fn query(
    o: &mut Open,
    generation: u32,
    levels: &[String],
    search: &str,
    template: Option<u32>,
) -> Result<(), String> {
    let started = now_ms();
    let q = Query::new(levels, search).with_template(&o.session.templates, template);
    let view = o.session.filter(&o.source, &q, &mut |_| {})?;
    let view = crate::charts_worker::restrict_view(&o.session.index, view);
    o.view = view;
    o.view_generation = generation;
    let count = o
        .view
        .as_ref()
        .map(|v| v.len() as u64)
        .unwrap_or(o.session.index.len());
    post(
        &Response::View {
            generation,
            count,
            elapsed_ms: now_ms() - started,
        },
        None,
    );
    Ok(())
}

fn rows(o: &mut Open, generation: u32, start: u64, count: u32) -> Result<(), String> {
    if generation != o.view_generation {
        // A newer query replaced this view; the UI ignores the answer anyway.
        return Ok(());
    }
    let len = o
        .view
        .as_ref()
        .map(|v| v.len() as u64)
        .unwrap_or(o.session.index.len());
    let end = (start + count as u64).min(len);
    let events: Vec<u64> = (start.min(end)..end)
        .map(|p| match &o.view {
            Some(v) => v[p as usize] as u64,
            None => p,
        })
        .collect();
    let rows = o.session.rows(&o.source, &events)?;
    let fields: Vec<(u64, Vec<(String, String)>)> = if o.model_fields.is_empty() {
        Vec::new()
    } else {
        rows.iter()
            .map(|r| (r.event, o.model_fields.fields_of(r.template_id, &r.message)))
            .filter(|(_, f)| !f.is_empty())
            .collect()
    };
    post(
        &Response::Rows {
            generation,
            start,
            rows,
        },
        None,
    );
    if !fields.is_empty() {
        post(
            &Response::RowFields {
                generation,
                start,
                fields,
            },
            None,
        );
    }
    Ok(())
}

/// Adds the model's fields of the event to its detail: `fields.NAME` entries and the NDJSON line's `fields`.
fn add_model_fields(o: &Open, d: &mut crate::protocol::Detail) {
    if o.model_fields.is_empty() {
        return;
    }
    let id = d
        .fields
        .iter()
        .find(|(k, _)| k == "template_id")
        .and_then(|(_, v)| v.parse().ok());
    let fields = o.model_fields.fields_of(id, &d.message);
    if fields.is_empty() {
        return;
    }
    d.ndjson.push('\n');
    logsieve_engine::ndjson::push_fields(&mut d.ndjson, &fields);
    d.ndjson.pop();
    d.fields
        .extend(fields.into_iter().map(|(k, v)| (format!("fields.{k}"), v)));
}

fn export(o: &mut Open) -> Result<(), String> {
    let total = o.file.size() as u64;
    let mut ex = NdjsonExport::new(&o.session);
    let parts = Array::new();
    let mut buf = Vec::with_capacity(SLICE_BYTES as usize);
    let mut at = 0u64;
    let mut last_progress = now_ms();
    let model_fields = &o.model_fields;
    let mut push = |p: &[u8]| match model_fields.add_to_part(p) {
        Some(with_fields) => {
            parts.push(&u8_part(&with_fields));
        }
        None => {
            parts.push(&u8_part(p));
        }
    };
    while at < total {
        let end = (at + SLICE_BYTES).min(total);
        read_into(&o.source.reader, &o.file, at, end, &mut buf)?;
        at = end;
        if ex.feed(&buf, &mut push).is_err() {
            break;
        }
        let now = now_ms();
        if now - last_progress >= PROGRESS_MS {
            last_progress = now;
            post(
                &Response::ExportProgress {
                    bytes_done: at,
                    bytes_total: total,
                },
                None,
            );
        }
    }
    // A truncated gzip ends with an error here as in the CLI: what was read is exported.
    let _ = ex.finish(&mut push);
    if let Some(m) = ex.mismatch.take() {
        return Err(format!("the export stopped: {m}"));
    }
    let opts = BlobPropertyBag::new();
    opts.set_type("application/x-ndjson");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(js_err)?;
    post(
        &Response::ExportReady {
            file_name: format!("logsieve-{}.ndjson", o.name),
            // The Blob's size: the model's `fields` (when any) were added after the export counted its bytes.
            bytes: blob.size() as u64,
            events: ex.events,
        },
        Some(&blob),
    );
    Ok(())
}

/// The worker's linear memory size: what the page's memory figure reports (the index grows it; file text does not).
fn wasm_memory_bytes() -> u64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map(|b| b.byte_length() as u64)
                .unwrap_or(0)
        })
        .unwrap_or(0)
}
