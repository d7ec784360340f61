//! A fixed log-scale histogram of request times, for percentiles per time bucket.
//!
//! Bins: one for values below [`MIN_SECONDS`] (2⁻²⁰ s ≈ 0.95 µs, including 0 and negative or NaN values), sixteen
//! per power of two from 2⁻²⁰ s to 2¹² s (4 096 s), and one for values at or above [`MAX_SECONDS`]. A bin's index
//! is read from the bits of the `f64` (exponent and the top four bits of the mantissa), so binning costs no
//! logarithm, and a bin's value is computed exactly, so the same answers come out natively and in wasm.
//!
//! **Relative error.** A percentile is reported as the midpoint of the bin holding the value of that rank
//! (nearest-rank definition: the ⌈p·n⌉-th smallest). A bin spans `[m, m + 1/16) · 2^e` with `1 ≤ m < 2`, so the
//! midpoint is within `(1/32) · 2^e / (m · 2^e) ≤ 1/32` = **3.125 %** of any value in the bin. Below 2⁻²⁰ s the
//! answer is 0 (absolute error < 1 µs); at 4 096 s and above the answer is 4 096 s (a lower bound).
//!
//! Histograms merge by adding counts, so buckets coarsen without loss.

/// Smallest value with a bin of its own (2⁻²⁰ s).
pub const MIN_SECONDS: f64 = 1.0 / (1u64 << 20) as f64;
/// Values at or above this (2¹² s) share the last bin.
pub const MAX_SECONDS: f64 = 4096.0;
/// Documented bound on the relative error of a percentile between [`MIN_SECONDS`] and [`MAX_SECONDS`].
pub const RELATIVE_ERROR: f64 = 1.0 / 32.0;

const MIN_EXP: i32 = -20;
const OCTAVES: usize = 32;
const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
/// Number of bins: under, 32 octaves × 16, over.
pub const BINS: usize = 2 + OCTAVES * SUB;

#[derive(Clone, PartialEq, Eq)]
pub struct Histogram {
    counts: Box<[u32; BINS]>,
    total: u64,
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Histogram({} values)", self.total)
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

/// The bin of a value in seconds.
#[inline]
pub fn bin(v: f64) -> usize {
    // NaN compares as not greater-or-equal, so it falls here too.
    if v.is_nan() || v < MIN_SECONDS {
        return 0;
    }
    if v >= MAX_SECONDS {
        return BINS - 1;
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let sub = ((bits >> (52 - SUB_BITS)) as usize) & (SUB - 1);
    1 + (exp - MIN_EXP) as usize * SUB + sub
}

/// The value a bin reports: its midpoint (0 for the lowest bin, [`MAX_SECONDS`] for the highest).
pub fn bin_value(b: usize) -> f64 {
    if b == 0 {
        return 0.0;
    }
    if b >= BINS - 1 {
        return MAX_SECONDS;
    }
    let exp = ((b - 1) / SUB) as i32 + MIN_EXP;
    let sub = ((b - 1) % SUB) as f64;
    // Both factors and the product are exact in binary floating point.
    let scale = f64::from_bits(((exp + 1023) as u64) << 52);
    (1.0 + (sub + 0.5) / SUB as f64) * scale
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: Box::new([0; BINS]),
            total: 0,
        }
    }

    #[inline]
    pub fn add(&mut self, seconds: f64) {
        let c = &mut self.counts[bin(seconds)];
        *c = c.saturating_add(1);
        self.total += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
        self.total += other.total;
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The `pct`-th percentile (nearest rank, `pct` in 1..=100); `None` when empty.
    pub fn percentile(&self, pct: u32) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let pct = pct.clamp(1, 100) as u64;
        let rank = (self.total * pct).div_ceil(100).max(1);
        let mut seen = 0u64;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                return Some(bin_value(b));
            }
        }
        Some(bin_value(BINS - 1))
    }
}
