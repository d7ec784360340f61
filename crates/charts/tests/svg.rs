//! The CLI's `--charts DIR` output, and the drawing functions' hit areas.

mod common;

use common::{apache_sample, series_of, tiny_geo};
use logsieve_charts::draw::{self, Axis, Theme};
use logsieve_charts::{svg, ChartKind};
use plotters::prelude::*;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("logsieve-charts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn writes_the_applicable_charts_and_the_series() {
    let geo = common::npm_geo().map(|g| &g.0);
    let tiny = tiny_geo();
    let s = series_of(&apache_sample(), Some(geo.unwrap_or(&tiny)));
    let dir = temp_dir("apache");
    let written = svg::write_all(&dir, &s).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "volume.svg",
            "status.svg",
            "clients.svg",
            "geo.svg",
            "templates.svg",
            "series.json"
        ]
    );
    for p in &written[..written.len() - 1] {
        let text = std::fs::read_to_string(p).unwrap();
        assert!(
            text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
            "{}",
            p.display()
        );
        // Visible marks: bars are rectangles in the SVG.
        assert!(
            text.matches("<rect").count() > 5,
            "{} has no bars",
            p.display()
        );
    }
    let status = std::fs::read_to_string(dir.join("status.svg")).unwrap();
    assert!(status.contains("\n404\n") && status.contains("\n200\n"));
    let json = std::fs::read_to_string(dir.join("series.json")).unwrap();
    let back: logsieve_charts::ChartSeries = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    if let Ok(keep) = std::env::var("LOGSIEVE_CHARTS_KEEP") {
        for p in &written {
            std::fs::copy(p, std::path::Path::new(&keep).join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn hit_areas_map_pixels_to_items() {
    let s = series_of(&apache_sample(), Some(&tiny_geo()));
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (800, 300)).into_drawing_area();
        let hit = draw::volume(&area, &s, Theme::Dark).unwrap().unwrap();
        let v = s.volume.as_ref().unwrap();
        assert_eq!(hit.items, v.buckets());
        let (l, t, r, b) = hit.plot;
        assert!(
            l > 0 && t > 0 && r <= 800 && b <= 300 && l < r && t < b,
            "{:?}",
            hit.plot
        );
        assert_eq!(hit.item_at(l, t + 1), Some(0));
        assert_eq!(hit.item_at(r - 1, b - 1), Some(hit.items - 1));
        assert_eq!(hit.item_at(l - 1, t + 1), None);
        assert_eq!(hit.time_at(l), Some(v.start_ms));
        assert_eq!(
            hit.time_at(r),
            Some(v.start_ms + v.bucket_ms * hit.items as i64)
        );
        assert_eq!(hit.x_of_time(v.start_ms), Some(l));
        assert!(matches!(hit.axis, Axis::Time { .. }));
        let text = draw::describe(&s, ChartKind::Volume, 0).unwrap();
        assert!(
            text.starts_with("2015-05-17 10:00:00 – 11:00:00 UTC: "),
            "{text}"
        );
        draw::selection(
            &area,
            &hit,
            v.start_ms + 3_600_000,
            v.start_ms + 7_200_000,
            Theme::Dark,
        )
        .unwrap();
    }
    let mut out = String::new();
    {
        let area = SVGBackend::with_string(&mut out, (600, 500)).into_drawing_area();
        let hit = draw::clients(&area, &s, Theme::Light).unwrap().unwrap();
        assert_eq!(hit.items, 20);
        let (l, t, _, _) = hit.plot;
        assert_eq!(hit.item_at(l + 1, t + 1), Some(0));
        let first = &s.clients.as_ref().unwrap()[0];
        let text = draw::describe(&s, ChartKind::Clients, 0).unwrap();
        assert!(text.starts_with(&first.ip), "{text}");
        // A chart that does not apply draws the background only.
        assert_eq!(draw::latency(&area, &s, Theme::Light).unwrap(), None);
    }
    for kind in s.charts() {
        let mut out = String::new();
        let area = SVGBackend::with_string(&mut out, (640, 320)).into_drawing_area();
        let hit = draw::chart(kind, &area, &s, Theme::Dark).unwrap().unwrap();
        assert!(hit.items > 0);
        assert!(draw::describe(&s, kind, 0).is_some());
        assert!(draw::describe(&s, kind, hit.items + 100).is_none());
    }
}

#[test]
fn syslog_writes_no_http_charts() {
    let mut log = String::new();
    for i in 0..200 {
        log.push_str(&format!(
            "Jan 12 10:{:02}:{:02} web01 CRON[{i}]: job {}\n",
            i / 60,
            i % 60,
            i % 3
        ));
    }
    let s = series_of(log.as_bytes(), None);
    let dir = temp_dir("syslog");
    let written = svg::write_all(&dir, &s).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["volume.svg", "templates.svg", "series.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
