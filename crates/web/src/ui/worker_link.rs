//! One dedicated worker seen from the page: the classic worker script Trunk builds (`*_loader.js`), its two
//! handlers, and the messages held until the worker says it is ready. Used by the parsing worker bridge
//! ([`super::client`]) and the model worker ([`super::model`]); what the messages mean is theirs.

use js_sys::Object;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker};

pub struct WorkerLink {
    worker: Worker,
    /// Messages are held until the worker says `Ready`: a message that arrives before its wasm has installed the
    /// handler is dropped.
    ready: bool,
    queue: Vec<Object>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl WorkerLink {
    /// Starts the worker at `url` with its message and error handlers.
    pub fn spawn(
        url: &str,
        on_message: impl FnMut(MessageEvent) + 'static,
        on_error: impl FnMut(ErrorEvent) + 'static,
    ) -> Result<WorkerLink, JsValue> {
        let worker = Worker::new(url)?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(on_error);
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerLink {
            worker,
            ready: false,
            queue: Vec::new(),
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// The worker said `Ready`: sends what was held, in order, and everything later at once.
    pub fn set_ready(&mut self) {
        self.ready = true;
        for m in self.queue.drain(..) {
            let _ = self.worker.post_message(&m);
        }
    }

    /// Sends `msg` now, or once the worker is ready.
    pub fn post(&mut self, msg: Object) {
        if self.ready {
            let _ = self.worker.post_message(&msg);
        } else {
            self.queue.push(msg);
        }
    }

    /// Terminates the worker; its pending answers are dropped.
    pub fn stop(self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        // The closures must outlive this call when it comes from inside one of them: drop them later.
        leptos::prelude::set_timeout(move || drop(self), std::time::Duration::from_millis(0));
    }
}
