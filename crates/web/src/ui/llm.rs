//! "Ask an LLM" (issue 8): the settings (provider, endpoint, model, key, budget, timeout; kept in memory, and in
//! `localStorage` only after the explicit "Remember on this device"), the preview of the exact request (asked from
//! the worker as a redacted digest, turned into the body by `logsieve_llm::prepare`), Send through the relay
//! frame ([`super::llm_relay`]), the streamed answer (`logsieve_llm::StreamDecoder`) rendered as Markdown without
//! HTML ([`super::markdown`]), Cancel, clear errors, and the "Report (Markdown)" export with the answer appended.
//!
//! Nothing is sent before Send; the key goes only into the request's headers (never a URL, the DOM's attributes,
//! the console, the report or an export).

use super::client;
use super::llm_relay::{self, RelayEvent};
use super::markdown::Markdown;
use super::state::AppState;
use leptos::prelude::*;
use logsieve_llm::{
    headers, http_error_message, prepare, Digest, LlmConfig, Provider, StreamDecoder, StreamEvent,
    DEFAULT_BUDGET_TOKENS,
};
use logsieve_web::protocol::{thousands, Request};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

/// Where "Remember on this device" keeps the settings.
const STORAGE_KEY: &str = "logsieve.llm";
/// The longest wait for the response and between two chunks of it, by default.
const DEFAULT_TIMEOUT_S: u32 = 120;
/// How much of an error response's body is kept for its message.
const MAX_ERROR_BODY: usize = 64 << 10;

/// The preview panel.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewState {
    Closed,
    /// The digest was asked from the worker.
    Building,
    Ready(Preview),
    Failed(String),
}

/// The request as it will be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub provider: Provider,
    pub model: String,
    pub url: String,
    pub origin: String,
    /// The exact bytes of the body.
    pub body: String,
    pub tokens: usize,
    /// What the digest left out to fit the budget.
    pub omitted: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerState {
    Streaming,
    Done,
    Error,
}

impl AnswerState {
    fn as_str(self) -> &'static str {
        match self {
            AnswerState::Streaming => "streaming",
            AnswerState::Done => "done",
            AnswerState::Error => "error",
        }
    }
}

/// The answer shown (and appended to the report).
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub state: AnswerState,
    /// The Markdown received so far.
    pub text: String,
    pub error: Option<String>,
    pub provider: Provider,
    pub model: String,
    pub origin: String,
    pub tokens: usize,
}

/// The request in flight.
#[derive(Debug)]
struct InFlight {
    id: u32,
    provider: Provider,
    url: String,
    origin: String,
    timeout_s: u32,
    status: Option<u16>,
    decoder: StreamDecoder,
    error_body: Vec<u8>,
}

/// The settings as "Remember on this device" stores them.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    provider: Provider,
    endpoint: String,
    model: String,
    key: String,
    #[serde(default)]
    budget: Option<usize>,
    #[serde(default)]
    timeout_s: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReportState {
    Idle,
    Running,
    Saved(String),
    Failed(String),
}

#[derive(Clone, Copy)]
pub struct LlmState {
    pub provider: RwSignal<Provider>,
    pub endpoint: RwSignal<String>,
    pub model: RwSignal<String>,
    /// The API key: in memory (this signal) only, unless remembered.
    key: RwSignal<String>,
    pub budget: RwSignal<usize>,
    pub timeout_s: RwSignal<u32>,
    /// The settings are in `localStorage`.
    pub remember: RwSignal<bool>,
    pub preview: RwSignal<PreviewState>,
    pub answer: RwSignal<Option<Answer>>,
    request: StoredValue<Option<InFlight>>,
    next_id: StoredValue<u32>,
    pub report: RwSignal<ReportState>,
}

impl LlmState {
    pub fn new() -> LlmState {
        let saved = load();
        let remember = saved.is_some();
        let saved = saved.unwrap_or(Saved {
            provider: Provider::Openai,
            endpoint: Provider::Openai.default_endpoint().to_string(),
            model: String::new(),
            key: String::new(),
            budget: None,
            timeout_s: None,
        });
        let st = LlmState {
            provider: RwSignal::new(saved.provider),
            endpoint: RwSignal::new(saved.endpoint),
            model: RwSignal::new(saved.model),
            key: RwSignal::new(saved.key),
            budget: RwSignal::new(saved.budget.unwrap_or(DEFAULT_BUDGET_TOKENS)),
            timeout_s: RwSignal::new(saved.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S)),
            remember: RwSignal::new(remember),
            preview: RwSignal::new(PreviewState::Closed),
            answer: RwSignal::new(None),
            request: StoredValue::new(None),
            next_id: StoredValue::new(0),
            report: RwSignal::new(ReportState::Idle),
        };
        llm_relay::set_handler(move |id, ev| st.on_relay(id, ev));
        st
    }

    /// A new file: what was prepared or answered was about the previous one.
    pub fn reset(self) {
        self.cancel_request();
        self.preview.set(PreviewState::Closed);
        self.answer.set(None);
        self.report.set(ReportState::Idle);
    }

    /// A setting changed: a prepared preview no longer says what would be sent.
    fn settings_changed(self) {
        if !matches!(self.preview.get_untracked(), PreviewState::Closed) {
            self.preview.set(PreviewState::Closed);
        }
        if self.remember.get_untracked() {
            self.save();
        }
    }

    fn config(self) -> LlmConfig {
        LlmConfig::new(
            self.provider.get_untracked(),
            &self.endpoint.get_untracked(),
            &self.model.get_untracked(),
        )
    }

    /// "Ask the LLM": asks the worker for the digest; the preview opens when it comes.
    pub fn ask(self) {
        let c = self.config();
        if let Err(e) = logsieve_llm::endpoint_url(c.provider, &c.endpoint) {
            self.preview.set(PreviewState::Failed(e));
            return;
        }
        self.preview.set(PreviewState::Building);
        client::send(
            &Request::Digest {
                budget: self.budget.get_untracked().max(1),
            },
            None,
        );
    }

    /// The worker's digest: the preview of the exact request.
    pub fn on_digest(self, digest: Digest) {
        if self.preview.get_untracked() != PreviewState::Building {
            return;
        }
        let c = self.config();
        let next = match prepare(&c, &digest) {
            Ok(req) => match llm_relay::origin_of(&req.url) {
                Some(origin) => PreviewState::Ready(Preview {
                    provider: c.provider,
                    model: c.model.trim().to_string(),
                    url: req.url,
                    origin,
                    body: req.body,
                    tokens: req.tokens,
                    omitted: digest.omitted,
                }),
                None => PreviewState::Failed(format!("not a URL the browser can use: {}", req.url)),
            },
            Err(e) => PreviewState::Failed(e),
        };
        self.preview.set(next);
    }

    /// A worker error while the digest was being built.
    pub fn on_worker_error(self, message: &str) {
        if self.preview.get_untracked() == PreviewState::Building {
            self.preview.set(PreviewState::Failed(format!(
                "the digest could not be built: {message}"
            )));
        }
        if self.report.get_untracked() == ReportState::Running {
            self.report.set(ReportState::Failed(message.to_string()));
        }
    }

    /// The headers as sent (an empty key sends none, for local servers without authentication).
    fn request_headers(provider: Provider, key: &str) -> Vec<(String, String)> {
        let no_key = key.trim().is_empty();
        headers(provider, key)
            .into_iter()
            .filter(|(name, _)| !(no_key && (*name == "authorization" || *name == "x-api-key")))
            .map(|(name, v)| (name.to_string(), v))
            .collect()
    }

    /// "Send": the previewed body, as it is, to the previewed URL.
    pub fn send(self) {
        let PreviewState::Ready(p) = self.preview.get_untracked() else {
            return;
        };
        self.cancel_request();
        let id = self.next_id.get_value() + 1;
        self.next_id.set_value(id);
        let timeout_s = self.timeout_s.get_untracked().max(1);
        let hdrs = Self::request_headers(p.provider, &self.key.get_untracked());
        self.request.set_value(Some(InFlight {
            id,
            provider: p.provider,
            url: p.url.clone(),
            origin: p.origin.clone(),
            timeout_s,
            status: None,
            decoder: StreamDecoder::new(p.provider),
            error_body: Vec::new(),
        }));
        self.answer.set(Some(Answer {
            state: AnswerState::Streaming,
            text: String::new(),
            error: None,
            provider: p.provider,
            model: p.model.clone(),
            origin: p.origin.clone(),
            tokens: p.tokens,
        }));
        self.preview.set(PreviewState::Closed);
        llm_relay::fetch(id, &p.url, &hdrs, &p.body, timeout_s.saturating_mul(1000));
    }

    fn cancel_request(self) {
        if let Some(id) = self.request.with_value(|r| r.as_ref().map(|r| r.id)) {
            llm_relay::abort(id);
        }
        self.request.set_value(None);
    }

    /// "Cancel": stops the request; what arrived is kept.
    pub fn cancel(self) {
        if self.request.with_value(|r| r.is_none()) {
            return;
        }
        self.cancel_request();
        self.fail("cancelled: the request was stopped before the answer was complete".into());
    }

    fn fail(self, message: String) {
        // Providers may echo the key they refused: never show it (the crate's redactor masks known shapes; this
        // catches any other).
        let key = self.key.get_untracked();
        let key = key.trim();
        let message = if key.len() >= 4 {
            message.replace(key, "<your API key>")
        } else {
            message
        };
        self.request.set_value(None);
        self.answer.update(|a| {
            if let Some(a) = a {
                a.state = AnswerState::Error;
                a.error = Some(message);
            }
        });
    }

    fn finish(self) {
        self.request.set_value(None);
        self.answer.update(|a| {
            if let Some(a) = a {
                if a.state == AnswerState::Streaming {
                    a.state = AnswerState::Done;
                }
            }
        });
    }

    fn apply(self, events: Vec<StreamEvent>) {
        for ev in events {
            match ev {
                StreamEvent::Text(t) => self.answer.update(|a| {
                    if let Some(a) = a {
                        a.text.push_str(&t);
                    }
                }),
                StreamEvent::Done => self.finish(),
                StreamEvent::Error(m) => self.fail(m),
            }
        }
    }

    /// What the relay reported.
    fn on_relay(self, id: u32, ev: RelayEvent) {
        if self.request.with_value(|r| r.as_ref().map(|r| r.id)) != Some(id) {
            return;
        }
        let ok = |s: Option<u16>| matches!(s, Some(200..=299));
        match ev {
            RelayEvent::Status(s) => self.request.update_value(|r| {
                if let Some(r) = r {
                    r.status = Some(s);
                }
            }),
            RelayEvent::Chunk(bytes) => {
                let mut events = Vec::new();
                self.request.update_value(|r| {
                    let Some(r) = r else {
                        return;
                    };
                    if ok(r.status) {
                        events = r.decoder.push(&bytes);
                    } else if r.error_body.len() < MAX_ERROR_BODY {
                        let room = MAX_ERROR_BODY - r.error_body.len();
                        r.error_body
                            .extend_from_slice(&bytes[..bytes.len().min(room)]);
                    }
                });
                self.apply(events);
            }
            RelayEvent::End => {
                let Some(mut r) = self.take_request() else {
                    return;
                };
                match r.status {
                    Some(200..=299) => {
                        // The last events (a body without a final blank line, or one plain JSON answer); a stream
                        // that stopped before its end comes out as an error here.
                        let events = r.decoder.finish();
                        self.apply(events);
                        self.finish();
                    }
                    Some(s) => {
                        let body = String::from_utf8_lossy(&r.error_body);
                        self.fail(http_error_message(r.provider, s, &body));
                    }
                    None => self.fail("the endpoint answered without a status".into()),
                }
            }
            RelayEvent::Failed { kind, message } => {
                let Some(r) = self.take_request() else {
                    return;
                };
                let text = match kind.as_str() {
                    "timeout" => format!(
                        "the request timed out: no answer from {} for {} s (a slow model may need a longer timeout)",
                        r.origin, r.timeout_s
                    ),
                    "network" => format!(
                        "the endpoint refused the connection or does not allow this page's origin (CORS): allow {} on \
                         the server, and check that {} is reachable (the browser said: {message})",
                        llm_relay::page_origin(),
                        r.url
                    ),
                    "abort" => "cancelled: the request was stopped before the answer was complete".to_string(),
                    _ => message,
                };
                self.fail(text);
            }
        }
    }

    fn take_request(self) -> Option<InFlight> {
        let mut out = None;
        self.request.update_value(|r| out = r.take());
        out
    }

    // Settings storage: only after the explicit opt-in.

    fn save(self) {
        let saved = Saved {
            provider: self.provider.get_untracked(),
            endpoint: self.endpoint.get_untracked(),
            model: self.model.get_untracked(),
            key: self.key.get_untracked(),
            budget: Some(self.budget.get_untracked()),
            timeout_s: Some(self.timeout_s.get_untracked()),
        };
        if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&saved)) {
            let _ = s.set_item(STORAGE_KEY, &json);
        }
    }

    /// "Forget": removes the stored settings and the key from memory.
    pub fn forget(self) {
        if let Some(s) = storage() {
            let _ = s.remove_item(STORAGE_KEY);
        }
        self.remember.set(false);
        self.key.set(String::new());
    }

    // The report.

    pub fn export_report(self) {
        self.report.set(ReportState::Running);
        client::send(&Request::Report, None);
    }

    /// The worker's report: the answer appended, saved as a file.
    pub fn on_report(self, file_name: String, markdown: String) {
        let mut md = markdown;
        if let Some(a) = self.answer.get_untracked() {
            md.push_str(&answer_section(&a));
        }
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("text/markdown");
        let parts = js_sys::Array::of1(&md.into());
        match web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) {
            Ok(blob) => {
                super::state::download(&blob, &file_name);
                self.report.set(ReportState::Saved(file_name));
            }
            Err(_) => self
                .report
                .set(ReportState::Failed("the report could not be made".into())),
        }
    }
}

/// The report's section for the answer (after the findings report).
fn answer_section(a: &Answer) -> String {
    let status = match a.state {
        AnswerState::Done => String::new(),
        AnswerState::Streaming => " (still streaming when the report was saved)".to_string(),
        AnswerState::Error => format!(
            " (incomplete: {})",
            a.error.as_deref().unwrap_or("the request failed")
        ),
    };
    format!(
        "\n## LLM answer\n\nWritten by `{}` ({}, {}) from logsieve's redacted digest (≈ {} tokens){status}. It is a \
         model's reading of the findings above: check it against them.\n\n{}\n",
        a.model.replace('`', "'"),
        a.provider.label(),
        a.origin,
        thousands(a.tokens as u64),
        a.text.trim_end()
    )
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn load() -> Option<Saved> {
    let json = storage()?.get_item(STORAGE_KEY).ok()??;
    serde_json::from_str(&json).ok()
}

fn llm() -> LlmState {
    expect_context::<AppState>().llm
}

/// The "Report (Markdown)" button (in the toolbar).
#[component]
pub fn ReportButton() -> impl IntoView {
    let st = expect_context::<AppState>();
    let l = st.llm;
    let ready = move || st.findings.with(|f| f.is_some());
    let text = move || match l.report.get() {
        ReportState::Idle => String::new(),
        ReportState::Running => "Making the report…".to_string(),
        ReportState::Saved(name) => format!("Saved {name}"),
        ReportState::Failed(e) => format!("Report failed: {e}"),
    };
    view! {
        <button
            type="button"
            class="export"
            data-testid="export-report"
            title="The findings report as Markdown, with the LLM's answer when there is one"
            disabled=move || !ready() || l.report.get() == ReportState::Running
            on:click=move |_| l.export_report()
        >
            "Report (Markdown)"
        </button>
        <span class="export-status" data-testid="report-status">{text}</span>
    }
}

/// The "Ask an LLM" panel: settings, the Ask button, the preview and the answer.
#[component]
pub fn LlmPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    let l = llm();
    let can_ask = move || st.findings.with(|f| f.is_some());
    let on_provider = move |ev: web_sys::Event| {
        let Ok(p) = event_target_value(&ev).parse::<Provider>() else {
            return;
        };
        let old = l.provider.get_untracked();
        l.provider.set(p);
        // Follow the provider while the endpoint is still the other one's default.
        let e = l.endpoint.get_untracked();
        if e.trim().is_empty() || e.trim() == old.default_endpoint() {
            l.endpoint.set(p.default_endpoint().to_string());
        }
        l.settings_changed();
    };
    let on_remember = move |ev: web_sys::Event| {
        let on = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .map(|i| i.checked())
            .unwrap_or(false);
        if on {
            l.remember.set(true);
            l.save();
        } else {
            l.forget();
        }
    };
    let key_note = move || {
        if l.remember.get() {
            "Remembered on this device (localStorage) until you press Forget."
        } else {
            "Kept in this tab's memory only; gone when you close or reload it."
        }
    };
    view! {
        <section class="llm" data-testid="llm-panel">
            <h2>"Ask an LLM"</h2>
            <p class="llm-note">
                "Sends a redacted digest of this analysis (statistics, top templates, findings; secrets, personal "
                "data and addresses masked) to the model you choose, with your own key. You see the exact request "
                "first; nothing is sent until you press Send."
            </p>
            <form class="llm-settings" on:submit=|ev: web_sys::SubmitEvent| ev.prevent_default()>
                <label>
                    "Provider"
                    <select data-testid="llm-provider" on:change=on_provider>
                        <option value="openai" prop:selected=move || l.provider.get() == Provider::Openai>
                            "OpenAI-compatible (OpenAI, Ollama, vLLM, …)"
                        </option>
                        <option value="anthropic" prop:selected=move || l.provider.get() == Provider::Anthropic>
                            "Anthropic (Messages API)"
                        </option>
                    </select>
                </label>
                <label>
                    "Endpoint"
                    <input
                        type="url"
                        data-testid="llm-endpoint"
                        spellcheck="false"
                        placeholder=move || l.provider.get().default_endpoint()
                        prop:value=move || l.endpoint.get()
                        on:input=move |ev| {
                            l.endpoint.set(event_target_value(&ev));
                            l.settings_changed();
                        }
                    />
                </label>
                <label>
                    "Model"
                    <input
                        type="text"
                        data-testid="llm-model"
                        spellcheck="false"
                        placeholder="e.g. gpt-4o-mini, llama3.1, claude-sonnet-4-5"
                        prop:value=move || l.model.get()
                        on:input=move |ev| {
                            l.model.set(event_target_value(&ev));
                            l.settings_changed();
                        }
                    />
                </label>
                <label>
                    "API key"
                    <input
                        type="password"
                        data-testid="llm-key"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="sent only in the request's headers"
                        prop:value=move || l.key.get()
                        on:input=move |ev| {
                            l.key.set(event_target_value(&ev));
                            l.settings_changed();
                        }
                    />
                </label>
                <label>
                    "Budget (tokens)"
                    <input
                        type="number"
                        min="500"
                        step="500"
                        data-testid="llm-budget"
                        prop:value=move || l.budget.get().to_string()
                        on:input=move |ev| {
                            if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() {
                                l.budget.set(n.max(1));
                                l.settings_changed();
                            }
                        }
                    />
                </label>
                <label>
                    "Timeout (s)"
                    <input
                        type="number"
                        min="1"
                        data-testid="llm-timeout"
                        prop:value=move || l.timeout_s.get().to_string()
                        on:input=move |ev| {
                            if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() {
                                l.timeout_s.set(n.max(1));
                                l.settings_changed();
                            }
                        }
                    />
                </label>
                <div class="llm-remember">
                    <label>
                        <input
                            type="checkbox"
                            data-testid="llm-remember"
                            prop:checked=move || l.remember.get()
                            on:change=on_remember
                        />
                        "Remember on this device"
                    </label>
                    <button
                        type="button"
                        data-testid="llm-forget"
                        class:hidden=move || !l.remember.get()
                        title="Delete the stored settings and key from this device, and the key from memory"
                        on:click=move |_| l.forget()
                    >
                        "Forget"
                    </button>
                    <span class="llm-key-note">{key_note}</span>
                </div>
            </form>
            <div class="llm-actions">
                <button
                    type="button"
                    data-testid="llm-ask"
                    disabled=move || !can_ask() || l.preview.get() == PreviewState::Building
                    on:click=move |_| l.ask()
                >
                    "Ask the LLM…"
                </button>
                {move || (!can_ask()).then(|| view! { <span class="llm-hint">"Open a log first."</span> })}
            </div>
            <PreviewPanel/>
            <AnswerPanel/>
        </section>
    }
}

#[component]
fn PreviewPanel() -> impl IntoView {
    let l = llm();
    move || match l.preview.get() {
        PreviewState::Closed => None,
        PreviewState::Building => Some(
            view! {
                <div class="llm-preview" data-testid="llm-preview-panel" data-state="building">
                    "Building the digest…"
                </div>
            }
            .into_any(),
        ),
        PreviewState::Failed(e) => Some(
            view! {
                <div class="llm-preview" data-testid="llm-preview-panel" data-state="error">
                    <p class="llm-error" data-testid="llm-preview-error">{e}</p>
                </div>
            }
            .into_any(),
        ),
        PreviewState::Ready(p) => {
            // The headers as they will be sent, with a stand-in for the key (none at all without a key).
            const STAND_IN: &str = "<key>";
            let has_key = !l.key.get_untracked().trim().is_empty();
            let mut header_lines =
                LlmState::request_headers(p.provider, if has_key { STAND_IN } else { "" })
                    .into_iter()
                    .map(|(k, v)| {
                        format!("{k}: {}", v.replace(STAND_IN, "•••• (your key, not shown)"))
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            if !has_key {
                header_lines.push_str("\n(no API key given: sent without one)");
            }
            let omitted = (!p.omitted.is_empty()).then(|| {
                view! {
                    <p class="llm-omitted" data-testid="llm-omitted">
                        "Left out to fit the budget: " {p.omitted.join("; ")}
                    </p>
                }
            });
            Some(
                view! {
                    <div class="llm-preview" data-testid="llm-preview-panel" data-state="ready">
                        <h3>"The request"</h3>
                        <p>
                            "POST "
                            <code data-testid="llm-preview-url">{p.url.clone()}</code>
                            " ("
                            {p.provider.label()}
                            ", model "
                            <code>{p.model.clone()}</code>
                            ") — about "
                            <b data-testid="llm-preview-tokens" data-tokens=p.tokens.to_string()>
                                {thousands(p.tokens as u64)}
                            </b>
                            " tokens, "
                            {thousands(p.body.len() as u64)}
                            " bytes. It goes only to "
                            <code>{p.origin.clone()}</code>
                            "."
                        </p>
                        {omitted}
                        <h4>"Headers"</h4>
                        <pre class="llm-headers" data-testid="llm-headers">{header_lines}</pre>
                        <h4>"Body (exactly what is sent)"</h4>
                        <pre class="llm-body" data-testid="llm-preview">{p.body.clone()}</pre>
                        <div class="llm-actions">
                            <button type="button" data-testid="llm-send" on:click=move |_| l.send()>
                                "Send"
                            </button>
                            <button
                                type="button"
                                data-testid="llm-preview-close"
                                on:click=move |_| l.preview.set(PreviewState::Closed)
                            >
                                "Close"
                            </button>
                        </div>
                    </div>
                }
                .into_any(),
            )
        }
    }
}

#[component]
fn AnswerPanel() -> impl IntoView {
    let l = llm();
    let text = Signal::derive(move || {
        l.answer
            .with(|a| a.as_ref().map(|a| a.text.clone()).unwrap_or_default())
    });
    // The frame of the answer changes with its state only: the buttons are not rebuilt at each chunk.
    let frame = Memo::new(move |_| {
        l.answer.with(|a| {
            a.as_ref().map(|a| {
                let head = format!("{} · {} · {}", a.model, a.provider.label(), a.origin);
                (a.state, a.error.clone(), head)
            })
        })
    });
    move || {
        frame.get().map(|(state, error, head)| {
            let error = error.map(|e| view! { <p class="llm-error" data-testid="llm-error">{e}</p> });
            view! {
                <div class="llm-answer" data-testid="llm-answer" data-state=state.as_str()>
                    <div class="llm-answer-head">
                        <h3>"Answer"</h3>
                        <span class="llm-answer-meta">{head}</span>
                        {(state == AnswerState::Streaming)
                            .then(|| {
                                view! {
                                    <button type="button" data-testid="llm-cancel" on:click=move |_| l.cancel()>
                                        "Cancel"
                                    </button>
                                }
                            })}
                        <button
                            type="button"
                            data-testid="llm-copy"
                            on:click=move |_| {
                                l.answer
                                    .with_untracked(|a| {
                                        if let Some(a) = a {
                                            super::clipboard::copy_text(&a.text);
                                        }
                                    })
                            }
                        >
                            "Copy"
                        </button>
                    </div>
                    {error}
                    <div class="llm-answer-body markdown" data-testid="llm-answer-body">
                        <Markdown text=text/>
                    </div>
                </div>
            }
        })
    }
}
