//! The virtualised event table: fixed row height, a tall spacer, and only the visible rows (plus a few) in the
//! DOM, fetched from the worker by page and cached. Past a few million rows the spacer stops growing and the
//! scroll position is scaled, so 10 M rows scroll like 300 k (browsers cap an element's height near 2^25 px).

use super::state::{AppState, Tab};
use leptos::prelude::*;
use logsieve_web::protocol::{thousands, Row};

/// Row height in CSS pixels; must match `.row { height }` in styles.css.
pub const ROW_PX: f64 = 24.0;
/// The spacer's largest height.
const MAX_SPACER_PX: f64 = 8_000_000.0;
/// Rows kept in the DOM beyond the visible ones (below them).
const EXTRA_ROWS: u64 = 4;

/// Geometry of a scrolled virtual list (the event table, the templates list).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub spacer_px: f64,
    pub first: u64,
    pub count: u64,
    /// Where the block of rows sits in the spacer.
    pub block_top: f64,
}

/// Which of `rows` rows of `row_px` pixels are visible at `scroll_top` in a viewport of `viewport_px`.
pub fn window(rows: u64, scroll_top: f64, viewport_px: f64, row_px: f64) -> Window {
    let full = rows as f64 * row_px;
    let spacer_px = full.min(MAX_SPACER_PX);
    let max_scroll = (spacer_px - viewport_px).max(0.0);
    let scroll = scroll_top.clamp(0.0, max_scroll);
    let virtual_top = if full > spacer_px && max_scroll > 0.0 {
        scroll / max_scroll * (full - viewport_px).max(0.0)
    } else {
        scroll
    };
    let first = ((virtual_top / row_px).floor() as u64).min(rows.saturating_sub(1));
    let within = virtual_top - first as f64 * row_px;
    let visible = (viewport_px / row_px).ceil() as u64 + EXTRA_ROWS;
    let count = visible.min(rows - first.min(rows));
    Window {
        spacer_px,
        first,
        count,
        block_top: (scroll - within).max(0.0),
    }
}

#[component]
pub fn EventTable() -> impl IntoView {
    let st = expect_context::<AppState>();
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
    // Measure once the viewport is in the DOM, and on window resizes.
    Effect::new(move |_| {
        if viewport.get().is_some() {
            measure();
        }
    });
    let _resize = window_event_listener(leptos::ev::resize, move |_| measure());
    // A new view scrolls back to the top. (The table is never `display: none`, only moved off stage while hidden,
    // so that its viewport keeps a box and can always be scrolled.)
    Effect::new(move |_| {
        st.view_generation.track();
        st.view_count.track();
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });
    // A finding's evidence line: once the unfiltered view is there and the event located, scroll to it (after the
    // effect above has scrolled the new view to the top) and select it.
    Effect::new(move |_| {
        let (Some(ev), Some(count)) = (st.jump_event.get(), st.view_count.get()) else {
            return;
        };
        st.jump_event.set(None);
        request_animation_frame(move || {
            let Some(el) = viewport.get_untracked() else {
                return;
            };
            let vp = (el.client_height() as f64).max(1.0);
            let full = count as f64 * ROW_PX;
            let spacer = full.min(MAX_SPACER_PX);
            let max_scroll = (spacer - vp).max(0.0);
            // A few rows above the event, so that it is clearly in view.
            let virtual_top = (ev as f64 * ROW_PX - 3.0 * ROW_PX).max(0.0);
            let top = if full > spacer && full > vp {
                virtual_top / (full - vp) * max_scroll
            } else {
                virtual_top
            };
            el.set_scroll_top(top.min(max_scroll).round() as i32);
            measure();
            st.select(ev);
        });
    });
    Effect::new(move |_| {
        if st.tab.get() == Tab::Events {
            request_animation_frame(measure);
        }
    });
    let geometry = Memo::new(move |_| {
        let rows = st.view_count.get().unwrap_or(0);
        window(rows, scroll_top.get(), viewport_px.get(), ROW_PX)
    });
    // Fetch what is visible, a page ahead and behind.
    Effect::new(move |_| {
        let w = geometry.get();
        st.view_generation.track();
        st.view_count.track();
        st.first_visible.set(w.first);
        let ahead = super::state::PAGE_ROWS / 2;
        st.want_rows(w.first.saturating_sub(ahead), w.count + 2 * ahead);
    });
    let positions = move || {
        let w = geometry.get();
        (w.first..w.first + w.count).collect::<Vec<u64>>()
    };
    let has_view = move || st.phase.with(|p| p.summary().is_some());
    view! {
        <section
            class="table"
            class:offstage=move || !has_view()
            data-testid="event-table"
            data-rows=move || st.view_count.get().map(|n| n.to_string())
        >
            <div class="row head" role="row">
                <span class="c-line">"Line"</span>
                <span class="c-ts">"Time"</span>
                <span class="c-level">"Level"</span>
                <span class="c-comp">"Component"</span>
                <span class="c-msg">"Message"</span>
            </div>
            <div class="viewport" node_ref=viewport on:scroll=move |_| measure() role="grid">
                <div class="spacer" style:height=move || format!("{}px", geometry.get().spacer_px)>
                    <div
                        class="block"
                        style:transform=move || format!("translateY({}px)", geometry.get().block_top)
                    >
                        <For each=positions key=|p| *p let:pos>
                            <EventRow pos=pos/>
                        </For>
                    </div>
                </div>
                {move || {
                    (st.view_count.get() == Some(0))
                        .then(|| view! { <p class="empty">"No events in this view."</p> })
                }}
            </div>
        </section>
    }
}

#[component]
fn EventRow(pos: u64) -> impl IntoView {
    let st = expect_context::<AppState>();
    let row = Memo::new(move |_| st.rows.with(|m| m.get(&pos).cloned()));
    let cell =
        move |f: fn(&Row) -> String| move || row.with(|r| r.as_ref().map(f).unwrap_or_default());
    let selected = move || {
        row.with(|r| r.as_ref().map(|r| r.event)) == st.selected.get()
            && st.selected.get().is_some()
    };
    view! {
        <div
            class=move || {
                row.with(|r| match r {
                    Some(r) => format!("row lvl-{}", r.level.as_deref().unwrap_or("NONE")),
                    None => "row loading".to_string(),
                })
            }
            class:selected=selected
            role="row"
            data-testid="event-row"
            data-pos=pos.to_string()
            data-line=move || row.with(|r| r.as_ref().map(|r| r.line.to_string()))
            data-event=move || row.with(|r| r.as_ref().map(|r| r.event.to_string()))
            data-template-id=move || {
                row.with(|r| r.as_ref().and_then(|r| r.template_id).map(|t| t.to_string()))
            }
            on:click=move |_| {
                if let Some(ev) = row.with_untracked(|r| r.as_ref().map(|r| r.event)) {
                    st.select(ev);
                }
            }
        >
            <span class="c-line">
                {cell(|r| {
                    if r.end_line > r.line {
                        format!("{}+{}", thousands(r.line), r.end_line - r.line)
                    } else {
                        thousands(r.line)
                    }
                })}
            </span>
            <span class="c-ts">{cell(|r| r.ts.clone().unwrap_or_default())}</span>
            <span class="c-level">{cell(|r| r.level.clone().unwrap_or_default())}</span>
            <span class="c-comp">{cell(|r| r.component.clone().unwrap_or_default())}</span>
            <span class="c-msg">{cell(|r| r.message.clone())}</span>
            {move || {
                row.with(|r| r.as_ref().and_then(|r| super::model::row_fields_text(r.event)))
                    .map(|f| view! { <span class="c-fields" data-testid="row-fields">{f}</span> })
            }}
        </div>
    }
}
