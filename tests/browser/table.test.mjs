// The table: rows render, the level filter and the search (both run in the worker) change the row count, a
// click shows the event's detail (its NDJSON is the CLI's line for it), and a big file scrolls to its end.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  openPage,
  openFile,
  cliParse,
  countLines,
  loghubLogs,
  loadedRows,
  viewCount,
  tempDir,
} from './harness.mjs';

let h;
let dir;
before(async () => {
  h = await openPage();
  dir = await tempDir();
});
after(async () => {
  await h?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A log whose levels the engine is sure to see whatever formats it knows: logfmt-free plain words. */
function pickLeveled() {
  return loghubLogs().find((f) => f.includes('Hadoop')) ?? loghubLogs()[0];
}

test('rows render, the filter and the search change the count, a click shows the detail', async () => {
  const file = pickLeveled();
  const cli = cliParse(file);
  const lines = cli.stdout.toString('utf8').trimEnd().split('\n');
  const st = await openFile(h.page, file);
  assert.equal(st.state, 'done');
  const total = await viewCount(h.page);
  assert.equal(total, countLines(cli.stdout));

  await h.page.waitForSelector('[data-testid=event-row][data-line]');
  const rows = await loadedRows(h.page);
  assert.ok(rows.length >= 10 && rows.length < 200, `a window of rows in the DOM, not all: ${rows.length}`);

  // Click the third row: the detail is the CLI's NDJSON line for that event.
  const third = rows[2];
  await h.page.click(`[data-testid=event-row][data-event="${third.event}"]`);
  await h.page.waitForSelector(`[data-testid=event-detail][data-event="${third.event}"] [data-testid=detail-ndjson]`);
  const nd = await h.page.textContent('[data-testid=detail-ndjson]');
  assert.equal(nd, lines[third.event]);

  // Search: the count is the number of CLI events whose text holds the word, case-insensitively.
  const word = 'ERROR'.toLowerCase();
  await h.page.fill('[data-testid=search]', 'eRRor');
  await h.page.press('[data-testid=search]', 'Enter');
  await h.page.waitForFunction(
    (t) => {
      const el = document.querySelector('[data-testid=view-count]');
      return el.dataset.count !== undefined && Number(el.dataset.count) !== t;
    },
    total,
  );
  const found = await viewCount(h.page);
  // Each CLI line is a JSON object; the event's text contains the word if its message or header does. Compare
  // with a lower bound (message only) and an upper bound (anywhere in the JSON line).
  const inMessage = lines.filter((l) => JSON.parse(l).message.toLowerCase().includes(word)).length;
  const inLine = lines.filter((l) => l.toLowerCase().includes(word)).length;
  assert.ok(found >= inMessage && found <= inLine, `search count ${found} in [${inMessage}, ${inLine}]`);
  assert.ok(found < total);
  if (found > 0) {
    await h.page.waitForSelector('[data-testid=event-row][data-line]');
    for (const r of await loadedRows(h.page)) assert.match(r.text.toLowerCase(), /error/);
  }

  // Clear the search; uncheck one level: the count drops by that level's events.
  await h.page.fill('[data-testid=search]', '');
  await h.page.press('[data-testid=search]', 'Enter');
  await h.page.waitForFunction(
    (t) => Number(document.querySelector('[data-testid=view-count]').dataset.count) === t,
    total,
  );
  const levels = await h.page.$$eval('[data-testid=level-filter] input[data-level]', (i) =>
    i.map((x) => x.dataset.level),
  );
  assert.ok(levels.length >= 1);
  const perLevel = {};
  for (const l of lines) {
    const lv = JSON.parse(l).level ?? 'NONE';
    perLevel[lv] = (perLevel[lv] ?? 0) + 1;
  }
  const drop = levels[0];
  await h.page.click(`[data-testid=level-filter] input[data-level="${drop}"]`);
  await h.page.waitForFunction(
    (want) => Number(document.querySelector('[data-testid=view-count]').dataset.count) === want,
    total - perLevel[drop],
  );
  if (total - perLevel[drop] > 0) {
    await h.page.waitForSelector('[data-testid=event-row][data-line]');
    const shown = await loadedRows(h.page);
    for (const r of shown) {
      const lv = JSON.parse(lines[r.event]).level ?? 'NONE';
      assert.notEqual(lv, drop);
    }
  }
  h.assertNoOffOrigin();
  await h.assertNoCspViolations();
});

test('a million rows: the table scrolls to the end and shows the last event', async () => {
  const f = path.join(dir, 'million.log');
  const fd = fs.openSync(f, 'w');
  const n = 1_000_000;
  let chunk = [];
  for (let i = 1; i <= n; i++) {
    chunk.push(`2024-01-01T00:00:00Z event number ${i}\n`);
    if (chunk.length === 50_000) {
      fs.writeSync(fd, chunk.join(''));
      chunk = [];
    }
  }
  fs.writeSync(fd, chunk.join(''));
  fs.closeSync(fd);
  const st = await openFile(h.page, f);
  assert.equal(st.state, 'done');
  assert.equal(st.events, n);
  console.log(`# 1M rows: ${st.text}`);
  await h.page.waitForSelector('[data-testid=event-row][data-line="1"]');
  // Jump to the end, then scroll through the middle: rows follow, and the DOM stays small.
  await h.page.$eval('.viewport', (v) => (v.scrollTop = v.scrollHeight));
  await h.page.waitForSelector(`[data-testid=event-row][data-line="${n}"]`);
  const gaps = await h.page.evaluate(async () => {
    const v = document.querySelector('.viewport');
    let last = performance.now();
    let worst = 0;
    for (let i = 0; i < 60; i++) {
      v.scrollTop = (v.scrollHeight * i) / 60;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }
    return { worst, rows: document.querySelectorAll('[data-testid=event-row]').length };
  });
  assert.ok(gaps.rows < 200, `rows in the DOM: ${gaps.rows}`);
  assert.ok(gaps.worst < 500, `worst frame while scrolling: ${gaps.worst} ms`);
  await h.page.$eval('.viewport', (v) => (v.scrollTop = v.scrollHeight));
  const text = await h.page.textContent(`[data-testid=event-row][data-line="${n}"]`);
  assert.match(text, new RegExp(`event number ${n}`));
});
