//! The Model panel: LoGEM names the fields of templates the rules could not, in a worker of its own.
//!
//! Nothing of the model is fetched until the user turns it on: then the model worker (`model-worker_loader.js`,
//! its own wasm with candle) starts, and the model files come from, in this order: files the user picked or
//! dropped on the panel, the copy kept in the origin-private file system (OPFS) by an earlier visit, or
//! `model-assets/model.gguf` and `model-assets/tokenizer.json` next to the page. Files picked or fetched are
//! written to OPFS (`logsieve-model/`) so later visits work offline; the page asks `navigator.storage.persist()`
//! so the browser keeps them, and shows their size, the origin's storage estimate and a Delete button. Without
//! OPFS they go to IndexedDB (`logsieve-model-files`, a Blob per file); without either, they serve this visit only.
//!
//! Once the model is loaded and a file parsed, the parsing worker lists the templates to name (most frequent
//! first, `Request::ModelTemplates`); they go to the model worker one at a time (`ModelRequest::Name`), and each
//! answer goes back to the parsing worker (`Request::ModelFields`), whose rows, details and export then carry the
//! events' `fields`; the visible rows are fetched again so the fields stream into the table. The model worker
//! caches answers in IndexedDB by template hash: a log whose templates were seen before makes no model call.
//! A new file drops the queue; a generation still running for the old file is stopped by terminating the worker
//! and loading the model again in a fresh one (the worker does not yield while it computes).
//!
//! Test hooks: `[data-testid=model-state]` with `data-state` (`off|loading|ready|running|error`),
//! `data-templates-done`, `data-templates-total` (templates sent for the current file), `data-calls` (model calls
//! since the model was turned on; cached answers do not count), `data-named`.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use js_sys::{Array, Object, Promise, Reflect};
use leptos::prelude::*;
use logsieve_model_worker::protocol::{ModelRequest, ModelResponse};
use logsieve_web::protocol::{human_bytes, ModelTemplate, Request};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ErrorEvent, File, MessageEvent};

use super::client;
use super::state::AppState;
use super::worker_link::WorkerLink;

/// The classic worker Trunk builds from crates/model-worker (`data-loader-shim`).
const WORKER_URL: &str = "./model-worker_loader.js";
/// Where the page finds a model served with it.
const ASSETS_MODEL: &str = "model-assets/model.gguf";
const ASSETS_TOKENIZER: &str = "model-assets/tokenizer.json";
/// The OPFS folder and file names. The model is always stored as `model.gguf`, which with its size names it in
/// cache keys (as the CLI's `model-assets/model.gguf`).
const OPFS_DIR: &str = "logsieve-model";
const MODEL_FILE: &str = "model.gguf";
const TOKENIZER_FILE: &str = "tokenizer.json";
/// Where the files go when OPFS is missing: an IndexedDB database with one Blob per file name.
const FILES_DB: &str = "logsieve-model-files";
const FILES_STORE: &str = "files";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelPhase {
    Off,
    Loading,
    Ready,
    Running,
    Error,
}

impl ModelPhase {
    fn as_str(self) -> &'static str {
        match self {
            ModelPhase::Off => "off",
            ModelPhase::Loading => "loading",
            ModelPhase::Ready => "ready",
            ModelPhase::Running => "running",
            ModelPhase::Error => "error",
        }
    }
    fn on(self) -> bool {
        matches!(self, ModelPhase::Ready | ModelPhase::Running)
    }
}

#[derive(Clone, Copy)]
pub struct ModelState {
    app: AppState,
    pub phase: RwSignal<ModelPhase>,
    /// What the panel says (where the model came from, an error).
    pub message: RwSignal<String>,
    pub calls: RwSignal<u64>,
    pub templates_total: RwSignal<u64>,
    pub templates_done: RwSignal<u64>,
    /// Templates of the current file that got at least one name.
    pub named: RwSignal<u64>,
    pub tok_s: RwSignal<f64>,
    /// Size of the stored model and tokenizer, when known.
    pub stored_bytes: RwSignal<Option<u64>>,
    /// `navigator.storage.estimate()`: (usage, quota) bytes.
    pub estimate: RwSignal<Option<(f64, f64)>>,
    pub persisted: RwSignal<Option<bool>>,
    /// The model's fields of the table's rows, by event number.
    pub row_fields: RwSignal<HashMap<u64, Vec<(String, String)>>>,
    /// Files picked or dropped on the panel and not yet used: (model, tokenizer).
    picked: StoredValue<(Option<File>, Option<File>)>,
    file_gen: StoredValue<u32>,
    queue: StoredValue<VecDeque<ModelTemplate>>,
    /// Template texts of the current file's queue, by id (sent back with the names).
    texts: StoredValue<HashMap<u32, String>>,
    busy: StoredValue<bool>,
    /// The loaded model's files, to start a fresh worker when a new file cancels a generation.
    files: StoredValue<Option<(Blob, Blob)>>,
    /// Model calls of the workers stopped since the model was turned on (a worker counts its own).
    calls_base: StoredValue<u64>,
    refresh_pending: StoredValue<bool>,
}

thread_local! {
    static STATE: RefCell<Option<ModelState>> = const { RefCell::new(None) };
    static WORKER: RefCell<Option<WorkerLink>> = const { RefCell::new(None) };
}

fn model_state() -> Option<ModelState> {
    STATE.with(|s| *s.borrow())
}

impl ModelState {
    /// Creates the state and makes it reachable from the parsing worker's answers ([`on_parsed`], ...).
    pub fn install(app: AppState) -> ModelState {
        let st = ModelState {
            app,
            phase: RwSignal::new(ModelPhase::Off),
            message: RwSignal::new(String::new()),
            calls: RwSignal::new(0),
            templates_total: RwSignal::new(0),
            templates_done: RwSignal::new(0),
            named: RwSignal::new(0),
            tok_s: RwSignal::new(0.0),
            stored_bytes: RwSignal::new(None),
            estimate: RwSignal::new(None),
            persisted: RwSignal::new(None),
            row_fields: RwSignal::new(HashMap::new()),
            picked: StoredValue::new((None, None)),
            file_gen: StoredValue::new(0),
            queue: StoredValue::new(VecDeque::new()),
            texts: StoredValue::new(HashMap::new()),
            busy: StoredValue::new(false),
            files: StoredValue::new(None),
            calls_base: StoredValue::new(0),
            refresh_pending: StoredValue::new(false),
        };
        STATE.with(|s| *s.borrow_mut() = Some(st));
        st
    }

    fn fail(self, message: String) {
        stop_worker();
        self.phase.set(ModelPhase::Error);
        self.message.set(message);
    }

    fn turn_on(self) {
        if matches!(
            self.phase.get_untracked(),
            ModelPhase::Loading | ModelPhase::Ready | ModelPhase::Running
        ) {
            return;
        }
        self.phase.set(ModelPhase::Loading);
        self.message.set("Finding the model…".into());
        wasm_bindgen_futures::spawn_local(async move {
            match self.model_files().await {
                Ok((model, tokenizer, from)) => {
                    self.message.set(format!(
                        "Loading {} ({}) from {from}…",
                        MODEL_FILE,
                        human_bytes(model.size() as u64)
                    ));
                    self.stored_bytes
                        .set(Some(model.size() as u64 + tokenizer.size() as u64));
                    self.refresh_storage().await;
                    start_worker(self, &model, &tokenizer);
                    self.files.set_value(Some((model, tokenizer)));
                }
                Err(e) => self.fail(e),
            }
        });
    }

    fn turn_off(self) {
        stop_worker();
        self.phase.set(ModelPhase::Off);
        self.message.set(String::new());
        self.queue.set_value(VecDeque::new());
        self.busy.set_value(false);
        self.templates_total.set(0);
        self.templates_done.set(0);
        self.calls.set(0);
        self.calls_base.set_value(0);
        self.files.set_value(None);
    }

    /// The model and tokenizer to load, and where they came from.
    async fn model_files(self) -> Result<(Blob, Blob, &'static str), String> {
        let dir = FileStore::open().await;
        let (pm, pt) = self.picked.get_value();
        if let (Some(m), Some(t)) = (pm, pt) {
            self.picked.set_value((None, None));
            return Ok(match &dir {
                Some(d) => (
                    d.write(MODEL_FILE, &m).await?,
                    d.write(TOKENIZER_FILE, &t).await?,
                    "the files you chose (now stored in this browser)",
                ),
                None => (m.into(), t.into(), "the files you chose"),
            });
        }
        if let Some(d) = &dir {
            if let (Some(m), Some(t)) = (d.read(MODEL_FILE).await, d.read(TOKENIZER_FILE).await) {
                return Ok((m, t, "this browser's storage"));
            }
        }
        let model = fetch_blob(ASSETS_MODEL).await;
        let tokenizer = fetch_blob(ASSETS_TOKENIZER).await;
        match (model, tokenizer) {
            (Ok(m), Ok(t)) => Ok(match &dir {
                Some(d) => (
                    d.write(MODEL_FILE, &m).await?,
                    d.write(TOKENIZER_FILE, &t).await?,
                    "model-assets/ (now stored in this browser)",
                ),
                None => (m, t, "model-assets/"),
            }),
            (Err(e), _) | (_, Err(e)) => Err(format!(
                "No model yet: choose or drop a GGUF and its tokenizer.json here, or put them in model-assets/ \
                 next to the page ({e})."
            )),
        }
    }

    async fn refresh_storage(self) {
        let storage = window().navigator().storage();
        if self.persisted.get_untracked() != Some(true) {
            if let Ok(p) = storage.persist() {
                if let Ok(v) = JsFuture::from(p).await {
                    self.persisted.set(v.as_bool());
                }
            }
        }
        if let Ok(p) = storage.estimate() {
            if let Ok(est) = JsFuture::from(p).await {
                let num = |k: &str| Reflect::get(&est, &k.into()).ok().and_then(|v| v.as_f64());
                if let (Some(u), Some(q)) = (num("usage"), num("quota")) {
                    self.estimate.set(Some((u, q)));
                }
            }
        }
        if self.stored_bytes.get_untracked().is_none() {
            if let Some(d) = FileStore::open().await {
                if let (Some(m), Some(t)) = (d.read(MODEL_FILE).await, d.read(TOKENIZER_FILE).await)
                {
                    self.stored_bytes
                        .set(Some(m.size() as u64 + t.size() as u64));
                }
            }
        }
    }

    fn delete(self) {
        self.turn_off();
        wasm_bindgen_futures::spawn_local(async move {
            let result = async {
                let root = JsFuture::from(window().navigator().storage().get_directory())
                    .await
                    .map_err(js_err)?;
                let opts = Object::new();
                let _ = Reflect::set(&opts, &"recursive".into(), &true.into());
                call(&root, "removeEntry", &[OPFS_DIR.into(), opts.into()]).await
            }
            .await;
            // The IndexedDB copy, when OPFS was missing at some visit.
            let idb = Reflect::get(&window(), &"indexedDB".into()).unwrap_or(JsValue::UNDEFINED);
            let idb_gone = match call(&idb, "deleteDatabase", &[FILES_DB.into()]).await {
                Ok(req) => request(&req).await.is_ok(),
                Err(_) => false,
            };
            let result = if idb_gone {
                result.or(Ok(JsValue::NULL))
            } else {
                result
            };
            self.stored_bytes.set(None);
            self.message.set(match result {
                Ok(_) => "The stored model was deleted.".into(),
                Err(e) => format!("Nothing deleted: {e}"),
            });
            // The estimate only: looking for stored files would create the store again.
            self.refresh_estimate().await;
        });
    }

    fn on_response(self, resp: ModelResponse) {
        match resp {
            ModelResponse::Ready => WORKER.with(|w| {
                if let Some(link) = w.borrow_mut().as_mut() {
                    link.set_ready();
                }
            }),
            ModelResponse::Loaded {
                weights,
                weight_bytes,
                load_ms,
                cached_answers,
                wasm_memory_bytes,
            } => {
                self.phase.set(ModelPhase::Ready);
                self.message.set(format!(
                    "Ready: {weights}, {} of weights, loaded in {:.1} s; {cached_answers} cached answers; \
                     worker memory {}.",
                    human_bytes(weight_bytes),
                    load_ms / 1000.0,
                    human_bytes(wasm_memory_bytes)
                ));
                if self.app.phase.with_untracked(|p| p.summary().is_some()) {
                    client::send(&Request::ModelTemplates, None);
                }
            }
            ModelResponse::Named {
                file,
                id,
                names,
                calls,
                decode_tok_s,
                ..
            } => {
                self.busy.set_value(false);
                self.calls.set(self.calls_base.get_value() + calls);
                if decode_tok_s > 0.0 {
                    self.tok_s.set(decode_tok_s);
                }
                if file == self.file_gen.get_value() {
                    self.templates_done.update(|n| *n += 1);
                    let useful = names.named() > 0 || !names.constants.is_empty();
                    let template = self.texts.with_value(|t| t.get(&id).cloned());
                    if let (true, Some(template)) = (useful, template) {
                        self.named.update(|n| *n += 1);
                        client::send(
                            &Request::ModelFields {
                                id,
                                template,
                                names,
                            },
                            None,
                        );
                        self.refresh_rows();
                    }
                }
                self.pump();
            }
            ModelResponse::Error { message } => {
                if self.phase.get_untracked() == ModelPhase::Loading {
                    self.fail(message);
                } else {
                    // One template failed: say so and go on with the next.
                    self.busy.set_value(false);
                    self.templates_done.update(|n| *n += 1);
                    self.message.set(message);
                    self.pump();
                }
            }
        }
    }

    /// Sends the next template of the queue when the model is free.
    fn pump(self) {
        if !self.phase.get_untracked().on() || self.busy.get_value() {
            return;
        }
        let Some(t) = self.queue.try_update_value(|q| q.pop_front()).flatten() else {
            self.phase.set(ModelPhase::Ready);
            return;
        };
        self.busy.set_value(true);
        self.phase.set(ModelPhase::Running);
        send(
            &ModelRequest::Name {
                file: self.file_gen.get_value(),
                id: t.id,
                template: t.template,
                example: t.example,
            },
            None,
        );
    }

    /// Fetches the visible rows (and the open detail) again, at most every 300 ms, so new fields show.
    fn refresh_rows(self) {
        if self.refresh_pending.get_value() {
            return;
        }
        self.refresh_pending.set_value(true);
        set_timeout(
            move || {
                self.refresh_pending.set_value(false);
                let app = self.app;
                app.rows.set(HashMap::new());
                app.in_flight.set_value(Default::default());
                let first = app.first_visible.get_untracked();
                app.want_rows(first.saturating_sub(50), 200);
                if let Some(ev) = app.selected.get_untracked() {
                    client::send(&Request::Detail { event: ev }, None);
                }
            },
            std::time::Duration::from_millis(300),
        );
    }
}

/// A new file is being opened: its templates replace the queue (the answer being computed is cached, not shown).
pub fn on_new_file() {
    let Some(st) = model_state() else { return };
    st.file_gen.update_value(|g| *g += 1);
    // A generation for the previous file is running: the worker does not yield while it computes, so stop it and
    // load the model again in a fresh worker (seconds for LoGEM, read from the stored files; the answer being
    // computed is lost, not cached). The parse of the new file runs meanwhile.
    if st.busy.get_value() {
        if let Some((model, tokenizer)) = st.files.get_value() {
            st.calls_base.set_value(st.calls.get_untracked());
            st.busy.set_value(false);
            st.phase.set(ModelPhase::Loading);
            st.message
                .set("Stopping the model's work on the previous file…".into());
            start_worker(st, &model, &tokenizer);
        }
    }
    st.queue.set_value(VecDeque::new());
    st.texts.set_value(HashMap::new());
    st.templates_total.set(0);
    st.templates_done.set(0);
    st.named.set(0);
    st.row_fields.set(HashMap::new());
}

/// The parse is done: with the model on, ask the parsing worker which templates to name.
pub fn on_parsed() {
    if model_state().is_some_and(|st| st.phase.get_untracked().on()) {
        client::send(&Request::ModelTemplates, None);
    }
}

/// The parsing worker's list of templates to name.
pub fn on_templates(templates: Vec<ModelTemplate>) {
    let Some(st) = model_state() else { return };
    if !st.phase.get_untracked().on() {
        return;
    }
    st.templates_total.set(templates.len() as u64);
    st.templates_done.set(0);
    st.named.set(0);
    st.texts.set_value(
        templates
            .iter()
            .map(|t| (t.id, t.template.clone()))
            .collect(),
    );
    st.queue.set_value(templates.into());
    st.pump();
}

/// The model's fields of rows the parsing worker just sent.
pub fn on_row_fields(fields: Vec<(u64, Vec<(String, String)>)>) {
    let Some(st) = model_state() else { return };
    st.row_fields.update(|m| {
        if m.len() > 20_000 {
            m.clear();
        }
        m.extend(fields);
    });
}

/// The model's fields of event `event` as `name=value` pairs, for the table.
pub fn row_fields_text(event: u64) -> Option<String> {
    let st = model_state()?;
    st.row_fields.with(|m| {
        m.get(&event).map(|f| {
            f.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
    })
}

fn start_worker(st: ModelState, model: &Blob, tokenizer: &Blob) {
    stop_worker();
    // The model worker's wasm uses relaxed SIMD (crates/model-worker/Cargo.toml): where it would not validate,
    // say so instead of a failed load.
    let probe = js_sys::Uint8Array::from(&logsieve_model::kernels::RELAXED_SIMD_PROBE[..]);
    if !js_sys::WebAssembly::validate(&probe).unwrap_or(false) {
        st.fail(
            "this browser lacks WebAssembly relaxed SIMD, which the model needs (Chromium 114 or later; \
             Firefox and Safari behind a flag)"
                .into(),
        );
        return;
    }
    let on_message = move |ev: MessageEvent| {
        let json = Reflect::get(&ev.data(), &"json".into())
            .ok()
            .and_then(|v| v.as_string());
        if let Some(resp) = json.and_then(|j| serde_json::from_str::<ModelResponse>(&j).ok()) {
            st.on_response(resp);
        }
    };
    let on_error = move |ev: ErrorEvent| {
        ev.prevent_default();
        st.fail(format!("the model worker stopped: {}", ev.message()));
    };
    match WorkerLink::spawn(WORKER_URL, on_message, on_error) {
        Ok(link) => WORKER.with(|w| *w.borrow_mut() = Some(link)),
        Err(e) => {
            st.fail(format!("the model worker could not start: {}", js_err(e)));
            return;
        }
    }
    send(
        &ModelRequest::Load {
            model_name: MODEL_FILE.into(),
        },
        Some((model, tokenizer)),
    );
}

fn stop_worker() {
    let old = WORKER.with(|w| w.borrow_mut().take());
    if let Some(link) = old {
        link.stop();
    }
}

fn send(req: &ModelRequest, files: Option<(&Blob, &Blob)>) {
    let msg = Object::new();
    let json = serde_json::to_string(req).unwrap_or_default();
    let _ = Reflect::set(&msg, &"json".into(), &json.into());
    if let Some((m, t)) = files {
        let _ = Reflect::set(&msg, &"model".into(), m);
        let _ = Reflect::set(&msg, &"tokenizer".into(), t);
    }
    WORKER.with(|w| {
        if let Some(link) = w.borrow_mut().as_mut() {
            link.post(msg);
        }
    });
}

/// The message of a JS error (a DOMException is an Error too).
fn js_err(e: JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// Calls `obj.method(...args)` and awaits the result when it is a Promise. (The OPFS calls go through here:
/// web-sys marks `createWritable` and friends unstable.)
async fn call(obj: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f: js_sys::Function = Reflect::get(obj, &method.into())
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| format!("{method} is not supported by this browser"))?;
    let args: Array = args.iter().collect();
    let out = f.apply(obj, &args).map_err(js_err)?;
    match out.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await.map_err(js_err),
        Err(v) => Ok(v),
    }
}

async fn opfs_dir() -> Result<JsValue, String> {
    let root = JsFuture::from(window().navigator().storage().get_directory())
        .await
        .map_err(js_err)?;
    let opts = Object::new();
    let _ = Reflect::set(&opts, &"create".into(), &true.into());
    call(&root, "getDirectoryHandle", &[OPFS_DIR.into(), opts.into()]).await
}

/// Writes `blob` as `name` in the OPFS folder and returns the stored file.
async fn opfs_write(dir: &JsValue, name: &str, blob: &Blob) -> Result<Blob, String> {
    let store = async {
        let opts = Object::new();
        let _ = Reflect::set(&opts, &"create".into(), &true.into());
        let handle = call(dir, "getFileHandle", &[name.into(), opts.into()]).await?;
        let writable = call(&handle, "createWritable", &[]).await?;
        call(&writable, "write", &[blob.into()]).await?;
        call(&writable, "close", &[]).await?;
        let file = call(&handle, "getFile", &[]).await?;
        file.dyn_into::<Blob>()
            .map_err(|_| "not a file".to_string())
    };
    store
        .await
        .map_err(|e| format!("storing {name} in this browser failed: {e}"))
}

async fn opfs_read(dir: &JsValue, name: &str) -> Option<Blob> {
    let handle = call(dir, "getFileHandle", &[name.into()]).await.ok()?;
    let file = call(&handle, "getFile", &[]).await.ok()?;
    file.dyn_into::<Blob>().ok().filter(|b| b.size() > 0.0)
}

async fn fetch_blob(url: &str) -> Result<Blob, String> {
    let resp = call(&window().into(), "fetch", &[url.into()]).await?;
    let ok = Reflect::get(&resp, &"ok".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !ok {
        let status = Reflect::get(&resp, &"status".into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        return Err(format!("{url}: HTTP {status}"));
    }
    call(&resp, "blob", &[])
        .await?
        .dyn_into::<Blob>()
        .map_err(|_| format!("{url}: no data"))
}

/// Where the model files are kept between visits: OPFS, else IndexedDB (a Blob per file; Chromium, Firefox and
/// Safari store large Blobs on disk).
enum FileStore {
    Opfs(JsValue),
    Idb(JsValue),
}

impl FileStore {
    async fn open() -> Option<FileStore> {
        if let Ok(dir) = opfs_dir().await {
            return Some(FileStore::Opfs(dir));
        }
        idb_files().await.ok().map(FileStore::Idb)
    }

    /// Stores `blob` as `name` and returns the stored copy.
    async fn write(&self, name: &str, blob: &Blob) -> Result<Blob, String> {
        match self {
            FileStore::Opfs(dir) => opfs_write(dir, name, blob).await,
            FileStore::Idb(db) => {
                let put = async {
                    let store = idb_store(db, "readwrite")?;
                    request(&call(&store, "put", &[blob.into(), name.into()]).await?).await?;
                    self.read(name)
                        .await
                        .ok_or_else(|| "not readable back".to_string())
                };
                put.await
                    .map_err(|e| format!("storing {name} in this browser failed: {e}"))
            }
        }
    }

    async fn read(&self, name: &str) -> Option<Blob> {
        match self {
            FileStore::Opfs(dir) => opfs_read(dir, name).await,
            FileStore::Idb(db) => {
                let store = idb_store(db, "readonly").ok()?;
                let req = call(&store, "get", &[name.into()]).await.ok()?;
                let v = request(&req).await.ok()?;
                v.dyn_into::<Blob>().ok().filter(|b| b.size() > 0.0)
            }
        }
    }
}

impl Drop for FileStore {
    /// Closes the IndexedDB connection (an open one would block **Delete stored model**'s `deleteDatabase`). The
    /// Blobs read through it stay valid.
    fn drop(&mut self) {
        if let FileStore::Idb(db) = self {
            if let Ok(close) = Reflect::get(db, &"close".into()) {
                if let Ok(close) = close.dyn_into::<js_sys::Function>() {
                    let _ = close.call0(db);
                }
            }
        }
    }
}

/// Resolves with an IndexedDB request's result once it succeeds.
async fn request(req: &JsValue) -> Result<JsValue, String> {
    let target = req.clone();
    let promise = Promise::new(&mut |resolve, reject| {
        let ok_req = target.clone();
        let ok = Closure::once_into_js(move |_: JsValue| {
            let result = Reflect::get(&ok_req, &"result".into()).unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &result);
        });
        let fail_req = target.clone();
        let fail = Closure::once_into_js(move |_: JsValue| {
            let error = Reflect::get(&fail_req, &"error".into()).unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        let _ = Reflect::set(&target, &"onsuccess".into(), &ok);
        let _ = Reflect::set(&target, &"onerror".into(), &fail);
    });
    JsFuture::from(promise).await.map_err(js_err)
}

async fn idb_files() -> Result<JsValue, String> {
    let idb = Reflect::get(&window(), &"indexedDB".into()).map_err(js_err)?;
    let req = call(&idb, "open", &[FILES_DB.into(), 1.into()]).await?;
    let upgrade_req = req.clone();
    let on_upgrade = Closure::once_into_js(move |_: JsValue| {
        if let Ok(db) = Reflect::get(&upgrade_req, &"result".into()) {
            if let Ok(f) = Reflect::get(&db, &"createObjectStore".into()) {
                if let Ok(f) = f.dyn_into::<js_sys::Function>() {
                    let _ = f.call1(&db, &FILES_STORE.into());
                }
            }
        }
    });
    let _ = Reflect::set(&req, &"onupgradeneeded".into(), &on_upgrade);
    request(&req).await
}

fn idb_store(db: &JsValue, mode: &str) -> Result<JsValue, String> {
    let tx_fn: js_sys::Function = Reflect::get(db, &"transaction".into())
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| "no IndexedDB transactions".to_string())?;
    let tx = tx_fn
        .call2(db, &FILES_STORE.into(), &mode.into())
        .map_err(js_err)?;
    let store_fn: js_sys::Function = Reflect::get(&tx, &"objectStore".into())
        .map_err(js_err)?
        .dyn_into()
        .map_err(|_| "no IndexedDB object stores".to_string())?;
    store_fn.call1(&tx, &FILES_STORE.into()).map_err(js_err)
}

#[component]
pub fn ModelPanel() -> impl IntoView {
    let st = expect_context::<ModelState>();
    let on = move || !matches!(st.phase.get(), ModelPhase::Off | ModelPhase::Error);
    let pick = move |files: Vec<File>| {
        let (mut m, mut t) = st.picked.get_value();
        for f in files {
            let name = f.name().to_lowercase();
            if name.ends_with(".gguf") {
                m = Some(f);
            } else if name.ends_with(".json") {
                t = Some(f);
            }
        }
        let both = m.is_some() && t.is_some();
        st.message.set(match (&m, &t) {
            (Some(_), Some(_)) => "Model and tokenizer chosen.".into(),
            (Some(_), None) => "Now choose the tokenizer.json.".into(),
            (None, Some(_)) => "Now choose the .gguf model.".into(),
            (None, None) => "Choose a .gguf model and its tokenizer.json.".into(),
        });
        st.picked.set_value((m, t));
        if both {
            // A new model replaces the loaded one.
            st.turn_off();
            st.turn_on();
        }
    };
    let on_change = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(list) = input.files() {
            pick((0..list.length()).filter_map(|i| list.get(i)).collect());
        }
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(list) = ev.data_transfer().and_then(|dt| dt.files()) {
            pick((0..list.length()).filter_map(|i| list.get(i)).collect());
        }
    };
    // Storage figures once, at start (no model bytes are read: OPFS file sizes and the estimate only).
    Effect::new(move |_| {
        wasm_bindgen_futures::spawn_local(st.refresh_storage_quietly());
    });
    let progress = move || {
        let (done, total) = (st.templates_done.get(), st.templates_total.get());
        if total == 0 {
            return String::new();
        }
        let speed = st.tok_s.get();
        let speed = if speed > 0.0 {
            format!(", {speed:.1} tokens/s")
        } else {
            String::new()
        };
        format!(
            "Templates {done}/{total}, {} named, {} model calls{speed}",
            st.named.get(),
            st.calls.get()
        )
    };
    let storage = move || {
        let mut parts = Vec::new();
        if let Some(b) = st.stored_bytes.get() {
            parts.push(format!("model files {}", human_bytes(b)));
        }
        if let Some((u, q)) = st.estimate.get() {
            parts.push(format!(
                "this site uses {} of {}",
                human_bytes(u as u64),
                human_bytes(q as u64)
            ));
        }
        if st.persisted.get() == Some(true) {
            parts.push("kept by the browser".into());
        }
        parts.join(" · ")
    };
    view! {
        <section
            class="model-panel"
            data-testid="model-state"
            data-state=move || st.phase.get().as_str()
            data-templates-done=move || st.templates_done.get().to_string()
            data-templates-total=move || st.templates_total.get().to_string()
            data-calls=move || st.calls.get().to_string()
            data-named=move || st.named.get().to_string()
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                ev.stop_propagation();
            }
            on:drop=on_drop
        >
            <h2>"Model"</h2>
            <p class="model-about">
                "LoGEM names the fields of lines no rule understands, once per template, on this machine."
            </p>
            <div class="model-controls">
                <button
                    type="button"
                    data-testid="model-toggle"
                    aria-pressed=move || on().to_string()
                    on:click=move |_| if on() { st.turn_off() } else { st.turn_on() }
                >
                    {move || if on() { "Turn the model off" } else { "Turn the model on" }}
                </button>
                <label class="button">
                    "Choose model files"
                    <input
                        type="file"
                        multiple
                        accept=".gguf,.json"
                        data-testid="model-files"
                        on:change=on_change
                    />
                </label>
                <button type="button" data-testid="model-delete" on:click=move |_| st.delete()>
                    "Delete stored model"
                </button>
            </div>
            <p class="model-message" data-testid="model-message">{move || st.message.get()}</p>
            <p class="model-progress" data-testid="model-progress">{progress}</p>
            <p class="model-storage" data-testid="model-storage">{storage}</p>
        </section>
    }
}

impl ModelState {
    async fn refresh_estimate(self) {
        if let Ok(p) = window().navigator().storage().estimate() {
            if let Ok(est) = JsFuture::from(p).await {
                let num = |k: &str| Reflect::get(&est, &k.into()).ok().and_then(|v| v.as_f64());
                if let (Some(u), Some(q)) = (num("usage"), num("quota")) {
                    self.estimate.set(Some((u, q)));
                }
            }
        }
    }

    /// The storage figures without asking for persistence (that waits until the model is used).
    async fn refresh_storage_quietly(self) {
        let storage = window().navigator().storage();
        if let Ok(p) = storage.estimate() {
            if let Ok(est) = JsFuture::from(p).await {
                let num = |k: &str| Reflect::get(&est, &k.into()).ok().and_then(|v| v.as_f64());
                if let (Some(u), Some(q)) = (num("usage"), num("quota")) {
                    self.estimate.set(Some((u, q)));
                }
            }
        }
        if let Some(d) = FileStore::open().await {
            if let (Some(m), Some(t)) = (d.read(MODEL_FILE).await, d.read(TOKENIZER_FILE).await) {
                self.stored_bytes
                    .set(Some(m.size() as u64 + t.size() as u64));
            }
        }
    }
}
