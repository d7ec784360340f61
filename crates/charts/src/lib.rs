//! logsieve-charts: the numbers behind the page's charts and the CLI's `--charts`, computed while parsing, and the
//! drawing of them with plotters on any backend.
//!
//! ```text
//! events ─ SeriesBuilder::observe ─ finish(templates, geo) ─ ChartSeries ─ draw::* (SVG, canvas)
//!                                                                      └ series.json / data-series
//! ```
//!
//! - [`series`]: [`SeriesBuilder`] (streaming, bounded memory) and [`ChartSeries`] (serde; the JSON the CLI writes
//!   and the page exposes, identical for the same file because ordering is deterministic everywhere).
//! - [`buckets`]: events per time bucket and level with an adaptive bucket width; [`latency`]: log-scale
//!   histograms for request-time percentiles; [`clients`]: top clients with a bounded sketch.
//! - [`geo`]: offline IP-to-country lookup from a compact file built from `@ip-location-db/geo-whois-asn-country`.
//! - [`draw`]: one function per chart, generic over `DrawingBackend`, with a light and a dark [`draw::Theme`].
//! - [`svg`]: the CLI's `--charts DIR` (`<chart>.svg` and `series.json`).
//!
//! Nothing here touches files except [`svg::write_all`] and [`geo::GeoDb::open`]; the crate builds for wasm32.
//!
//! **Bounds of a [`SeriesBuilder`]**, whatever the input: time buckets ≤ 1 024 × 56 bytes plus ≤ 1 024 request-time
//! histograms of 2 KiB; clients ≤ 2 MiB of counts plus the text of ≤ 32 768 clients, and ≤ 131 072 prefixes for
//! the countries of clients evicted from the table; status codes 4 KiB; 8 bytes per template id. About 10 MB at
//! worst. Measured per event (x86-64, `examples/series.rs bench` on a 200 MB generated access log with 56 000
//! clients): about 90 ns, most of it the client lookup.

pub mod buckets;
pub mod clients;
pub mod draw;
pub mod geo;
pub mod latency;
pub mod series;
pub mod svg;

pub use draw::Theme;
pub use geo::{GeoDb, Place};
pub use series::{ChartKind, ChartSeries, SeriesBuilder};
