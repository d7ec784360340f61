//! The page's smaller parts: drop zone, status, summary, toolbar (filters, search, the template filter's chip,
//! export), detail panel.

use super::state::{AppState, ExportState, Phase, Running, STALL_MS};
use leptos::prelude::*;
use logsieve_web::protocol::{human_bytes, mb_per_s, thousands, Summary};
use wasm_bindgen::JsCast;

fn state() -> AppState {
    expect_context::<AppState>()
}

#[component]
pub fn DropZone() -> impl IntoView {
    let st = state();
    let dragging = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let on_change = move |ev: web_sys::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(f) = input.files().and_then(|l| l.get(0)) {
            st.open(f);
        }
        // The same file chosen again must fire `change` again.
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(f) = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|l| l.get(0))
        {
            st.open(f);
        }
    };
    view! {
        <section
            class="dropzone"
            class:dragging=move || dragging.get()
            data-testid="dropzone"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <p>"Drop a log file here (plain text or gzip, any size), or "</p>
            <label class="button">
                "choose a file"
                <input type="file" node_ref=input_ref on:change=on_change/>
            </label>
        </section>
    }
}

fn done_text(s: &Summary) -> String {
    let size = if s.gzip {
        format!(
            "{} gzip ({} of text)",
            human_bytes(s.bytes_in),
            human_bytes(s.bytes_decoded)
        )
    } else {
        human_bytes(s.bytes_in)
    };
    format!(
        "{} events from {} in {} ms ({:.1} MB/s)",
        thousands(s.events),
        size,
        s.elapsed_ms.round(),
        s.mb_per_s()
    )
}

fn running_text(r: &Running) -> String {
    if r.stalled {
        return format!(
            "{}: the worker has not answered for over {} s, in the {} stage.",
            r.name,
            (STALL_MS / 1000.0).round(),
            r.stage.as_str()
        );
    }
    match &r.parsed {
        Some(s) => format!(
            "{}: {} events read; {} stage…",
            r.name,
            thousands(s.events),
            r.stage.as_str()
        ),
        None => format!(
            "Reading {}: {} of {}, {} events, {:.1} MB/s",
            r.name,
            human_bytes(r.bytes_done),
            human_bytes(r.bytes_total),
            thousands(r.events),
            mb_per_s(r.bytes_done, r.elapsed_ms)
        ),
    }
}

#[component]
pub fn Status() -> impl IntoView {
    let st = state();
    let phase = st.phase;
    let summary = move || phase.with(|p| p.summary().cloned());
    let text = move || {
        phase.with(|p| match p {
            Phase::Idle => "No file yet.".to_string(),
            Phase::Running(r) => running_text(r),
            Phase::Done(s) => format!("{}: {}", s.name, done_text(s)),
            Phase::Error {
                message, summary, ..
            } => match summary {
                Some(s) if s.events > 0 => format!(
                    "{}: {message}. The {} events read before it are kept.",
                    s.name,
                    thousands(s.events)
                ),
                Some(s) => format!("{}: {message}", s.name),
                None => format!("Error: {message}"),
            },
        })
    };
    let progress = move || {
        phase.with(|p| match p {
            Phase::Running(r) if r.parsed.is_none() => {
                Some((r.bytes_done as f64, r.bytes_total.max(1) as f64))
            }
            _ => None,
        })
    };
    view! {
        <section
            class="status"
            data-testid="status"
            data-state=move || phase.with(|p| p.state())
            data-stage=move || phase.with(|p| p.stage().map(|s| s.as_str()))
            data-events=move || summary().map(|s| s.events.to_string())
            data-bytes=move || summary().map(|s| s.bytes_in.to_string())
            data-elapsed-ms=move || summary().map(|s| format!("{}", s.elapsed_ms.round()))
            data-warnings=move || summary().map(|s| s.warnings.len().to_string())
            data-wasm-memory-bytes=move || summary().map(|s| s.wasm_memory_bytes.to_string())
            data-templates=move || summary().map(|s| s.templates.to_string())
            role="status"
            aria-live="polite"
        >
            <span class="status-text">{text}</span>
            {move || {
                progress()
                    .map(|(done, total)| {
                        view! {
                            <progress data-testid="progress" max=total value=done></progress>
                        }
                    })
            }}
            <CancelButton/>
            <RetryButton/>
        </section>
    }
}

/// Stops a running parse (shown while it runs; the way out of a stalled one).
#[component]
fn CancelButton() -> impl IntoView {
    let st = state();
    let running = move || st.phase.with(|p| matches!(p, Phase::Running(_)));
    view! {
        <Show when=running>
            <button type="button" class="cancel" data-testid="cancel" on:click=move |_| st.cancel()>
                "Cancel"
            </button>
        </Show>
    }
}

/// After a failure (or a cancel) in a stage that can be left out: parses the file again without it.
#[component]
fn RetryButton() -> impl IntoView {
    let st = state();
    let offer = move || {
        st.phase.with(|p| match p {
            Phase::Error {
                message,
                stage: Some(stage),
                ..
            } if stage.skippable() => Some((*stage, message.clone())),
            _ => None,
        })
    };
    move || {
        offer().map(|(stage, reason)| {
            view! {
                <button
                    type="button"
                    class="retry"
                    data-testid="retry"
                    data-stage=stage.as_str()
                    on:click=move |_| st.retry_without(stage, reason.clone())
                >
                    {format!("Retry without {}", stage.as_str())}
                </button>
            }
        })
    }
}

#[component]
pub fn SummaryPanel() -> impl IntoView {
    let st = state();
    let summary = move || st.phase.with(|p| p.summary().cloned());
    view! {
        {move || {
            summary()
                .map(|s| {
                    let mut warnings = s.warnings.clone();
                    if let Some(e) = &s.error {
                        if !warnings.contains(e) {
                            warnings.push(e.clone());
                        }
                    }
                    if s.events == 0 && s.error.is_none() {
                        warnings.push("The file is empty: it holds no lines.".to_string());
                    }
                    let range = match (&s.first_ts, &s.last_ts) {
                        (Some(a), Some(b)) => format!("{a} → {b}"),
                        _ => "no timestamps".to_string(),
                    };
                    let formats = s
                        .formats
                        .iter()
                        .map(|(f, n)| format!("{f} ({})", thousands(*n)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let extra = {
                        let mut v = Vec::new();
                        if s.multiline_events > 0 {
                            v.push(format!("{} multi-line", thousands(s.multiline_events)));
                        }
                        if s.invalid_utf8_lines > 0 {
                            v.push(format!("{} lines not UTF-8", thousands(s.invalid_utf8_lines)));
                        }
                        if s.truncated_lines > 0 {
                            v.push(format!("{} lines cut at 1 MiB", thousands(s.truncated_lines)));
                        }
                        v.join(" · ")
                    };
                    view! {
                        <section class="summary" data-testid="summary">
                            <dl>
                                <div>
                                    <dt>"Events"</dt>
                                    <dd data-testid="summary-events">{thousands(s.events)}</dd>
                                </div>
                                <div>
                                    <dt>"Lines"</dt>
                                    <dd>{thousands(s.lines)}</dd>
                                </div>
                                <div>
                                    <dt>"Time range"</dt>
                                    <dd>{range}</dd>
                                </div>
                                <div>
                                    <dt>"Format"</dt>
                                    <dd>{s.file_format.clone()}</dd>
                                </div>
                                <div>
                                    <dt>"Formats"</dt>
                                    <dd>{formats}</dd>
                                </div>
                                <div>
                                    <dt>"Templates"</dt>
                                    <dd data-testid="summary-templates">{thousands(s.templates)}</dd>
                                </div>
                            </dl>
                            <ul class="levels">
                                {s
                                    .levels
                                    .iter()
                                    .map(|(l, n)| {
                                        view! {
                                            <li class=format!("level lvl-{l}")>
                                                {l.clone()}
                                                " "
                                                <b>{thousands(*n)}</b>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            <p class="extra">{extra}</p>
                            <ul class="warnings">
                                {warnings
                                    .into_iter()
                                    .map(|w| view! { <li class="warning" data-testid="warning">{w}</li> })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
        }}
    }
}

#[component]
pub fn Toolbar() -> impl IntoView {
    let st = state();
    let level_names = move || {
        st.phase
            .with(|p| p.summary().map(|s| s.levels.clone()).unwrap_or_default())
    };
    let has_file = move || st.phase.with(|p| p.summary().is_some());
    let search_ref = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if let Some(i) = search_ref.get() {
            st.search.set(i.value());
        }
        st.query();
    };
    let export_text = move || match st.export.get() {
        ExportState::Idle => String::new(),
        ExportState::Running {
            bytes_done,
            bytes_total,
        } => match (bytes_done * 100).checked_div(bytes_total) {
            Some(pct) => format!("Exporting… {pct}%"),
            None => "Exporting…".to_string(),
        },
        ExportState::Ready {
            file_name,
            bytes,
            events,
        } => format!(
            "Saved {file_name}: {} events, {}",
            thousands(events),
            human_bytes(bytes)
        ),
        ExportState::Failed(e) => format!("Export failed: {e}"),
    };
    let count_text = move || match st.view_count.get() {
        None => "Searching…".to_string(),
        Some(n) => {
            let total = st
                .phase
                .with(|p| p.summary().map(|s| s.events).unwrap_or(0));
            let ms = st
                .view_ms
                .get()
                .map(|ms| format!(" ({} ms)", ms.round()))
                .unwrap_or_default();
            format!("{} of {} events{ms}", thousands(n), thousands(total))
        }
    };
    view! {
        <section class="toolbar" class:hidden=move || !has_file()>
            <fieldset class="level-filter" data-testid="level-filter">
                <legend>"Levels"</legend>
                {move || {
                    level_names()
                        .into_iter()
                        .map(|(l, _)| {
                            let name = l.clone();
                            let name2 = l.clone();
                            let class = format!("lvl-{l}");
                            view! {
                                <label class=class>
                                    <input
                                        type="checkbox"
                                        data-level=l.clone()
                                        prop:checked=move || st.levels.with(|v| v.contains(&name))
                                        on:change=move |ev: web_sys::Event| {
                                            let on = ev
                                                .target()
                                                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                                                .map(|i| i.checked())
                                                .unwrap_or(false);
                                            st.levels
                                                .update(|v| {
                                                    v.retain(|x| x != &name2);
                                                    if on {
                                                        v.push(name2.clone());
                                                    }
                                                });
                                            st.query();
                                        }
                                    />
                                    {l}
                                </label>
                            }
                        })
                        .collect_view()
                }}
            </fieldset>
            <form class="search" on:submit=on_submit role="search">
                <input
                    type="search"
                    data-testid="search"
                    placeholder="Search the events' text"
                    aria-label="Search"
                    prop:value=move || st.search.get()
                    node_ref=search_ref
                />
                <button type="submit">"Search"</button>
            </form>
            {move || {
                st.template_filter
                    .get()
                    .map(|f| {
                        view! {
                            <span
                                class="chip"
                                data-testid="template-filter"
                                data-template-id=f.id.to_string()
                                data-count=f.count.to_string()
                            >
                                <span class="chip-label">{format!("Template #{}:", f.id)}</span>
                                <span class="chip-text" title=f.template.clone()>{f.template.clone()}</span>
                                <button
                                    type="button"
                                    class="chip-clear"
                                    data-testid="template-filter-clear"
                                    aria-label="Clear the template filter"
                                    title="Clear the template filter"
                                    on:click=move |_| st.clear_template_filter()
                                >
                                    "×"
                                </button>
                            </span>
                        }
                    })
            }}
            <span
                class="view-count"
                data-testid="view-count"
                data-count=move || st.view_count.get().map(|n| n.to_string())
            >
                {count_text}
            </span>
            <button
                type="button"
                class="export"
                data-testid="export-ndjson"
                disabled=move || !has_file() || matches!(st.export.get(), ExportState::Running { .. })
                on:click=move |_| st.export()
            >
                "Export NDJSON"
            </button>
            <span class="export-status" data-testid="export-status">{export_text}</span>
            <super::llm::ReportButton/>
            {move || {
                st.notice.get().map(|n| view! { <span class="notice" data-testid="notice">{n}</span> })
            }}
        </section>
    }
}

#[component]
pub fn DetailPanel() -> impl IntoView {
    let st = state();
    view! {
        {move || {
            st.selected
                .get()
                .map(|sel| {
                    let body = move || {
                        st.detail
                            .get()
                            .filter(|d| d.event == sel)
                            .map(|d| {
                                let line = d
                                    .fields
                                    .iter()
                                    .find(|(k, _)| k == "line")
                                    .map(|(_, v)| v.clone())
                                    .unwrap_or_default();
                                view! {
                                    <h2>"Event at line " {line}</h2>
                                    <dl class="fields" data-testid="detail-fields">
                                        {d
                                            .fields
                                            .iter()
                                            .map(|(k, v)| {
                                                view! {
                                                    <div>
                                                        <dt>{k.clone()}</dt>
                                                        <dd>{v.clone()}</dd>
                                                    </div>
                                                }
                                            })
                                            .collect_view()}
                                    </dl>
                                    <h3>"Message"</h3>
                                    <pre class="message" data-testid="detail-message">{d.message.clone()}</pre>
                                    <h3>"Text"</h3>
                                    <pre class="text">{d.text.clone()}</pre>
                                    <h3>"NDJSON"</h3>
                                    <pre class="ndjson" data-testid="detail-ndjson">{d.ndjson.clone()}</pre>
                                }
                            })
                    };
                    view! {
                        <aside class="detail" data-testid="event-detail" data-event=sel.to_string()>
                            <button
                                type="button"
                                class="close"
                                aria-label="Close"
                                on:click=move |_| {
                                    st.selected.set(None);
                                    st.detail.set(None);
                                }
                            >
                                "×"
                            </button>
                            {body}
                        </aside>
                    }
                })
        }}
    }
}
