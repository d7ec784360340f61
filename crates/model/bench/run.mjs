// Runs the wasm benchmark in headless Chromium, one worker per run, and prints one JSON line per run.
//
//   node crates/model/bench/run.mjs --pkg DIR --models DIR [--chromium PATH] [--timeout-s N]
//        [--prompt 256] [--decode 64] [--context 512] [--kernels logsieve|candle] [--baseline] RUN...
//   RUN = <quant>=<file in --models>, e.g. q8_0=qwen3-0.6b-random-q8_0.gguf
// --baseline: before each Q8_0 run, the same run with prefill through the SIMD128 tile instead of relaxed SIMD
// (its line says "relaxed_simd":false), so the two are compared in one browser under the same machine load.
//
// --pkg holds wasm-bindgen's no-modules output (wasm_bench.js, wasm_bench_bg.wasm). Served: this folder at /,
// --pkg at /pkg/, --models at /models/ (streamed, not read into memory).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const pkg = path.resolve(opt('--pkg'));
const models = path.resolve(opt('--models'));
const chromiumPath = opt('--chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');
const timeoutMs = Number(opt('--timeout-s', '900')) * 1000;
const prompt = opt('--prompt', '256');
const decode = opt('--decode', '64');
const context = opt('--context', '512');
const kernels = opt('--kernels', 'logsieve');
const tile = opt('--tile');
const baseline = args.includes('--baseline');
if (baseline) args.splice(args.indexOf('--baseline'), 1);
// --kernel-bench / --kernel-compare: the Q8_0 kernels alone on LoGEM's shapes (no model: one run).
// --check: the tiny model's tokens against the native golden ones, and kernel exactness (exit 1 unless "ok").
const check = args.includes('--check');
const kernelCompare = args.includes('--kernel-compare');
const kernelBench = kernelCompare || args.includes('--kernel-bench');
if (kernelBench || check) args.splice(0, args.length, 'kernels=none');
const runs = args.flatMap((a) => {
  const [quant, file] = a.split('=');
  if (!quant || !file) throw new Error(`bad run ${a}: want <quant>=<file>`);
  const run = { quant, file, relaxed: true };
  return baseline && quant === 'q8_0' ? [{ ...run, relaxed: false }, run] : [run];
});

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const roots = [['/pkg/', pkg], ['/models/', models], ['/', here]];
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  let rel = decodeURIComponent(url.pathname);
  if (rel === '/') rel = '/index.html';
  const [prefix, root] = roots.find(([p]) => rel.startsWith(p));
  const file = path.join(root, path.normalize(rel.slice(prefix.length)));
  if (!file.startsWith(root + path.sep)) return res.writeHead(403).end();
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return res.writeHead(404).end('not found');
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let failed = false;
try {
  for (const run of runs) {
    const page = await browser.newPage();
    page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
    const q = new URLSearchParams({ model: `/models/${run.file}`, quant: run.quant, prompt, decode, context, kernels });
    if (check) q.set('check', '1');
    else if (kernelCompare) q.set('kernel-compare', '1');
    else if (kernelBench) q.set('kernel-bench', '1');
    if (tile) q.set('tile', tile);
    if (!run.relaxed) q.set('relaxed', '0');
    await page.goto(`${origin}/?${q}`);
    await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: timeoutMs, polling: 500 });
    const { result, error, log } = await page.evaluate(() => ({
      result: document.body.dataset.result,
      error: document.body.dataset.error,
      log: document.getElementById('log').textContent,
    }));
    if (log) process.stderr.write(log);
    if (error) {
      process.stderr.write(`wasm-chromium ${run.quant}: ${error}\n`);
      failed = true;
    } else {
      if (check) {
        console.log(result);
        if (!JSON.parse(result).ok) failed = true;
      } else if (kernelBench) for (const line of JSON.parse(result)) console.log(JSON.stringify(line));
      else console.log(result);
    }
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
