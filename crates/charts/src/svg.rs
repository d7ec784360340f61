//! The CLI's `--charts DIR`: each applicable chart as `<name>.svg`, and the series as `series.json`.

use crate::draw::{self, Theme};
use crate::series::ChartSeries;
use plotters::prelude::*;
use std::io;
use std::path::{Path, PathBuf};

/// Size of an SVG chart in pixels: tall enough for every row of the bar charts.
pub fn size(kind: crate::ChartKind) -> (u32, u32) {
    use crate::series::{TOP_CLIENTS, TOP_TEMPLATES};
    let rows = |n: usize| 24 + 36 + n as u32 * draw::ROW_PX as u32 + 8;
    match kind {
        crate::ChartKind::Clients => (900, rows(TOP_CLIENTS)),
        crate::ChartKind::Geo => (900, rows(draw::COUNTRY_ROWS)),
        crate::ChartKind::Templates => (900, rows(TOP_TEMPLATES).max(300)),
        _ => (900, 360),
    }
}

/// One chart as an SVG document (`None` when the chart does not apply).
pub fn render(
    kind: crate::ChartKind,
    series: &ChartSeries,
    theme: Theme,
) -> io::Result<Option<String>> {
    if !series.applies(kind) {
        return Ok(None);
    }
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, size(kind)).into_drawing_area();
        draw::chart(kind, &area, series, theme)
            .map_err(|e| io::Error::other(format!("drawing {}: {e}", kind.name())))?;
        area.present()
            .map_err(|e| io::Error::other(format!("drawing {}: {e}", kind.name())))?;
    }
    Ok(Some(out))
}

/// Writes `volume.svg`, `status.svg`, `clients.svg`, `geo.svg`, `templates.svg`, `latency.svg` (those that apply;
/// light theme) and `series.json` into `dir` (created if missing). Returns the paths written, `series.json` last.
pub fn write_all(dir: &Path, series: &ChartSeries) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for kind in series.charts() {
        if let Some(svg) = render(kind, series, Theme::Light)? {
            let path = dir.join(format!("{}.svg", kind.name()));
            std::fs::write(&path, svg)?;
            written.push(path);
        }
    }
    let path = dir.join("series.json");
    let mut json = series.to_json_pretty();
    json.push('\n');
    std::fs::write(&path, json)?;
    written.push(path);
    Ok(written)
}
