//! The chart series: computed while parsing by [`SeriesBuilder`], serialised as [`ChartSeries`].

use crate::buckets::{TimeBuckets, LEVEL_SLOTS};
use crate::clients::ClientCounter;
use crate::geo::{locate, parse_ip, GeoDb, Place};
use logsieve_engine::event::FieldValue;
use logsieve_engine::template::{TemplateId, TemplateMap};
use logsieve_engine::{Event, Level};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Clients listed in [`ChartSeries::clients`].
pub const TOP_CLIENTS: usize = 20;
/// Templates listed in [`ChartSeries::templates`].
pub const TOP_TEMPLATES: usize = 10;

/// Names of the level slots of the volume series (`NONE`: events without a level).
pub const LEVEL_NAMES: [&str; LEVEL_SLOTS] =
    ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "NONE"];

/// Events per time bucket and level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    /// Bucket width in milliseconds (1 s, 5 s, 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 6 h, 1 day, 7 days, ...).
    pub bucket_ms: i64,
    /// Start of the first bucket, Unix milliseconds (a multiple of `bucket_ms`).
    pub start_ms: i64,
    /// Counts per bucket for each level that occurs (`TRACE` … `FATAL`, `NONE` for events without a level).
    pub levels: BTreeMap<String, Vec<u64>>,
    /// Events without a time, not in any bucket.
    pub untimed: u64,
}

impl Volume {
    pub fn buckets(&self) -> usize {
        self.levels.values().map(Vec::len).max().unwrap_or(0)
    }
    /// Total events per bucket.
    pub fn totals(&self) -> Vec<u64> {
        let mut t = vec![0u64; self.buckets()];
        for v in self.levels.values() {
            for (a, b) in t.iter_mut().zip(v) {
                *a += b;
            }
        }
        t
    }
}

/// HTTP status codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// Requests per class (`"2xx"` …) that occurs.
    pub classes: BTreeMap<String, u64>,
    /// `[code, requests]`, by code.
    pub codes: Vec<(u16, u64)>,
}

/// One of the top clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// The client field as written (an address, or a host name).
    pub ip: String,
    /// Requests (an upper bound exceeding the true count by at most `overcount`, which is 0 unless the file had
    /// more than 32 768 distinct clients).
    pub requests: u64,
    /// Responses with status ≥ 400 (for events without a status: level ERROR or FATAL).
    pub errors: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Country code, `private`, `reserved`, or `unknown`; `None` for a public address when no database was given.
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub overcount: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One of the top templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateRow {
    /// Final template id (as in `TemplateMap`).
    pub id: u32,
    pub template: String,
    pub count: u64,
}

/// Request-time percentiles per time bucket, in seconds (`null` for buckets without requests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    pub bucket_ms: i64,
    pub start_ms: i64,
    pub p50: Vec<Option<f64>>,
    pub p95: Vec<Option<f64>>,
    pub p99: Vec<Option<f64>>,
    /// Requests with a request time per bucket.
    pub count: Vec<u64>,
}

/// The geo database used for the countries, for the page to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeoSource {
    pub date: String,
    pub source: String,
}

/// Everything the charts draw. A chart that does not apply is `None` and absent from the JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChartSeries {
    /// Events counted (within the time range, if one was set).
    pub events: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<Volume>,
    /// Only when events carry HTTP status codes (100–599).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Top [`TOP_CLIENTS`] clients, most requests first (ties by address); only when events carry a client address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<Client>>,
    /// `[country, requests]`, most first (ties by code); codes, `private`, `reserved`, `unknown`. Only with
    /// clients and a geo database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<(String, u64)>>,
    /// Top [`TOP_TEMPLATES`] templates, most frequent first (ties by id); only with template ids and a map.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<TemplateRow>>,
    /// Only when events carry a request time (and a timestamp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<GeoSource>,
}

/// The charts, named as the page's canvases (`chart-<name>`) and the CLI's files (`<name>.svg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChartKind {
    Volume,
    Status,
    Clients,
    Geo,
    Templates,
    Latency,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] = [
        ChartKind::Volume,
        ChartKind::Status,
        ChartKind::Clients,
        ChartKind::Geo,
        ChartKind::Templates,
        ChartKind::Latency,
    ];

    /// `volume`, `status`, `clients`, `geo`, `templates`, `latency`.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Volume => "volume",
            ChartKind::Status => "status",
            ChartKind::Clients => "clients",
            ChartKind::Geo => "geo",
            ChartKind::Templates => "templates",
            ChartKind::Latency => "latency",
        }
    }

    /// The member of [`ChartSeries`]'s JSON that holds this chart's series (`countries` for [`ChartKind::Geo`],
    /// else the name).
    pub fn json_key(self) -> &'static str {
        match self {
            ChartKind::Geo => "countries",
            k => k.name(),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Volume => "Events over time by level",
            ChartKind::Status => "HTTP status codes",
            ChartKind::Clients => "Top clients",
            ChartKind::Geo => "Requests per country",
            ChartKind::Templates => "Top templates",
            ChartKind::Latency => "Request time percentiles",
        }
    }
}

impl ChartSeries {
    /// The charts that apply, in display order.
    pub fn charts(&self) -> Vec<ChartKind> {
        ChartKind::ALL
            .into_iter()
            .filter(|k| self.applies(*k))
            .collect()
    }

    pub fn applies(&self, kind: ChartKind) -> bool {
        match kind {
            ChartKind::Volume => self.volume.is_some(),
            ChartKind::Status => self.status.is_some(),
            ChartKind::Clients => self.clients.is_some(),
            ChartKind::Geo => self.countries.is_some(),
            ChartKind::Templates => self.templates.is_some(),
            ChartKind::Latency => self.latency.is_some(),
        }
    }

    /// The JSON of one chart's series (the page's `data-series`, equal to that member of `series.json`).
    pub fn chart_json(&self, kind: ChartKind) -> Option<String> {
        let r = match kind {
            ChartKind::Volume => self.volume.as_ref().map(serde_json::to_string),
            ChartKind::Status => self.status.as_ref().map(serde_json::to_string),
            ChartKind::Clients => self.clients.as_ref().map(serde_json::to_string),
            ChartKind::Geo => self.countries.as_ref().map(serde_json::to_string),
            ChartKind::Templates => self.templates.as_ref().map(serde_json::to_string),
            ChartKind::Latency => self.latency.as_ref().map(serde_json::to_string),
        };
        r.map(|r| r.expect("series serialise"))
    }

    /// The whole series as pretty JSON (`series.json`).
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("series serialise")
    }
}

/// Computes the series while events stream by: feed every event to [`SeriesBuilder::observe`], then call
/// [`SeriesBuilder::finish`] (or [`SeriesBuilder::snapshot`], which may be called again, e.g. once the geo database
/// has loaded). No second pass over the file; the cost per event is a few compares and at most one hash lookup
/// (the client). Memory is bounded: see [`crate::buckets`] and [`crate::clients`].
#[derive(Debug, Clone)]
pub struct SeriesBuilder {
    range: Option<(i64, i64)>,
    events: u64,
    untimed: u64,
    time: TimeBuckets,
    status: Box<[u64; 500]>,
    status_seen: u64,
    clients: ClientCounter,
    /// Events per provisional template id.
    templates: Vec<u64>,
    templates_seen: u64,
}

impl Default for SeriesBuilder {
    fn default() -> Self {
        SeriesBuilder::new()
    }
}

#[inline]
fn level_slot(l: Option<Level>) -> usize {
    match l {
        Some(Level::Trace) => 0,
        Some(Level::Debug) => 1,
        Some(Level::Info) => 2,
        Some(Level::Warn) => 3,
        Some(Level::Error) => 4,
        Some(Level::Fatal) => 5,
        None => 6,
    }
}

impl SeriesBuilder {
    pub fn new() -> SeriesBuilder {
        SeriesBuilder {
            range: None,
            events: 0,
            untimed: 0,
            time: TimeBuckets::new(),
            status: Box::new([0; 500]),
            status_seen: 0,
            clients: ClientCounter::new(),
            templates: Vec::new(),
            templates_seen: 0,
        }
    }

    /// A builder that counts only events with a time in `[start_ms, end_ms)` (the page's selected range); events
    /// without a time are skipped. The volume buckets are then chosen for the range's events.
    pub fn with_time_range(start_ms: i64, end_ms: i64) -> SeriesBuilder {
        SeriesBuilder {
            range: Some((start_ms, end_ms)),
            ..SeriesBuilder::new()
        }
    }

    /// Counts one event. `template_id`: the id [`TemplateMiner::observe`] gave it (provisional ids are fine: they
    /// are resolved by the map given to `finish`).
    ///
    /// [`TemplateMiner::observe`]: logsieve_engine::template::TemplateMiner::observe
    #[inline]
    pub fn observe(&mut self, ev: &Event<'_>, template_id: Option<u32>) {
        let ts = ev.header.ts.as_ref().map(|t| t.unix_millis());
        if let Some((lo, hi)) = self.range {
            match ts {
                Some(t) if t >= lo && t < hi => {}
                _ => return,
            }
        }
        self.events += 1;
        let level = ev.header.level;
        // Access-log fields (web error logs have a client too); spans index the first line, a prefix of `text`.
        let mut client: Option<&str> = None;
        let mut status: Option<u16> = None;
        let mut bytes = 0u64;
        let mut latency: Option<f64> = None;
        for (name, v) in &ev.header.fields {
            match (*name, v) {
                ("client_ip", FieldValue::Text(s)) if !s.is_empty() => {
                    client = ev.text.get(s.start as usize..s.end as usize)
                }
                ("status", FieldValue::Int(c)) if (100..600).contains(c) => {
                    status = Some(*c as u16)
                }
                ("bytes", FieldValue::Int(b)) if *b > 0 => bytes = *b as u64,
                ("request_time", FieldValue::Float(t)) => latency = Some(*t),
                _ => {}
            }
        }
        match ts {
            Some(t) => self.time.add(t, level_slot(level), latency),
            None => self.untimed += 1,
        }
        if let Some(c) = status {
            self.status[(c - 100) as usize] += 1;
            self.status_seen += 1;
        }
        if let Some(ip) = client {
            let error = match status {
                Some(c) => c >= 400,
                None => matches!(level, Some(Level::Error | Level::Fatal)),
            };
            self.clients.add(ip, error, bytes);
        }
        if let Some(id) = template_id {
            let i = id as usize;
            if i >= self.templates.len() {
                self.templates.resize((i + 1).max(64), 0);
            }
            self.templates[i] += 1;
            self.templates_seen += 1;
        }
    }

    /// Events counted so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The series, consuming the builder.
    pub fn finish(self, templates: Option<&TemplateMap>, geo: Option<&GeoDb>) -> ChartSeries {
        self.snapshot(templates, geo)
    }

    /// The series so far. `templates` resolves the provisional ids given to `observe`; `geo` places the clients
    /// (without it, only special ranges are labelled and there is no countries series).
    pub fn snapshot(&self, templates: Option<&TemplateMap>, geo: Option<&GeoDb>) -> ChartSeries {
        let mut out = ChartSeries {
            events: self.events,
            ..ChartSeries::default()
        };
        if let Some(layout) = self.time.layout() {
            let (counts, lat) = self.time.merged(&layout);
            let mut levels = BTreeMap::new();
            for (slot, name) in LEVEL_NAMES.iter().enumerate() {
                if counts.iter().any(|c| c[slot] > 0) {
                    levels.insert(
                        name.to_string(),
                        counts.iter().map(|c| c[slot]).collect::<Vec<u64>>(),
                    );
                }
            }
            out.volume = Some(Volume {
                bucket_ms: layout.width,
                start_ms: layout.start,
                levels,
                untimed: self.untimed,
            });
            if self.time.has_latency() {
                let pct = |p: u32| -> Vec<Option<f64>> {
                    lat.iter()
                        .map(|h| h.as_ref().and_then(|h| h.percentile(p)))
                        .collect()
                };
                out.latency = Some(Latency {
                    bucket_ms: layout.width,
                    start_ms: layout.start,
                    p50: pct(50),
                    p95: pct(95),
                    p99: pct(99),
                    count: lat
                        .iter()
                        .map(|h| h.as_ref().map_or(0, |h| h.count()))
                        .collect(),
                });
            }
        }
        if self.status_seen > 0 {
            let mut classes = BTreeMap::new();
            let mut codes = Vec::new();
            for (i, &n) in self.status.iter().enumerate() {
                if n > 0 {
                    let code = i as u16 + 100;
                    codes.push((code, n));
                    *classes.entry(format!("{}xx", code / 100)).or_insert(0) += n;
                }
            }
            out.status = Some(Status { classes, codes });
        }
        if !self.clients.is_empty() {
            let place = |ip: &str| -> Option<String> {
                let p = match parse_ip(ip) {
                    Some(addr) => locate(geo, addr),
                    None => Place::Unknown,
                };
                (geo.is_some() || p != Place::Unknown).then(|| p.as_str().to_string())
            };
            out.clients = Some(
                self.clients
                    .top(TOP_CLIENTS)
                    .into_iter()
                    .map(|(ip, s)| Client {
                        country: place(&ip),
                        ip,
                        requests: s.estimate(),
                        errors: s.errors,
                        bytes: s.bytes,
                        overcount: s.overcount,
                    })
                    .collect(),
            );
            if let Some(db) = geo {
                let mut countries: Vec<(String, u64)> = self
                    .clients
                    .places(Some(db))
                    .into_iter()
                    .map(|(p, n)| (p.as_str().to_string(), n))
                    .collect();
                countries.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                out.countries = Some(countries);
                out.geo = Some(GeoSource {
                    date: db.date().to_string(),
                    source: db.source().to_string(),
                });
            }
        }
        if let (Some(map), true) = (templates, self.templates_seen > 0) {
            let mut per: BTreeMap<u32, u64> = BTreeMap::new();
            for (id, &n) in self.templates.iter().enumerate() {
                if n > 0 {
                    if let Some(fin) = map.final_id(TemplateId(id as u32)) {
                        *per.entry(fin.0).or_default() += n;
                    }
                }
            }
            let mut rows: Vec<(u32, u64)> = per.into_iter().collect();
            rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            rows.truncate(TOP_TEMPLATES);
            let rows: Vec<TemplateRow> = rows
                .into_iter()
                .filter_map(|(id, count)| {
                    let t = map.get(TemplateId(id))?;
                    Some(TemplateRow {
                        id,
                        template: t.template.clone(),
                        count,
                    })
                })
                .collect();
            if !rows.is_empty() {
                out.templates = Some(rows);
            }
        }
        out
    }
}
