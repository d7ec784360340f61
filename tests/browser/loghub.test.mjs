// Each loghub 2k log, one after the other in the same page (no reload): the event count equals the CLI's, and
// the exported NDJSON equals `logsieve parse FILE` byte for byte. No request leaves the page's origin.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  openPage,
  openFile,
  cliParse,
  countLines,
  exportNdjson,
  assertSameNdjson,
  loghubLogs,
  loadedRows,
} from './harness.mjs';

let h;
before(async () => {
  h = await openPage();
});
after(async () => {
  await h?.close();
});

test('every loghub log: count and export equal the CLI, in one page', async () => {
  const logs = loghubLogs();
  assert.ok(logs.length >= 8, `expected the loghub logs, found ${logs.length}`);
  for (const file of logs) {
    const name = path.basename(file);
    const cli = cliParse(file);
    const st = await openFile(h.page, file);
    assert.equal(st.state, 'done', `${name}: ${st.text}`);
    assert.equal(st.events, countLines(cli.stdout), `${name}: events`);
    assert.equal(st.bytes, fs.statSync(file).size, `${name}: bytes`);
    assert.ok(st.elapsedMs >= 0, `${name}: elapsed`);
    assert.ok(st.wasmMemoryBytes >= 65536, `${name}: the worker reports its wasm memory`);
    await h.page.waitForSelector('[data-testid=event-row][data-line]');
    const rows = await loadedRows(h.page);
    assert.equal(rows[0].line, 1, `${name}: first row`);
    const ex = await exportNdjson(h.page);
    assert.equal(ex.name, `logsieve-${name}.ndjson`);
    assertSameNdjson(ex.bytes, cli.stdout, name);
  }
});

test('only same-origin requests, the worker included, and no CSP violation', async () => {
  h.assertNoOffOrigin();
  await h.assertNoCspViolations();
  const paths = h.requests.map((u) => new URL(u).pathname);
  for (const p of ['/worker_loader.js', '/worker.js', '/worker_bg.wasm']) {
    assert.ok(paths.includes(p), `the worker's ${p} was requested (and recorded)`);
  }
  const csp = await h.page.$eval('meta[http-equiv=Content-Security-Policy]', (m) => m.content);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /object-src 'none'/);
  assert.match(csp, /base-uri 'none'/);
  const inline = await h.page.$$eval('script:not([src])', (s) => s.length);
  assert.equal(inline, 0, 'no inline script');
});
