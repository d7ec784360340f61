//! The model worker's browser glue (wasm32 only): messages in and out, the model loaded from Blobs, the answers
//! cached in IndexedDB.
//!
//! Loading reads the GGUF through `JsReader` (a `read(offset, length)` callback over `FileReaderSync` on the
//! Blob) behind a 1 MiB `BufReader`: the header's many small reads (a real GGUF holds the whole vocabulary in its
//! metadata) cost one `FileReaderSync` call per MiB, and each tensor is one read straight into the model. The
//! file is never held whole in wasm memory.
//!
//! Cache: IndexedDB database `logsieve-model`, store `answers`, key = `CacheKey` (hash of template, prompt and
//! model), value = the `CachedAnswer` as JSON (the CLI's cache folder holds the same JSON). All answers are read
//! into a `MemoryCache` when the model loads (a few hundred bytes each), so naming never waits on IndexedDB;
//! each new answer is written through.
//!
//! Requests run one at a time, each to the end of its template (seconds with LoGEM), without yielding: to cancel
//! one (a new file), the page terminates this worker and starts a fresh one with the same files.

use std::cell::RefCell;
use std::io::BufReader;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use logsieve_model::web::JsReader;
use logsieve_model::{
    load_gguf_reader, load_tokenizer, CacheKey, CachedAnswer, FieldCache, FieldNamer, LoadOptions,
    LogModel, LogTokenizer, MemoryCache, NamerOptions, Outcome, Prompt,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, FileReaderSync, IdbDatabase, IdbOpenDbRequest, IdbRequest,
    IdbTransactionMode, MessageEvent,
};

use crate::protocol::{ModelRequest, ModelResponse};

const DB_NAME: &str = "logsieve-model";
const STORE: &str = "answers";

struct Loaded {
    model: LogModel,
    tokenizer: LogTokenizer,
    prompt: Prompt,
    cache: PageCache,
    model_tag: String,
    calls: u64,
}

thread_local! {
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

/// Starts the worker: installs the message handler and says `Ready`.
pub fn start() {
    console_error_panic_hook::set_once();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&ModelResponse::Ready);
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now_ms() -> f64 {
    scope()
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

fn post(resp: &ModelResponse) {
    let msg = Object::new();
    let json = serde_json::to_string(resp).unwrap_or_default();
    let _ = Reflect::set(&msg, &"json".into(), &json.into());
    let _ = scope().post_message(&msg);
}

fn js_err(e: JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    if let Some(err) = e.dyn_ref::<web_sys::DomException>() {
        return err.message();
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

fn on_message(ev: MessageEvent) {
    let data = ev.data();
    let json = Reflect::get(&data, &"json".into())
        .ok()
        .and_then(|v| v.as_string());
    let req: ModelRequest = match json.as_deref().map(serde_json::from_str) {
        Some(Ok(r)) => r,
        _ => {
            post(&ModelResponse::Error {
                message: "the model worker got a message it does not understand".into(),
            });
            return;
        }
    };
    match req {
        ModelRequest::Load { model_name } => {
            let blob = |k: &str| {
                Reflect::get(&data, &k.into())
                    .ok()
                    .and_then(|b| b.dyn_into::<Blob>().ok())
            };
            let (Some(model), Some(tokenizer)) = (blob("model"), blob("tokenizer")) else {
                post(&ModelResponse::Error {
                    message: "Load needs a model and a tokenizer".into(),
                });
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(message) = load(model_name, model, tokenizer).await {
                    post(&ModelResponse::Error { message });
                }
            });
        }
        ModelRequest::Name {
            file,
            id,
            template,
            example,
        } => {
            if let Err(message) = name(file, id, &template, &example) {
                post(&ModelResponse::Error { message });
            }
        }
    }
}

/// Reads a whole (small) Blob.
fn read_all(reader: &FileReaderSync, blob: &Blob) -> Result<Vec<u8>, String> {
    let ab = reader.read_as_array_buffer(blob).map_err(js_err)?;
    Ok(Uint8Array::new(&ab).to_vec())
}

async fn load(model_name: String, model_blob: Blob, tokenizer_blob: Blob) -> Result<(), String> {
    let started = now_ms();
    // Free the previous model first: two LoGEMs do not fit next to each other comfortably.
    LOADED.with(|l| l.borrow_mut().take());
    let reader = FileReaderSync::new().map_err(js_err)?;
    let tokenizer = load_tokenizer(&read_all(&reader, &tokenizer_blob)?)
        .map_err(|e| format!("tokenizer.json: {e}"))?;
    let size = model_blob.size() as u64;
    let read_blob = model_blob.clone();
    let read = Closure::<dyn FnMut(f64, f64) -> Result<JsValue, JsValue>>::new(
        move |offset: f64, length: f64| {
            let part = read_blob.slice_with_f64_and_f64(offset, offset + length)?;
            let ab = reader.read_as_array_buffer(&part)?;
            Ok(Uint8Array::new(&ab).into())
        },
    );
    let read_fn: js_sys::Function = read.into_js_value().unchecked_into();
    let mut source = BufReader::with_capacity(1 << 20, JsReader::new(read_fn, size));
    let model = load_gguf_reader(&mut source, &LoadOptions::default())
        .map_err(|e| format!("{model_name}: {e}"))?;
    drop(source);
    let cache = PageCache::open().await;
    let info = model.info().clone();
    let cached_answers = cache.mem.len() as u64;
    LOADED.with(|l| {
        *l.borrow_mut() = Some(Loaded {
            model,
            tokenizer,
            prompt: Prompt::builtin(),
            cache,
            model_tag: format!("{model_name}:{size}"),
            calls: 0,
        })
    });
    post(&ModelResponse::Loaded {
        weights: info.weights,
        weight_bytes: info.weight_bytes as u64,
        load_ms: now_ms() - started,
        cached_answers,
        wasm_memory_bytes: wasm_memory_bytes(),
    });
    Ok(())
}

fn name(file: u32, id: u32, template: &str, example: &str) -> Result<(), String> {
    LOADED.with(|l| {
        let mut guard = l.borrow_mut();
        let Some(loaded) = guard.as_mut() else {
            return Err("the model is not loaded".to_string());
        };
        let Loaded {
            model,
            tokenizer,
            prompt,
            cache,
            model_tag,
            calls,
        } = loaded;
        let mut namer = FieldNamer::new(
            model,
            tokenizer,
            prompt,
            cache,
            NamerOptions {
                model_tag: model_tag.clone(),
                ..NamerOptions::default()
            },
        );
        let outcome = namer
            .name(template, example, &|| false)
            .map_err(|e| e.to_string())?;
        let (cached, decode_tok_s, prefill_tok_s) = match &outcome {
            Outcome::Asked { stats, .. } => {
                *calls += 1;
                (false, stats.decode_tok_s(), stats.prefill_tok_s())
            }
            _ => (true, 0.0, 0.0),
        };
        let answer = outcome.answer();
        post(&ModelResponse::Named {
            file,
            id,
            cached,
            ok: answer.is_some_and(|a| a.status == logsieve_model::cache::AnswerStatus::Named),
            names: answer.map(|a| a.names.clone()).unwrap_or_default(),
            calls: *calls,
            decode_tok_s,
            prefill_tok_s,
            reason: answer.map(|a| a.reason.clone()).unwrap_or_default(),
        });
        Ok(())
    })
}

/// The answers: all in memory, written through to IndexedDB when it is there (private windows may refuse it; the
/// answers then last as long as the worker).
struct PageCache {
    mem: MemoryCache,
    db: Option<IdbDatabase>,
}

impl PageCache {
    async fn open() -> PageCache {
        let mut mem = MemoryCache::new();
        let db = match open_db().await {
            Ok(db) => {
                if let Err(e) = read_all_answers(&db, &mut mem).await {
                    web_sys::console::warn_1(&format!("model cache unreadable: {e}").into());
                }
                Some(db)
            }
            Err(e) => {
                web_sys::console::warn_1(&format!("model cache unavailable: {e}").into());
                None
            }
        };
        PageCache { mem, db }
    }
}

impl FieldCache for PageCache {
    fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        self.mem.get(key)
    }

    fn put(&mut self, key: &CacheKey, answer: &CachedAnswer) -> logsieve_model::Result<()> {
        self.mem.put(key, answer)?;
        if let Some(db) = &self.db {
            let json = serde_json::to_string(answer)?;
            let stored = db
                .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
                .and_then(|tx| tx.object_store(STORE))
                .and_then(|store| store.put_with_key(&json.into(), &key.0.as_str().into()));
            if let Err(e) = stored {
                web_sys::console::warn_1(
                    &format!("model cache write failed: {}", js_err(e)).into(),
                );
            }
        }
        Ok(())
    }
}

/// Resolves when `req` succeeds (with its result), rejects when it fails.
async fn done(req: &IdbRequest) -> Result<JsValue, String> {
    let req2 = req.clone();
    let promise = Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |_ev: JsValue| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let fail = Closure::once_into_js(move |_ev: JsValue| {
            let _ = reject.call0(&JsValue::NULL);
        });
        req2.set_onsuccess(Some(ok.unchecked_ref()));
        req2.set_onerror(Some(fail.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|_| {
        req.error()
            .ok()
            .flatten()
            .map(|e| e.message())
            .unwrap_or_else(|| "IndexedDB request failed".into())
    })?;
    req.result().map_err(js_err)
}

async fn open_db() -> Result<IdbDatabase, String> {
    let factory = scope()
        .indexed_db()
        .map_err(js_err)?
        .ok_or("no IndexedDB in this worker")?;
    let req: IdbOpenDbRequest = factory.open_with_u32(DB_NAME, 1).map_err(js_err)?;
    let upgrade_req = req.clone();
    let on_upgrade = Closure::once_into_js(move |_ev: JsValue| {
        if let Ok(db) = upgrade_req.result() {
            let db: IdbDatabase = db.unchecked_into();
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        }
    });
    req.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let db = done(&req).await?;
    Ok(db.unchecked_into())
}

async fn read_all_answers(db: &IdbDatabase, mem: &mut MemoryCache) -> Result<(), String> {
    let store = db
        .transaction_with_str(STORE)
        .and_then(|tx| tx.object_store(STORE))
        .map_err(js_err)?;
    let keys_req = store.get_all_keys().map_err(js_err)?;
    let values_req = store.get_all().map_err(js_err)?;
    let keys: Array = done(&keys_req).await?.unchecked_into();
    let values: Array = done(&values_req).await?.unchecked_into();
    for (k, v) in keys.iter().zip(values.iter()) {
        let (Some(k), Some(v)) = (k.as_string(), v.as_string()) else {
            continue;
        };
        if let Ok(answer) = serde_json::from_str::<CachedAnswer>(&v) {
            let _ = mem.put(&CacheKey(k), &answer);
        }
    }
    Ok(())
}

fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as u64)
        .unwrap_or(0)
}
