//! Copying text to the clipboard, shared by every Copy button (findings, Kubernetes view, LLM answers).

use leptos::prelude::window;
use wasm_bindgen::JsCast;

/// Copies `text` to the clipboard (`navigator.clipboard.writeText`); a refusal (no permission, page not focused)
/// is ignored. Reached through `Reflect` so that a browser or origin without `navigator.clipboard` is simply a
/// no-op.
pub fn copy_text(text: &str) {
    let nav = window().navigator();
    let Ok(clip) = js_sys::Reflect::get(&nav, &"clipboard".into()) else {
        return;
    };
    if clip.is_undefined() || clip.is_null() {
        return;
    }
    let Ok(f) = js_sys::Reflect::get(&clip, &"writeText".into()) else {
        return;
    };
    if let Some(f) = f.dyn_ref::<js_sys::Function>() {
        if let Ok(p) = f.call1(&clip, &text.into()) {
            // Swallow a rejected promise (no permission, page not focused).
            if let Ok(p) = p.dyn_into::<js_sys::Promise>() {
                let noop =
                    wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(|_| {});
                let _ = p.catch(&noop);
                noop.forget();
            }
        }
    }
}
