// Page speed: `node tests/browser/perf.mjs FILE...` (same environment as the tests) opens each file in the page
// and prints the status (events, bytes, ms, MB/s as the page measured them: from the worker's first read to the
// summary, template mining included), the speed of `logsieve stats` on the same file for comparison (it mines
// too), and the main thread's worst frame gap while the worker parsed (the page must never freeze). Then the time
// to show the first template, a whole-file search and the last row. Not a test: numbers depend on the machine.

import { spawnSync } from 'node:child_process';
import { openPage, openFile, BIN } from './harness.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/browser/perf.mjs FILE...');
  process.exit(2);
}
const h = await openPage();
try {
  for (const file of files) {
    await h.page.evaluate(() => {
      window.__gaps = { worst: 0, last: performance.now(), on: true };
      const tick = () => {
        const now = performance.now();
        window.__gaps.worst = Math.max(window.__gaps.worst, now - window.__gaps.last);
        window.__gaps.last = now;
        if (window.__gaps.on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const st = await openFile(h.page, file, 600_000);
    const wasmMemory = Number(
      await h.page.getAttribute('[data-testid=status]', 'data-wasm-memory-bytes'),
    );
    const worst = await h.page.evaluate(() => ((window.__gaps.on = false), window.__gaps.worst));
    const mbps = st.bytes / 1e6 / (st.elapsedMs / 1000);
    const cli = spawnSync(BIN(), ['stats', file]);
    const native = JSON.parse(cli.stdout.toString() || '{}').mb_per_s;
    console.log(
      `${file}: ${st.state}, ${st.events} events, ${(st.bytes / 1e6).toFixed(1)} MB in ${st.elapsedMs} ms = ` +
        `${mbps.toFixed(1)} MB/s in the page (CLI: ${native} MB/s); worst frame gap ${worst.toFixed(0)} ms; ` +
        `worker wasm memory ${(wasmMemory / 1048576).toFixed(1)} MiB`,
    );
    // The templates list: its first row once the tab is shown.
    const tt = Date.now();
    await h.page.click('[data-testid=tab-templates]');
    await h.page.waitForSelector('[data-testid=template-row][data-rank="0"][data-template-id]', { timeout: 60_000 });
    const nTemplates = await h.page.getAttribute('[data-testid=status]', 'data-templates');
    console.log(`  ${nTemplates} templates; the first shown ${Date.now() - tt} ms after opening the tab`);
    await h.page.click('[data-testid=tab-events]');
    // A search over the whole file (in the worker), then the last row.
    const t0 = Date.now();
    await h.page.fill('[data-testid=search]', 'exception');
    await h.page.press('[data-testid=search]', 'Enter');
    await h.page.waitForSelector('[data-testid=view-count][data-count]', { timeout: 600_000 });
    const found = await h.page.getAttribute('[data-testid=view-count]', 'data-count');
    console.log(`  search "exception": ${found} events in ${Date.now() - t0} ms`);
    await h.page.fill('[data-testid=search]', '');
    await h.page.press('[data-testid=search]', 'Enter');
    await h.page.waitForSelector('[data-testid=view-count][data-count]', { timeout: 600_000 });
    const t1 = Date.now();
    await h.page.$eval('.viewport', (v) => (v.scrollTop = v.scrollHeight));
    await h.page.waitForSelector(`[data-testid=event-row][data-event="${st.events - 1}"]`, { timeout: 60_000 });
    console.log(`  last row shown ${Date.now() - t1} ms after scrolling to the end`);
  }
  h.assertNoOffOrigin();
} finally {
  await h.close();
}
