//! A monotonic clock in seconds that works natively and in wasm32 (where `std::time::Instant` panics).

#[cfg(not(target_arch = "wasm32"))]
pub fn now_secs() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// `performance.now()` where there is one (window, worker, Node), else `Date.now()`.
#[cfg(target_arch = "wasm32")]
pub fn now_secs() -> f64 {
    use wasm_bindgen::JsCast;
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    let now = perf.and_then(|p| {
        let f = js_sys::Reflect::get(&p, &"now".into()).ok()?;
        let f: js_sys::Function = f.dyn_into().ok()?;
        f.call0(&p).ok()?.as_f64()
    });
    now.unwrap_or_else(js_sys::Date::now) / 1000.0
}
