// One worker, one wasm instance: loads the GGUF through a synchronous reader over the fetched Blob (the file is
// never copied whole into wasm memory), runs the benchmark, reports speeds and the wasm memory size.
importScripts('pkg/wasm_bench.js');

onmessage = async (e) => {
  const job = e.data;
  try {
    await wasm_bindgen({ module_or_path: 'pkg/wasm_bench_bg.wasm' });
    const { Bench, memory_bytes, set_kernels, kernel_bench, set_tile } = wasm_bindgen;
    if (job.kernelBench) {
      const lines = [];
      const tiles = [[0, 0], [0x100, 0], [4, 4], [0x100, 0], [4, 4], [1, 1], [1, 4]];
      for (const [tr, tc] of tiles) {
        set_tile(tr, tc);
        for (const [m, k, n] of [[1, 1024, 3072], [1, 3072, 1024], [1, 1024, 151936], [256, 1024, 3072], [256, 3072, 1024]]) {
          if (m === 1 && tr > 1) continue;
          lines.push({ tile: `${tr}x${tc}`, ...JSON.parse(kernel_bench(m, k, n, m === 1 ? (n > 10000 ? 4 : 40) : 2)) });
        }
      }
      set_tile(0, 0);
      postMessage({ result: lines });
      return;
    }
    set_kernels(job.kernels !== 'candle');
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
      },
    });
  } catch (err) {
    postMessage({ error: String(err && err.stack || err) });
  }
};
