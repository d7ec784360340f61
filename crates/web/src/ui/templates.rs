//! The Events / Templates tabs and the templates list: one row per template, most frequent first (count, share,
//! level mix, a sparkline of its events, the template text and its example). The list is virtualised like the
//! event table (fixed row height, only the visible rows in the DOM, fetched from the worker by page). Clicking a
//! row filters the event table to that template. Log text (templates, examples, samples) only reaches the DOM as
//! text nodes or attribute values; the bars are SVG built from view nodes.

use super::state::{AppState, Tab, PAGE_TEMPLATES};
use super::table::window;
use leptos::prelude::*;
use logsieve_web::protocol::{thousands, TemplateAxis};

/// Row height in CSS pixels; must match `.trow { height }` in styles.css.
pub const TEMPLATE_ROW_PX: f64 = 44.0;
/// The sparkline's drawing box (SVG user units); CSS scales it.
const SPARK_W: f64 = TemplateAxis::BUCKETS as f64;
const SPARK_H: f64 = 16.0;

fn state() -> AppState {
    expect_context::<AppState>()
}

#[component]
pub fn Tabs() -> impl IntoView {
    let st = state();
    let has_file = move || st.phase.with(|p| p.summary().is_some());
    let templates = move || {
        st.phase
            .with(|p| p.summary().map(|s| thousands(s.templates)))
            .unwrap_or_default()
    };
    let tab = move |t: Tab, label: &'static str, testid: &'static str| {
        let active = move || st.tab.get() == t;
        view! {
            <button
                type="button"
                role="tab"
                class="tab"
                class:active=active
                aria-selected=move || if active() { "true" } else { "false" }
                data-testid=testid
                on:click=move |_| st.tab.set(t)
            >
                {label}
            </button>
        }
    };
    view! {
        <nav class="tabs" role="tablist" class:hidden=move || !has_file()>
            {tab(Tab::Events, "Events", "tab-events")}
            {tab(Tab::Templates, "Templates", "tab-templates")}
            {tab(Tab::Findings, "Findings", "tab-findings")}
            <span class="tab-note" data-testid="templates-total">
                {move || format!("{} templates", templates())}
            </span>
        </nav>
    }
}

#[component]
pub fn TemplatesView() -> impl IntoView {
    let st = state();
    let viewport = NodeRef::<leptos::html::Div>::new();
    let scroll_top = RwSignal::new(0.0f64);
    let viewport_px = RwSignal::new(600.0f64);
    let measure = move || {
        if let Some(el) = viewport.get_untracked() {
            scroll_top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                viewport_px.set(h);
            }
        }
    };
    Effect::new(move |_| {
        if viewport.get().is_some() {
            measure();
        }
    });
    // A new file starts at the top. (The list is never `display: none`, only moved off stage when its tab is not
    // shown, so that its viewport keeps a box and can always be scrolled.)
    let file = Memo::new(move |_| {
        st.phase.with(|p| {
            p.summary()
                .map(|s| (s.name.clone(), s.bytes_in, s.elapsed_ms.to_bits()))
        })
    });
    Effect::new(move |_| {
        file.track();
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });
    Effect::new(move |_| {
        if st.tab.get() == Tab::Templates {
            request_animation_frame(measure);
        }
    });
    let _resize = window_event_listener(leptos::ev::resize, move |_| measure());
    let total = move || {
        st.phase
            .with(|p| p.summary().map(|s| s.templates))
            .unwrap_or(0)
    };
    let geometry = Memo::new(move |_| {
        window(
            total(),
            scroll_top.get(),
            viewport_px.get(),
            TEMPLATE_ROW_PX,
        )
    });
    // Fetch the visible templates (and half a page around them) while the tab is shown.
    Effect::new(move |_| {
        let w = geometry.get();
        st.templates.track();
        if st.tab.get() != Tab::Templates {
            return;
        }
        let ahead = PAGE_TEMPLATES / 2;
        st.want_templates(
            (w.first as u32).saturating_sub(ahead),
            w.count as u32 + 2 * ahead,
        );
    });
    let positions = move || {
        let w = geometry.get();
        (w.first..w.first + w.count).collect::<Vec<u64>>()
    };
    let axis = move || {
        st.phase.with(|p| {
            p.summary()
                .map(|s| {
                    let a = &s.template_axis;
                    if a.by_time {
                        format!("Sparklines: events over time, {} → {}", a.from, a.to)
                    } else {
                        format!(
                            "Sparklines: events over the file (events {} → {}; no time range)",
                            a.from, a.to
                        )
                    }
                })
                .unwrap_or_default()
        })
    };
    let hidden = move || st.tab.get() != Tab::Templates || st.phase.with(|p| p.summary().is_none());
    view! {
        <section
            class="templates"
            class:offstage=hidden
            data-testid="templates-view"
            data-templates=move || total().to_string()
        >
            <p class="templates-axis">{axis}</p>
            <div class="trow head" role="row">
                <span class="t-count">"Count"</span>
                <span class="t-share">"Share"</span>
                <span class="t-levels">"Levels"</span>
                <span class="t-spark">
                    {move || {
                        let by_time = st
                            .phase
                            .with(|p| p.summary().map(|s| s.template_axis.by_time))
                            .unwrap_or(true);
                        if by_time { "Over time" } else { "Over the file" }
                    }}
                </span>
                <span class="t-main">"Template · example"</span>
            </div>
            <div
                class="viewport tviewport"
                node_ref=viewport
                on:scroll=move |_| measure()
                role="grid"
            >
                <div class="spacer" style:height=move || format!("{}px", geometry.get().spacer_px)>
                    <div
                        class="block"
                        style:transform=move || format!("translateY({}px)", geometry.get().block_top)
                    >
                        <For each=positions key=|p| *p let:pos>
                            <TemplateItem pos=pos as u32/>
                        </For>
                    </div>
                </div>
                {move || {
                    (total() == 0)
                        .then(|| view! { <p class="empty">"No templates: the file has no events."</p> })
                }}
            </div>
        </section>
    }
}

/// Share of all events, for people: `12.3%`, `<0.1%`.
fn share_text(count: u64, events: u64) -> String {
    if events == 0 {
        return String::new();
    }
    let pct = count as f64 * 100.0 / events as f64;
    if pct > 0.0 && pct < 0.1 {
        "<0.1%".to_string()
    } else {
        format!("{pct:.1}%")
    }
}

#[component]
fn TemplateItem(pos: u32) -> impl IntoView {
    let st = state();
    let row = Memo::new(move |_| st.templates.with(|m| m.get(&pos).cloned()));
    let events = move || {
        st.phase
            .with(|p| p.summary().map(|s| s.events))
            .unwrap_or(0)
    };
    let active = move || {
        let id = row.with(|r| r.as_ref().map(|r| r.id));
        id.is_some() && st.template_filter.with(|f| f.as_ref().map(|f| f.id)) == id
    };
    view! {
        <div
            class="trow"
            class:loading=move || row.with(|r| r.is_none())
            class:active=active
            role="row"
            data-testid="template-row"
            data-rank=pos.to_string()
            data-template-id=move || row.with(|r| r.as_ref().map(|r| r.id.to_string()))
            data-count=move || row.with(|r| r.as_ref().map(|r| r.count.to_string()))
            tabindex="0"
            on:click=move |_| {
                if let Some(r) = row.get_untracked() {
                    st.filter_template(&r);
                }
            }
            on:keydown=move |ev: web_sys::KeyboardEvent| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    if let Some(r) = row.get_untracked() {
                        st.filter_template(&r);
                    }
                }
            }
        >
            {move || {
                row.get()
                    .map(|r| {
                        let share = share_text(r.count, events());
                        let example = format!("line {}: {}", thousands(r.example_line), r.example);
                        let example_tip = example.clone();
                        let mut tip = r.template.clone();
                        for (i, s) in r.samples.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
                            tip.push_str(&format!("\n<*> #{}: {}", i + 1, s.join(" | ")));
                        }
                        if let (Some(a), Some(b)) = (&r.first_ts, &r.last_ts) {
                            tip.push_str(&format!("\n{a} → {b}"));
                        }
                        view! {
                            <span class="t-count">{thousands(r.count)}</span>
                            <span class="t-share">{share}</span>
                            <LevelBar levels=r.levels.clone() count=r.count/>
                            <Sparkline histogram=r.histogram.clone()/>
                            <span class="t-main">
                                <span class="t-text" data-testid="template-text" title=tip>
                                    {r.template.clone()}
                                </span>
                                <span
                                    class="t-example"
                                    data-testid="template-example"
                                    data-line=r.example_line.to_string()
                                    title=example_tip
                                >
                                    {example}
                                </span>
                            </span>
                        }
                    })
            }}
        </div>
    }
}

/// The level mix as a stacked bar (SVG rects, coloured by CSS class), with the counts in its tooltip.
#[component]
fn LevelBar(levels: Vec<(String, u64)>, count: u64) -> impl IntoView {
    let total = count.max(1) as f64;
    let mut x = 0.0;
    let rects = levels
        .iter()
        .map(|(l, n)| {
            let w = *n as f64 / total * 100.0;
            let r = view! {
                <rect
                    class=format!("lf lf-{l}")
                    x=format!("{x:.3}")
                    y="0"
                    width=format!("{w:.3}")
                    height="10"
                ></rect>
            };
            x += w;
            r
        })
        .collect_view();
    let tip = levels
        .iter()
        .map(|(l, n)| format!("{l} {}", thousands(*n)))
        .collect::<Vec<_>>()
        .join(" · ");
    let data = levels
        .iter()
        .map(|(l, n)| format!("{l}:{n}"))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <span class="t-levels" title=tip data-levels=data>
            <svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                {rects}
            </svg>
        </span>
    }
}

/// A sparkline of the template's histogram: an area under a line (one SVG path).
#[component]
fn Sparkline(histogram: Vec<u32>) -> impl IntoView {
    let max = histogram.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = histogram.len().max(1) as f64;
    let step = SPARK_W / n;
    let mut d = format!("M0 {SPARK_H}");
    for (i, &c) in histogram.iter().enumerate() {
        let y = SPARK_H - (c as f64 / max) * (SPARK_H - 1.0);
        let x0 = i as f64 * step;
        d.push_str(&format!(" L{x0:.2} {y:.2} L{:.2} {y:.2}", x0 + step));
    }
    d.push_str(&format!(" L{SPARK_W} {SPARK_H} Z"));
    let sum: u64 = histogram.iter().map(|&c| c as u64).sum();
    view! {
        <span class="t-spark" data-total=sum.to_string()>
            <svg
                viewBox=format!("0 0 {SPARK_W} {SPARK_H}")
                preserveAspectRatio="none"
                aria-hidden="true"
            >
                <path class="spark" d=d></path>
            </svg>
        </span>
    }
}
