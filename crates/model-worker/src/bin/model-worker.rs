//! The model worker (a classic, no-modules worker built by Trunk: `data-bin="model-worker" data-type="worker"`).
//! The page starts it only when the user turns the model on; wasm-bindgen runs `main` once the wasm is instantiated.

fn main() {
    #[cfg(target_arch = "wasm32")]
    logsieve_model_worker::worker::start();
}
