//! Events per time bucket and level, with request-time histograms, at a resolution that adapts to the span.
//!
//! While streaming, the file's span is unknown. Counts are kept in a dense array of *fine* buckets whose width is
//! one of the [`widths`] (1 s, 5 s, 10 s, 30 s, 1 min, 5 min, 15 min, 1 h, 6 h, 1 day, 7 days, then doubling),
//! each a multiple of the one before, with bucket boundaries at multiples of the width since the Unix epoch. When
//! the events span more than [`MAX_FINE`] fine buckets, the width steps up to the next one and the buckets merge
//! (exactly: counts add, histograms add). At the end, [`TimeBuckets::layout`] picks the smallest width with at most
//! [`MAX_BUCKETS`] buckets over the span (so 40–200 buckets for any span over a few minutes; the width ratio is at
//! most 7), and the fine buckets merge into those. The chosen width is always at least the fine width, since the fine
//! width only grows when the span exceeds `MAX_FINE` > `MAX_BUCKETS` buckets of the width before.
//!
//! Cost per event: a compare against the current bucket's bounds (logs are mostly in time order), else one
//! division. Memory: `MAX_FINE` × 7 counters, plus a histogram (2 KiB) per fine bucket that has request times.

use crate::latency::Histogram;

/// Fine buckets kept before the width steps up.
pub const MAX_FINE: usize = 1024;
/// Most buckets in the final series.
pub const MAX_BUCKETS: i64 = 200;
/// Level slots: the six levels, then events without a level.
pub const LEVEL_SLOTS: usize = 7;

const SEC: i64 = 1000;
const MIN: i64 = 60 * SEC;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const LADDER: [i64; 11] = [
    SEC,
    5 * SEC,
    10 * SEC,
    30 * SEC,
    MIN,
    5 * MIN,
    15 * MIN,
    HOUR,
    6 * HOUR,
    DAY,
    7 * DAY,
];

/// The bucket width of a step of the ladder, in milliseconds.
pub fn width(step: usize) -> i64 {
    if step < LADDER.len() {
        LADDER[step]
    } else {
        // Past 7 days: doubling, capped far beyond any real log's span.
        (7 * DAY) << (step - LADDER.len() + 1).min(33)
    }
}

/// The ladder of widths up to `max_ms` (for documentation and tests).
pub fn widths(max_ms: i64) -> Vec<i64> {
    (0..).map(width).take_while(|w| *w <= max_ms).collect()
}

/// Number of buckets of `w` ms that the span `[min, max]` touches.
pub fn bucket_count(min: i64, max: i64, w: i64) -> i64 {
    max.div_euclid(w) - min.div_euclid(w) + 1
}

/// The final layout: `count` buckets of `width` ms from `start` (a multiple of `width`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub start: i64,
    pub width: i64,
    pub count: usize,
}

/// The width chosen for a span: the smallest on the ladder with at most [`MAX_BUCKETS`] buckets.
pub fn choose(min: i64, max: i64, min_step: usize) -> (usize, i64) {
    let mut step = min_step;
    while bucket_count(min, max, width(step)) > MAX_BUCKETS && step < 60 {
        step += 1;
    }
    (step, width(step))
}

#[derive(Debug, Clone)]
pub struct TimeBuckets {
    step: usize,
    width: i64,
    /// Bucket number (`ts.div_euclid(width)`) of `counts[0]`.
    base: i64,
    counts: Vec<[u64; LEVEL_SLOTS]>,
    /// Parallel to `counts` once a request time was seen; `None` for buckets without one.
    lat: Vec<Option<Box<Histogram>>>,
    /// Bounds (ms) and index of the bucket of the last event: the fast path.
    cur_lo: i64,
    cur_hi: i64,
    cur: usize,
    min: i64,
    max: i64,
}

impl Default for TimeBuckets {
    fn default() -> Self {
        TimeBuckets::new()
    }
}

impl TimeBuckets {
    pub fn new() -> TimeBuckets {
        TimeBuckets {
            step: 0,
            width: width(0),
            base: 0,
            counts: Vec::new(),
            lat: Vec::new(),
            cur_lo: i64::MAX,
            cur_hi: i64::MIN,
            cur: 0,
            min: i64::MAX,
            max: i64::MIN,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Whether any request time was added.
    pub fn has_latency(&self) -> bool {
        !self.lat.is_empty()
    }

    /// Earliest and latest time (ms) added.
    pub fn span(&self) -> Option<(i64, i64)> {
        (!self.counts.is_empty()).then_some((self.min, self.max))
    }

    /// Current fine width (ms).
    pub fn fine_width(&self) -> i64 {
        self.width
    }

    /// Number of fine buckets held.
    pub fn fine_len(&self) -> usize {
        self.counts.len()
    }

    /// Counts an event at `ts` ms with level slot `level`, and its request time in seconds if any.
    #[inline]
    pub fn add(&mut self, ts: i64, level: usize, latency: Option<f64>) {
        let i = if ts >= self.cur_lo && ts < self.cur_hi {
            self.cur
        } else {
            self.locate(ts)
        };
        self.counts[i][level] += 1;
        if let Some(secs) = latency {
            self.add_latency(i, secs);
        }
    }

    fn add_latency(&mut self, i: usize, secs: f64) {
        if self.lat.len() < self.counts.len() {
            self.lat.resize_with(self.counts.len(), || None);
        }
        self.lat[i].get_or_insert_with(Default::default).add(secs);
    }

    /// Slow path: finds or makes the bucket of `ts`, growing or coarsening the array.
    #[cold]
    fn locate(&mut self, ts: i64) -> usize {
        self.min = self.min.min(ts);
        self.max = self.max.max(ts);
        if self.counts.is_empty() {
            self.base = ts.div_euclid(self.width);
        }
        // Step up until the span fits.
        while bucket_count(self.min, self.max, self.width) > MAX_FINE as i64 {
            self.coarsen();
        }
        let b = ts.div_euclid(self.width);
        if self.counts.is_empty() {
            self.base = b;
        }
        if b < self.base {
            let n = (self.base - b) as usize;
            self.counts
                .splice(0..0, std::iter::repeat_n([0; LEVEL_SLOTS], n));
            if !self.lat.is_empty() {
                self.lat
                    .splice(0..0, std::iter::repeat_with(|| None).take(n));
            }
            self.base = b;
        }
        let i = (b - self.base) as usize;
        if i >= self.counts.len() {
            self.counts.resize(i + 1, [0; LEVEL_SLOTS]);
            if !self.lat.is_empty() {
                self.lat.resize_with(i + 1, || None);
            }
        }
        self.cur = i;
        self.cur_lo = b * self.width;
        self.cur_hi = self.cur_lo + self.width;
        i
    }

    /// Next width up the ladder; buckets merge.
    fn coarsen(&mut self) {
        let next = width(self.step + 1);
        let k = next / self.width;
        let new_base = self.base.div_euclid(k);
        let mut counts: Vec<[u64; LEVEL_SLOTS]> = Vec::new();
        let mut lat: Vec<Option<Box<Histogram>>> = Vec::new();
        let with_lat = !self.lat.is_empty();
        for (i, c) in self.counts.iter().enumerate() {
            let j = ((self.base + i as i64).div_euclid(k) - new_base) as usize;
            if j >= counts.len() {
                counts.resize(j + 1, [0; LEVEL_SLOTS]);
                if with_lat {
                    lat.resize_with(j + 1, || None);
                }
            }
            for (a, b) in counts[j].iter_mut().zip(c) {
                *a += b;
            }
            if with_lat {
                if let Some(h) = self.lat.get_mut(i).and_then(Option::take) {
                    match &mut lat[j] {
                        Some(acc) => acc.merge(&h),
                        slot => *slot = Some(h),
                    }
                }
            }
        }
        self.counts = counts;
        self.lat = lat;
        self.step += 1;
        self.width = next;
        self.base = new_base;
        self.cur_lo = i64::MAX;
        self.cur_hi = i64::MIN;
    }

    /// The final layout; `None` when no event had a time.
    pub fn layout(&self) -> Option<Layout> {
        let (min, max) = self.span()?;
        let (_, w) = choose(min, max, self.step);
        Some(Layout {
            start: min.div_euclid(w) * w,
            width: w,
            count: bucket_count(min, max, w) as usize,
        })
    }

    /// Fine buckets merged into `layout`: counts per level slot, and histograms (empty without request times).
    pub fn merged(&self, layout: &Layout) -> (Vec<[u64; LEVEL_SLOTS]>, Vec<Option<Histogram>>) {
        let mut counts = vec![[0u64; LEVEL_SLOTS]; layout.count];
        let mut lat: Vec<Option<Histogram>> = if self.lat.is_empty() {
            Vec::new()
        } else {
            vec![None; layout.count]
        };
        let k = layout.width / self.width;
        let first = layout.start.div_euclid(layout.width);
        for (i, c) in self.counts.iter().enumerate() {
            let j = (self.base + i as i64).div_euclid(k) - first;
            if j < 0 || j as usize >= layout.count {
                continue; // cannot happen: the layout covers the span
            }
            let j = j as usize;
            for (a, b) in counts[j].iter_mut().zip(c) {
                *a += b;
            }
            if let Some(Some(h)) = self.lat.get(i) {
                match &mut lat[j] {
                    Some(acc) => acc.merge(h),
                    slot => *slot = Some((**h).clone()),
                }
            }
        }
        (counts, lat)
    }
}
