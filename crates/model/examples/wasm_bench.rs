//! The wasm side of `cargo xtask bench-model`: built for wasm32 as a cdylib, run by `bench/worker.js` in a
//! worker of headless Chromium. Natively this example is empty.

#[cfg(target_arch = "wasm32")]
#[path = "../tests/golden/tiny_tokens.rs"]
mod golden;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::golden;
    use logsieve_model::web::JsReader;
    use logsieve_model::{load_gguf_reader, LoadOptions, LogModel};
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    pub struct Bench {
        model: Option<LogModel>,
    }

    #[wasm_bindgen]
    impl Bench {
        #[wasm_bindgen(constructor)]
        pub fn new() -> Bench {
            Bench { model: None }
        }

        /// Loads a GGUF through `read(offset, length) -> Uint8Array` (`len` bytes in all).
        pub fn load(
            &mut self,
            read: js_sys::Function,
            len: f64,
            context: usize,
        ) -> Result<(), JsError> {
            let mut reader =
                std::io::BufReader::with_capacity(1 << 16, JsReader::new(read, len as u64));
            let opts = LoadOptions {
                max_context: context,
                ..LoadOptions::default()
            };
            let model = load_gguf_reader(&mut reader, &opts).map_err(|e| JsError::new(&e.0))?;
            self.model = Some(model);
            Ok(())
        }

        /// Runs the benchmark; returns JSON with the speeds and sizes.
        pub fn run(
            &mut self,
            prompt: usize,
            decode: usize,
            context: usize,
        ) -> Result<String, JsError> {
            let model = self
                .model
                .as_mut()
                .ok_or_else(|| JsError::new("no model loaded"))?;
            let (prefill, dec) = logsieve_model::bench::run(model, prompt, decode, context, 42)
                .map_err(|e| JsError::new(&e.0))?;
            let info = model.info();
            let kv =
                (info.layers * 2 * info.kv_dim * 4 * context.max(prompt + decode)) as f64 / 1e6;
            Ok(serde_json::json!({
                "prefill_tok_s": prefill,
                "decode_tok_s": dec,
                "weights_mb": info.weight_bytes as f64 / 1e6,
                "kv_cache_mb": kv,
                "weights": info.weights,
                "profile": logsieve_model::bench::last_profile(),
            })
            .to_string())
        }
    }

    impl Default for Bench {
        fn default() -> Self {
            Self::new()
        }
    }

    /// Q8_0 layers through logsieve's wasm kernels (true, the default) or candle's (false).
    #[wasm_bindgen]
    pub fn set_kernels(ours: bool) {
        logsieve_model::qwen3_gguf::set_wasm_kernels(ours);
    }

    /// Milliseconds per `m × k` by `k × n` Q8_0 matmul (best of 5 batches of `reps`), with logsieve's kernel or candle's, and
    /// the largest difference between the two results.
    #[wasm_bindgen]
    pub fn kernel_bench(m: usize, k: usize, n: usize, reps: usize) -> Result<String, JsError> {
        use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
        use candle_core::{Device, Module, Tensor};
        let e = |e: candle_core::Error| JsError::new(&e.to_string());
        let mut values = logsieve_model::tiny::TestValues(1);
        let mut rnd = |len: usize| values.take(len, -0.5, 0.5);
        let w = Tensor::from_vec(rnd(n * k), (n, k), &Device::Cpu).map_err(e)?;
        let qw = QTensor::quantize(&w, GgmlDType::Q8_0).map_err(e)?;
        let x = rnd(m * k);
        let xt = Tensor::from_vec(x.clone(), (m, k), &Device::Cpu).map_err(e)?;
        let data = qw.data().map_err(e)?.into_owned();
        let mm = QMatMul::from_qtensor(qw).map_err(e)?;
        let now = || logsieve_model::now_secs() * 1000.0;
        // The production kernel against the SIMD128 one it replaces (identical where relaxed SIMD is built).
        let relaxed_on =
            logsieve_model::kernels::RELAXED_SIMD.load(std::sync::atomic::Ordering::Relaxed);
        let mut simd128 = vec![0f32; m * n];
        logsieve_model::kernels::RELAXED_SIMD.store(false, std::sync::atomic::Ordering::Relaxed);
        logsieve_model::kernels::matmul_q8_0(&x, m, k, &data, n, &mut simd128);
        logsieve_model::kernels::RELAXED_SIMD
            .store(relaxed_on, std::sync::atomic::Ordering::Relaxed);
        let mut ours = vec![0f32; m * n];
        // Best of 5 batches of `reps` calls (timers in a worker are coarse).
        let mut best_ours = f64::MAX;
        for _ in 0..5 {
            let t0 = now();
            for _ in 0..reps {
                logsieve_model::kernels::matmul_q8_0(&x, m, k, &data, n, &mut ours);
            }
            best_ours = best_ours.min((now() - t0) / reps as f64);
        }
        let mut theirs = Vec::new();
        let mut best_candle = f64::MAX;
        for _ in 0..5 {
            let t0 = now();
            for _ in 0..reps {
                let y = mm.forward(&xt).map_err(e)?;
                theirs = y.flatten_all().map_err(e)?.to_vec1::<f32>().map_err(e)?;
            }
            best_candle = best_candle.min((now() - t0) / reps as f64);
        }
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        // SIMD128 quantization against the scalar reference, on the inputs and on exact halves (ties).
        let ties: Vec<f32> = (0..m * k)
            .map(|i| {
                if i % 32 == 0 {
                    127.0
                } else {
                    (i % 255) as f32 / 2.0 - 63.5
                }
            })
            .collect();
        let quant_equal = [&x, &ties].iter().all(|v| {
            let (a, b) = (
                logsieve_model::kernels::quantize_rows(v, m, k),
                logsieve_model::kernels::quantize_rows_scalar(v, m, k),
            );
            a.q == b.q && bits(&a.d) == bits(&b.d)
        });
        let equals_simd128 = bits(&ours) == bits(&simd128);
        let diff = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        Ok(serde_json::json!({"m": m, "k": k, "n": n, "ours_ms": best_ours, "candle_ms": best_candle,
            "ours_gmac_s": (m * k * n) as f64 / best_ours / 1e6, "candle_gmac_s": (m * k * n) as f64 / best_candle / 1e6,
            "max_diff": diff, "relaxed": relaxed_on && logsieve_model::kernels::RELAXED_SIMD_BUILT,
            "equals_simd128": equals_simd128, "quantize_equals_scalar": quant_equal}).to_string())
    }

    /// Milliseconds per call (best of `rounds`) of the default kernel in each configuration, timed in turn round
    /// by round so that a busy machine slows them alike: `configs` is a list of (relaxed, split only, tile rows).
    #[wasm_bindgen]
    pub fn kernel_compare(
        m: usize,
        k: usize,
        n: usize,
        rounds: usize,
        configs: Vec<u32>,
    ) -> Result<String, JsError> {
        use candle_core::quantized::{GgmlDType, QTensor};
        use candle_core::{Device, Tensor};
        use std::sync::atomic::Ordering::Relaxed;
        let e = |e: candle_core::Error| JsError::new(&e.to_string());
        let mut values = logsieve_model::tiny::TestValues(5);
        let mut rnd = |len: usize| values.take(len, -0.5, 0.5);
        let w = Tensor::from_vec(rnd(n * k), (n, k), &Device::Cpu).map_err(e)?;
        let data = QTensor::quantize(&w, GgmlDType::Q8_0)
            .map_err(e)?
            .data()
            .map_err(e)?
            .into_owned();
        let x = rnd(m * k);
        let mut out = vec![0f32; m * n];
        let mut best = vec![f64::MAX; configs.len() / 3];
        // Every configuration's result, bit for bit, equals the first one's (checked on each round).
        let mut first: Option<Vec<u32>> = None;
        let mut identical = true;
        for _ in 0..rounds {
            for (c, cfg) in configs.chunks_exact(3).enumerate() {
                logsieve_model::kernels::RELAXED_ROWS.store(cfg[2], Relaxed);
                logsieve_model::kernels::RELAXED_SIMD.store(cfg[0] != 0, Relaxed);
                logsieve_model::kernels::RELAXED_SPLIT_ONLY.store(cfg[1] != 0, Relaxed);
                let t0 = logsieve_model::now_secs();
                logsieve_model::kernels::matmul_q8_0(&x, m, k, &data, n, &mut out);
                best[c] = best[c].min((logsieve_model::now_secs() - t0) * 1000.0);
                let bits: Vec<u32> = out.iter().map(|v| v.to_bits()).collect();
                match &first {
                    None => first = Some(bits),
                    Some(f) => identical &= *f == bits,
                }
            }
        }
        logsieve_model::kernels::RELAXED_SIMD.store(true, Relaxed);
        logsieve_model::kernels::RELAXED_SPLIT_ONLY.store(false, Relaxed);
        logsieve_model::kernels::RELAXED_ROWS.store(0, Relaxed);
        Ok(
            serde_json::json!({"m": m, "k": k, "n": n, "configs": configs, "best_ms": best, "identical": identical,
            "unsigned_dot_exact": logsieve_model::kernels::relaxed_unsigned_dot_exact()})
            .to_string(),
        )
    }

    /// The production wasm path in this browser: the tiny Q8_0 model's greedy tokens and rankings must equal the
    /// natively computed golden ones (tests/golden/tiny_tokens.rs), and the Q8_0 kernel's results, on ragged
    /// shapes, must be bit-identical with relaxed SIMD (default and split paths) and without, and the relaxed
    /// path must still be in use afterwards (not disabled by a failed spot check). JSON with `ok`.
    #[wasm_bindgen]
    pub fn check_tokens() -> Result<String, JsError> {
        use logsieve_model::kernels::{matmul_q8_0, RELAXED_SIMD, RELAXED_SPLIT_ONLY};
        use logsieve_model::tiny::{golden_run, TinyKind};
        use std::sync::atomic::Ordering::Relaxed;
        let g = golden_run(TinyKind::GgufQ8_0).map_err(|e| JsError::new(&e.0))?;
        let tokens_ok = g.prompt_len == golden::PROMPT_LEN
            && g.top8 == golden::GGUF_Q8_0_TOP8
            && g.tokens == golden::GGUF_Q8_0
            && g.top4 == golden::GGUF_Q8_0_TOP4;
        let mut values = logsieve_model::tiny::TestValues(11);
        let mut rnd = |len: usize| values.take(len, -0.5, 0.5);
        let mut kernel_ok = true;
        for (m, k, n) in [
            (2, 32, 4),
            (3, 96, 5),
            (5, 64, 9),
            (9, 128, 12),
            (17, 64, 33),
            (40, 256, 20),
        ] {
            let w = candle_core::Tensor::from_vec(rnd(n * k), (n, k), &candle_core::Device::Cpu)
                .and_then(|t| {
                    candle_core::quantized::QTensor::quantize(
                        &t,
                        candle_core::quantized::GgmlDType::Q8_0,
                    )
                })
                .and_then(|q| q.data().map(|d| d.into_owned()))
                .map_err(|e| JsError::new(&e.to_string()))?;
            let x = rnd(m * k);
            let mut results = Vec::new();
            for (relaxed, split) in [(false, false), (true, false), (true, true)] {
                RELAXED_SIMD.store(relaxed, Relaxed);
                RELAXED_SPLIT_ONLY.store(split, Relaxed);
                let mut out = vec![0f32; m * n];
                matmul_q8_0(&x, m, k, &w, n, &mut out);
                results.push(out.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
            }
            kernel_ok &= results.windows(2).all(|p| p[0] == p[1]);
        }
        RELAXED_SIMD.store(true, Relaxed);
        RELAXED_SPLIT_ONLY.store(false, Relaxed);
        // The relaxed path must have run (and passed its spot checks) for the check to mean anything.
        let mode = logsieve_model::kernels::relaxed_simd_mode();
        let relaxed_ran = mode == "unsigned" || mode == "i7";
        Ok(serde_json::json!({
            "check": "wasm-chromium",
            "ok": tokens_ok && kernel_ok && relaxed_ran,
            "tokens_equal_native": tokens_ok,
            "kernel_bit_identical": kernel_ok,
            "relaxed_simd_built": logsieve_model::kernels::RELAXED_SIMD_BUILT,
            "relaxed_simd_mode": logsieve_model::kernels::relaxed_simd_mode(),
            "tokens": g.tokens,
        })
        .to_string())
    }

    /// Prefill through relaxed SIMD (true, the default where built) or the SIMD128 tile (false: the baseline).
    #[wasm_bindgen]
    pub fn set_relaxed(on: bool) {
        logsieve_model::kernels::RELAXED_SIMD.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether this module was built with relaxed SIMD.
    #[wasm_bindgen]
    pub fn relaxed_built() -> bool {
        logsieve_model::kernels::RELAXED_SIMD_BUILT
    }

    /// Benchmarks: the register tile of the Q8_0 kernel (0, 0: the default).
    #[wasm_bindgen]
    pub fn set_tile(rows: u32, cols: u32) {
        logsieve_model::kernels::TILE_OVERRIDE
            .store(rows << 8 | cols, std::sync::atomic::Ordering::Relaxed);
    }

    /// Bytes of wasm memory (it never shrinks: the peak).
    #[wasm_bindgen]
    pub fn memory_bytes() -> f64 {
        wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .map(|m| {
                m.buffer()
                    .dyn_into::<js_sys::ArrayBuffer>()
                    .map_or(0.0, |b| b.byte_length() as f64)
            })
            .unwrap_or(0.0)
    }
}
