//! Time: error bursts against the file's own baseline, their onset and precursors, and whether they were
//! transient or systemic.
//!
//! While events stream past, [`Series`] counts events per (template, time bucket) and errors per bucket, in
//! buckets of one second that double in width whenever the (template, bucket) map would exceed its cap, so memory
//! stays bounded on any input. At the end:
//!
//! * the error counts are re-bucketed to about 240 buckets over the file's time span, and a bucket is *hot* when
//!   its count exceeds the median by more than four robust standard deviations (1.4826 × MAD, with a Poisson
//!   floor of 4·√median) and is at least twice the median plus three; adjacent hot buckets (gaps of one allowed)
//!   form an incident;
//! * an incident's onset is its first error event; its precursors are the templates whose rate rose most in a
//!   window before the onset (30 s to 15 min, the best of each) against the time before that window;
//! * an incident is `systemic` when it did not recover by the end of the log, lasted six buckets or more,
//!   escalated (second half ≥ 1.5 × first half) or recurred (three incidents or more); otherwise `transient`.

use rustc_hash::FxHashMap;
use serde::Serialize;

/// Shape keys (messages without a template id) have this bit set.
pub const SHAPE_BIT: u32 = 0x8000_0000;

const MAX_TMPL_ENTRIES: usize = 1_500_000;
const MAX_EXCERPTS: usize = 20_000;
/// Sample lines kept per template ([`TInfo::sample_lines`]).
pub const SAMPLE_LINES: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct TInfo {
    pub count: u64,
    pub errors: u64,
    pub first_line: u64,
    /// Lines of the 1st, 2nd, 4th, 8th, … event (at most [`SAMPLE_LINES`]): evidence spread over the file.
    pub sample_lines: Vec<u64>,
    /// For shape keys: the first message (first line, cut), raw.
    pub example: Option<Box<str>>,
}

#[derive(Debug, Clone)]
struct ErrBucket {
    n: u32,
    first_line: u64,
    first_ms: i64,
    excerpt: Option<Box<str>>,
}

#[derive(Debug, Default)]
pub struct Series {
    origin: Option<i64>,
    w_ms: i64,
    tmpl: FxHashMap<u64, u32>,
    err_tmpl: FxHashMap<u64, u32>,
    errors: FxHashMap<i32, ErrBucket>,
    pub min_ms: Option<i64>,
    pub max_ms: Option<i64>,
    excerpts: usize,
    tinfo: Vec<TInfo>,
    sinfo: FxHashMap<u32, TInfo>,
    /// The UTC offset the log's times were written with (`None` inside: local times of unknown zone); `None`
    /// until a time is seen.
    pub zone: Option<Option<i16>>,
}

fn pack(key: u32, bucket: i32) -> u64 {
    ((key as u64) << 32) | (bucket as u32 as u64)
}

fn unpack(k: u64) -> (u32, i32) {
    ((k >> 32) as u32, k as u32 as i32)
}

impl Series {
    pub fn new() -> Series {
        Series {
            w_ms: 1000,
            ..Series::default()
        }
    }

    pub fn info_mut(&mut self, key: u32) -> &mut TInfo {
        if key & SHAPE_BIT == 0 {
            let i = key as usize;
            if i >= self.tinfo.len() {
                if i > 10_000_000 {
                    // An id that large is not dense: keep it in the map.
                    return self.sinfo.entry(key).or_default();
                }
                self.tinfo.resize(i + 1, TInfo::default());
            }
            &mut self.tinfo[i]
        } else {
            self.sinfo.entry(key).or_default()
        }
    }

    pub fn info(&self, key: u32) -> Option<&TInfo> {
        if key & SHAPE_BIT == 0 && (key as usize) < self.tinfo.len() {
            self.tinfo.get(key as usize)
        } else {
            self.sinfo.get(&key)
        }
    }

    /// Per template key, its events in the windows before the one of `ms` (so before a failure that began then).
    pub fn counts_before(&self, ms: i64) -> FxHashMap<u32, u64> {
        let mut out: FxHashMap<u32, u64> = FxHashMap::default();
        let Some(origin) = self.origin else {
            return out;
        };
        let limit = (ms - origin).div_euclid(self.w_ms);
        for (&k, &n) in &self.tmpl {
            let (key, b) = unpack(k);
            if (b as i64) < limit {
                *out.entry(key).or_insert(0) += n as u64;
            }
        }
        out
    }

    /// Every template key seen, with its info.
    pub fn infos(&self) -> impl Iterator<Item = (u32, &TInfo)> {
        self.tinfo
            .iter()
            .enumerate()
            .filter(|(_, t)| t.count > 0)
            .map(|(i, t)| (i as u32, t))
            .chain(self.sinfo.iter().map(|(k, t)| (*k, t)))
    }

    fn bucket(&mut self, ms: i64) -> i32 {
        let origin = *self.origin.get_or_insert(ms - ms.rem_euclid(60_000));
        let b = (ms - origin).div_euclid(self.w_ms);
        b.clamp(i32::MIN as i64, i32::MAX as i64) as i32
    }

    /// Counts one event of template `key` at `ms` (when it has a time).
    #[inline]
    pub fn record(
        &mut self,
        key: u32,
        ms: Option<i64>,
        is_error: bool,
        line: u64,
        excerpt: impl FnOnce() -> Option<Box<str>>,
    ) {
        let info = self.info_mut(key);
        info.count += 1;
        if info.count == 1 {
            info.first_line = line;
        }
        if info.count.is_power_of_two() && info.sample_lines.len() < SAMPLE_LINES {
            info.sample_lines.push(line);
        }
        if is_error {
            info.errors += 1;
        }
        let Some(ms) = ms else { return };
        self.min_ms = Some(self.min_ms.map_or(ms, |m| m.min(ms)));
        self.max_ms = Some(self.max_ms.map_or(ms, |m| m.max(ms)));
        let b = self.bucket(ms);
        *self.tmpl.entry(pack(key, b)).or_insert(0) += 1;
        if is_error {
            *self.err_tmpl.entry(pack(key, b)).or_insert(0) += 1;
            let want_excerpt = self.excerpts < MAX_EXCERPTS;
            let mut added = false;
            let e = self.errors.entry(b).or_insert_with(|| {
                added = true;
                ErrBucket {
                    n: 0,
                    first_line: line,
                    first_ms: ms,
                    excerpt: None,
                }
            });
            e.n += 1;
            if added && want_excerpt {
                e.excerpt = excerpt();
                if e.excerpt.is_some() {
                    self.excerpts += 1;
                }
            } else if ms < e.first_ms {
                e.first_ms = ms;
                e.first_line = line;
            }
        }
        if self.tmpl.len() > MAX_TMPL_ENTRIES {
            self.coarsen();
        }
    }

    /// Doubles the bucket width.
    fn coarsen(&mut self) {
        self.w_ms *= 2;
        let half = |b: i32| b.div_euclid(2);
        let old = std::mem::take(&mut self.tmpl);
        for (k, n) in old {
            let (key, b) = unpack(k);
            *self.tmpl.entry(pack(key, half(b))).or_insert(0) += n;
        }
        let old = std::mem::take(&mut self.err_tmpl);
        for (k, n) in old {
            let (key, b) = unpack(k);
            *self.err_tmpl.entry(pack(key, half(b))).or_insert(0) += n;
        }
        let old = std::mem::take(&mut self.errors);
        let mut kept = 0;
        for (b, e) in old {
            match self.errors.entry(half(b)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    kept += e.excerpt.is_some() as usize;
                    v.insert(e);
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    let cur = o.get_mut();
                    cur.n += e.n;
                    if e.first_ms < cur.first_ms {
                        let had = cur.excerpt.is_some();
                        cur.first_ms = e.first_ms;
                        cur.first_line = e.first_line;
                        cur.excerpt = e.excerpt;
                        kept += cur.excerpt.is_some() as usize;
                        kept -= 0;
                        let _ = had;
                    } else {
                        kept += 0;
                    }
                }
            }
        }
        self.excerpts = kept;
    }

    /// RFC 3339 of a time, written in the log's own zone (without a zone when the log had none).
    pub fn render(&self, ms: i64) -> String {
        let off = self.zone.flatten();
        let local = ms + off.unwrap_or(0) as i64 * 60_000;
        let mut t = logsieve_engine::Timestamp::from_unix(
            local.div_euclid(1000),
            (local.rem_euclid(1000) as u32) * 1_000_000,
            3,
        );
        t.offset_minutes = off;
        t.to_rfc3339()
    }

    fn bucket_start(&self, b: i32) -> i64 {
        self.origin.unwrap_or(0) + b as i64 * self.w_ms
    }

    /// The stored excerpts (raw; redact before use) of the first error lines (by base bucket) within `[from, to)`
    /// that have one, in file order, at most `n`. One pass over the buckets (not one per line: once the excerpts run out at `MAX_EXCERPTS`, a long
    /// incident has many lines without one, and a lookup per line made the report quadratic).
    pub fn error_excerpts(&self, from: i64, to: i64, n: usize) -> Vec<(u64, &str)> {
        let mut v: Vec<(u64, &str)> = self
            .errors
            .iter()
            .filter(|(b, _)| {
                let t = self.bucket_start(**b);
                t + self.w_ms > from && t < to
            })
            .filter_map(|(_, e)| e.excerpt.as_deref().map(|x| (e.first_line, x)))
            .collect();
        v.sort_unstable_by_key(|x| x.0);
        v.truncate(n);
        v
    }

    /// Detects error bursts (see the module documentation).
    pub fn incidents(&self) -> Vec<RawIncident> {
        let (Some(min), Some(max)) = (self.min_ms, self.max_ms) else {
            return Vec::new();
        };
        if self.errors.is_empty() {
            return Vec::new();
        }
        let span = (max - min).max(1);
        const NICE: [i64; 20] = [
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
            21_600_000,
            43_200_000,
            86_400_000,
            604_800_000,
            2_592_000_000,
            31_536_000_000,
        ];
        let w = NICE
            .iter()
            .copied()
            .find(|w| *w >= self.w_ms && span / w <= 240)
            .unwrap_or(31_536_000_000);
        let start = min - min.rem_euclid(w);
        let nb = ((max - start) / w + 1) as usize;
        let mut e = vec![0u64; nb];
        let mut firsts: Vec<Option<(i64, u64)>> = vec![None; nb];
        for (b, eb) in &self.errors {
            let t = self.bucket_start(*b).max(min);
            let i = (((t - start) / w) as usize).min(nb - 1);
            e[i] += eb.n as u64;
            let f = (eb.first_ms, eb.first_line);
            if firsts[i].is_none_or(|x| f < x) {
                firsts[i] = Some(f);
            }
        }
        // Error templates per bucket (to tell a lead-in of the same failure from an unrelated error).
        let mut keys: Vec<Vec<u32>> = vec![Vec::new(); nb];
        for k in self.err_tmpl.keys() {
            let (key, b) = unpack(*k);
            let t = self.bucket_start(b).max(min);
            let i = (((t - start) / w) as usize).min(nb - 1);
            if keys[i].len() < 64 && !keys[i].contains(&key) {
                keys[i].push(key);
            }
        }
        let mut sorted = e.clone();
        sorted.sort_unstable();
        let med = median(&sorted);
        let mut dev: Vec<f64> = e.iter().map(|x| (*x as f64 - med).abs()).collect();
        dev.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
        let mad = median_f(&dev);
        let sigma = 1.4826 * mad;
        let thr = med + (4.0 * sigma).max(4.0 * med.max(1.0).sqrt());
        let hot: Vec<bool> = e
            .iter()
            .map(|x| (*x as f64) > thr && (*x as f64) >= 2.0 * med + 3.0)
            .collect();
        // Runs of hot buckets, gaps of one allowed.
        let mut runs: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < nb {
            if !hot[i] {
                i += 1;
                continue;
            }
            let s = i;
            let mut end = i;
            let mut j = i + 1;
            while j < nb {
                if hot[j] {
                    end = j;
                    j += 1;
                } else if j + 1 < nb && hot[j + 1] {
                    j += 1;
                } else {
                    break;
                }
            }
            runs.push((s, end));
            i = end + 1;
        }
        let mut out: Vec<RawIncident> = Vec::new();
        let mut prev_end = 0usize;
        for (core, end) in runs {
            // The lead-in: errors above the baseline just before the first hot bucket belong to the incident
            // (its onset and evidence), not to its shape (duration, escalation).
            let mut s = core;
            while s > prev_end
                && s > 0
                && core - s < 2
                && (e[s - 1] as f64) > med
                && keys[s - 1].iter().any(|k| keys[core].contains(k))
            {
                s -= 1;
            }
            prev_end = end + 1;
            let errs: u64 = e[s..=end].iter().sum();
            let len = end - core + 1;
            let expected = med * len as f64;
            if errs < 5 || (errs as f64) < 3.0 * expected + 1.0 {
                continue;
            }
            let peak = *e[s..=end].iter().max().unwrap_or(&0);
            let (onset_ms, first_line) = firsts[s..=end]
                .iter()
                .flatten()
                .min()
                .copied()
                .unwrap_or((start + s as i64 * w, 0));
            // Recovery: the buckets after the incident.
            let after_n = nb - 1 - end;
            let look = after_n.min(len.max(3));
            let recovered = look >= 2 && {
                let m: f64 = e[end + 1..end + 1 + look].iter().sum::<u64>() as f64 / look as f64;
                m <= med + (thr - med) / 2.0
            };
            let half = len / 2;
            let (first_half, second_half): (u64, u64) = if len >= 3 {
                (
                    e[core..core + half].iter().sum(),
                    e[end + 1 - half..=end].iter().sum(),
                )
            } else {
                (0, 0)
            };
            // Escalating: still rising when the log ends or the burst has not subsided.
            let escalating =
                len >= 3 && !recovered && second_half as f64 >= 1.5 * first_half as f64 + 1.0;
            out.push(RawIncident {
                start_ms: start + s as i64 * w,
                end_ms: start + (end as i64 + 1) * w,
                onset_ms,
                first_line,
                errors: errs,
                peak,
                buckets: len,
                bucket_ms: w,
                baseline: med,
                threshold: thr,
                recovered,
                escalating,
                first_half,
                second_half,
                reaches_end: after_n == 0,
            });
        }
        // Keep the five largest, in time order.
        out.sort_by_key(|r| std::cmp::Reverse(r.errors));
        out.truncate(5);
        out.sort_by_key(|r| r.onset_ms);
        out
    }

    /// First error lines (by base bucket) within `[from, to)`, in file order, and the error total.
    pub fn error_lines(&self, from: i64, to: i64) -> (Vec<u64>, u64) {
        let mut lines = Vec::new();
        let mut total = 0;
        for (b, eb) in &self.errors {
            let t = self.bucket_start(*b);
            if t + self.w_ms > from && t < to {
                lines.push(eb.first_line);
                total += eb.n as u64;
            }
        }
        lines.sort_unstable();
        (lines, total)
    }

    /// The error templates with the most errors within `[from, to)`.
    pub fn top_errors(&self, from: i64, to: i64, n: usize) -> Vec<(u32, u64)> {
        let mut m: FxHashMap<u32, u64> = FxHashMap::default();
        for (k, c) in &self.err_tmpl {
            let (key, b) = unpack(*k);
            let t = self.bucket_start(b);
            if t + self.w_ms > from && t < to {
                *m.entry(key).or_insert(0) += *c as u64;
            }
        }
        let mut v: Vec<(u32, u64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }

    /// For each onset, the templates whose rate rose most before it.
    pub fn precursors(&self, onsets: &[i64]) -> Vec<Vec<RawPrecursor>> {
        const WINDOWS: [i64; 5] = [30_000, 60_000, 120_000, 300_000, 900_000];
        const BASE_MAX: i64 = 6 * 3_600_000;
        let Some(min) = self.min_ms else {
            return onsets.iter().map(|_| Vec::new()).collect();
        };
        // Per onset: usable windows (the baseline must be at least as long as the window).
        let plans: Vec<Vec<(i64, i64, i64)>> = onsets
            .iter()
            .map(|&onset| {
                WINDOWS
                    .iter()
                    .filter(|&&p| p >= self.w_ms)
                    .filter_map(|&p| {
                        let pre_start = onset - p;
                        let base_start = (pre_start - BASE_MAX).max(min);
                        if pre_start - base_start >= p {
                            Some((p, pre_start, base_start))
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .collect();
        let mut acc: Vec<FxHashMap<u32, [[u32; 2]; 5]>> =
            onsets.iter().map(|_| FxHashMap::default()).collect();
        // When each template was first seen (its earliest window).
        let mut first_seen: FxHashMap<u32, i64> = FxHashMap::default();
        for (k, c) in &self.tmpl {
            let (key, b) = unpack(*k);
            let t = self.bucket_start(b);
            let _ = c;
            first_seen
                .entry(key)
                .and_modify(|f| *f = (*f).min(t))
                .or_insert(t);
        }
        for (k, c) in &self.tmpl {
            let (key, b) = unpack(*k);
            let t = self.bucket_start(b);
            for (oi, &onset) in onsets.iter().enumerate() {
                if t >= onset || plans[oi].is_empty() {
                    continue;
                }
                for (wi, &(_, pre_start, base_start)) in plans[oi].iter().enumerate() {
                    if t >= pre_start {
                        acc[oi].entry(key).or_insert([[0; 2]; 5])[wi][0] += *c;
                    } else if t >= base_start {
                        acc[oi].entry(key).or_insert([[0; 2]; 5])[wi][1] += *c;
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(onsets.len());
        for (oi, &onset) in onsets.iter().enumerate() {
            let mut best: Vec<RawPrecursor> = Vec::new();
            for (key, wins) in &acc[oi] {
                if let Some(info) = self.info(*key) {
                    if info.errors * 2 > info.count {
                        continue; // an error template is a symptom, not a precursor
                    }
                }
                let mut top: Option<RawPrecursor> = None;
                for (wi, &(p, pre_start, base_start)) in plans[oi].iter().enumerate() {
                    let pre = wins[wi][0] as f64;
                    let base = wins[wi][1] as f64;
                    if pre < 5.0 {
                        continue;
                    }
                    let base_len = (pre_start - base_start) as f64;
                    let rate_pre = pre / p as f64;
                    let rate_base = base.max(0.5) / base_len;
                    let factor = rate_pre / rate_base;
                    if factor < 3.0 {
                        continue;
                    }
                    let score = factor.min(1000.0) * (1.0 + pre).ln();
                    if top.as_ref().is_none_or(|t| score > t.score) {
                        top = Some(RawPrecursor {
                            key: *key,
                            window_ms: p,
                            count: wins[wi][0] as u64,
                            before_per_min: base / base_len * 60_000.0,
                            during_per_min: rate_pre * 60_000.0,
                            factor,
                            appeared: base == 0.0,
                            dominant: false,
                            first_new: false,
                            score,
                        });
                    }
                }
                if let Some(t) = top {
                    best.push(t);
                }
            }
            best.sort_by(|a, b| {
                b.score
                    .partial_cmp(&a.score)
                    .expect("finite")
                    .then(a.key.cmp(&b.key))
            });
            best.truncate(8);
            if best.is_empty() {
                best = self.dominant(&acc[oi], &plans[oi]);
            }
            if let Some(p) = self.first_new(&first_seen, onset) {
                if !best.iter().any(|b| b.key == p.key) {
                    best.push(p);
                }
            }
            out.push(best);
        }
        out
    }
}

impl Series {
    /// When no template rose before an onset: the templates that made up most of the window before it (the one
    /// nearest 5 minutes), at least 5 events and a fifth of the window each, errors excluded.
    fn dominant(
        &self,
        acc: &FxHashMap<u32, [[u32; 2]; 5]>,
        plan: &[(i64, i64, i64)],
    ) -> Vec<RawPrecursor> {
        let Some((wi, &(p, pre_start, base_start))) = plan
            .iter()
            .enumerate()
            .min_by_key(|(_, w)| (w.0 - 300_000).abs())
        else {
            return Vec::new();
        };
        let total: u64 = acc.values().map(|w| w[wi][0] as u64).sum();
        let mut out: Vec<RawPrecursor> = acc
            .iter()
            .filter(|(key, w)| {
                let n = w[wi][0] as u64;
                n >= 5 && n * 5 >= total && self.info(**key).is_none_or(|i| i.errors * 2 <= i.count)
            })
            .map(|(key, w)| {
                let (pre, base) = (w[wi][0] as f64, w[wi][1] as f64);
                let base_len = (pre_start - base_start) as f64;
                RawPrecursor {
                    key: *key,
                    window_ms: p,
                    count: w[wi][0] as u64,
                    before_per_min: base / base_len * 60_000.0,
                    during_per_min: pre / p as f64 * 60_000.0,
                    factor: (pre / p as f64) / (base.max(0.5) / base_len),
                    appeared: false,
                    dominant: true,
                    first_new: false,
                    score: pre / total.max(1) as f64,
                }
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
        out.truncate(3);
        out
    }

    /// The earliest template whose first window lies in the 15 minutes before `onset` (and not in the onset's own
    /// window), when the log goes back further than that, so that it is new against a baseline: what first differed.
    fn first_new(&self, first_seen: &FxHashMap<u32, i64>, onset: i64) -> Option<RawPrecursor> {
        const LOOKBACK: i64 = 900_000;
        let min = self.min_ms?;
        if onset - min <= LOOKBACK {
            return None;
        }
        let (key, t) = first_seen
            .iter()
            .filter(|(key, t)| {
                **t >= onset - LOOKBACK
                    && **t < onset - self.w_ms
                    && self.info(**key).is_none_or(|i| i.errors * 2 <= i.count)
            })
            .min_by_key(|(key, t)| (**t, self.info(**key).map_or(u64::MAX, |i| i.first_line)))?;
        Some(RawPrecursor {
            key: *key,
            window_ms: (onset - t).max(self.w_ms),
            count: 0,
            before_per_min: 0.0,
            during_per_min: 0.0,
            factor: 0.0,
            appeared: true,
            dominant: false,
            first_new: true,
            score: 0.0,
        })
    }
}

fn median(sorted: &[u64]) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2] as f64
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0
    }
}

fn median_f(sorted: &[f64]) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// An error burst as detected, before it is written up.
#[derive(Debug, Clone)]
pub struct RawIncident {
    pub start_ms: i64,
    pub end_ms: i64,
    pub onset_ms: i64,
    pub first_line: u64,
    pub errors: u64,
    pub peak: u64,
    pub buckets: usize,
    pub bucket_ms: i64,
    pub baseline: f64,
    pub threshold: f64,
    pub recovered: bool,
    pub escalating: bool,
    pub first_half: u64,
    pub second_half: u64,
    pub reaches_end: bool,
}

#[derive(Debug, Clone)]
pub struct RawPrecursor {
    pub key: u32,
    pub window_ms: i64,
    pub count: u64,
    pub before_per_min: f64,
    pub during_per_min: f64,
    pub factor: f64,
    pub appeared: bool,
    /// Nothing rose: the template only made up much of the window before the onset.
    pub dominant: bool,
    /// The first template in the 15 minutes before the onset that the log had never shown before it.
    pub first_new: bool,
    pub(crate) score: f64,
}

/// A template whose rate rose before an onset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Precursor {
    /// The template (redacted).
    pub template: String,
    /// Its rate in the window before the onset and before that window, per minute.
    pub before_per_min: f64,
    pub during_per_min: f64,
    /// How many times the rate rose (`during / before`; when it was absent before, against half an event).
    pub factor: f64,
    /// The window before the onset, in seconds.
    pub window_s: u64,
    /// Events of the template in that window.
    pub count: u64,
    /// The template did not occur at all before the window.
    pub appeared: bool,
    /// Nothing rose before the onset: this template only dominated the window (its share in `factor`'s place is
    /// [`Precursor::share`]).
    pub dominant: bool,
    /// The first template, in the 15 minutes before the onset, never seen before: what first differed.
    pub first_new: bool,
    /// For a dominant template: its share of the window's events (0–1).
    pub share: f64,
    /// First line of the template in the file.
    pub first_line: u64,
}

impl Precursor {
    /// `'WebSocket session opened <*>' rose 40× (2.0/min → 80/min in the 30 s before)`.
    pub fn describe(&self) -> String {
        let t = crate::text::ellipsize(&self.template, 120);
        format!("'{t}' {}", self.change())
    }

    /// What the template did: `rose 40× (2.0/min → 80/min in the 30 s before)` or `appeared (…)`.
    pub fn change(&self) -> String {
        let window = crate::text::human_ms(self.window_s as i64 * 1000);
        if self.first_new {
            return format!(
                "was the first thing new before it (line {}, in the {window} before; never seen earlier)",
                self.first_line
            );
        }
        if self.dominant {
            return format!(
                "made up {:.0} % of the events in the {window} before ({}; no template's rate rose)",
                self.share * 100.0,
                crate::text::per_min(self.during_per_min)
            );
        }
        if self.appeared {
            format!(
                "appeared ({} in the {} before, none earlier)",
                crate::text::per_min(self.during_per_min),
                crate::text::human_ms(self.window_s as i64 * 1000)
            )
        } else {
            format!(
                "rose {:.0}× ({} → {} in the {} before)",
                self.factor,
                crate::text::per_min(self.before_per_min),
                crate::text::per_min(self.during_per_min),
                crate::text::human_ms(self.window_s as i64 * 1000)
            )
        }
    }
}

/// One error burst, written up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    /// RFC 3339 of the first error of the burst.
    pub onset: String,
    pub onset_line: u64,
    pub end: String,
    pub errors: u64,
    /// `transient` or `systemic`.
    pub class: &'static str,
    pub reason: String,
    pub baseline_per_min: f64,
    pub peak_per_min: f64,
    pub precursors: Vec<Precursor>,
    /// The error templates with the most errors in the burst (redacted), with counts.
    pub top_errors: Vec<(String, u64)>,
}
