//! The page: a drop zone and a file chooser, the status line with its progress bar, the summary, the filters,
//! three tabs: the virtualised event table with the detail of the clicked event, the templates list, and the
//! findings (with the Kubernetes view). State lives in signals ([`state::AppState`]);
//! components only read and set them. Log text only ever reaches the DOM as text nodes.

mod charts;
mod client;
mod clipboard;
mod findings;
mod llm;
mod llm_relay;
mod markdown;
mod model;
mod panels;
mod state;
mod table;
mod templates;
mod worker_link;

use leptos::prelude::*;
use state::{AppState, Tab};

pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    client::set_handler(move |resp, blob| state.on_response(resp, blob));
    // The stall watch: the worker sends a heartbeat every second while it works; checked four times a second so
    // that a stall shows soon after its 10 s.
    set_interval(
        move || state.check_stall(),
        std::time::Duration::from_millis(250),
    );
    provide_context(model::ModelState::install(state));
    view! {
        <header class="top">
            <h1>"logsieve"</h1>
            <p class="tagline">"Log files, structured in your browser. Nothing leaves this page unless you press Send."</p>
        </header>
        <main>
            <panels::DropZone/>
            <panels::Status/>
            <panels::SummaryPanel/>
            <model::ModelPanel/>
            <panels::Toolbar/>
            <charts::ChartsPanel/>
            <templates::Tabs/>
            <div class="workspace" class:offstage=move || state.tab.get() != Tab::Events>
                <table::EventTable/>
                <panels::DetailPanel/>
            </div>
            <templates::TemplatesView/>
            <findings::FindingsView/>
            <llm::LlmPanel/>
        </main>
    }
}
