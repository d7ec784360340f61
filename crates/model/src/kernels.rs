//! A Q8_0 matrix multiplication for wasm32 with SIMD128, used instead of candle's for the GGUF model's linear
//! layers when the weights are Q8_0.
//!
//! Why: candle's wasm path computes every (row, column) dot product on its own, converting two f16 block scales in
//! software for each 32-value block, and shares nothing between rows or columns. Here the activations are
//! quantized once per call (Q8_0 blocks), the f16 weight scales go through a 64 Ki-entry table, and a register
//! tile shares each load between several products (`i32x4.dot_i16x8_s`). Decode (one row) walks the weight rows
//! one by one, which the hardware prefetcher follows best; its sums are exactly candle's. Prefill widens a block
//! of 4 weight rows once and runs 8 activation rows against it, reducing each row's 4 products to one vector per
//! block, so the accumulators stay in registers; its f32 sums are grouped differently from candle's (last-bit
//! differences). With the `relaxed-simd` feature, prefill instead multiplies the raw weight bytes with WebAssembly
//! relaxed SIMD's 8-bit dot product, with bit-identical results (see `simd::relaxed`). In both builds the
//! activations are quantized in SIMD128 and the MLP's SiLU has a SIMD128 kernel here (`silu_mul`).
//!
//! Natively candle's kernels are used (on x86 with AVX2 they repack the weights into tiles of their own).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use attention::{causal_attention, silu_mul};
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd::matmul_q8_0;

/// Bytes of one Q8_0 block: an f16 scale and 32 signed bytes.
pub const Q8_0_BLOCK_BYTES: usize = 34;
/// Values per Q8_0 block.
pub const QK8_0: usize = 32;

/// Benchmarks only: `rows << 8 | cols` of the register tile, `0x10000` for the per-row reducing prefill tile (0:
/// the defaults).
pub static TILE_OVERRIDE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Benchmarks and tests only: with [`RELAXED_SIMD_BUILT`], `true` keeps the relaxed-SIMD prefill on its split
/// path (two dots per 16 values, exact on every engine) even where [`relaxed_unsigned_dot_exact`] allows one.
pub static RELAXED_SPLIT_ONLY: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// How prefill uses relaxed SIMD in this build and engine: `"not built"`, `"unusable"` (the engine's relaxed dot is
/// wrong even in the spec's deterministic range, so prefill stays on SIMD128), `"i7"` (two dots per 16 values) or
/// `"unsigned"` (one dot per 16 values, where the engine multiplies unsigned bytes exactly).
pub fn relaxed_simd_mode() -> &'static str {
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        feature = "relaxed-simd"
    ))]
    return match simd::relaxed::engine() {
        simd::relaxed::Engine::Unusable => "unusable",
        simd::relaxed::Engine::I7 => "i7",
        simd::relaxed::Engine::Unsigned => "unsigned",
    };
    #[cfg(not(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        feature = "relaxed-simd"
    )))]
    "not built"
}

/// Benchmarks only: activation rows per relaxed-SIMD tile (16, 8 or 4; 0: the default).
pub static RELAXED_ROWS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Whether the engine's relaxed dot product multiplies unsigned bytes exactly (x86 with AVX-VNNI), so the relaxed
/// prefill takes one dot per 16 values instead of two (probed once; false where relaxed SIMD is not built).
pub fn relaxed_unsigned_dot_exact() -> bool {
    #[cfg(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        feature = "relaxed-simd"
    ))]
    return simd::relaxed::unsigned_dot_exact();
    #[cfg(not(all(
        target_arch = "wasm32",
        target_feature = "simd128",
        feature = "relaxed-simd"
    )))]
    false
}

/// Whether this build's prefill uses WebAssembly relaxed SIMD (`i32x4.relaxed_dot_i8x16_i7x16_add_s`): the
/// `relaxed-simd` feature on wasm32 with SIMD128. Such a module does not validate in an engine without relaxed SIMD
/// (Chromium < 114, Firefox and Safari without their flags): check [`RELAXED_SIMD_PROBE`] with
/// `WebAssembly.validate` before loading it.
pub const RELAXED_SIMD_BUILT: bool = cfg!(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    feature = "relaxed-simd"
));

/// Benchmarks only: `false` runs prefill as before relaxed SIMD (SIMD128 tile, scalar activation quantization,
/// candle's SiLU), the baseline of `cargo xtask bench-model --baseline`. The matrix products are bit-identical
/// either way; only the SiLU differs in the last bits.
pub static RELAXED_SIMD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// The smallest wasm module using `i32x4.relaxed_dot_i8x16_i7x16_add_s` (one function returning it applied to three
/// zero vectors): `WebAssembly.validate(probe)` is true exactly where a [`RELAXED_SIMD_BUILT`] module can run.
pub const RELAXED_SIMD_PROBE: [u8; 82] = {
    let head: [u8; 24] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
        0x03, 0x02, 0x01, 0x00, // functions: one of type 0
        0x0a, 0x3d, 0x01, 0x3b, 0x00, // code: one body of 59 bytes, no locals
    ];
    let mut m = [0u8; 82];
    let mut i = 0;
    while i < 24 {
        m[i] = head[i];
        i += 1;
    }
    // Three `v128.const 0` (0xfd 0x0c + 16 zero bytes), then the relaxed dot (0xfd, LEB128 0x113) and `end`.
    let mut c = 0;
    while c < 3 {
        m[24 + c * 18] = 0xfd;
        m[25 + c * 18] = 0x0c;
        c += 1;
    }
    m[78] = 0xfd;
    m[79] = 0x93;
    m[80] = 0x02;
    m[81] = 0x0b;
    m
};

/// Q8_0 quantization of activation rows.
pub struct QuantRows {
    pub q: Vec<i8>,
    /// One scale per row and block.
    pub d: Vec<f32>,
}

/// Quantizes `m` rows of `k` values (k a multiple of 32) as candle's `BlockQ8_0::from_float` does (in SIMD128 where
/// built with it, with the same results).
pub fn quantize_rows(x: &[f32], m: usize, k: usize) -> QuantRows {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return simd::quantize_rows_simd(x, m, k);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    quantize_rows_scalar(x, m, k)
}

/// [`quantize_rows`] one value at a time (the reference for the SIMD128 version).
pub fn quantize_rows_scalar(x: &[f32], m: usize, k: usize) -> QuantRows {
    let nb = k / QK8_0;
    let mut q = vec![0i8; m * k];
    let mut d = vec![0f32; m * nb];
    for (i, (xb, qb)) in x[..m * k]
        .chunks_exact(QK8_0)
        .zip(q.chunks_exact_mut(QK8_0))
        .enumerate()
    {
        let amax = xb.iter().fold(0f32, |a, v| a.max(v.abs()));
        let scale = amax / 127.0;
        let inv = if scale != 0.0 { 1.0 / scale } else { 0.0 };
        for (o, v) in qb.iter_mut().zip(xb) {
            *o = (v * inv).round() as i8;
        }
        // candle stores the scale as f16; so do we, to compute the same products.
        d[i] = half::f16::from_f32(scale).to_f32();
    }
    QuantRows { q, d }
}

/// f16 bits → f32, one table lookup.
pub fn f16_table() -> &'static [f32; 65536] {
    static TABLE: std::sync::OnceLock<Box<[f32; 65536]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0f32; 65536]);
        for (bits, v) in t.iter_mut().enumerate() {
            *v = half::f16::from_bits(bits as u16).to_f32();
        }
        t
    })
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
// Register tiles index small arrays by row and column: clearer than zipped iterators here.
#[allow(clippy::needless_range_loop)]
mod simd {
    use super::{f16_table, QuantRows, Q8_0_BLOCK_BYTES as BB, QK8_0};
    use core::arch::wasm32::*;

    /// `out[i][j] = Σ_k x[i][k] · w[j][k]`: `x` is `m × k` f32, `w` is `n` rows of `k / 32` Q8_0 blocks (GGUF
    /// layout), `out` is `m × n`.
    pub fn matmul_q8_0(x: &[f32], m: usize, k: usize, w: &[u8], n: usize, out: &mut [f32]) {
        assert!(k.is_multiple_of(QK8_0), "k = {k} is not a multiple of 32");
        let nb = k / QK8_0;
        assert!(x.len() >= m * k && out.len() >= m * n && w.len() >= n * nb * BB);
        let acts = if super::RELAXED_SIMD.load(std::sync::atomic::Ordering::Relaxed) {
            quantize_rows_simd(x, m, k)
        } else {
            super::quantize_rows_scalar(x, m, k)
        };
        let table = f16_table();
        #[cfg(feature = "relaxed-simd")]
        if m > 1 && relaxed_variant() {
            // SAFETY: the bounds are asserted above; this build requires relaxed SIMD (see `RELAXED_SIMD_BUILT`).
            unsafe { relaxed::matmul_rows(&acts, m, k, w, n, table, out) };
            // SAFETY: as above.
            if unsafe { spot_check(&acts, m, k, w, n, table, out) } {
                return;
            }
            // The engine computed something else than it promised (Node 20's V8 does, in its baseline compiler):
            // relaxed SIMD is off from now on, and this product is redone below.
            relaxed::disable();
        }
        if m > 1 && reduce_variant() {
            // Prefill, per-row reduction: 8 rows × 4 columns per tile.
            let n4 = n - n % 4;
            for j in (0..n4).step_by(4) {
                let mut i = 0;
                // SAFETY: as below.
                unsafe {
                    while i + 8 <= m {
                        tile_r4::<8>(&acts, i, k, w, j, nb, table, out, n);
                        i += 8;
                    }
                    while i < m {
                        tile_r4::<1>(&acts, i, k, w, j, nb, table, out, n);
                        i += 1;
                    }
                }
            }
            for j in n4..n {
                for i in 0..m {
                    // SAFETY: as below.
                    unsafe { tile::<1, 1>(&acts, i, k, w, j, nb, table, out, n) };
                }
            }
            return;
        }
        let (tr, tc) = tile_shape(m);
        // Column tiles outside, row tiles inside: a tile's weight rows stay in L1 while every row uses them.
        let mut j = 0;
        while j < n {
            let cols = (n - j).min(tc);
            let mut i = 0;
            while i < m {
                let rows = (m - i).min(tr);
                // SAFETY: every pointer the tile reads is inside `acts` and `w` (asserted above), every index it
                // writes is inside `out`.
                unsafe { run_tile(rows, cols, &acts, i, k, w, j, nb, table, out, n) };
                i += rows;
            }
            j += cols;
        }
    }

    /// [`quantize_rows`] in SIMD128, with the same results: the scalar loop's `f32::round` is a libm call per
    /// value in wasm, and prefill quantizes about 2.4 M values per layer.
    pub(super) fn quantize_rows_simd(x: &[f32], m: usize, k: usize) -> QuantRows {
        let blocks = m * k / QK8_0;
        let mut q = vec![0i8; m * k];
        let mut d = vec![0f32; blocks];
        let (src, dst) = (x.as_ptr(), q.as_mut_ptr());
        assert!(x.len() >= m * k);
        for (b, db) in d.iter_mut().enumerate() {
            // SAFETY: block `b` of `x` and of `q` is inside them (asserted above and by construction).
            unsafe {
                let v: [v128; 8] =
                    std::array::from_fn(|u| v128_load(src.add(b * QK8_0 + 4 * u) as *const v128));
                let mut amax = f32x4_abs(v[0]);
                for vu in &v[1..] {
                    amax = f32x4_max(amax, f32x4_abs(*vu));
                }
                let amax = f32x4_extract_lane::<0>(amax)
                    .max(f32x4_extract_lane::<1>(amax))
                    .max(f32x4_extract_lane::<2>(amax))
                    .max(f32x4_extract_lane::<3>(amax));
                let scale = amax / 127.0;
                let inv = f32x4_splat(if scale != 0.0 { 1.0 / scale } else { 0.0 });
                // Round half away from zero, as `f32::round`: truncate, then step away from zero when the
                // dropped fraction is at least one half.
                let r: [v128; 8] = std::array::from_fn(|u| {
                    let y = f32x4_mul(v[u], inv);
                    let t = f32x4_trunc(y);
                    let up = f32x4_ge(f32x4_abs(f32x4_sub(y, t)), f32x4_splat(0.5));
                    let away = v128_or(v128_and(y, f32x4_splat(-0.0)), f32x4_splat(1.0));
                    i32x4_trunc_sat_f32x4(f32x4_add(t, v128_and(up, away)))
                });
                let h: [v128; 4] =
                    std::array::from_fn(|u| i16x8_narrow_i32x4(r[2 * u], r[2 * u + 1]));
                v128_store(
                    dst.add(b * QK8_0) as *mut v128,
                    i8x16_narrow_i16x8(h[0], h[1]),
                );
                v128_store(
                    dst.add(b * QK8_0 + 16) as *mut v128,
                    i8x16_narrow_i16x8(h[2], h[3]),
                );
                *db = half::f16::from_f32(scale).to_f32();
            }
        }
        QuantRows { q, d }
    }

    /// Recomputes the first and the last 4-column tile of the first and the last row with the SIMD128 tile, whose
    /// results the relaxed-SIMD prefill must equal bit for bit; false (the SIMD128 values now in `out` there) if
    /// they differ. The relaxed path's correctness rests on the engine's code for one instruction, and a wasm
    /// engine may compile a function twice (baseline, then optimizing): this checks the code that just ran.
    #[cfg(feature = "relaxed-simd")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn spot_check(
        acts: &QuantRows,
        m: usize,
        k: usize,
        w: &[u8],
        n: usize,
        table: &[f32; 65536],
        out: &mut [f32],
    ) -> bool {
        let nb = k / QK8_0;
        let n4 = n - n % 4;
        if n4 == 0 {
            return true;
        }
        let mut same = true;
        for i in [0, m - 1] {
            for j in [0, n4 - 4] {
                let at = i * n + j;
                let relaxed: [f32; 4] = std::array::from_fn(|c| out[at + c]);
                tile_r4::<1>(acts, i, k, w, j, nb, table, out, n);
                same &= (0..4).all(|c| out[at + c].to_bits() == relaxed[c].to_bits());
            }
        }
        same
    }

    /// Whether prefill uses the relaxed-SIMD tile (the default where built); overridable for benchmarks.
    #[cfg(feature = "relaxed-simd")]
    fn relaxed_variant() -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        super::TILE_OVERRIDE.load(Relaxed) == 0
            && super::RELAXED_SIMD.load(Relaxed)
            && relaxed::engine() != relaxed::Engine::Unusable
    }

    /// Whether prefill uses [`tile_r4`] (the default) rather than [`tile`]; overridable for benchmarks.
    fn reduce_variant() -> bool {
        let o = super::TILE_OVERRIDE.load(std::sync::atomic::Ordering::Relaxed);
        o == 0 || o & 0x10000 != 0
    }

    /// (rows, columns) of the register tile for `m` activation rows; overridable for benchmarks.
    fn tile_shape(m: usize) -> (usize, usize) {
        let o = super::TILE_OVERRIDE.load(std::sync::atomic::Ordering::Relaxed) & 0xffff;
        let (r, c) = ((o >> 8) as usize, (o & 0xff) as usize);
        if r > 0 && c > 0 {
            return if m == 1 { (1, c) } else { (r, c) };
        }
        // Measured in Chromium on the Qwen3-0.6B shapes: decode streams each weight row once from memory, and one
        // row at a time is what the prefetcher follows best (1×4 was half as fast); prefill reuses each weight
        // tile for many rows, and 4×4 shares the most loads.
        if m == 1 {
            (1, 1)
        } else {
            (4, 4)
        }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn run_tile(
        rows: usize,
        cols: usize,
        acts: &QuantRows,
        i: usize,
        k: usize,
        w: &[u8],
        j: usize,
        nb: usize,
        table: &[f32; 65536],
        out: &mut [f32],
        n: usize,
    ) {
        macro_rules! go {
            ($r:literal, $c:literal) => {
                tile::<$r, $c>(acts, i, k, w, j, nb, table, out, n)
            };
        }
        match (rows, cols) {
            (1, 1) => go!(1, 1),
            (1, 2) => go!(1, 2),
            (1, 4) => go!(1, 4),
            (2, 1) => go!(2, 1),
            (2, 2) => go!(2, 2),
            (2, 4) => go!(2, 4),
            (4, 1) => go!(4, 1),
            (4, 2) => go!(4, 2),
            (4, 4) => go!(4, 4),
            (3, 4) => go!(3, 4),
            (3, 1) => go!(3, 1),
            (r, c) => {
                // Edges: one row and one column at a time.
                for ii in i..i + r {
                    for jj in j..j + c {
                        tile::<1, 1>(acts, ii, k, w, jj, nb, table, out, n)
                    }
                }
            }
        }
    }

    /// Prefill with WebAssembly relaxed SIMD: `i32x4.relaxed_dot_i8x16_i7x16_add_s` multiplies 16 signed weight
    /// bytes by 16 bytes of the second operand and adds groups of four to an i32 lane, with no widening of either
    /// side. The spec fixes the result only for a second operand in 0..=127 (x86 without VNNI lowers it to
    /// `pmaddubsw`, whose pairwise i16 sums saturate; ARM treats it as signed), so:
    ///
    /// - The activations x ∈ [-127, 127] are shifted to u = x + 127 ∈ [0, 254], and
    ///   Σ w·x = Σ w·u − 127 · Σ w, where −127 · Σ w is computed once per weight block and call (`weight_bases`)
    ///   and starts every row's sum.
    /// - The activations are laid out four rows per vector (lane r: 4 consecutive values of row r), and 4 weights
    ///   are broadcast to every lane: each dot adds to each row's sum in its own lane, so nothing is reduced across
    ///   lanes (the reduction cost as much as the dots in the SIMD128 tile's layout).
    /// - Where [`engine`] finds the engine computing u8 × i8 exactly (x86 with AVX-VNNI: one `vpdpbusd`), one dot
    ///   takes u as is (16 multiply-adds per instruction).
    /// - Elsewhere u is split into lo = ⌊u/2⌋ and hi = ⌈u/2⌉, both in [0, 127] (pairwise sums ≤ 2 · 128 · 127 cannot
    ///   saturate), and Σ w·u = Σ w·lo + Σ w·hi: two dots, exact everywhere.
    ///
    /// Either way the i32 block sums are exactly those of the SIMD128 tile ([`tile_r4`]), and the f32 arithmetic
    /// after them is the same, so the results are bit-identical to it; `spot_check` verifies that on every call.
    #[cfg(feature = "relaxed-simd")]
    pub(crate) mod relaxed {
        use super::{tile, QuantRows, BB, QK8_0};
        use core::arch::wasm32::*;
        use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

        /// What this engine's relaxed dot computes exactly (0: not probed yet; see [`Engine`]).
        static ENGINE: AtomicU8 = AtomicU8::new(0);

        /// How the engine's `i32x4.relaxed_dot_i8x16_i7x16_add_s` behaves, probed once.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub(crate) enum Engine {
            /// Wrong even for a second operand in 0..=127 (an engine bug, e.g. swapped operands): prefill stays on
            /// the SIMD128 tile.
            Unusable = 1,
            /// Exact for a second operand in 0..=127 (the spec's deterministic range): the split path.
            I7 = 2,
            /// Also exact for unsigned bytes 128..=255 without saturation (as `vpdpbusd`): one dot per 16 values.
            Unsigned = 3,
        }

        /// Probes once, on the cases that tell the lowerings apart: −128 weights, pairwise sums that overflow i16
        /// (`pmaddubsw` saturates them), bytes ≥ 128 (ARM's `sdot` reads them as negative).
        pub(crate) fn engine() -> Engine {
            match ENGINE.load(Relaxed) {
                1 => Engine::Unusable,
                2 => Engine::I7,
                3 => Engine::Unsigned,
                _ => {
                    // SAFETY: this build requires relaxed SIMD.
                    let e = unsafe {
                        if !probe_i7_dot() {
                            Engine::Unusable
                        } else if probe_unsigned_dot() {
                            Engine::Unsigned
                        } else {
                            Engine::I7
                        }
                    };
                    ENGINE.store(e as u8, Relaxed);
                    e
                }
            }
        }

        /// Marks the engine unusable (see `spot_check`).
        pub(crate) fn disable() {
            ENGINE.store(Engine::Unusable as u8, Relaxed);
        }

        pub(crate) fn unsigned_dot_exact() -> bool {
            engine() == Engine::Unsigned
        }

        /// Whether the dot is exact for second operands in 0..=127 (and first operands in −128..=127).
        #[target_feature(enable = "relaxed-simd")]
        unsafe fn probe_i7_dot() -> bool {
            probe(&[
                (
                    [
                        -128, -128, -128, -128, 127, 127, 127, 127, -128, 127, -1, 1, 5, -7, 0, 100,
                    ],
                    [
                        127, 127, 127, 127, 127, 127, 127, 127, 1, 2, 127, 0, 64, 63, 127, 3,
                    ],
                ),
                (
                    [
                        -3, 9, -27, 81, -128, 0, 0, 0, 100, -100, 100, -100, 1, 2, 3, 4,
                    ],
                    [
                        7, 11, 13, 17, 127, 127, 127, 127, 127, 126, 125, 124, 0, 1, 0, 1,
                    ],
                ),
            ])
        }

        #[target_feature(enable = "relaxed-simd")]
        unsafe fn probe(cases: &[([i8; 16], [u8; 16])]) -> bool {
            cases.iter().all(|(a, b)| {
                let va = std::hint::black_box(v128_load(a.as_ptr() as *const v128));
                let vb = std::hint::black_box(v128_load(b.as_ptr() as *const v128));
                let c = std::hint::black_box(i32x4(1, -1, 1 << 20, -(1 << 20)));
                let got = i32x4_relaxed_dot_i8x16_i7x16_add(va, vb, c);
                let mut lanes = [0i32; 4];
                v128_store(lanes.as_mut_ptr() as *mut v128, got);
                let base = [1, -1, 1 << 20, -(1 << 20)];
                (0..4).all(|l| {
                    let want: i32 = (0..4)
                        .map(|e| a[4 * l + e] as i32 * b[4 * l + e] as i32)
                        .sum::<i32>()
                        + base[l];
                    lanes[l] == want
                })
            })
        }

        #[target_feature(enable = "relaxed-simd")]
        unsafe fn probe_unsigned_dot() -> bool {
            let cases: [([i8; 16], [u8; 16]); 3] = [
                (
                    [
                        127, 127, 127, 127, -128, -128, -128, -128, 127, -128, 127, -128, 1, 1, 1,
                        1,
                    ],
                    [
                        254, 254, 254, 254, 254, 254, 254, 254, 200, 201, 255, 128, 128, 129, 200,
                        255,
                    ],
                ),
                (
                    [
                        -127, -127, -127, -127, 100, 100, 100, 100, -1, -2, -3, -4, 5, -6, 7, -8,
                    ],
                    [
                        254, 253, 252, 251, 128, 128, 128, 128, 255, 255, 255, 255, 130, 140, 150,
                        160,
                    ],
                ),
                (
                    [
                        -128, 127, -128, 127, 127, 127, -128, -128, 0, 0, 0, 0, -128, -128, -128,
                        -128,
                    ],
                    [
                        255, 255, 255, 255, 0, 255, 255, 0, 255, 255, 255, 255, 127, 127, 127, 127,
                    ],
                ),
            ];
            probe(&cases)
        }

        #[target_feature(enable = "relaxed-simd")]
        #[allow(clippy::too_many_arguments)]
        pub(super) unsafe fn matmul_rows(
            acts: &QuantRows,
            m: usize,
            k: usize,
            w: &[u8],
            n: usize,
            table: &[f32; 65536],
            out: &mut [f32],
        ) {
            let nb = k / QK8_0;
            let unsigned = unsigned_dot_exact() && !super::super::RELAXED_SPLIT_ONLY.load(Relaxed);
            let (lanes, ds) = interleave_activations(&acts.q[..m * k], &acts.d, m, nb, !unsigned);
            let n4 = n - n % 4;
            let base = weight_bases(w, n4, nb);
            let groups = m.div_ceil(4);
            let tile_groups = match super::super::RELAXED_ROWS.load(Relaxed) {
                0 => 2,
                r => (r as usize / 4).max(1),
            };
            macro_rules! sweep {
                ($split:literal) => {
                    for j in (0..n4).step_by(4) {
                        let mut g = 0;
                        macro_rules! run {
                            ($g:literal) => {
                                // g <= groups always; `groups - g` is what is left.
                                while groups - g >= $g {
                                    tile_lanes::<$g, $split>(
                                        &lanes, &ds, g, nb, w, j, &base, table, out, n, m,
                                    );
                                    g += $g;
                                }
                            };
                        }
                        if tile_groups >= 4 {
                            run!(4);
                        }
                        if tile_groups >= 2 {
                            run!(2);
                        }
                        run!(1);
                    }
                };
            }
            if unsigned {
                sweep!(false);
            } else {
                sweep!(true);
            }
            // Ragged columns: the SIMD128 tile (as the SIMD128 prefill does, so the results stay identical).
            for j in n4..n {
                for i in 0..m {
                    tile::<1, 1>(acts, i, k, w, j, nb, table, out, n);
                }
            }
        }

        /// −127 · Σ w for each of the first `n` weight rows and each block (row major).
        #[target_feature(enable = "relaxed-simd")]
        unsafe fn weight_bases(w: &[u8], n: usize, nb: usize) -> Vec<i32> {
            assert!(w.len() >= n * nb * BB);
            let mut base = vec![0i32; n * nb];
            for (blk, o) in base.iter_mut().enumerate() {
                let p = w.as_ptr().add(blk * BB + 2);
                let t = i32x4_relaxed_dot_i8x16_i7x16_add(
                    v128_load(p as *const v128),
                    i8x16_splat(1),
                    i32x4_splat(0),
                );
                let t = i32x4_relaxed_dot_i8x16_i7x16_add(
                    v128_load(p.add(16) as *const v128),
                    i8x16_splat(1),
                    t,
                );
                let t = i32x4_add(t, i32x4_shuffle::<2, 3, 0, 1>(t, t));
                let t = i32x4_add(t, i32x4_shuffle::<1, 0, 3, 2>(t, t));
                *o = -127 * i32x4_extract_lane::<0>(t);
            }
            base
        }

        /// The activations as u = q + 127, rows in groups of 4 (the last padded), each block as 8 vectors whose
        /// lane r holds 4 consecutive values of row r: a dot with 4 weights broadcast to every lane then gives each
        /// row's sum in its own lane, so nothing is reduced across lanes. With `split`, the 8 vectors of lo = ⌊u/2⌋
        /// are followed by the 8 of hi = ⌈u/2⌉. Also returns the row scales in the same order (4 per group and
        /// block, 0 for padding).
        #[target_feature(enable = "relaxed-simd")]
        unsafe fn interleave_activations(
            q: &[i8],
            d: &[f32],
            m: usize,
            nb: usize,
            split: bool,
        ) -> (Vec<u8>, Vec<f32>) {
            let k = nb * QK8_0;
            let groups = m.div_ceil(4);
            let per_block = if split { 256 } else { 128 };
            let mut lanes = vec![0u8; groups * nb * per_block];
            let mut ds = vec![0f32; groups * nb * 4];
            let dst = lanes.as_mut_ptr();
            for grp in 0..groups {
                for b in 0..nb {
                    let at = (grp * nb + b) * per_block;
                    for half in 0..2 {
                        let v: [v128; 4] = std::array::from_fn(|r| {
                            let row = grp * 4 + r;
                            if row >= m {
                                return u8x16_splat(0);
                            }
                            let x = v128_load(
                                q.as_ptr().add(row * k + b * QK8_0 + half * 16) as *const v128
                            );
                            // Q8_0 quantization yields [-127, 127]; the clamp keeps a stray -128 in range.
                            i8x16_add(i8x16_max(x, i8x16_splat(-127)), i8x16_splat(127))
                        });
                        // 4 × 4 transpose of 32-bit lanes: vector g takes lane g of every row.
                        let t0 = i32x4_shuffle::<0, 4, 1, 5>(v[0], v[1]);
                        let t1 = i32x4_shuffle::<2, 6, 3, 7>(v[0], v[1]);
                        let t2 = i32x4_shuffle::<0, 4, 1, 5>(v[2], v[3]);
                        let t3 = i32x4_shuffle::<2, 6, 3, 7>(v[2], v[3]);
                        let outs = [
                            i32x4_shuffle::<0, 1, 4, 5>(t0, t2),
                            i32x4_shuffle::<2, 3, 6, 7>(t0, t2),
                            i32x4_shuffle::<0, 1, 4, 5>(t1, t3),
                            i32x4_shuffle::<2, 3, 6, 7>(t1, t3),
                        ];
                        for (e, u) in outs.into_iter().enumerate() {
                            let g = half * 4 + e;
                            if split {
                                let hi = u8x16_avgr(u, u8x16_splat(0));
                                let lo = i8x16_sub(u, hi);
                                v128_store(dst.add(at + g * 16) as *mut v128, lo);
                                v128_store(dst.add(at + 128 + g * 16) as *mut v128, hi);
                            } else {
                                v128_store(dst.add(at + g * 16) as *mut v128, u);
                            }
                        }
                    }
                    for r in 0..4 {
                        let row = grp * 4 + r;
                        if row < m {
                            ds[(grp * nb + b) * 4 + r] = d[row * nb + b];
                        }
                    }
                }
            }
            (lanes, ds)
        }

        /// 4·G activation rows (G groups from `grp0`) × 4 weight rows from `j`: one i32 accumulator per (weight row,
        /// group), whose lane r is row r's block sum.
        #[inline]
        #[target_feature(enable = "relaxed-simd")]
        #[allow(clippy::too_many_arguments)]
        unsafe fn tile_lanes<const G: usize, const SPLIT: bool>(
            lanes: &[u8],
            ds: &[f32],
            grp0: usize,
            nb: usize,
            w: &[u8],
            j: usize,
            base: &[i32],
            table: &[f32; 65536],
            out: &mut [f32],
            n: usize,
            m: usize,
        ) {
            let per_block = if SPLIT { 256 } else { 128 };
            assert!(lanes.len() >= (grp0 + G) * nb * per_block && ds.len() >= (grp0 + G) * nb * 4);
            assert!(base.len() >= (j + 4) * nb && w.len() >= (j + 4) * nb * BB);
            let a: [*const u8; G] =
                std::array::from_fn(|gi| lanes.as_ptr().add((grp0 + gi) * nb * per_block));
            let wp: [*const u8; 4] = std::array::from_fn(|c| w.as_ptr().add((j + c) * nb * BB));
            let mut acc = [[f32x4_splat(0.0); G]; 4];
            for b in 0..nb {
                let blk: [*const u8; 4] = std::array::from_fn(|c| wp[c].add(b * BB));
                let mut s: [[v128; G]; 4] = std::array::from_fn(|c| {
                    [v128_load32_splat(base.as_ptr().add((j + c) * nb + b) as *const u32); G]
                });
                for g in 0..8 {
                    let x: [v128; G] = std::array::from_fn(|gi| {
                        v128_load(a[gi].add(b * per_block + g * 16) as *const v128)
                    });
                    let xh: [v128; G] = if SPLIT {
                        std::array::from_fn(|gi| {
                            v128_load(a[gi].add(b * per_block + 128 + g * 16) as *const v128)
                        })
                    } else {
                        x
                    };
                    for c in 0..4 {
                        let wv = v128_load32_splat(blk[c].add(2 + 4 * g) as *const u32);
                        for gi in 0..G {
                            s[c][gi] = i32x4_relaxed_dot_i8x16_i7x16_add(wv, x[gi], s[c][gi]);
                            if SPLIT {
                                s[c][gi] = i32x4_relaxed_dot_i8x16_i7x16_add(wv, xh[gi], s[c][gi]);
                            }
                        }
                    }
                }
                for c in 0..4 {
                    let sw =
                        f32x4_splat(table[u16::from_le_bytes([*blk[c], *blk[c].add(1)]) as usize]);
                    for gi in 0..G {
                        let dx =
                            v128_load(ds.as_ptr().add(((grp0 + gi) * nb + b) * 4) as *const v128);
                        // sw · d and cvt(sum) · scale, in the SIMD128 tile's order.
                        let scale = f32x4_mul(sw, dx);
                        acc[c][gi] =
                            f32x4_add(acc[c][gi], f32x4_mul(f32x4_convert_i32x4(s[c][gi]), scale));
                    }
                }
            }
            for c in 0..4 {
                for gi in 0..G {
                    let mut v = [0f32; 4];
                    v128_store(v.as_mut_ptr() as *mut v128, acc[c][gi]);
                    for (r, &val) in v.iter().enumerate() {
                        let row = (grp0 + gi) * 4 + r;
                        if row < m {
                            out[row * n + j + c] = val;
                        }
                    }
                }
            }
        }
    }

    /// R activation rows from `i` × 4 weight rows from `j`, reducing each row's four dot products to one vector per
    /// block (one accumulator per row instead of one per product, so nothing spills): the weight block is widened
    /// once into a local buffer, then every row reads it with plain loads.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile_r4<const R: usize>(
        acts: &QuantRows,
        i: usize,
        k: usize,
        w: &[u8],
        j: usize,
        nb: usize,
        table: &[f32; 65536],
        out: &mut [f32],
        n: usize,
    ) {
        let a: [*const i8; R] = std::array::from_fn(|r| acts.q.as_ptr().add((i + r) * k));
        let wp: [*const u8; 4] = std::array::from_fn(|c| w.as_ptr().add((j + c) * nb * BB));
        let mut acc = [f32x4_splat(0.0); R];
        let mut wide = [i32x4_splat(0); 16];
        for b in 0..nb {
            let blk: [*const u8; 4] = std::array::from_fn(|c| wp[c].add(b * BB));
            let sw = f32x4(
                table[u16::from_le_bytes([*blk[0], *blk[0].add(1)]) as usize],
                table[u16::from_le_bytes([*blk[1], *blk[1].add(1)]) as usize],
                table[u16::from_le_bytes([*blk[2], *blk[2].add(1)]) as usize],
                table[u16::from_le_bytes([*blk[3], *blk[3].add(1)]) as usize],
            );
            for c in 0..4 {
                for ch in 0..4 {
                    wide[c * 4 + ch] = i16x8_load_extend_i8x8(blk[c].add(2 + ch * 8) as *const i8);
                }
            }
            for r in 0..R {
                let xs: [v128; 4] =
                    std::array::from_fn(|ch| i16x8_load_extend_i8x8(a[r].add(b * QK8_0 + ch * 8)));
                let s: [v128; 4] = std::array::from_fn(|c| {
                    let d0 = i32x4_dot_i16x8(xs[0], wide[c * 4]);
                    let d1 = i32x4_dot_i16x8(xs[1], wide[c * 4 + 1]);
                    let d2 = i32x4_dot_i16x8(xs[2], wide[c * 4 + 2]);
                    let d3 = i32x4_dot_i16x8(xs[3], wide[c * 4 + 3]);
                    i32x4_add(i32x4_add(d0, d1), i32x4_add(d2, d3))
                });
                // Transpose-and-add: lane c of the result is the sum of s[c]'s lanes.
                let t0 = i32x4_add(
                    i32x4_shuffle::<0, 4, 1, 5>(s[0], s[1]),
                    i32x4_shuffle::<2, 6, 3, 7>(s[0], s[1]),
                );
                let t1 = i32x4_add(
                    i32x4_shuffle::<0, 4, 1, 5>(s[2], s[3]),
                    i32x4_shuffle::<2, 6, 3, 7>(s[2], s[3]),
                );
                let u = i32x4_add(
                    i32x4_shuffle::<0, 1, 4, 5>(t0, t1),
                    i32x4_shuffle::<2, 3, 6, 7>(t0, t1),
                );
                let scale = f32x4_mul(sw, f32x4_splat(acts.d[(i + r) * nb + b]));
                acc[r] = f32x4_add(acc[r], f32x4_mul(f32x4_convert_i32x4(u), scale));
            }
        }
        for r in 0..R {
            let o = (i + r) * n + j;
            out[o] = f32x4_extract_lane::<0>(acc[r]);
            out[o + 1] = f32x4_extract_lane::<1>(acc[r]);
            out[o + 2] = f32x4_extract_lane::<2>(acc[r]);
            out[o + 3] = f32x4_extract_lane::<3>(acc[r]);
        }
    }

    /// R activation rows from `i` × C weight rows from `j`.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<const R: usize, const C: usize>(
        acts: &QuantRows,
        i: usize,
        k: usize,
        w: &[u8],
        j: usize,
        nb: usize,
        table: &[f32; 65536],
        out: &mut [f32],
        n: usize,
    ) {
        let a: [*const i8; R] = std::array::from_fn(|r| acts.q.as_ptr().add((i + r) * k));
        let da: [&[f32]; R] = std::array::from_fn(|r| &acts.d[(i + r) * nb..(i + r + 1) * nb]);
        let wp: [*const u8; C] = std::array::from_fn(|c| w.as_ptr().add((j + c) * nb * BB));
        let mut acc = [[f32x4_splat(0.0); C]; R];
        for b in 0..nb {
            let mut sw = [0f32; C];
            let mut blk = [wp[0]; C];
            for c in 0..C {
                blk[c] = wp[c].add(b * BB);
                sw[c] = table[u16::from_le_bytes([*blk[c], *blk[c].add(1)]) as usize];
            }
            let mut isum = [[i32x4_splat(0); C]; R];
            for ch in 0..4 {
                let y: [v128; C] = std::array::from_fn(|c| {
                    i16x8_load_extend_i8x8(blk[c].add(2 + ch * 8) as *const i8)
                });
                for r in 0..R {
                    let xv = i16x8_load_extend_i8x8(a[r].add(b * QK8_0 + ch * 8));
                    for c in 0..C {
                        isum[r][c] = i32x4_add(isum[r][c], i32x4_dot_i16x8(xv, y[c]));
                    }
                }
            }
            for r in 0..R {
                let d = da[r][b];
                for c in 0..C {
                    let s = f32x4_splat(d * sw[c]);
                    acc[r][c] = f32x4_add(acc[r][c], f32x4_mul(f32x4_convert_i32x4(isum[r][c]), s));
                }
            }
        }
        for r in 0..R {
            for c in 0..C {
                let v = acc[r][c];
                out[(i + r) * n + j + c] = f32x4_extract_lane::<0>(v)
                    + f32x4_extract_lane::<1>(v)
                    + f32x4_extract_lane::<2>(v)
                    + f32x4_extract_lane::<3>(v);
            }
        }
    }
}

/// Causal attention over the GGUF model's interleaved KV cache, in SIMD128: candle's CPU attention kernels are
/// scalar in wasm (an f32 dot product does not auto-vectorize) and call libm's `expf` per score.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod attention {
    use core::arch::wasm32::*;

    /// Attention of `l` new queries (at positions `offset..offset + l`) over the first `offset + l` cached
    /// positions. `q` is `(heads, l, d)`; `cache` is `[position][kv_head][k (d) | v (d)]`; the result is
    /// `(l, heads · d)`. Query head `h` reads KV head `h / (heads / kv_heads)`.
    #[allow(clippy::too_many_arguments)]
    pub fn causal_attention(
        q: &[f32],
        l: usize,
        heads: usize,
        kv_heads: usize,
        d: usize,
        cache: &[f32],
        offset: usize,
        scale: f32,
    ) -> Vec<f32> {
        assert!(d.is_multiple_of(16) && heads.is_multiple_of(kv_heads));
        let stride = kv_heads * 2 * d;
        let kv_len = offset + l;
        assert!(q.len() >= heads * l * d && cache.len() >= kv_len * stride);
        let group = heads / kv_heads;
        let mut out = vec![0f32; l * heads * d];
        let mut scores = vec![0f32; kv_len.next_multiple_of(4)];
        for h in 0..heads {
            let g = h / group;
            for t in 0..l {
                let n_keys = offset + t + 1;
                let qv = &q[(h * l + t) * d..(h * l + t + 1) * d];
                // SAFETY: every slice below is bounds-checked; the SIMD loads read 4 f32 inside them.
                unsafe {
                    let mut max = f32::NEG_INFINITY;
                    for (j, s) in scores[..n_keys].iter_mut().enumerate() {
                        let k = &cache[j * stride + g * 2 * d..j * stride + g * 2 * d + d];
                        *s = dot(qv, k) * scale;
                        max = max.max(*s);
                    }
                    // exp(s - max), summed; the padding lanes past n_keys are set to 0.
                    let mut sum = f32x4_splat(0.0);
                    let mx = f32x4_splat(max);
                    let p = scores.as_mut_ptr();
                    let mut j = 0;
                    while j < n_keys {
                        let v = v128_load(p.add(j) as *const v128);
                        let mut e = exp4(f32x4_sub(v, mx));
                        if j + 4 > n_keys {
                            let keep = i32x4(0, 1, 2, 3);
                            let mask = i32x4_lt(keep, i32x4_splat((n_keys - j) as i32));
                            e = v128_and(e, mask);
                        }
                        v128_store(p.add(j) as *mut v128, e);
                        sum = f32x4_add(sum, e);
                        j += 4;
                    }
                    let total = hsum(sum);
                    let o = &mut out[(t * heads + h) * d..(t * heads + h + 1) * d];
                    // o = Σ_j w_j · v_j, 32 (or 16) dimensions at a time held in registers across the keys: the
                    // same additions in the same order as one `axpy` per key, a third of the memory traffic.
                    let values = &cache[g * 2 * d + d..];
                    let mut c0 = 0;
                    while c0 + 32 <= d {
                        weighted_sum::<8>(
                            &scores[..n_keys],
                            values,
                            stride,
                            c0,
                            &mut o[c0..c0 + 32],
                        );
                        c0 += 32;
                    }
                    if c0 < d {
                        weighted_sum::<4>(
                            &scores[..n_keys],
                            values,
                            stride,
                            c0,
                            &mut o[c0..c0 + 16],
                        );
                    }
                    let inv = f32x4_splat(1.0 / total);
                    for c in o.chunks_exact_mut(4) {
                        let x = v128_load(c.as_ptr() as *const v128);
                        v128_store(c.as_mut_ptr() as *mut v128, f32x4_mul(x, inv));
                    }
                }
            }
        }
        out
    }

    /// `gate[i] = silu(gate[i]) · up[i]`, the MLP's activation, in SIMD128 (candle's `silu` calls libm's `expf`
    /// per value in wasm: 786 K values per layer in a 256-token prefill). silu(x) = x / (1 + e^−x), computed from
    /// e = e^−|x| ∈ (0, 1] as x / (1 + e) for x ≥ 0 and x · e / (1 + e) below, so the exponent never overflows.
    pub fn silu_mul(gate: &mut [f32], up: &[f32]) {
        assert_eq!(gate.len(), up.len());
        let n4 = gate.len() - gate.len() % 4;
        let (g, u) = (gate.as_mut_ptr(), up.as_ptr());
        let mut i = 0;
        // SAFETY: i + 4 <= n4 <= both lengths.
        unsafe {
            while i < n4 {
                let x = v128_load(g.add(i) as *const v128);
                let e = exp4(f32x4_neg(f32x4_abs(x)));
                let den = f32x4_add(f32x4_splat(1.0), e);
                let num = v128_bitselect(x, f32x4_mul(x, e), f32x4_ge(x, f32x4_splat(0.0)));
                let y = f32x4_mul(f32x4_div(num, den), v128_load(u.add(i) as *const v128));
                v128_store(g.add(i) as *mut v128, y);
                i += 4;
            }
        }
        for (x, y) in gate[n4..].iter_mut().zip(&up[n4..]) {
            *x = *x / (1.0 + (-*x).exp()) * y;
        }
    }

    #[inline(always)]
    unsafe fn hsum(v: v128) -> f32 {
        f32x4_extract_lane::<0>(v)
            + f32x4_extract_lane::<1>(v)
            + f32x4_extract_lane::<2>(v)
            + f32x4_extract_lane::<3>(v)
    }

    /// Dot product of two slices of equal length, a multiple of 16.
    #[inline(always)]
    unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        let mut acc = [f32x4_splat(0.0); 4];
        let mut i = 0;
        while i < a.len() {
            for (u, acc) in acc.iter_mut().enumerate() {
                let x = v128_load(pa.add(i + 4 * u) as *const v128);
                let y = v128_load(pb.add(i + 4 * u) as *const v128);
                *acc = f32x4_add(*acc, f32x4_mul(x, y));
            }
            i += 16;
        }
        hsum(f32x4_add(
            f32x4_add(acc[0], acc[1]),
            f32x4_add(acc[2], acc[3]),
        ))
    }

    /// `o += Σ_j w[j] · values[j · stride + c0 ..][..4 U]`, accumulated in registers in key order.
    #[inline(always)]
    unsafe fn weighted_sum<const U: usize>(
        w: &[f32],
        values: &[f32],
        stride: usize,
        c0: usize,
        o: &mut [f32],
    ) {
        assert!(o.len() >= 4 * U);
        if let Some(last) = w.len().checked_sub(1) {
            assert!(values.len() >= last * stride + c0 + 4 * U);
        }
        let po = o.as_mut_ptr();
        let mut acc: [v128; U] = std::array::from_fn(|u| v128_load(po.add(4 * u) as *const v128));
        let pv = values.as_ptr().add(c0);
        for (j, &wj) in w.iter().enumerate() {
            let wv = f32x4_splat(wj);
            let row = pv.add(j * stride);
            for (u, a) in acc.iter_mut().enumerate() {
                *a = f32x4_add(*a, f32x4_mul(wv, v128_load(row.add(4 * u) as *const v128)));
            }
        }
        for (u, a) in acc.iter().enumerate() {
            v128_store(po.add(4 * u) as *mut v128, *a);
        }
    }

    /// e^x for x ≤ 0 (Cephes' expf: range reduction by ln 2, degree-6 polynomial; ≤ 2 ulp).
    #[inline(always)]
    unsafe fn exp4(x: v128) -> v128 {
        let x = f32x4_max(x, f32x4_splat(-87.0));
        let n = f32x4_nearest(f32x4_mul(x, f32x4_splat(std::f32::consts::LOG2_E)));
        let r = f32x4_sub(x, f32x4_mul(n, f32x4_splat(0.693_359_4)));
        let r = f32x4_sub(r, f32x4_mul(n, f32x4_splat(-2.121_944_4e-4)));
        let mut p = f32x4_splat(1.987_569_1e-4);
        for c in [
            1.398_199_9e-3,
            8.333_452e-3,
            4.166_579_6e-2,
            1.666_666_5e-1,
            0.5,
        ] {
            p = f32x4_add(f32x4_mul(p, r), f32x4_splat(c));
        }
        let p = f32x4_add(
            f32x4_add(f32x4_mul(f32x4_mul(p, r), r), r),
            f32x4_splat(1.0),
        );
        let pow2n = i32x4_shl(i32x4_add(i32x4_trunc_sat_f32x4(n), i32x4_splat(127)), 23);
        f32x4_mul(p, pow2n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantizes_like_candle() {
        use candle_core::quantized::{GgmlDType, QTensor};
        use candle_core::{Device, Tensor};
        let x: Vec<f32> = (0..64)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 7.0)
            .collect();
        let q = quantize_rows(&x, 2, 32);
        let t = QTensor::quantize(
            &Tensor::from_vec(x.clone(), (2, 32), &Device::Cpu).unwrap(),
            GgmlDType::Q8_0,
        )
        .unwrap();
        let raw = t.data().unwrap();
        for b in 0..2 {
            let blk = &raw[b * Q8_0_BLOCK_BYTES..(b + 1) * Q8_0_BLOCK_BYTES];
            let d = f16_table()[u16::from_le_bytes([blk[0], blk[1]]) as usize];
            assert_eq!(d, q.d[b]);
            for (v, &qb) in q.q[b * 32..(b + 1) * 32].iter().zip(&blk[2..]) {
                assert_eq!(*v, qb as i8);
            }
        }
    }
}
