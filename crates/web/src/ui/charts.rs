//! The Charts panel: one `<canvas data-testid="chart-KIND" data-series="...">` per chart that applies to the file
//! (volume by level, status codes, top clients, requests per country, top templates, request-time percentiles),
//! drawn with plotters on plotters-canvas' `CanvasBackend` by `logsieve_charts::draw::chart`, the same code that
//! draws the CLI's SVGs. The series come from the worker (`Response::Charts`); `data-series` is the worker's
//! `ChartSeries::chart_json`, the member of the CLI's `series.json`.
//!
//! - Device-pixel-ratio aware: the canvas has `css size × devicePixelRatio` pixels, the context is scaled, and the
//!   charts are drawn on a drawing area of the CSS size, so that hit coordinates are the mouse's offset.
//! - Hover shows `draw::describe` of the item under the mouse in a tooltip (a text node).
//! - Dragging across the volume chart selects a time range (`Request::Range`): the table, the other charts and the
//!   findings follow it; the volume chart stays the whole file's with the range shaded; Reset clears it.
//! - Each chart exports as PNG (`canvas.toBlob`, downloaded through an object URL).
//! - Redraws on resize (a `ResizeObserver` per canvas) and on a change of `prefers-color-scheme` (`matchMedia`).
//! - `data-drawn` on the panel (the series' epoch) once every shown chart drew the latest series: the hook tests and
//!   the benchmark wait for.

use super::client;
use super::state::AppState;
use leptos::prelude::*;
use logsieve_charts::draw::{self, Hit, Theme};
use logsieve_charts::{ChartKind, ChartSeries};
use logsieve_web::charts::{Charts, TimeRange};
use logsieve_web::protocol::{thousands, Request};
use plotters::prelude::*;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement};

// JS objects are not `Send`; the UI is single-threaded, and cleanups must be `Send` for Leptos.
use leptos::__reexports::send_wrapper::SendWrapper;

/// The charts' state: the full file's charts, the shown ones (of the selected range, if any), the range.
#[derive(Clone, Copy)]
pub struct ChartsState {
    /// The whole file's charts (the volume chart always shows these).
    pub full: RwSignal<Option<Charts>>,
    /// The charts shown (but volume): the selected range's, else the full file's.
    pub current: RwSignal<Option<Charts>>,
    /// The selected time range.
    pub range: RwSignal<Option<TimeRange>>,
    /// The latest `Request::Range`'s generation; answers of older ones are dropped.
    pub generation: RwSignal<u32>,
    /// Bumped by each series that came: `data-drawn` says which one every chart drew.
    pub epoch: RwSignal<u32>,
    /// The charts that drew epoch `.0`.
    drawn: RwSignal<(u32, Vec<ChartKind>)>,
    /// `prefers-color-scheme: dark`.
    pub dark: RwSignal<bool>,
    /// A selection is being computed in the worker.
    pub computing: RwSignal<bool>,
    /// `devicePixelRatio` (it changes when the window moves to another screen, or on zoom).
    pub dpr: RwSignal<f64>,
}

impl ChartsState {
    pub fn new() -> ChartsState {
        ChartsState {
            full: RwSignal::new(None),
            current: RwSignal::new(None),
            range: RwSignal::new(None),
            generation: RwSignal::new(0),
            epoch: RwSignal::new(0),
            drawn: RwSignal::new((0, Vec::new())),
            dark: RwSignal::new(prefers_dark()),
            computing: RwSignal::new(false),
            dpr: RwSignal::new(window().device_pixel_ratio()),
        }
    }

    /// A new file: no charts until the worker sends them.
    pub fn reset(self) {
        self.full.set(None);
        self.current.set(None);
        self.range.set(None);
        self.generation.set(0);
        self.computing.set(false);
        self.epoch.update(|e| *e += 1);
    }

    pub fn on_charts(self, generation: u32, charts: Charts) {
        if generation != self.generation.get_untracked() {
            return;
        }
        if charts.range.is_none() {
            self.full.set(Some(charts.clone()));
        }
        self.current.set(Some(charts));
        self.computing.set(false);
        self.epoch.update(|e| *e += 1);
    }

    fn mark_drawn(self, kind: ChartKind, epoch: u32) {
        self.drawn.update(|(e, kinds)| {
            if *e != epoch {
                *e = epoch;
                kinds.clear();
            }
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        });
    }

    /// The charts shown, in display order: volume from the full file, the others from the current series.
    fn kinds(self) -> Vec<ChartKind> {
        let mut out = Vec::new();
        if self
            .full
            .with(|f| f.as_ref().is_some_and(|c| c.series.volume.is_some()))
        {
            out.push(ChartKind::Volume);
        }
        self.current.with(|c| {
            if let Some(c) = c {
                out.extend(
                    c.series
                        .charts()
                        .into_iter()
                        .filter(|k| *k != ChartKind::Volume),
                );
            }
        });
        out
    }
}

/// Keeps `dpr` up to date: a `(resolution: Xdppx)` query for the current ratio fires `change` when it no longer
/// holds; the listener then takes the new ratio and watches that one. (A listener per change, kept for the page's
/// life: ratio changes are rare.)
fn watch_dpr(dpr: RwSignal<f64>) {
    let now = window().device_pixel_ratio();
    if dpr.get_untracked() != now {
        dpr.set(now);
    }
    if let Ok(Some(mq)) = window().match_media(&format!("(resolution: {now}dppx)")) {
        let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| watch_dpr(dpr));
        let _ = mq.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_change.forget();
    }
}

fn prefers_dark() -> bool {
    window()
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches())
}

/// Selects a time range (or clears it): the worker filters the table's view and recomputes the other charts and
/// the findings for it.
pub fn select_range(st: AppState, range: Option<TimeRange>) {
    let c = st.charts;
    let generation = c.generation.get_untracked() + 1;
    c.generation.set(generation);
    c.range.set(range);
    if range.is_none() {
        // The full file's charts are here already; the worker sends them (and the findings) again anyway.
        let full = c.full.get_untracked();
        c.current.set(full);
        c.epoch.update(|e| *e += 1);
    } else {
        c.computing.set(true);
    }
    st.findings.set(None);
    client::send(&Request::Range { generation, range }, None);
    // After the range: the worker applies it to this query.
    st.query();
}

/// plotters-canvas' backend, measuring text with the canvas' own `measureText`. plotters' default measure appends a
/// `<span style="...">` to the body, which the page's CSP (no inline styles) blocks: the measure would be wrong and
/// every label a CSP violation.
struct MeasuredCanvas {
    inner: CanvasBackend,
    ctx: CanvasRenderingContext2d,
}

type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

impl DrawingBackend for MeasuredCanvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.present()
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        // The font string plotters-canvas draws with.
        self.ctx.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let width = self.ctx.measure_text(text).map_or(0.0, |m| m.width());
        Ok((width.ceil() as u32, (style.size() * 1.2).ceil() as u32))
    }
}

/// Draws one chart on a canvas at the device's pixel ratio; the hit map is in CSS pixels of the canvas.
fn draw_on(
    canvas: &HtmlCanvasElement,
    kind: ChartKind,
    series: &ChartSeries,
    theme: Theme,
    band: Option<TimeRange>,
) -> Option<Hit> {
    let (w, h) = (canvas.client_width(), canvas.client_height());
    if w <= 0 || h <= 0 {
        return None;
    }
    let dpr = window().device_pixel_ratio().max(1.0);
    let (pw, ph) = (
        (w as f64 * dpr).round() as u32,
        (h as f64 * dpr).round() as u32,
    );
    if canvas.width() != pw {
        canvas.set_width(pw);
    }
    if canvas.height() != ph {
        canvas.set_height(ph);
    }
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0).ok()?;
    let inner = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = MeasuredCanvas { inner, ctx }.into_drawing_area();
    let area = root.shrink((0, 0), (w as u32, h as u32));
    let hit = draw::chart(kind, &area, series, theme).ok().flatten();
    if let (Some(hit), Some((a, b))) = (&hit, band) {
        let _ = draw::selection(&area, hit, a, b, theme);
    }
    let _ = area.present();
    hit
}

fn export_png(canvas: &HtmlCanvasElement, kind: ChartKind) {
    let name = format!("logsieve-{}.png", kind.name());
    let done = Closure::once_into_js(move |blob: JsValue| {
        if let Ok(b) = blob.dyn_into::<Blob>() {
            super::state::download(&b, &name);
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
}

/// A selected range as the page shows it: `2024-05-01 10:02:11 – 10:05:40 UTC`.
pub fn range_text(r: TimeRange) -> String {
    format!("{} UTC", draw::fmt_bucket(r.0, (r.1 - r.0).max(1000)))
}

#[component]
pub fn ChartsPanel() -> impl IntoView {
    let st = expect_context::<AppState>();
    let c = st.charts;
    // Follow the system's light/dark setting (the panel lives as long as the page).
    if let Ok(Some(mq)) = window().match_media("(prefers-color-scheme: dark)") {
        let dark = c.dark;
        let on_change =
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_| dark.set(prefers_dark()));
        let _ = mq.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_change.forget();
    }
    watch_dpr(c.dpr);
    let kinds = Memo::new(move |_| c.kinds());
    let drawn = move || {
        let epoch = c.epoch.get();
        let ks = kinds.get();
        c.drawn.with(|(e, d)| {
            (*e == epoch && !ks.is_empty() && ks.iter().all(|k| d.contains(k)))
                .then(|| epoch.to_string())
        })
    };
    let state = move || {
        if c.computing.get() {
            "computing"
        } else if c.full.with(|f| f.is_some()) {
            "done"
        } else {
            "waiting"
        }
    };
    let events = move || {
        c.current
            .with(|cur| cur.as_ref().map(|x| thousands(x.series.events)))
            .unwrap_or_default()
    };
    view! {
        <section
            class="charts"
            data-testid="charts"
            data-state=state
            data-drawn=drawn
            class:hidden=move || kinds.with(|k| k.is_empty())
            aria-label="Charts"
        >
            <div class="charts-head">
                <h2>"Charts"</h2>
                {move || match c.range.get() {
                    Some(r) => {
                        view! {
                            <span class="charts-range" data-testid="chart-range">
                                {format!("Selected: {} · {} events", range_text(r), events())}
                            </span>
                            <button
                                type="button"
                                data-testid="chart-reset"
                                on:click=move |_| select_range(st, None)
                            >
                                "Reset selection"
                            </button>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <span class="charts-hint">
                                "Drag across the volume chart to select a time range."
                            </span>
                        }
                            .into_any()
                    }
                }}
                {move || c.computing.get().then(|| view! { <span class="charts-busy">"Computing the selection…"</span> })}
            </div>
            <div class="chart-grid">
                <For each=move || kinds.get() key=|k| k.name() let:kind>
                    <ChartFigure kind=kind/>
                </For>
            </div>
        </section>
    }
}

#[component]
fn ChartFigure(kind: ChartKind) -> impl IntoView {
    let st = expect_context::<AppState>();
    let c = st.charts;
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let size = RwSignal::new((0i32, 0i32));
    let hit = StoredValue::new(None::<Hit>);
    let tip = RwSignal::new(None::<(String, i32, i32, bool)>);
    // Volume only: where a drag started (CSS px), and the range it covers so far.
    let drag_from = StoredValue::new(None::<i32>);
    let drag_band = RwSignal::new(None::<TimeRange>);
    let source = move || {
        if kind == ChartKind::Volume {
            c.full
        } else {
            c.current
        }
    };
    let json =
        move || source().with(|s| s.as_ref().and_then(|s| s.json_of(kind).map(str::to_string)));

    // Redraw on a new series, a resize, the theme, and (volume) the selection.
    Effect::new(move |_| {
        let epoch = c.epoch.get();
        let theme = if c.dark.get() {
            Theme::Dark
        } else {
            Theme::Light
        };
        size.track();
        c.dpr.track();
        let band = if kind == ChartKind::Volume {
            drag_band.get().or(c.range.get())
        } else {
            None
        };
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let drew = source().with(|s| {
            s.as_ref()
                .map(|s| draw_on(&canvas, kind, &s.series, theme, band))
        });
        if let Some(h) = drew {
            let ok = h.is_some();
            hit.set_value(h);
            if ok {
                let _ = canvas.set_attribute("data-drawn", &epoch.to_string());
                c.mark_drawn(kind, epoch);
            }
        }
    });

    // Resize: the observer reports the canvas' CSS box; drawing sets its pixel size.
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else {
            return;
        };
        let el = canvas.clone();
        let on_resize = Closure::<dyn FnMut(js_sys::Array)>::new(move |_| {
            let s = (el.client_width(), el.client_height());
            if size.get_untracked() != s {
                size.set(s);
            }
        });
        if let Ok(obs) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
            obs.observe(&canvas);
            let keep = SendWrapper::new((obs, on_resize));
            on_cleanup(move || keep.take().0.disconnect());
        }
    });

    let describe = move |x: i32, y: i32| -> Option<String> {
        let i = hit.with_value(|h| h.as_ref().and_then(|h| h.item_at(x, y)))?;
        source().with(|s| s.as_ref().and_then(|s| draw::describe(&s.series, kind, i)))
    };
    let band_to = move |x: i32| -> Option<TimeRange> {
        let x0 = drag_from.get_value()?;
        hit.with_value(|h| {
            let h = h.as_ref()?;
            let (a, b) = (h.time_at(x0.min(x))?, h.time_at(x0.max(x))?);
            Some((a, b))
        })
    };
    let end_drag = move |x: i32| {
        let Some(x0) = drag_from.get_value() else {
            return;
        };
        let band = band_to(x);
        drag_from.set_value(None);
        drag_band.set(None);
        // A click is not a selection.
        if (x - x0).abs() >= 3 {
            if let Some((a, b)) = band.filter(|(a, b)| b > a) {
                select_range(st, Some((a, b)));
            }
        }
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let (x, y) = (ev.offset_x(), ev.offset_y());
        if drag_from.get_value().is_some() {
            drag_band.set(band_to(x));
        }
        let w = size.get_untracked().0;
        tip.set(describe(x, y).map(|t| (t, x, y, x > w / 2)));
    };
    let on_down = move |ev: web_sys::MouseEvent| {
        if kind != ChartKind::Volume || ev.button() != 0 {
            return;
        }
        let (x, y) = (ev.offset_x(), ev.offset_y());
        let inside = hit.with_value(|h| {
            h.as_ref().is_some_and(|h| {
                let (l, t, r, b) = h.plot;
                x >= l && x < r && y >= t && y < b
            })
        });
        if inside {
            ev.prevent_default();
            drag_from.set_value(Some(x));
        }
    };

    let caption = move || {
        match kind {
        ChartKind::Geo => source().with(|s| {
            s.as_ref().and_then(|s| s.series.geo.as_ref()).map(|g| {
                view! {
                    <span class="chart-caption" data-testid="geo-source" data-date=g.date.clone()>
                        {format!(
                            "Countries from {}, data of {}. Addresses in private and reserved ranges are counted as \"private\" and \"reserved\".",
                            g.source,
                            g.date,
                        )}
                    </span>
                }
                .into_any()
            })
        }),
        ChartKind::Clients => c.full.with(|s| {
            s.as_ref().and_then(|s| s.geo_note.clone()).map(|n| {
                view! { <span class="chart-caption" data-testid="geo-note">{n}</span> }.into_any()
            })
        }),
        _ => None,
    }
    };
    let name = kind.name();
    view! {
        <figure class=format!("chart chart-{name}") data-testid=format!("chart-figure-{name}")>
            <canvas
                node_ref=canvas_ref
                data-testid=format!("chart-{name}")
                data-series=json
                role="img"
                aria-label=kind.title()
                class:selectable=kind == ChartKind::Volume
                on:mousemove=on_move
                on:mousedown=on_down
                on:mouseup=move |ev: web_sys::MouseEvent| end_drag(ev.offset_x())
                on:mouseleave=move |ev: web_sys::MouseEvent| {
                    tip.set(None);
                    end_drag(ev.offset_x());
                }
            ></canvas>
            {move || {
                tip.get()
                    .map(|(text, x, y, left)| {
                        view! {
                            <div
                                class="chart-tip"
                                class:left=left
                                data-testid="chart-tip"
                                role="tooltip"
                                style:left=format!("{}px", if left { x - 14 } else { x + 14 })
                                style:top=format!("{}px", y + 14)
                            >
                                {text}
                            </div>
                        }
                    })
            }}
            <div class="chart-foot">
                {caption}
                <button
                    type="button"
                    class="chart-png"
                    data-testid=format!("chart-png-{name}")
                    title="Save this chart as PNG"
                    on:click=move |_| {
                        if let Some(cv) = canvas_ref.get_untracked() {
                            export_png(&cv, kind);
                        }
                    }
                >
                    "PNG"
                </button>
            </div>
        </figure>
    }
}
