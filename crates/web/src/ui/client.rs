//! The worker bridge: spawns the parsing worker, queues requests until it says `Ready`, and hands its answers to
//! one handler. Messages are `{ json, file? }` objects (see `logsieve_web::protocol`).
//!
//! A fresh worker is started for each file: the previous parse (which runs without yielding) is stopped at once,
//! and the wasm memory of the previous file's index is given back.

use js_sys::{Object, Reflect};
use logsieve_web::protocol::{Request, Response};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, File, MessageEvent, Worker};

/// The classic worker Trunk builds with `data-loader-shim`: it imports `worker.js` and starts `worker_bg.wasm`.
const WORKER_URL: &str = "./worker_loader.js";

type Handler = Rc<dyn Fn(Response, Option<Blob>)>;

struct Client {
    worker: Worker,
    ready: bool,
    queue: Vec<Object>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static HANDLER: RefCell<Option<Handler>> = const { RefCell::new(None) };
}

/// Sets the function that gets every answer of the worker (and a worker failure, as `Response::Error`).
pub fn set_handler(f: impl Fn(Response, Option<Blob>) + 'static) {
    HANDLER.with(|h| *h.borrow_mut() = Some(Rc::new(f)));
}

fn dispatch(resp: Response, blob: Option<Blob>) {
    let h = HANDLER.with(|h| h.borrow().clone());
    if let Some(h) = h {
        h(resp, blob);
    }
}

/// Stops the current worker (if any) and starts a new one.
pub fn restart() {
    stop();
    let worker = match Worker::new(WORKER_URL) {
        Ok(w) => w,
        Err(e) => {
            dispatch(
                Response::Error {
                    message: format!("the parsing worker could not start: {e:?}"),
                },
                None,
            );
            return;
        }
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let data = ev.data();
        let json = Reflect::get(&data, &"json".into())
            .ok()
            .and_then(|v| v.as_string());
        let Some(resp) = json.and_then(|j| serde_json::from_str::<Response>(&j).ok()) else {
            return;
        };
        if resp == Response::Ready {
            flush_queue();
            return;
        }
        let blob = Reflect::get(&data, &"blob".into())
            .ok()
            .and_then(|b| b.dyn_into::<Blob>().ok());
        dispatch(resp, blob);
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(|ev: ErrorEvent| {
        ev.prevent_default();
        let msg = ev.message();
        stop();
        dispatch(
            Response::Error {
                message: format!(
                    "the parsing worker stopped{}",
                    if msg.is_empty() {
                        String::new()
                    } else {
                        format!(": {msg}")
                    }
                ),
            },
            None,
        );
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    CLIENT.with(|c| {
        *c.borrow_mut() = Some(Client {
            worker,
            ready: false,
            queue: Vec::new(),
            _on_message: on_message,
            _on_error: on_error,
        })
    });
}

/// Terminates the worker; its pending answers are dropped.
pub fn stop() {
    // The closures must outlive this call when it comes from inside one of them: drop them later.
    let old = CLIENT.with(|c| c.borrow_mut().take());
    if let Some(c) = old {
        c.worker.set_onmessage(None);
        c.worker.set_onerror(None);
        c.worker.terminate();
        leptos::prelude::set_timeout(move || drop(c), std::time::Duration::from_millis(0));
    }
}

fn flush_queue() {
    CLIENT.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            c.ready = true;
            for m in c.queue.drain(..) {
                let _ = c.worker.post_message(&m);
            }
        }
    });
}

/// Sends a request (with the file for `Open`). Starts a worker if there is none.
pub fn send(req: &Request, file: Option<&File>) {
    let msg = Object::new();
    let json = serde_json::to_string(req).unwrap_or_default();
    let _ = Reflect::set(&msg, &"json".into(), &json.into());
    if let Some(f) = file {
        let _ = Reflect::set(&msg, &"file".into(), f);
    }
    if CLIENT.with(|c| c.borrow().is_none()) {
        restart();
    }
    CLIENT.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            if c.ready {
                let _ = c.worker.post_message(&msg);
            } else {
                c.queue.push(msg);
            }
        }
    });
}
