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
//! differences).
//!
//! Natively candle's kernels are used (on x86 with AVX2 they repack the weights into tiles of their own).

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use attention::causal_attention;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use simd::matmul_q8_0;

/// Bytes of one Q8_0 block: an f16 scale and 32 signed bytes.
pub const Q8_0_BLOCK_BYTES: usize = 34;
/// Values per Q8_0 block.
pub const QK8_0: usize = 32;

/// Benchmarks only: `rows << 8 | cols` of the register tile, `0x10000` for the per-row reducing prefill tile (0:
/// the defaults).
pub static TILE_OVERRIDE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Q8_0 quantization of activation rows.
pub struct QuantRows {
    pub q: Vec<i8>,
    /// One scale per row and block.
    pub d: Vec<f32>,
}

/// Quantizes `m` rows of `k` values (k a multiple of 32) as candle's `BlockQ8_0::from_float` does.
pub fn quantize_rows(x: &[f32], m: usize, k: usize) -> QuantRows {
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
    use super::{f16_table, quantize_rows, QuantRows, Q8_0_BLOCK_BYTES as BB, QK8_0};
    use core::arch::wasm32::*;

    /// `out[i][j] = Σ_k x[i][k] · w[j][k]`: `x` is `m × k` f32, `w` is `n` rows of `k / 32` Q8_0 blocks (GGUF
    /// layout), `out` is `m × n`.
    pub fn matmul_q8_0(x: &[f32], m: usize, k: usize, w: &[u8], n: usize, out: &mut [f32]) {
        assert!(k.is_multiple_of(QK8_0), "k = {k} is not a multiple of 32");
        let nb = k / QK8_0;
        assert!(x.len() >= m * k && out.len() >= m * n && w.len() >= n * nb * BB);
        let acts = quantize_rows(x, m, k);
        let table = f16_table();
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
                    for (j, &w) in scores[..n_keys].iter().enumerate() {
                        let v = &cache[j * stride + g * 2 * d + d..j * stride + g * 2 * d + 2 * d];
                        axpy(w, v, o);
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

    /// `o += w · v`.
    #[inline(always)]
    unsafe fn axpy(w: f32, v: &[f32], o: &mut [f32]) {
        let wv = f32x4_splat(w);
        let (pv, po) = (v.as_ptr(), o.as_mut_ptr());
        let mut i = 0;
        while i < o.len() {
            let x = v128_load(po.add(i) as *const v128);
            let y = v128_load(pv.add(i) as *const v128);
            v128_store(po.add(i) as *mut v128, f32x4_add(x, f32x4_mul(wv, y)));
            i += 4;
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
