//! The wasm side of `cargo xtask bench-model`: built for wasm32 as a cdylib, run by `bench/worker.js` in a
//! worker of headless Chromium. Natively this example is empty.

#[cfg(target_arch = "wasm32")]
mod wasm {
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
        let mut s = 1u64;
        let mut rnd = |len: usize| -> Vec<f32> {
            (0..len)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
                })
                .collect()
        };
        let w = Tensor::from_vec(rnd(n * k), (n, k), &Device::Cpu).map_err(e)?;
        let qw = QTensor::quantize(&w, GgmlDType::Q8_0).map_err(e)?;
        let x = rnd(m * k);
        let xt = Tensor::from_vec(x.clone(), (m, k), &Device::Cpu).map_err(e)?;
        let data = qw.data().map_err(e)?.into_owned();
        let mm = QMatMul::from_qtensor(qw).map_err(e)?;
        let now = || logsieve_model::now_secs() * 1000.0;
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
        let diff = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        Ok(serde_json::json!({"m": m, "k": k, "n": n, "ours_ms": best_ours, "candle_ms": best_candle,
            "ours_gmac_s": (m * k * n) as f64 / best_ours / 1e6, "candle_gmac_s": (m * k * n) as f64 / best_candle / 1e6,
            "max_diff": diff}).to_string())
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
