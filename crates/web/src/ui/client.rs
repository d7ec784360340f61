//! The worker bridge: spawns the parsing worker, queues requests until it says `Ready`, and hands its answers to
//! one handler. Messages are `{ json, file? }` objects (see `logsieve_web::protocol`).
//!
//! A fresh worker is started for each file: the previous parse (which runs without yielding) is stopped at once,
//! and the wasm memory of the previous file's index is given back.

use super::worker_link::WorkerLink;
use js_sys::{Object, Reflect};
use logsieve_web::protocol::{Request, Response};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, File, MessageEvent};

/// The classic worker Trunk builds with `data-loader-shim`: it imports `worker.js` and starts `worker_bg.wasm`.
const WORKER_URL: &str = "./worker_loader.js";

type Handler = Rc<dyn Fn(Response, Option<Blob>)>;

thread_local! {
    static CLIENT: RefCell<Option<WorkerLink>> = const { RefCell::new(None) };
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
    let on_message = |ev: MessageEvent| {
        let data = ev.data();
        let json = Reflect::get(&data, &"json".into())
            .ok()
            .and_then(|v| v.as_string());
        let Some(resp) = json.and_then(|j| serde_json::from_str::<Response>(&j).ok()) else {
            return;
        };
        if resp == Response::Ready {
            CLIENT.with(|c| {
                if let Some(link) = c.borrow_mut().as_mut() {
                    link.set_ready();
                }
            });
            return;
        }
        let blob = Reflect::get(&data, &"blob".into())
            .ok()
            .and_then(|b| b.dyn_into::<Blob>().ok());
        dispatch(resp, blob);
    };
    let on_error = |ev: ErrorEvent| {
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
    };
    match WorkerLink::spawn(WORKER_URL, on_message, on_error) {
        Ok(link) => CLIENT.with(|c| *c.borrow_mut() = Some(link)),
        Err(e) => dispatch(
            Response::Error {
                message: format!("the parsing worker could not start: {e:?}"),
            },
            None,
        ),
    }
}

/// Terminates the worker; its pending answers are dropped.
pub fn stop() {
    let old = CLIENT.with(|c| c.borrow_mut().take());
    if let Some(link) = old {
        link.stop();
    }
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
        if let Some(link) = c.borrow_mut().as_mut() {
            link.post(msg);
        }
    });
}
