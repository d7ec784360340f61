// One worker, one wasm instance: loads the GGUF through a synchronous reader over the fetched Blob (the file is
// never copied whole into wasm memory), runs the benchmark, reports speeds and the wasm memory size.
importScripts('pkg/wasm_bench.js');

// The smallest module using i32x4.relaxed_dot_i8x16_i7x16_add_s (kernels::RELAXED_SIMD_PROBE in
// crates/model/src/kernels.rs): a model built with the `relaxed-simd` feature validates exactly where this does.
const z16 = new Array(16).fill(0);
const RELAXED_SIMD_PROBE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
  0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x3d, 0x01, 0x3b, 0x00, 0xfd, 0x0c, ...z16, 0xfd, 0x0c, ...z16,
  0xfd, 0x0c, ...z16, 0xfd, 0x93, 0x02, 0x0b]);

onmessage = async (e) => {
  const job = e.data;
  try {
    if (!WebAssembly.validate(RELAXED_SIMD_PROBE)) {
      throw new Error('this browser lacks WebAssembly relaxed SIMD, which the model needs (Chromium 114 or later)');
    }
    await wasm_bindgen({ module_or_path: 'pkg/wasm_bench_bg.wasm' });
    const { Bench, memory_bytes, set_kernels, kernel_bench, set_tile, set_relaxed, relaxed_built } = wasm_bindgen;
    if (job.check) {
      postMessage({ result: JSON.parse(wasm_bindgen.check_tokens()) });
      return;
    }
    if (job.kernelCompare) {
      // [relaxed, split only, tile rows], timed in turn: SIMD128, relaxed split (2 dots per 16 values), relaxed
      // default, then other tile heights.
      const configs = new Uint32Array([0, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 16, 1, 0, 4]);
      const lines = [];
      // Ragged shapes first (exactness only), then LoGEM's.
      const shapes = [[3, 96, 5], [5, 32, 9], [17, 64, 33], [8, 128, 16], [256, 1024, 3072], [256, 3072, 1024],
        [256, 1024, 2048], [256, 2048, 1024]];
      for (const [m, k, n] of shapes) {
        lines.push(JSON.parse(wasm_bindgen.kernel_compare(m, k, n, m < 256 ? 1 : 12, configs)));
      }
      postMessage({ result: lines });
      return;
    }
    if (job.kernelBench) {
      const lines = [];
      // [tile rows, tile cols, relaxed]: (0, 0) is the default tile, relaxed SIMD for prefill where built.
      const tiles = [[0, 0, false], [0, 0, true], [0x100, 0, false], [0, 0, true], [0, 0, false], [4, 4, false], [1, 1, false]];
      for (const [tr, tc, relaxed] of tiles) {
        set_tile(tr, tc);
        set_relaxed(relaxed);
        for (const [m, k, n] of [[1, 1024, 3072], [1, 3072, 1024], [1, 1024, 151936], [256, 1024, 3072], [256, 3072, 1024]]) {
          if (m === 1 && (tr > 1 || relaxed)) continue;
          lines.push({ tile: `${tr}x${tc}`, ...JSON.parse(kernel_bench(m, k, n, m === 1 ? (n > 10000 ? 4 : 40) : 2)) });
        }
      }
      set_tile(0, 0);
      set_relaxed(true);
      postMessage({ result: lines });
      return;
    }
    set_kernels(job.kernels !== 'candle');
    set_relaxed(job.relaxed);
    if (job.tile) set_tile(...job.tile.split('x').map(Number)); // e.g. 4x4, or 256x1 for the reducing tile
    const resp = await fetch(job.model);
    if (!resp.ok) throw new Error(`${job.model}: HTTP ${resp.status}`);
    const blob = await resp.blob();
    const fr = new FileReaderSync();
    const read = (offset, length) => new Uint8Array(fr.readAsArrayBuffer(blob.slice(offset, offset + length)));
    const bench = new Bench();
    const t0 = performance.now();
    bench.load(read, blob.size, job.context);
    const loadSecs = (performance.now() - t0) / 1000;
    postMessage({ log: `loaded ${(blob.size / 1e6).toFixed(0)} MB in ${loadSecs.toFixed(1)} s, wasm memory ${(memory_bytes() / 1e6).toFixed(0)} MB` });
    const r = JSON.parse(bench.run(job.prompt, job.decode, job.context));
    postMessage({ log: `profile ${JSON.stringify(r.profile)}` });
    postMessage({
      result: {
        runtime: 'wasm-chromium',
        quant: job.quant,
        prefill_tok_s: Math.round(r.prefill_tok_s * 10) / 10,
        decode_tok_s: Math.round(r.decode_tok_s * 10) / 10,
        peak_mem_mb: Math.round(memory_bytes() / 1e5) / 10,
        prompt_tokens: job.prompt,
        decode_tokens: job.decode,
        load_secs: Math.round(loadSecs * 10) / 10,
        weights_mb: Math.round(r.weights_mb * 10) / 10,
        kv_cache_mb: Math.round(r.kv_cache_mb * 10) / 10,
        threads: 1,
        kernels: job.kernels === 'candle' ? 'candle' : 'logsieve',
        relaxed_simd: job.kernels !== 'candle' && job.relaxed && relaxed_built(),
      },
    });
  } catch (err) {
    postMessage({ error: String(err && err.stack || err) });
  }
};
