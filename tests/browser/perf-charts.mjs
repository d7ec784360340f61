// Charts speed: `node tests/browser/perf-charts.mjs [FILE]` (same environment as the tests). Without FILE it builds
// (once) target/bench/access-200mb.log: the shared Apache access log repeated to about 200 MB, each copy shifted
// by the log's own time span and with its client addresses varied, so that the time buckets, the client table and
// the countries grow as in a real large log. It opens the file in the page and prints the parse time (the page's
// `data-elapsed-ms`) and how long after the parse finished (the status turning `done`) every chart had drawn (the
// charts panel's `data-drawn`), which includes the worker waiting for the geo database, finishing the series and
// the UI drawing them; then how long a selection on the volume chart takes. Not a test: numbers depend on the
// machine. Issue #5 asks for ≤ 1 s after the parse on a 200 MB access log.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openPage, openFile, SHARED } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET_BYTES = 200 * 1024 * 1024;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TS = /\[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\]/;

function fmt(ms, zone) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, '0');
  return `[${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} ${zone}]`;
}

/** The big access log (built once). */
function bigAccessLog() {
  const out = path.join(ROOT, 'target/bench/access-200mb.log');
  if (fs.existsSync(out) && fs.statSync(out).size >= TARGET_BYTES) return out;
  const src = path.join(SHARED(), 'samples/access_log/apache_combined_elastic_examples.log');
  const lines = fs.readFileSync(src, 'utf8').split('\n').filter((l) => l.length > 0);
  const parsed = lines.map((l) => {
    const m = TS.exec(l);
    const ms = m ? Date.UTC(+m[3], MONTHS.indexOf(m[2]), +m[1], +m[4], +m[5], +m[6]) : null;
    return { l, m, ms };
  });
  const times = parsed.filter((p) => p.ms !== null).map((p) => p.ms);
  const span = Math.max(...times) - Math.min(...times) + 1000;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const fd = fs.openSync(out + '.tmp', 'w');
  let bytes = 0;
  for (let copy = 0; bytes < TARGET_BYTES; copy++) {
    const chunk = [];
    for (const { l, m, ms } of parsed) {
      let line = l;
      if (m) line = line.replace(m[0], fmt(ms + copy * span, m[7]));
      // Vary the client: its second octet by copy (IPv4 only), so that each copy brings new clients.
      line = line.replace(/^(\d+)\.(\d+)\./, (_, a, b) => `${a}.${(Number(b) + copy) % 256}.`);
      chunk.push(line);
    }
    const text = chunk.join('\n') + '\n';
    fs.writeSync(fd, text);
    bytes += Buffer.byteLength(text);
  }
  fs.closeSync(fd);
  fs.renameSync(out + '.tmp', out);
  return out;
}

const file = process.argv[2] ?? bigAccessLog();
const h = await openPage();
try {
  // Times taken in the page: when the status turns `done` and when the charts panel says every chart drew.
  await h.page.evaluate(() => {
    window.__charts = {};
    const status = document.querySelector('[data-testid=status]');
    new MutationObserver(() => {
      if (status.dataset.state === 'done' && window.__charts.done === undefined) window.__charts.done = performance.now();
    }).observe(status, { attributes: true });
    const watch = () => {
      const charts = document.querySelector('[data-testid=charts]');
      if (!charts) return requestAnimationFrame(watch);
      new MutationObserver(() => {
        if (charts.dataset.drawn && window.__charts.drawn === undefined) window.__charts.drawn = performance.now();
      }).observe(charts, { attributes: true });
    };
    watch();
  });
  const st = await openFile(h.page, file, 600_000);
  await h.page.waitForSelector('[data-testid=charts][data-drawn]', { timeout: 120_000 });
  const t = await h.page.evaluate(() => window.__charts);
  const charts = await h.page.$$eval('[data-testid=charts] canvas', (cs) => cs.map((c) => c.dataset.testid));
  const size = fs.statSync(file).size;
  console.log(
    `${file}: ${st.state}, ${st.events} events, ${(size / 1e6).toFixed(1)} MB parsed in ${st.elapsedMs} ms ` +
      `(${(size / 1e6 / (st.elapsedMs / 1000)).toFixed(1)} MB/s); ${charts.length} charts ` +
      `(${charts.map((c) => c.replace('chart-', '')).join(', ')}) drawn ${(t.drawn - t.done).toFixed(0)} ms after ` +
      `the parse finished`,
  );
  // A selection of a tenth of the volume chart: the table, the other charts and the findings recomputed (the
  // worker re-reads the file up to the range's last event).
  const drawn = await h.page.getAttribute('[data-testid=charts]', 'data-drawn');
  const volume = h.page.locator('[data-testid=chart-volume]');
  await volume.scrollIntoViewIfNeeded();
  const box = await volume.boundingBox();
  const y = box.y + box.height / 2;
  const t0 = Date.now();
  await h.page.mouse.move(box.x + box.width * 0.45, y);
  await h.page.mouse.down();
  await h.page.mouse.move(box.x + box.width * 0.55, y, { steps: 4 });
  await h.page.mouse.up();
  await h.page.waitForFunction(
    (d) => {
      const el = document.querySelector('[data-testid=charts]');
      return el.dataset.state === 'done' && el.dataset.drawn && el.dataset.drawn !== d;
    },
    drawn,
    { timeout: 600_000 },
  );
  await h.page.waitForSelector('[data-testid=findings-view][data-state=done]', { state: 'attached', timeout: 600_000 });
  const selected = await h.page.getAttribute('[data-testid=view-count]', 'data-count');
  console.log(`  a selection (${selected} events): table, charts and findings ${Date.now() - t0} ms after the drag`);
  h.assertNoOffOrigin();
} finally {
  await h.close();
}
