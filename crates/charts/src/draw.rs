//! Drawing the series with plotters, generic over the backend: the CLI draws on `SVGBackend`, the page on
//! plotters-canvas' `CanvasBackend`, with the same functions.
//!
//! Each function fills the area with the theme's background, draws its chart, and returns a [`Hit`]: where the plot
//! is in backend pixels and how its items lie, so that the page can map the mouse to a bucket or a bar
//! ([`Hit::item_at`], [`Hit::time_at`]) and write the hover text ([`describe`]). A chart whose series is absent
//! draws only the background and returns `Ok(None)` (the page hides such charts; see [`ChartSeries::applies`]).

use crate::buckets::LEVEL_SLOTS;
use crate::series::{ChartKind, ChartSeries, LEVEL_NAMES};
use logsieve_engine::Timestamp;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The error of a drawing on backend `DB`.
pub type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;
/// What a drawing function returns.
pub type DrawResult<DB> = Result<Option<Hit>, DrawError<DB>>;

const FONT: &str = "sans-serif";
const FONT_SIZE: i32 = 15;
const TITLE_SIZE: i32 = 18;
/// Height of the strip above each chart that holds its title and legend.
const HEADER: i32 = 24;
/// Height of a row of a horizontal bar chart: rows that do not fit the area are not drawn.
pub const ROW_PX: i32 = FONT_SIZE + 4;
/// Rows drawn by the countries chart (the rest summed as "other").
pub const COUNTRY_ROWS: usize = 15;

/// Light or dark page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn background(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(255, 255, 255),
            Theme::Dark => RGBColor(24, 26, 31),
        }
    }
    pub fn foreground(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(33, 37, 41),
            Theme::Dark => RGBColor(222, 226, 230),
        }
    }
    pub fn muted(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(108, 117, 125),
            Theme::Dark => RGBColor(150, 158, 166),
        }
    }
    pub fn grid(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(222, 226, 230),
            Theme::Dark => RGBColor(52, 58, 64),
        }
    }
    /// The colour of bars that have no other meaning.
    pub fn accent(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(13, 110, 253),
            Theme::Dark => RGBColor(110, 168, 254),
        }
    }
    /// The colour of a level slot (`TRACE` … `FATAL`, then `NONE`).
    pub fn level(self, slot: usize) -> RGBColor {
        let light = [
            RGBColor(173, 181, 189), // TRACE
            RGBColor(108, 117, 125), // DEBUG
            RGBColor(13, 110, 253),  // INFO
            RGBColor(253, 126, 20),  // WARN
            RGBColor(220, 53, 69),   // ERROR
            RGBColor(111, 66, 193),  // FATAL
            RGBColor(32, 201, 151),  // NONE
        ];
        let dark = [
            RGBColor(108, 117, 125),
            RGBColor(173, 181, 189),
            RGBColor(110, 168, 254),
            RGBColor(255, 168, 76),
            RGBColor(234, 104, 115),
            RGBColor(181, 146, 239),
            RGBColor(102, 226, 190),
        ];
        let t = if self == Theme::Light { light } else { dark };
        t[slot.min(LEVEL_SLOTS - 1)]
    }
    /// The colour of an HTTP status class (1 … 5).
    pub fn status_class(self, class: u16) -> RGBColor {
        match class {
            2 => self.level(6),
            3 => self.accent(),
            4 => self.level(3),
            5 => self.level(4),
            _ => self.muted(),
        }
    }
    /// The colours of the p50, p95 and p99 lines.
    pub fn percentiles(self) -> [RGBColor; 3] {
        [self.accent(), self.level(3), self.level(4)]
    }
}

/// How a chart's items lie in its plot, for hover and selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: ChartKind,
    /// Plot rectangle in backend pixels: left, top, right, bottom (exclusive).
    pub plot: (i32, i32, i32, i32),
    pub axis: Axis,
    /// Number of items (buckets, bars or rows).
    pub items: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Axis {
    /// Time along x: `items` buckets of `bucket_ms` from `start_ms`.
    Time { start_ms: i64, bucket_ms: i64 },
    /// Bars side by side along x, item 0 on the left.
    Columns,
    /// Bars one under another, item 0 on top.
    Rows,
}

impl Hit {
    fn inside(&self, x: i32, y: i32) -> bool {
        let (l, t, r, b) = self.plot;
        x >= l && x < r && y >= t && y < b
    }

    /// The item under a point (backend pixels), if any.
    pub fn item_at(&self, x: i32, y: i32) -> Option<usize> {
        if !self.inside(x, y) || self.items == 0 {
            return None;
        }
        let (l, t, r, b) = self.plot;
        let i = match self.axis {
            Axis::Time { .. } | Axis::Columns => {
                ((x - l) as i64 * self.items as i64 / (r - l).max(1) as i64) as usize
            }
            Axis::Rows => ((y - t) as i64 * self.items as i64 / (b - t).max(1) as i64) as usize,
        };
        (i < self.items).then_some(i)
    }

    /// The time (Unix ms) at an x pixel of a time chart, clamped to the plot.
    pub fn time_at(&self, x: i32) -> Option<i64> {
        let Axis::Time {
            start_ms,
            bucket_ms,
        } = self.axis
        else {
            return None;
        };
        let (l, _, r, _) = self.plot;
        let span = bucket_ms * self.items as i64;
        let x = x.clamp(l, r);
        Some(start_ms + ((x - l) as i64 * span) / (r - l).max(1) as i64)
    }

    /// The x pixel of a time on a time chart (clamped to the plot).
    pub fn x_of_time(&self, ms: i64) -> Option<i32> {
        let Axis::Time {
            start_ms,
            bucket_ms,
        } = self.axis
        else {
            return None;
        };
        let (l, _, r, _) = self.plot;
        let span = (bucket_ms * self.items as i64).max(1);
        let off = (ms - start_ms).clamp(0, span);
        Some(l + (off * (r - l) as i64 / span) as i32)
    }
}

fn style(size: i32, color: RGBColor) -> TextStyle<'static> {
    (FONT, size).into_font().color(&color)
}

/// Draws one chart by kind.
pub fn chart<DB: DrawingBackend>(
    kind: ChartKind,
    area: &DrawingArea<DB, Shift>,
    series: &ChartSeries,
    theme: Theme,
) -> DrawResult<DB> {
    match kind {
        ChartKind::Volume => volume(area, series, theme),
        ChartKind::Status => status(area, series, theme),
        ChartKind::Clients => clients(area, series, theme),
        ChartKind::Geo => countries(area, series, theme),
        ChartKind::Templates => templates(area, series, theme),
        ChartKind::Latency => latency(area, series, theme),
    }
}

/// Title on the left of the header strip, legend entries (colour, label) on the right.
fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[(Option<RGBColor>, String)],
    theme: Theme,
) -> Result<DrawingArea<DB, Shift>, DrawError<DB>> {
    let (w, _) = area.dim_in_pixel();
    area.draw(&Text::new(
        title.to_string(),
        (8, HEADER / 2),
        style(TITLE_SIZE, theme.foreground()).pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let text = style(FONT_SIZE, theme.foreground()).pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = w as i32 - 8;
    for (color, label) in legend.iter().rev() {
        // The larger of the backend's estimate and a generous one (plotters' native estimate is narrow for caps).
        let est = area
            .estimate_text_size(label, &text)
            .map_or(0, |s| s.0 as i32);
        let tw = est.max(label.chars().count() as i32 * FONT_SIZE * 3 / 5);
        x -= tw;
        area.draw(&Text::new(label.clone(), (x, HEADER / 2), text.clone()))?;
        if let Some(color) = color {
            x -= 14;
            area.draw(&Rectangle::new(
                [(x, HEADER / 2 - 5), (x + 10, HEADER / 2 + 5)],
                color.filled(),
            ))?;
        }
        x -= 10;
    }
    Ok(area.margin(HEADER, 0, 0, 0))
}

fn fmt_count(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Bytes as `12 B`, `3.4 kB`, `5.6 MB`, `7.8 GB`.
pub fn fmt_bytes(b: u64) -> String {
    let v = b as f64;
    if v >= 1e9 {
        format!("{:.1} GB", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1} MB", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1} kB", v / 1e3)
    } else {
        format!("{b} B")
    }
}

/// Seconds as `850 µs`, `12.3 ms`, `1.25 s`.
pub fn fmt_seconds(s: f64) -> String {
    if s == 0.0 {
        "0".into()
    } else if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 0.1 {
        format!("{:.1} ms", s * 1e3)
    } else if s < 1.0 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

/// A time as the axis labels write it, precise enough for the tick step and the span.
pub fn fmt_time(ms: i64, step_ms: i64, span_ms: i64) -> String {
    let t = Timestamp::from_unix(ms.div_euclid(1000), 0, 0);
    let (y, mo, d, h, mi, s) = (t.year, t.month, t.day, t.hour, t.minute, t.second);
    if step_ms >= 86_400_000 {
        format!("{y:04}-{mo:02}-{d:02}")
    } else if span_ms > 86_400_000 {
        format!("{mo:02}-{d:02} {h:02}:{mi:02}")
    } else if step_ms < 60_000 {
        format!("{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{h:02}:{mi:02}")
    }
}

/// A bucket's time range for hover text: `2015-05-17 10:05:00 – 10:10:00 UTC`.
pub fn fmt_bucket(start_ms: i64, bucket_ms: i64) -> String {
    let a = Timestamp::from_unix(start_ms.div_euclid(1000), 0, 0);
    let b = Timestamp::from_unix((start_ms + bucket_ms).div_euclid(1000), 0, 0);
    let date = |t: &Timestamp| format!("{:04}-{:02}-{:02}", t.year, t.month, t.day);
    let time = |t: &Timestamp| format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second);
    if date(&a) == date(&b) || bucket_ms < 86_400_000 && (b.hour, b.minute, b.second) == (0, 0, 0) {
        format!("{} {} – {}", date(&a), time(&a), time(&b))
    } else {
        format!("{} {} – {} {}", date(&a), time(&a), date(&b), time(&b))
    }
}

/// Tick spacings for time axes (ms).
const TICK_STEPS: [i64; 23] = [
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    120_000,
    300_000,
    600_000,
    900_000,
    1_800_000,
    3_600_000,
    7_200_000,
    10_800_000,
    21_600_000,
    43_200_000,
    86_400_000,
    172_800_000,
    604_800_000,
    1_209_600_000,
    2_419_200_000,
    7_257_600_000,
];

/// Ticks for a time axis over `[start, end]`: multiples (since the epoch) of the smallest step that gives at most
/// `max` ticks, and that step.
pub fn time_ticks(start: i64, end: i64, max: usize) -> (Vec<i64>, i64) {
    let max = max.max(2) as i64;
    let span = (end - start).max(1);
    let mut step = *TICK_STEPS.last().unwrap_or(&1);
    for s in TICK_STEPS {
        if span / s < max {
            step = s;
            break;
        }
    }
    while span / step >= max {
        step *= 2;
    }
    let first = start.div_euclid(step) * step + if start.rem_euclid(step) == 0 { 0 } else { step };
    let ticks = (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= end)
        .collect();
    (ticks, step)
}

/// Draws the ticks and labels of a time axis under a chart whose x coordinate is Unix ms.
fn time_axis<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    body: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, Y>>,
    start: i64,
    end: i64,
    theme: Theme,
) -> Result<(), DrawError<DB>> {
    let plot = plot_rect(chart.plotting_area());
    let (bx, by) = body.get_base_pixel();
    let (ticks, step) = time_ticks(start, end, ((plot.2 - plot.0) / 110).max(2) as usize);
    let label = style(FONT_SIZE, theme.foreground()).pos(Pos::new(HPos::Center, VPos::Top));
    let (width, _) = body.dim_in_pixel();
    for t in ticks {
        let (px, _) = chart.backend_coord(&(t as f64, 0.0));
        let (x, y) = (px - bx, plot.3 - by);
        let text = fmt_time(t, step, end - start);
        // A label that would run off the area is left out (its tick stays).
        let half = text.chars().count() as i32 * FONT_SIZE * 3 / 10;
        let fits = x - half >= 0 && x + half <= width as i32;
        body.draw(&PathElement::new(vec![(x, y), (x, y + 4)], theme.muted()))?;
        if fits {
            body.draw(&Text::new(text, (x, y + 6), label.clone()))?;
        }
    }
    Ok(())
}

fn plot_rect<DB: DrawingBackend, CT: CoordTranslate>(
    a: &DrawingArea<DB, CT>,
) -> (i32, i32, i32, i32) {
    let (x, y) = a.get_pixel_range();
    (x.start, y.start, x.end, y.end)
}

/// Width in pixels for a label column holding `chars` characters, within `max` pixels.
fn label_width(chars: usize, max: u32) -> u32 {
    ((chars as u32) * 7 + 12).clamp(40, max.max(40))
}

/// Cuts `s` to at most `max` characters, with an ellipsis.
fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `label` cut (with an ellipsis) to at most `chars` characters and, as the backend measures it, `width` pixels:
/// the per-character estimate of the label column is narrow for wide text (capitals, quotes) in a real font.
fn fit_label<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: &str,
    chars: usize,
    width: i32,
    style: &TextStyle<'_>,
) -> String {
    let mut text = ellipsize(label, chars);
    // A few proportional cuts converge (each shortens by at least one character).
    for _ in 0..8 {
        let n = text.chars().count();
        let w = area
            .estimate_text_size(&text, style)
            .map_or(0, |s| s.0 as i32);
        if w <= width || n <= 4 {
            break;
        }
        let cut = (n as i64 * width.max(1) as i64 / w as i64) as usize;
        text = ellipsize(label, cut.clamp(4, n - 1));
    }
    text
}

/// Stacked bars of events per bucket and level (errors at the bottom).
pub fn volume<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &ChartSeries,
    theme: Theme,
) -> DrawResult<DB> {
    area.fill(&theme.background())?;
    let Some(v) = &series.volume else {
        return Ok(None);
    };
    let n = v.buckets();
    // Bottom to top: the severe levels first, so that they stay visible.
    let order: Vec<usize> = [5, 4, 3, 2, 1, 0, 6]
        .into_iter()
        .filter(|s| v.levels.contains_key(LEVEL_NAMES[*s]))
        .collect();
    let legend: Vec<(Option<RGBColor>, String)> = order
        .iter()
        .rev()
        .map(|s| (Some(theme.level(*s)), LEVEL_NAMES[*s].to_string()))
        .collect();
    let body = header(area, ChartKind::Volume.title(), &legend, theme)?;
    let totals = v.totals();
    let ymax = totals.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
    let x0 = v.start_ms as f64;
    let span = v.bucket_ms * n as i64;
    let x1 = x0 + span as f64;
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .x_label_area_size(22)
        .y_label_area_size(48)
        .build_cartesian_2d(x0..x1, 0f64..ymax)?;
    let fmt_y = |y: &f64| fmt_count(*y);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(theme.grid())
        .light_line_style(theme.grid().mix(0.0))
        .axis_style(theme.muted())
        .label_style(style(FONT_SIZE, theme.foreground()))
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&fmt_y)
        .draw()?;
    time_axis(&body, &chart, v.start_ms, v.start_ms + span, theme)?;
    let mut base = vec![0u64; n];
    let w = v.bucket_ms as f64;
    for slot in order {
        let counts = &v.levels[LEVEL_NAMES[slot]];
        let color = theme.level(slot);
        let bars: Vec<Rectangle<(f64, f64)>> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| {
                let xs = x0 + i as f64 * w;
                let lo = base[i] as f64;
                let hi = (base[i] + c) as f64;
                Rectangle::new([(xs, lo), (xs + w * 0.9, hi)], color.filled())
            })
            .collect();
        chart.draw_series(bars)?;
        for (b, c) in base.iter_mut().zip(counts) {
            *b += c;
        }
    }
    Ok(Some(Hit {
        kind: ChartKind::Volume,
        plot: plot_rect(chart.plotting_area()),
        axis: Axis::Time {
            start_ms: v.start_ms,
            bucket_ms: v.bucket_ms,
        },
        items: n,
    }))
}

/// Shades a selected time range `[start_ms, end_ms)` on a time chart drawn before (volume or latency).
pub fn selection<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    hit: &Hit,
    start_ms: i64,
    end_ms: i64,
    theme: Theme,
) -> Result<(), DrawError<DB>> {
    let (Some(a), Some(b)) = (hit.x_of_time(start_ms), hit.x_of_time(end_ms)) else {
        return Ok(());
    };
    let (bx, by) = area.get_base_pixel();
    let (_, t, _, bottom) = hit.plot;
    let (a, b) = (a.min(b) - bx, a.max(b) - bx);
    area.draw(&Rectangle::new(
        [(a, t - by), (b.max(a + 1), bottom - by)],
        theme.accent().mix(0.18).filled(),
    ))?;
    area.draw(&Rectangle::new(
        [(a, t - by), (b.max(a + 1), bottom - by)],
        theme.accent().stroke_width(1),
    ))
}

/// Bars per status code, coloured by class.
pub fn status<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &ChartSeries,
    theme: Theme,
) -> DrawResult<DB> {
    area.fill(&theme.background())?;
    let Some(s) = &series.status else {
        return Ok(None);
    };
    let legend: Vec<(Option<RGBColor>, String)> = s
        .classes
        .iter()
        .map(|(c, n)| {
            let class = c.as_bytes()[0].wrapping_sub(b'0') as u16;
            (
                Some(theme.status_class(class)),
                format!("{c} {}", fmt_count(*n as f64)),
            )
        })
        .collect();
    let body = header(area, ChartKind::Status.title(), &legend, theme)?;
    let n = s.codes.len();
    let ymax = s.codes.iter().map(|c| c.1).max().unwrap_or(0).max(1) as f64 * 1.15;
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .x_label_area_size(20)
        .y_label_area_size(48)
        .build_cartesian_2d(0f64..n.max(1) as f64, 0f64..ymax)?;
    let fmt_y = |y: &f64| fmt_count(*y);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .bold_line_style(theme.grid())
        .light_line_style(theme.grid().mix(0.0))
        .axis_style(theme.muted())
        .label_style(style(FONT_SIZE, theme.foreground()))
        .y_labels(5)
        .y_label_formatter(&fmt_y)
        .draw()?;
    chart.draw_series(s.codes.iter().enumerate().map(|(i, (code, count))| {
        Rectangle::new(
            [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, *count as f64)],
            theme.status_class(code / 100).filled(),
        )
    }))?;
    let below = style(FONT_SIZE, theme.foreground()).pos(Pos::new(HPos::Center, VPos::Top));
    let above = style(FONT_SIZE - 1, theme.muted()).pos(Pos::new(HPos::Center, VPos::Bottom));
    let plot = plot_rect(chart.plotting_area());
    let (bx, by) = body.get_base_pixel();
    for (i, (code, count)) in s.codes.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, *count as f64));
        body.draw(&Text::new(
            code.to_string(),
            (px - bx, plot.3 - by + 4),
            below.clone(),
        ))?;
        if n <= 24 {
            body.draw(&Text::new(
                fmt_count(*count as f64),
                (px - bx, py - by - 2),
                above.clone(),
            ))?;
        }
    }
    Ok(Some(Hit {
        kind: ChartKind::Status,
        plot,
        axis: Axis::Columns,
        items: n,
    }))
}

/// One row of a horizontal bar chart: label, value, optional highlighted part (e.g. errors), value text.
struct Row {
    label: String,
    value: u64,
    part: u64,
    text: String,
}

fn rows_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    kind: ChartKind,
    rows: &[Row],
    legend: &[(Option<RGBColor>, String)],
    part_color: RGBColor,
    theme: Theme,
    max_label_share: f64,
) -> DrawResult<DB> {
    let body = header(area, kind.title(), legend, theme)?;
    let (w, h) = body.dim_in_pixel();
    // As many rows as fit at one text line each (the first ones; the hit area covers those drawn).
    let fit_rows = ((h as i32 - 36) / ROW_PX).max(1) as usize;
    let rows = &rows[..rows.len().min(fit_rows)];
    let max_label = (w as f64 * max_label_share) as u32;
    let chars = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(4);
    let label_w = label_width(chars, max_label);
    let fit = ((label_w.saturating_sub(12)) / 7).max(4) as usize;
    let n = rows.len().max(1);
    let xmax = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1) as f64 * 1.25;
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .x_label_area_size(20)
        .y_label_area_size(label_w)
        .build_cartesian_2d(0f64..xmax, 0f64..n as f64)?;
    let fmt_x = |x: &f64| fmt_count(*x);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .bold_line_style(theme.grid())
        .light_line_style(theme.grid().mix(0.0))
        .axis_style(theme.muted())
        .label_style(style(FONT_SIZE, theme.foreground()))
        .x_labels(5)
        .x_label_formatter(&fmt_x)
        .draw()?;
    // Row 0 on top.
    let y_of = |i: usize| (n - 1 - i) as f64;
    let accent = theme.accent();
    chart.draw_series(rows.iter().enumerate().map(|(i, r)| {
        Rectangle::new(
            [(0.0, y_of(i) + 0.15), (r.value as f64, y_of(i) + 0.85)],
            accent.mix(0.75).filled(),
        )
    }))?;
    chart.draw_series(
        rows.iter()
            .enumerate()
            .filter(|(_, r)| r.part > 0)
            .map(|(i, r)| {
                Rectangle::new(
                    [(0.0, y_of(i) + 0.15), (r.part as f64, y_of(i) + 0.85)],
                    part_color.filled(),
                )
            }),
    )?;
    let plot = plot_rect(chart.plotting_area());
    let (bx, by) = body.get_base_pixel();
    let label = style(FONT_SIZE, theme.foreground()).pos(Pos::new(HPos::Right, VPos::Center));
    let value = style(FONT_SIZE - 1, theme.muted()).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, r) in rows.iter().enumerate() {
        let (_, py) = chart.backend_coord(&(0.0, y_of(i) + 0.5));
        body.draw(&Text::new(
            fit_label(&body, &r.label, fit, plot.0 - bx - 8, &label),
            (plot.0 - bx - 6, py - by),
            label.clone(),
        ))?;
        let (px, _) = chart.backend_coord(&(r.value as f64, 0.0));
        body.draw(&Text::new(
            r.text.clone(),
            (px - bx + 4, py - by),
            value.clone(),
        ))?;
    }
    Ok(Some(Hit {
        kind,
        plot,
        axis: Axis::Rows,
        items: rows.len(),
    }))
}

/// Top clients: requests, with the errors part in red; labelled with their country.
pub fn clients<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &ChartSeries,
    theme: Theme,
) -> DrawResult<DB> {
    area.fill(&theme.background())?;
    let Some(cs) = &series.clients else {
        return Ok(None);
    };
    let rows: Vec<Row> = cs
        .iter()
        .map(|c| Row {
            label: match &c.country {
                Some(cc) => format!("{} ({cc})", c.ip),
                None => c.ip.clone(),
            },
            value: c.requests,
            part: c.errors.min(c.requests),
            text: format!("{} · {}", fmt_count(c.requests as f64), fmt_bytes(c.bytes)),
        })
        .collect();
    let legend = vec![
        (Some(theme.accent()), "requests".to_string()),
        (Some(theme.level(4)), "errors (≥ 400)".to_string()),
    ];
    rows_chart(
        area,
        ChartKind::Clients,
        &rows,
        &legend,
        theme.level(4),
        theme,
        0.4,
    )
}

/// The rows the countries chart draws: the first [`COUNTRY_ROWS`] - 1 countries, then the rest as `other`.
pub fn country_rows(countries: &[(String, u64)]) -> Vec<(String, u64)> {
    if countries.len() <= COUNTRY_ROWS {
        return countries.to_vec();
    }
    let mut out: Vec<(String, u64)> = countries[..COUNTRY_ROWS - 1].to_vec();
    let rest: u64 = countries[COUNTRY_ROWS - 1..].iter().map(|c| c.1).sum();
    out.push((
        format!("other ({})", countries.len() - (COUNTRY_ROWS - 1)),
        rest,
    ));
    out
}

/// Requests per country, most first.
pub fn countries<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &ChartSeries,
    theme: Theme,
) -> DrawResult<DB> {
    area.fill(&theme.background())?;
    let Some(cs) = &series.countries else {
        return Ok(None);
    };
    let total: u64 = cs.iter().map(|c| c.1).sum::<u64>().max(1);
    let rows: Vec<Row> = country_rows(cs)
        .into_iter()
        .map(|(cc, n)| Row {
            label: cc,
            value: n,
            part: 0,
            text: format!(
                "{} · {:.1} %",
                fmt_count(n as f64),
                n as f64 * 100.0 / total as f64
            ),
        })
        .collect();
    let legend = match &series.geo {
        Some(g) => vec![(None, format!("geo data {}", g.date))],
        None => Vec::new(),
    };
    rows_chart(
        area,
        ChartKind::Geo,
        &rows,
        &legend,
        theme.accent(),
        theme,
        0.3,
    )
}

/// Top templates by events.
pub fn templates<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &ChartSeries,
    theme: Theme,
) -> DrawResult<DB> {
    area.fill(&theme.background())?;
    let Some(ts) = &series.templates else {
        return Ok(None);
    };
    let rows: Vec<Row> = ts
        .iter()
        .map(|t| Row {
            label: t.template.clone(),
            value: t.count,
            part: 0,
            text: fmt_count(t.count as f64),
        })
        .collect();
    rows_chart(
        area,
        ChartKind::Templates,
        &rows,
        &[],
        theme.accent(),
        theme,
        0.6,
    )
}

/// p50, p95 and p99 request time per bucket.
pub fn latency<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &ChartSeries,
    theme: Theme,
) -> DrawResult<DB> {
    area.fill(&theme.background())?;
    let Some(l) = &series.latency else {
        return Ok(None);
    };
    let colors = theme.percentiles();
    let names = ["p50", "p95", "p99"];
    let legend: Vec<(Option<RGBColor>, String)> = colors
        .iter()
        .zip(names)
        .map(|(c, n)| (Some(*c), n.to_string()))
        .collect();
    let body = header(area, ChartKind::Latency.title(), &legend, theme)?;
    let n = l.p50.len();
    let ymax = l
        .p99
        .iter()
        .flatten()
        .fold(0f64, |a, b| a.max(*b))
        .max(1e-3)
        * 1.1;
    let x0 = l.start_ms as f64;
    let span = l.bucket_ms * n as i64;
    let mut chart = ChartBuilder::on(&body)
        .margin(8)
        .x_label_area_size(22)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x0 + span as f64, 0f64..ymax)?;
    let fmt_y = |y: &f64| fmt_seconds(*y);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(theme.grid())
        .light_line_style(theme.grid().mix(0.0))
        .axis_style(theme.muted())
        .label_style(style(FONT_SIZE, theme.foreground()))
        .x_labels(0)
        .y_labels(5)
        .y_label_formatter(&fmt_y)
        .draw()?;
    time_axis(&body, &chart, l.start_ms, l.start_ms + span, theme)?;
    let w = l.bucket_ms as f64;
    for (values, color) in [&l.p50, &l.p95, &l.p99].into_iter().zip(colors) {
        // One path per run of buckets with a value; a lone value is a dot.
        let mut run: Vec<(f64, f64)> = Vec::new();
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => run.push((x0 + (i as f64 + 0.5) * w, *v)),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for r in runs.into_iter().filter(|r| !r.is_empty()) {
            if r.len() == 1 {
                chart.draw_series(std::iter::once(Circle::new(r[0], 2, color.filled())))?;
            } else {
                chart.draw_series(std::iter::once(PathElement::new(r, color.stroke_width(2))))?;
            }
        }
    }
    Ok(Some(Hit {
        kind: ChartKind::Latency,
        plot: plot_rect(chart.plotting_area()),
        axis: Axis::Time {
            start_ms: l.start_ms,
            bucket_ms: l.bucket_ms,
        },
        items: n,
    }))
}

/// The hover text of item `i` of a chart (as [`Hit::item_at`] returns it).
pub fn describe(series: &ChartSeries, kind: ChartKind, i: usize) -> Option<String> {
    match kind {
        ChartKind::Volume => {
            let v = series.volume.as_ref()?;
            if i >= v.buckets() {
                return None;
            }
            let start = v.start_ms + i as i64 * v.bucket_ms;
            let total: u64 = v.levels.values().filter_map(|c| c.get(i)).sum();
            let parts: Vec<String> = LEVEL_NAMES
                .iter()
                .filter_map(|name| {
                    let c = *v.levels.get(*name)?.get(i)?;
                    (c > 0).then(|| format!("{name} {c}"))
                })
                .collect();
            Some(format!(
                "{} UTC: {total} events ({})",
                fmt_bucket(start, v.bucket_ms),
                parts.join(", ")
            ))
        }
        ChartKind::Status => {
            let s = series.status.as_ref()?;
            let (code, n) = *s.codes.get(i)?;
            let total: u64 = s.codes.iter().map(|c| c.1).sum::<u64>().max(1);
            Some(format!(
                "{code}: {n} requests ({:.1} %)",
                n as f64 * 100.0 / total as f64
            ))
        }
        ChartKind::Clients => {
            let c = series.clients.as_ref()?.get(i)?;
            let place = c
                .country
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            let approx = if c.overcount > 0 {
                format!(" (at most {} fewer)", c.overcount)
            } else {
                String::new()
            };
            Some(format!(
                "{}{place}: {} requests{approx}, {} errors, {}",
                c.ip,
                c.requests,
                c.errors,
                fmt_bytes(c.bytes)
            ))
        }
        ChartKind::Geo => {
            let cs = series.countries.as_ref()?;
            let rows = country_rows(cs);
            let (cc, n) = rows.get(i)?;
            let total: u64 = cs.iter().map(|c| c.1).sum::<u64>().max(1);
            Some(format!(
                "{cc}: {n} requests ({:.1} %)",
                *n as f64 * 100.0 / total as f64
            ))
        }
        ChartKind::Templates => {
            let t = series.templates.as_ref()?.get(i)?;
            Some(format!("#{} × {}: {}", t.id, t.count, t.template))
        }
        ChartKind::Latency => {
            let l = series.latency.as_ref()?;
            let start = l.start_ms + i as i64 * l.bucket_ms;
            let n = *l.count.get(i)?;
            let f = |v: Option<&Option<f64>>| match v.copied().flatten() {
                Some(s) => fmt_seconds(s),
                None => "–".into(),
            };
            Some(format!(
                "{} UTC: p50 {}, p95 {}, p99 {} ({n} requests)",
                fmt_bucket(start, l.bucket_ms),
                f(l.p50.get(i)),
                f(l.p95.get(i)),
                f(l.p99.get(i))
            ))
        }
    }
}
