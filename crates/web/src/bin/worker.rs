//! The parsing worker (a classic, no-modules worker built by Trunk: `data-bin="worker" data-type="worker"`).
//! wasm-bindgen runs `main` once the wasm is instantiated; it installs the message handler and says `Ready`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    logsieve_web::worker::start();
}
