//! The logsieve page's UI (Leptos, client-side rendering). It only draws: parsing, search, filtering and export
//! run in the parsing worker (`src/bin/worker.rs`), which it talks to through `ui::client`.

#[cfg(target_arch = "wasm32")]
mod ui;

fn main() {
    #[cfg(target_arch = "wasm32")]
    ui::start();
}
