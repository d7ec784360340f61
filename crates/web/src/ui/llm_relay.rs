//! The page's side of the LLM relay (`web/llm-relay.html` + `llm-relay.js`): the only way a request leaves the
//! page. The page's own CSP keeps `connect-src 'self'`; the relay is a hidden same-origin frame whose CSP allows
//! exactly one origin, the endpoint's, named in its fragment. It is created at the first Send and recreated when the
//! endpoint's origin changes, so a frame never serves two origins.
//!
//! Messages are checked both ways: the relay answers only its parent of the same origin; here only messages from
//! the current relay frame's window, of the page's origin, are taken. The relay is transport only: the body, the
//! headers, the stream decoding and the error messages are Rust ([`super::llm`]).

use js_sys::{Array, Object, Reflect, Uint8Array};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlIFrameElement, MessageEvent};

/// The relay document, next to index.html.
const RELAY_URL: &str = "llm-relay.html";

/// What the relay reports about request `id`.
#[derive(Debug, Clone, PartialEq)]
pub enum RelayEvent {
    /// The response's HTTP status (headers received).
    Status(u16),
    /// The next bytes of the response body.
    Chunk(Vec<u8>),
    /// The body ended.
    End,
    /// The request failed: `kind` is `network` (connection refused, CORS, DNS...), `timeout`, `abort`, `origin`
    /// (a URL not on the relay's origin) or `other`.
    Failed { kind: String, message: String },
}

type Handler = Rc<dyn Fn(u32, RelayEvent)>;

struct Relay {
    /// The endpoint origin the frame may connect to.
    origin: String,
    frame: HtmlIFrameElement,
    ready: bool,
    /// Messages posted before the frame said it was ready.
    queue: Vec<Object>,
}

thread_local! {
    static RELAY: RefCell<Option<Relay>> = const { RefCell::new(None) };
    static HANDLER: RefCell<Option<Handler>> = const { RefCell::new(None) };
    static LISTENING: RefCell<bool> = const { RefCell::new(false) };
}

/// Sets the function that gets every relay event.
pub fn set_handler(f: impl Fn(u32, RelayEvent) + 'static) {
    HANDLER.with(|h| *h.borrow_mut() = Some(Rc::new(f)));
}

fn dispatch(id: u32, ev: RelayEvent) {
    let h = HANDLER.with(|h| h.borrow().clone());
    if let Some(h) = h {
        h(id, ev);
    }
}

/// The page's origin (`http://127.0.0.1:8080`).
pub fn page_origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The origin of `url` as the browser serializes it (what the relay compares), or `None` for a bad URL.
pub fn origin_of(url: &str) -> Option<String> {
    web_sys::Url::new(url)
        .ok()
        .map(|u| u.origin())
        .filter(|o| o.starts_with("http://") || o.starts_with("https://"))
}

/// POSTs `body` to `url` with `headers` through the relay for `url`'s origin. Events come to the handler with
/// `id`. `timeout_ms`: the longest wait for the response and between two chunks of it.
pub fn fetch(id: u32, url: &str, headers: &[(String, String)], body: &str, timeout_ms: u32) {
    let Some(origin) = origin_of(url) else {
        dispatch(
            id,
            RelayEvent::Failed {
                kind: "origin".into(),
                message: format!("not a URL: {url}"),
            },
        );
        return;
    };
    if let Err(message) = ensure_relay(&origin) {
        dispatch(
            id,
            RelayEvent::Failed {
                kind: "other".into(),
                message,
            },
        );
        return;
    }
    let msg = Object::new();
    let pairs = Array::new();
    for (k, v) in headers {
        pairs.push(&Array::of2(&k.into(), &v.into()));
    }
    set(&msg, "type", &"fetch".into());
    set(&msg, "id", &id.into());
    set(&msg, "url", &url.into());
    set(&msg, "headers", &pairs);
    set(&msg, "body", &body.into());
    set(&msg, "timeoutMs", &timeout_ms.into());
    post(msg);
}

/// Stops request `id` (its `Failed { kind: "abort" }` follows).
pub fn abort(id: u32) {
    let msg = Object::new();
    set(&msg, "type", &"abort".into());
    set(&msg, "id", &id.into());
    post(msg);
}

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &k.into(), v);
}

fn post(msg: Object) {
    RELAY.with(|r| {
        let mut r = r.borrow_mut();
        let Some(relay) = r.as_mut() else {
            return;
        };
        if relay.ready {
            if let Some(w) = relay.frame.content_window() {
                let _ = w.post_message(&msg, &page_origin());
            }
        } else {
            relay.queue.push(msg);
        }
    });
}

/// Makes sure the relay frame for `origin` exists (replacing one for another origin).
fn ensure_relay(origin: &str) -> Result<(), String> {
    listen();
    let current = RELAY.with(|r| r.borrow().as_ref().map(|r| r.origin.clone()));
    if current.as_deref() == Some(origin) {
        return Ok(());
    }
    if let Some(old) = RELAY.with(|r| r.borrow_mut().take()) {
        old.frame.remove();
    }
    let frame: HtmlIFrameElement = document()
        .create_element("iframe")
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    let encoded = String::from(js_sys::encode_uri_component(origin));
    frame.set_src(&format!("{RELAY_URL}#{encoded}"));
    frame.set_title("LLM relay");
    let _ = frame.set_attribute("hidden", "");
    let _ = frame.set_attribute("aria-hidden", "true");
    let _ = frame.set_attribute("data-testid", "llm-relay");
    let _ = frame.set_attribute("data-origin", origin);
    document()
        .body()
        .ok_or("the page has no body")?
        .append_child(&frame)
        .map_err(|e| format!("{e:?}"))?;
    RELAY.with(|r| {
        *r.borrow_mut() = Some(Relay {
            origin: origin.to_string(),
            frame,
            ready: false,
            queue: Vec::new(),
        })
    });
    Ok(())
}

/// Installs the window's message listener once.
fn listen() {
    if LISTENING.with(|l| l.replace(true)) {
        return;
    }
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    let _ =
        window().add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();
}

fn on_message(ev: MessageEvent) {
    if ev.origin() != page_origin() {
        return;
    }
    // Only the current relay frame's window.
    let from_relay = RELAY.with(|r| {
        let r = r.borrow();
        match (
            r.as_ref().and_then(|r| r.frame.content_window()),
            ev.source(),
        ) {
            (Some(w), Some(src)) => Object::is(&w, &src),
            _ => false,
        }
    });
    if !from_relay {
        return;
    }
    let data = ev.data();
    let get = |k: &str| Reflect::get(&data, &k.into()).unwrap_or(JsValue::UNDEFINED);
    let kind = get("type").as_string().unwrap_or_default();
    if kind == "ready" {
        let queued = RELAY.with(|r| {
            let mut r = r.borrow_mut();
            match r.as_mut() {
                Some(relay) => {
                    relay.ready = true;
                    std::mem::take(&mut relay.queue)
                }
                None => Vec::new(),
            }
        });
        for m in queued {
            post(m);
        }
        return;
    }
    let Some(id) = get("id").as_f64().map(|n| n as u32) else {
        return;
    };
    let event = match kind.as_str() {
        "status" => RelayEvent::Status(get("status").as_f64().unwrap_or(0.0) as u16),
        "chunk" => match get("bytes").dyn_into::<Uint8Array>() {
            Ok(b) => RelayEvent::Chunk(b.to_vec()),
            Err(_) => return,
        },
        "end" => RelayEvent::End,
        "error" => RelayEvent::Failed {
            kind: get("kind").as_string().unwrap_or_else(|| "other".into()),
            message: get("message").as_string().unwrap_or_default(),
        },
        _ => return,
    };
    dispatch(id, event);
}
