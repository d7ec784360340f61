//! The same tiny models as tests/tiny_model.rs, generated and run in wasm32 (Node, through
//! `wasm-bindgen-test-runner`): the rankings and greedy tokens must equal the natively computed constants. And the
//! wasm Q8_0 kernel against candle's.
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p logsieve-model --target wasm32-unknown-unknown --release --test wasm_tokens
//! ```
#![cfg(target_arch = "wasm32")]

#[path = "golden/tiny_tokens.rs"]
mod golden;

use logsieve_model::tiny::{golden_run, TinyKind};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn safetensors_f32_tokens_equal_native() {
    let g = golden_run(TinyKind::SafetensorsF32).unwrap();
    assert_eq!(g.prompt_len, golden::PROMPT_LEN);
    assert_eq!(g.top8, golden::SAFETENSORS_F32_TOP8);
    assert_eq!(g.tokens, golden::SAFETENSORS_F32);
    assert_eq!(g.top4, golden::SAFETENSORS_F32_TOP4);
}

#[wasm_bindgen_test]
fn gguf_q8_0_tokens_equal_native() {
    let g = golden_run(TinyKind::GgufQ8_0).unwrap();
    assert_eq!(g.prompt_len, golden::PROMPT_LEN);
    assert_eq!(g.top8, golden::GGUF_Q8_0_TOP8);
    assert_eq!(g.tokens, golden::GGUF_Q8_0);
    assert_eq!(g.top4, golden::GGUF_Q8_0_TOP4);
}

/// The wasm Q8_0 kernel computes what candle's does (the same products, summed in the same order), for every tile
/// shape and ragged edges.
#[wasm_bindgen_test]
fn q8_0_kernel_equals_candle() {
    use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
    use candle_core::{Device, Module, Tensor};
    use logsieve_model::kernels::{matmul_q8_0, TILE_OVERRIDE};
    use std::sync::atomic::Ordering;
    let mut values = logsieve_model::tiny::TestValues(7);
    let mut rnd = |len: usize| values.take(len, -0.5, 0.5);
    for tile in [0u32, 0x101, 0x102, 0x202, 0x404, 0x304, 0x401, 0x10000] {
        TILE_OVERRIDE.store(tile, Ordering::Relaxed);
        for (m, k, n) in [
            (1, 64, 7),
            (3, 96, 5),
            (5, 32, 9),
            (8, 128, 16),
            (17, 64, 33),
        ] {
            let w = Tensor::from_vec(rnd(n * k), (n, k), &Device::Cpu).unwrap();
            let qw = QTensor::quantize(&w, GgmlDType::Q8_0).unwrap();
            let x = rnd(m * k);
            let mut ours = vec![0f32; m * n];
            matmul_q8_0(&x, m, k, &qw.data().unwrap(), n, &mut ours);
            let xt = Tensor::from_vec(x, (m, k), &Device::Cpu).unwrap();
            let theirs = QMatMul::from_qtensor(qw)
                .unwrap()
                .forward(&xt)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            // The decode tile and the fixed tiles sum exactly as candle does; the reducing prefill tile (the default
            // for more than one row, and 0x10000) groups its f32 sums differently.
            let exact = tile != 0x10000 && (tile != 0 || m == 1);
            for (a, b) in ours.iter().zip(&theirs) {
                if exact {
                    assert_eq!(a, b, "tile {tile:#x}, {m}x{k} by {k}x{n}");
                } else {
                    assert!(
                        (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                        "tile {tile:#x}, {m}x{k} by {k}x{n}: {a} vs {b}"
                    );
                }
            }
        }
    }
    TILE_OVERRIDE.store(0, Ordering::Relaxed);
}

/// The wasm attention kernel against a plain reference (exact `exp`), prefill chunks and decode steps.
#[wasm_bindgen_test]
fn attention_kernel_matches_reference() {
    use logsieve_model::kernels::causal_attention;
    let (heads, kv_heads, d) = (4, 2, 16);
    let stride = kv_heads * 2 * d;
    let mut values = logsieve_model::tiny::TestValues(3);
    let mut rnd = |len: usize| values.take(len, -2.0, 2.0);
    for (offset, l) in [(0, 1), (0, 7), (5, 3), (9, 1), (0, 33)] {
        let cache = rnd((offset + l) * stride);
        let q = rnd(heads * l * d);
        let scale = 0.25;
        let got = causal_attention(&q, l, heads, kv_heads, d, &cache, offset, scale);
        for h in 0..heads {
            let g = h / (heads / kv_heads);
            for t in 0..l {
                let qv = &q[(h * l + t) * d..][..d];
                let n = offset + t + 1;
                let sc: Vec<f32> = (0..n)
                    .map(|j| {
                        qv.iter()
                            .zip(&cache[j * stride + g * 2 * d..][..d])
                            .map(|(a, b)| a * b)
                            .sum::<f32>()
                            * scale
                    })
                    .collect();
                let m = sc.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                let e: Vec<f32> = sc.iter().map(|x| (x - m).exp()).collect();
                let total: f32 = e.iter().sum();
                for c in 0..d {
                    let want: f32 = (0..n)
                        .map(|j| e[j] * cache[j * stride + g * 2 * d + d + c])
                        .sum::<f32>()
                        / total;
                    let have = got[(t * heads + h) * d + c];
                    assert!(
                        (want - have).abs() <= 1e-5 * (1.0 + want.abs()),
                        "offset {offset} l {l} h {h} t {t}: {have} vs {want}"
                    );
                }
            }
        }
    }
}
