//! The page's charts, worker side, without the browser: what the worker sends ([`Charts`]), the time-range filter
//! of the table's view ([`restrict_view`]), and the recomputation of the charts and findings for a selected time
//! range ([`RangePass`]). The browser glue (the lazy geo fetch, the asynchronous range pass) is in
//! `charts_worker.rs`.
//!
//! The full file's series are computed during the parse by a `SeriesBuilder` fed every event next to the miner
//! and the analyzer: no second pass. A selection is a user action, so its pass re-reads the file as the export
//! does: event *k* of the re-read is index record *k*, whose provisional template id it takes (nothing is
//! re-mined), and only the events whose time is in the range are counted.

use crate::index::EventIndex;
use crate::protocol::Findings;
use crate::view::Session;
use logsieve_charts::{ChartKind, ChartSeries, GeoDb, SeriesBuilder};
use logsieve_engine::event::FieldValue;
use logsieve_engine::{EngineError, Event, ParseOptions, Pipeline};
use serde::{Deserialize, Serialize};

/// A selected time range: Unix milliseconds `[from, to)`.
pub type TimeRange = (i64, i64);

/// The charts of the file or of a selected time range, as the worker sends them (`Response::Charts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Charts {
    /// `None`: the whole file.
    pub range: Option<TimeRange>,
    /// What the page draws.
    pub series: ChartSeries,
    /// `(chart name, ChartSeries::chart_json)` for each chart that applies: the canvases' `data-series`, exactly
    /// the member of the CLI's `series.json` (sent as text so that no float goes through a second parse).
    pub json: Vec<(String, String)>,
    /// Why the clients have no countries (the geo file could not be fetched or read), if so.
    pub geo_note: Option<String>,
}

impl Charts {
    pub fn new(range: Option<TimeRange>, series: ChartSeries, geo_note: Option<String>) -> Charts {
        let json = series
            .charts()
            .into_iter()
            .filter_map(|k| Some((k.name().to_string(), series.chart_json(k)?)))
            .collect();
        Charts {
            range,
            series,
            json,
            geo_note,
        }
    }

    /// The `data-series` of one chart.
    pub fn json_of(&self, kind: ChartKind) -> Option<&str> {
        self.json
            .iter()
            .find(|(k, _)| k == kind.name())
            .map(|(_, j)| j.as_str())
    }
}

/// Whether an event carries a client address (an access log, or a web server's error log): the worker then
/// fetches the geo database.
pub fn has_client(ev: &Event<'_>) -> bool {
    ev.header
        .fields
        .iter()
        .any(|(name, v)| *name == "client_ip" && matches!(v, FieldValue::Text(s) if !s.is_empty()))
}

/// Whether an index time (`i64::MIN`: none) is in the range.
#[inline]
pub fn in_range(ts: i64, r: TimeRange) -> bool {
    ts != i64::MIN && ts >= r.0 && ts < r.1
}

/// The table's view (event numbers, `None` for all) restricted to the events with a time in `range`.
pub fn restrict_view(
    index: &EventIndex,
    view: Option<Vec<u32>>,
    range: Option<TimeRange>,
) -> Option<Vec<u32>> {
    let Some(r) = range else {
        return view;
    };
    Some(match view {
        Some(v) => v
            .into_iter()
            .filter(|&i| in_range(index.get(i as u64).ts, r))
            .collect(),
        None => index
            .iter()
            .enumerate()
            .filter(|(_, rec)| in_range(rec.ts, r))
            .map(|(i, _)| i as u32)
            .collect(),
    })
}

/// The charts' series and the findings of the events in a time range, from a re-read of the file (as read, gzip
/// or not) given in chunks from byte [`RangePass::start`] on: [`RangePass::feed`] until [`RangePass::complete`] or
/// the end, then [`RangePass::finish`].
pub struct RangePass {
    pipeline: Pipeline,
    tally: Tally,
    start: u64,
}

/// What a [`RangePass`] counts, apart from its pipeline (so that the pipeline's callback can borrow it).
struct Tally {
    range: TimeRange,
    series: SeriesBuilder,
    /// `None` when the findings stage was left out (a retry after it failed): then `skipped` says why.
    analyzer: Option<logsieve_findings::Analyzer>,
    skipped: Option<String>,
    /// The next event re-read is index record `events`.
    events: u64,
    /// What the re-read's line numbers and offsets lack when it starts past the file's start.
    line_base: u64,
    offset_base: u64,
    /// The last event in the range: the re-read can stop after it.
    last: Option<u64>,
    /// Set when the re-read does not give the indexed events (the file changed since it was parsed).
    mismatch: Option<String>,
}

impl Tally {
    fn complete(&self) -> bool {
        self.mismatch.is_some() || self.last.is_none_or(|l| self.events > l)
    }

    fn observe(&mut self, session: &Session, ev: &Event<'_>) {
        let k = self.events;
        self.events += 1;
        if self.mismatch.is_some() || self.last.is_none_or(|l| k > l) {
            return;
        }
        let rec = session.index.get(k);
        let (line, offset) = (ev.line + self.line_base, ev.offset + self.offset_base);
        if rec.line != line || rec.offset != offset {
            self.mismatch = Some(format!(
                "event {} is not where it was (line {} instead of {}): the file changed since it was opened",
                k + 1,
                line,
                rec.line
            ));
            return;
        }
        if in_range(rec.ts, self.range) {
            // The file's line numbers and offsets (the findings' evidence cites them).
            let ev = Event {
                line,
                end_line: ev.end_line + self.line_base,
                offset,
                ..*ev
            };
            self.series.observe(&ev, Some(rec.template));
            if let Some(a) = self.analyzer.as_mut() {
                a.observe(&ev, Some(rec.template));
            }
        }
    }
}

impl RangePass {
    /// A re-read from the file's start (gzip or not).
    pub fn new(session: &Session, range: TimeRange) -> RangePass {
        let last = session
            .index
            .iter()
            .enumerate()
            .filter(|(_, rec)| in_range(rec.ts, range))
            .map(|(i, _)| i as u64)
            .last();
        RangePass::at(
            session,
            range,
            ParseOptions::with_year(session.year),
            None,
            last,
        )
    }

    /// For plain (not gzip) input: a re-read that starts at the range's first event in file order (times need
    /// not be in order) when that gives exactly the events of a re-read from the start, else from the start.
    ///
    /// The engine carries two things from one line to the next: the format the file was detected as (given here as
    /// `forced_format`, so the skipped lines need not be sampled again) and the fallback format, the last one that
    /// read a line the file's format did not. The skipped events must therefore all be of the file's format (the
    /// fallback is then still unset where the re-read starts). The pending event needs nothing: the first event
    /// read is an event start in the full pass too.
    pub fn skipping(session: &Session, range: TimeRange) -> RangePass {
        let index = &session.index;
        let (mut first, mut last) = (None, None);
        // Whether every event before `first` has the file's format.
        let mut uniform = true;
        for (i, rec) in index.iter().enumerate() {
            if in_range(rec.ts, range) {
                first.get_or_insert(i as u64);
                last = Some(i as u64);
            } else if first.is_none() && index.format(&rec) != session.file_format {
                uniform = false;
            }
        }
        match first {
            Some(k) if k > 0 && uniform => {
                let mut opts = ParseOptions::with_year(session.year);
                opts.forced_format = Some(session.file_format);
                RangePass::at(session, range, opts, Some(k), last)
            }
            _ => RangePass::at(
                session,
                range,
                ParseOptions::with_year(session.year),
                None,
                last,
            ),
        }
    }

    /// A pass whose re-read starts at index record `first` (`None`: the file's start).
    fn at(
        session: &Session,
        range: TimeRange,
        opts: ParseOptions,
        first: Option<u64>,
        last: Option<u64>,
    ) -> RangePass {
        let (events, line_base, offset_base) = match first {
            Some(k) => {
                let rec = session.index.get(k);
                (k, rec.line - 1, rec.offset)
            }
            None => (0, 0, 0),
        };
        RangePass {
            pipeline: Pipeline::new(opts),
            tally: Tally {
                range,
                series: SeriesBuilder::with_time_range(range.0, range.1),
                analyzer: Some(logsieve_findings::Analyzer::new()),
                skipped: None,
                events,
                line_base,
                offset_base,
                last,
                mismatch: None,
            },
            start: offset_base,
        }
    }

    /// Leaves the findings out (their stage failed on this file before): the range's findings are empty, with
    /// `note` as their [`Findings::skipped`].
    pub fn skip_findings(&mut self, note: String) {
        self.tally.analyzer = None;
        self.tally.skipped = Some(note);
    }

    /// The byte of the file where the re-read starts.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Every event of the range was seen (or the re-read went wrong): nothing more to read.
    pub fn complete(&self) -> bool {
        self.tally.complete()
    }

    /// Feeds a chunk of the file.
    pub fn feed(&mut self, session: &Session, chunk: &[u8]) -> Result<(), EngineError> {
        let tally = &mut self.tally;
        self.pipeline
            .feed(chunk, &mut |ev| tally.observe(session, ev))
    }

    /// The series (countries from `geo`) and the findings of the range. Ends the input first if the re-read has not
    /// seen every event of the range yet.
    pub fn finish(
        mut self,
        session: &Session,
        geo: Option<&GeoDb>,
    ) -> Result<(ChartSeries, Findings), String> {
        if !self.tally.complete() {
            let tally = &mut self.tally;
            // A truncated gzip ends with an error, as in the full pass: what was read counts.
            let _ = self.pipeline.finish(&mut |ev| tally.observe(session, ev));
        }
        let tally = self.tally;
        if let Some(m) = tally.mismatch {
            return Err(m);
        }
        let map = session.templates.map();
        let series = tally.series.finish(Some(map), geo);
        let analysis = tally.analyzer.unwrap_or_default().finish_analysis(&|id| {
            map.get(logsieve_engine::template::TemplateId(id))
                .map(|t| t.template.clone())
        });
        Ok((
            series,
            Findings {
                findings: analysis.findings,
                excerpts: analysis.excerpts.into_iter().collect(),
                k8s_input: None,
                k8s_note: None,
                skipped: tally.skipped,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::Templates;
    use logsieve_engine::template::TemplateMiner;
    use logsieve_engine::FormatId;

    /// The worker's full pass: the index, the miner, the analyzer and the series builder fed each event.
    fn full_pass(input: &[u8]) -> (Session, ChartSeries, Findings) {
        let year = 2024;
        let mut index = EventIndex::new();
        let mut miner = TemplateMiner::new();
        let mut analyzer = logsieve_findings::Analyzer::new();
        let mut series = SeriesBuilder::new();
        let mut p = Pipeline::new(ParseOptions::with_year(year));
        let mut on = |ev: &Event<'_>| {
            let id = miner.observe_event(ev).0;
            analyzer.observe(ev, Some(id));
            series.observe(ev, Some(id));
            index.push(ev, id);
        };
        for chunk in input.chunks(64 << 10) {
            p.feed(chunk, &mut on).unwrap();
        }
        p.finish(&mut on).unwrap();
        let file_format = FormatId::KNOWN
            .iter()
            .copied()
            .find(|f| f.as_str() == p.stats().file_format)
            .unwrap_or_default();
        let map = miner.finish();
        let analysis = analyzer.finish_analysis(&|id| {
            map.get(logsieve_engine::template::TemplateId(id))
                .map(|t| t.template.clone())
        });
        let s = series.finish(Some(&map), None);
        let templates = Templates::build(map, &index);
        let findings = Findings {
            findings: analysis.findings,
            excerpts: analysis.excerpts.into_iter().collect(),
            k8s_input: None,
            k8s_note: None,
            skipped: None,
        };
        (
            Session {
                index,
                file_format,
                year,
                templates,
            },
            s,
            findings,
        )
    }

    fn range_pass(session: &Session, input: &[u8], range: TimeRange) -> (ChartSeries, Findings) {
        feed_from_start(RangePass::new(session, range), session, input)
    }

    /// The pass fed the input from its [`RangePass::start`].
    fn feed_from_start(
        mut pass: RangePass,
        session: &Session,
        input: &[u8],
    ) -> (ChartSeries, Findings) {
        for chunk in input[pass.start() as usize..].chunks(50_000) {
            if pass.complete() {
                break;
            }
            pass.feed(session, chunk).unwrap();
        }
        pass.finish(session, None).unwrap()
    }

    fn access_log() -> Vec<u8> {
        let mut s = String::new();
        for i in 0..600u32 {
            let (min, sec) = (i / 60, i % 60);
            let status = [200, 200, 404, 500, 301][(i % 5) as usize];
            s.push_str(&format!(
                "10.0.{}.{} - - [17/May/2015:10:{min:02}:{sec:02} +0000] \"GET /page/{} HTTP/1.1\" {status} {} \"-\" \"curl/8\"\n",
                i % 7,
                i % 3,
                i % 11,
                100 + i
            ));
        }
        s.into_bytes()
    }

    #[test]
    fn a_range_over_everything_gives_the_full_pass() {
        let input = access_log();
        let (session, full, findings) = full_pass(&input);
        assert!(full.status.is_some() && full.clients.is_some() && full.templates.is_some());
        let (s, f) = range_pass(&session, &input, (i64::MIN + 1, i64::MAX));
        assert_eq!(s, full);
        assert_eq!(f, findings);
        let charts = Charts::new(None, s, None);
        assert_eq!(
            charts.json_of(ChartKind::Status).unwrap(),
            full.chart_json(ChartKind::Status).unwrap()
        );
        assert!(charts.json_of(ChartKind::Geo).is_none());
    }

    #[test]
    fn a_range_counts_its_events_only_and_the_view_agrees() {
        let input = access_log();
        let (session, _, _) = full_pass(&input);
        let (lo, _) = session.index.ts_range().unwrap();
        // Minutes 2 to 4 of 10: 180 events.
        let range = (lo + 120_000, lo + 300_000);
        let (s, _) = range_pass(&session, &input, range);
        assert_eq!(s.events, 180);
        let status: u64 = s.status.as_ref().unwrap().codes.iter().map(|c| c.1).sum();
        assert_eq!(status, 180);
        let view = restrict_view(&session.index, None, Some(range)).unwrap();
        assert_eq!(view.len(), 180);
        assert_eq!(view[0], 120);
        // Combined with another filter's view.
        let evens: Vec<u32> = (0..600).filter(|i| i % 2 == 0).collect();
        assert_eq!(
            restrict_view(&session.index, Some(evens), Some(range))
                .unwrap()
                .len(),
            90
        );
        assert_eq!(restrict_view(&session.index, None, None), None);
    }

    #[test]
    fn an_empty_range_has_no_events() {
        let input = access_log();
        let (session, _, _) = full_pass(&input);
        let pass = RangePass::new(&session, (0, 1));
        assert!(pass.complete(), "nothing to read");
        let (s, f) = pass.finish(&session, None).unwrap();
        assert_eq!(s.events, 0);
        assert!(s.volume.is_none() && s.status.is_none());
        assert!(f.findings.is_empty());
    }

    #[test]
    fn a_changed_file_is_reported() {
        let input = access_log();
        let (session, _, _) = full_pass(&input);
        let mut other = b"one more line\n".to_vec();
        other.extend_from_slice(&input);
        let mut pass = RangePass::new(&session, (i64::MIN + 1, i64::MAX));
        pass.feed(&session, &other).unwrap();
        assert!(pass.finish(&session, None).is_err());
    }

    #[test]
    fn the_shared_access_log_re_read_in_a_range_matches() {
        let shared = std::env::var("LOGSIEVE_SHARED").unwrap_or_else(|_| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").to_string()
        });
        let path = std::path::Path::new(&shared)
            .join("samples/access_log/apache_combined_elastic_examples.log");
        let Ok(input) = std::fs::read(&path) else {
            eprintln!("no {}: skipped", path.display());
            return;
        };
        let (session, full, findings) = full_pass(&input);
        let (s, f) = range_pass(&session, &input, (i64::MIN + 1, i64::MAX));
        assert_eq!(s, full);
        assert_eq!(f, findings);
        let (lo, hi) = session.index.ts_range().unwrap();
        let mid = (lo + (hi - lo) / 3, lo + (hi - lo) / 2);
        let (s, _) = range_pass(&session, &input, mid);
        let view = restrict_view(&session.index, None, Some(mid)).unwrap();
        assert_eq!(s.events, view.len() as u64);
        assert!(s.events > 0 && s.events < full.events);
        // Starting at the range's first event gives the same charts and findings as reading from the start.
        for range in [
            mid,
            (lo + (hi - lo) * 9 / 10, hi + 1),
            (i64::MIN + 1, i64::MAX),
        ] {
            let skipping = RangePass::skipping(&session, range);
            if range == mid {
                assert!(
                    skipping.start() > 0,
                    "the re-read skips the file's first part"
                );
            }
            let (s, f) = feed_from_start(skipping, &session, &input);
            if range == mid {
                // Findings cite lines and excerpts: the skipping re-read must give the file's line numbers.
                assert!(!f.findings.is_empty() && !f.excerpts.is_empty());
            }
            assert_eq!((s, f), range_pass(&session, &input, range), "{range:?}");
        }
    }

    /// The start the index gives is only taken where it gives the same events; else the re-read starts at 0.
    #[test]
    fn a_re_read_skips_only_what_it_safely_can() {
        let input = access_log();
        let (session, _, _) = full_pass(&input);
        let minute = |m: i64| 1_431_856_800_000 + m * 60_000; // 2015-05-17 10:00 UTC + m minutes
        let range = (minute(5), minute(6));
        let pass = RangePass::skipping(&session, range);
        assert_eq!(pass.start(), session.index.get(300).offset);
        let (s, f) = feed_from_start(pass, &session, &input);
        assert_eq!(s.events, 60);
        assert_eq!((s, f), range_pass(&session, &input, range));

        // Times out of order: the range's first event in file order is where the re-read starts.
        let mut text = String::from_utf8(input.clone()).unwrap();
        text.push_str(
            &String::from_utf8(access_log())
                .unwrap()
                .lines()
                .take(90)
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
        );
        let input = text.into_bytes();
        let (session, _, _) = full_pass(&input);
        let range = (minute(1), minute(2));
        let pass = RangePass::skipping(&session, range);
        assert_eq!(pass.start(), session.index.get(60).offset);
        assert_eq!(
            feed_from_start(pass, &session, &input),
            range_pass(&session, &input, range)
        );

        // A line of another format before the range: the engine's fallback format is set from there on, which a
        // re-read from the middle would not know: from the start.
        let mut text = String::from_utf8(access_log()).unwrap();
        text.insert_str(
            text.find("\n").unwrap() + 1,
            "May 17 10:00:01 web01 sshd[42]: Failed password for root from 10.0.0.1 port 22 ssh2\n",
        );
        let input = text.into_bytes();
        let (session, _, _) = full_pass(&input);
        assert!(session
            .index
            .iter()
            .any(|r| session.index.format(&r) != session.file_format));
        let pass = RangePass::skipping(&session, range);
        assert_eq!(pass.start(), 0);
        assert_eq!(
            feed_from_start(pass, &session, &input),
            range_pass(&session, &input, range)
        );
    }
}
