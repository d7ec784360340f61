//! The templates of a parsed file, as the worker keeps them: the miner's final [`TemplateMap`] (mined during the
//! parse, one `TemplateMiner` per file fed every event in file order, exactly as `logsieve parse` does, so ids and
//! texts are the CLI's), the list's order, and a histogram of each template's events computed from the index.
//!
//! Events keep the miner's *provisional* id in the index ([`crate::index::Record::template`]); `map.resolve` turns
//! it into the final template. Nothing is re-mined after the parse: rows, details, the filter and the export all
//! read the template from the index and this map.

use crate::index::EventIndex;
use crate::protocol::{TemplateAxis, TemplateRow};
use logsieve_engine::ndjson;
use logsieve_engine::template::{Template, TemplateMap};
use logsieve_engine::Timestamp;

/// Levels in the order the page shows them (as [`crate::protocol::Summary::levels`]).
const LEVEL_ORDER: [&str; 7] = ["NONE", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

#[derive(Debug, Default)]
pub struct Templates {
    map: TemplateMap,
    /// Indices into `map.templates`, most frequent first, then by id (the order of `logsieve templates`).
    order: Vec<u32>,
    /// [`TemplateAxis::BUCKETS`] counts per template, by index into `map.templates`.
    histograms: Vec<u32>,
    axis: TemplateAxis,
}

/// A time in Unix milliseconds as `logsieve templates` writes it: RFC 3339 with milliseconds and no zone (the
/// miner's times count a local time of unknown zone as UTC, so no zone is claimed).
pub fn time_text(ms: i64) -> String {
    let mut t = Timestamp::from_unix(
        ms.div_euclid(1000),
        (ms.rem_euclid(1000) * 1_000_000) as u32,
        3,
    );
    t.offset_minutes = None;
    t.to_rfc3339()
}

impl Templates {
    /// Orders the templates and computes their histograms from the index (one pass over it).
    pub fn build(map: TemplateMap, index: &EventIndex) -> Templates {
        const B: usize = TemplateAxis::BUCKETS;
        let t = &map.templates;
        let mut order: Vec<u32> = (0..t.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&t[a as usize], &t[b as usize]);
            b.count.cmp(&a.count).then(a.id.0.cmp(&b.id.0))
        });
        let n = index.len();
        // Over time when the events span some time; otherwise over the events in file order.
        let range = index.ts_range().filter(|(a, b)| b > a);
        let axis = match range {
            Some((a, b)) => TemplateAxis {
                by_time: true,
                from: time_text(a),
                to: time_text(b),
            },
            None => TemplateAxis {
                by_time: false,
                from: n.min(1).to_string(),
                to: n.to_string(),
            },
        };
        let mut histograms = vec![0u32; t.len() * B];
        for (i, rec) in index.iter().enumerate() {
            let Some(&ti) = map.resolve.get(rec.template as usize) else {
                continue;
            };
            let bucket = match range {
                Some((a, b)) => {
                    if rec.ts == i64::MIN {
                        continue;
                    }
                    ((rec.ts as i128 - a as i128) * B as i128 / (b as i128 - a as i128 + 1))
                        as usize
                }
                None => (i as u128 * B as u128 / n as u128) as usize,
            };
            if let Some(c) = histograms.get_mut(ti as usize * B + bucket.min(B - 1)) {
                *c += 1;
            }
        }
        Templates {
            map,
            order,
            histograms,
            axis,
        }
    }

    pub fn len(&self) -> usize {
        self.map.templates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.templates.is_empty()
    }

    pub fn axis(&self) -> &TemplateAxis {
        &self.axis
    }

    pub fn map(&self) -> &TemplateMap {
        &self.map
    }

    /// Index into `map().templates` of a provisional id (as the index keeps it).
    pub fn index_of(&self, provisional: u32) -> Option<usize> {
        self.map
            .resolve
            .get(provisional as usize)
            .map(|&i| i as usize)
            .filter(|&i| i < self.map.templates.len())
    }

    /// The final template of a provisional id.
    pub fn template_of(&self, provisional: u32) -> Option<&Template> {
        self.index_of(provisional).map(|i| &self.map.templates[i])
    }

    /// Which provisional ids belong to the template with final id `id` (`mask[provisional]`); all `false` when
    /// there is no such template.
    pub fn mask(&self, id: u32) -> Vec<bool> {
        // `templates` is in id order.
        let ti = self
            .map
            .templates
            .binary_search_by_key(&id, |t| t.id.0)
            .ok()
            .map(|i| i as u32);
        self.map.resolve.iter().map(|&r| Some(r) == ti).collect()
    }

    /// Each template's text as a JSON string (by index into `map().templates`), for `ndjson::push_template`.
    pub fn escaped(&self) -> Vec<String> {
        self.map
            .templates
            .iter()
            .map(|t| {
                let mut s = String::with_capacity(t.template.len() + 2);
                ndjson::json_str(&mut s, &t.template);
                s
            })
            .collect()
    }

    /// The list's rows `start..start + count`.
    pub fn rows(&self, start: u32, count: u32) -> Vec<TemplateRow> {
        const B: usize = TemplateAxis::BUCKETS;
        let end = (start as usize)
            .saturating_add(count as usize)
            .min(self.order.len());
        (start as usize..end)
            .map(|rank| {
                let ti = self.order[rank] as usize;
                let t = &self.map.templates[ti];
                TemplateRow {
                    rank: rank as u32,
                    id: t.id.0,
                    template: t.template.clone(),
                    count: t.count,
                    levels: LEVEL_ORDER
                        .iter()
                        .filter_map(|l| t.levels.get(l).map(|n| (l.to_string(), *n)))
                        .filter(|(_, n)| *n > 0)
                        .collect(),
                    first_ts: t.first_ts.map(time_text),
                    last_ts: t.last_ts.map(time_text),
                    example_line: t.example.line,
                    example: t.example.message.clone(),
                    samples: t.variables.iter().map(|v| v.samples.clone()).collect(),
                    histogram: self.histograms[ti * B..(ti + 1) * B].to_vec(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsieve_engine::template::TemplateMiner;
    use logsieve_engine::{ParseOptions, Pipeline};

    fn build(input: &[u8]) -> (EventIndex, Templates) {
        let mut index = EventIndex::new();
        let mut miner = TemplateMiner::new();
        let mut p = Pipeline::new(ParseOptions::with_year(2024));
        let mut on = |ev: &logsieve_engine::Event<'_>| {
            let id = miner.observe_event(ev);
            index.push(ev, id.0);
        };
        let _ = p.feed(input, &mut on);
        let _ = p.finish(&mut on);
        let map = miner.finish();
        let t = Templates::build(map, &index);
        (index, t)
    }

    #[test]
    fn order_histograms_and_masks() {
        let mut input = String::new();
        for i in 0..50 {
            input.push_str(&format!(
                "2024-01-01T00:{:02}:00Z INFO user u{} logged in from 10.0.0.{i}\n",
                i, i
            ));
            if i % 5 == 0 {
                input.push_str(&format!(
                    "2024-01-01T00:{:02}:30Z ERROR disk {} full\n",
                    i,
                    i % 3
                ));
            }
        }
        let (index, t) = build(input.as_bytes());
        assert_eq!(index.len(), 60);
        let rows = t.rows(0, 100);
        assert_eq!(rows.len(), t.len());
        assert!(rows.windows(2).all(|w| w[0].count >= w[1].count));
        let total: u64 = rows.iter().map(|r| r.count).sum();
        assert_eq!(total, 60);
        assert!(t.axis().by_time);
        for r in &rows {
            assert_eq!(r.histogram.len(), TemplateAxis::BUCKETS);
            // Every event has a time: the histogram holds them all.
            assert_eq!(r.histogram.iter().map(|&c| c as u64).sum::<u64>(), r.count);
            let mask = t.mask(r.id);
            let n = index
                .iter()
                .filter(|rec| mask[rec.template as usize])
                .count() as u64;
            assert_eq!(n, r.count);
        }
        assert_eq!(rows[0].levels, vec![("INFO".to_string(), 50)]);
        assert!(t.mask(u32::MAX).iter().all(|m| !m));
        // Pages.
        assert_eq!(t.rows(1, 1)[0], rows[1]);
        assert!(t.rows(1000, 10).is_empty());
    }

    #[test]
    fn without_times_the_axis_is_the_file() {
        let (_, t) = build(b"a 1\na 2\nb\n");
        assert!(!t.axis().by_time);
        assert_eq!((t.axis().from.as_str(), t.axis().to.as_str()), ("1", "3"));
        let rows = t.rows(0, 10);
        assert_eq!(rows[0].template, "a <*>");
        assert_eq!(rows[0].histogram.iter().sum::<u32>(), 2);
        let (_, empty) = build(b"");
        assert!(empty.is_empty());
        assert!(empty.rows(0, 10).is_empty());
    }

    #[test]
    fn times_as_the_cli_writes_them() {
        assert_eq!(time_text(0), "1970-01-01T00:00:00.000");
        assert_eq!(time_text(-1), "1969-12-31T23:59:59.999");
    }
}
