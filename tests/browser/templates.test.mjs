// The Templates view: for every loghub log it lists the same templates, in the same order, with the same counts,
// levels and examples as `logsieve templates FILE`; clicking a template filters the event table to it (the count
// is the template's, every shown row and detail carries its template_id, and it combines with the level filter
// and the search); clearing the chip restores the table. Thousands of templates scroll virtualised, and log text
// is shown as text, never as markup.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openPage, openFile, cliParse, loghubLogs, loadedRows, viewCount, tempDir, BIN } from './harness.mjs';

/** Must equal TEMPLATE_ROW_PX in crates/web/src/ui/templates.rs. */
const ROW_PX = 44;

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

/** `logsieve templates FILE`: the JSON array. */
function cliTemplates(file) {
  const r = spawnSync(BIN(), ['templates', file], { maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, `logsieve templates ${file}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8'));
}

const fmt = (n) => n.toLocaleString('en-US');

async function showTemplates(page) {
  await page.click('[data-testid=tab-templates]');
  await page.waitForSelector('[data-testid=templates-view]', { state: 'visible' });
}

/** The loaded template rows in the DOM. */
async function templateRows(page) {
  return page.$$eval('[data-testid=template-row][data-template-id]', (rows) =>
    rows.map((r) => ({
      rank: Number(r.dataset.rank),
      id: Number(r.dataset.templateId),
      count: Number(r.dataset.count),
      template: r.querySelector('[data-testid=template-text]').textContent,
      example: r.querySelector('[data-testid=template-example]').textContent,
      exampleLine: Number(r.querySelector('[data-testid=template-example]').dataset.line),
      levels: r.querySelector('.t-levels').dataset.levels,
      sparkTotal: Number(r.querySelector('.t-spark').dataset.total),
      sparkPaths: r.querySelectorAll('.t-spark svg path').length,
    })),
  );
}

/** Scrolls the templates list from top to bottom and returns every row, by rank. */
async function allTemplates(page) {
  await showTemplates(page);
  const total = Number(await page.getAttribute('[data-testid=templates-view]', 'data-templates'));
  const seen = new Map();
  await page.$eval('.tviewport', (v) => (v.scrollTop = 0));
  for (let guard = 0; seen.size < total && guard < 100_000; guard++) {
    // Wait until the rows of the visible window are loaded.
    const first = await page.$eval('.tviewport', (v, px) => Math.floor(v.scrollTop / px), ROW_PX);
    await page.waitForFunction(
      (first) => {
        const rows = [...document.querySelectorAll('[data-testid=template-row]')];
        return (
          rows.some((r) => Number(r.dataset.rank) === first) && rows.every((r) => r.dataset.templateId !== undefined)
        );
      },
      first,
    );
    for (const r of await templateRows(page)) seen.set(r.rank, r);
    const moved = await page.$eval('.tviewport', (v) => {
      const before = v.scrollTop;
      v.scrollTop = before + v.clientHeight - 44;
      return v.scrollTop !== before;
    });
    if (!moved) break;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  assert.equal(seen.size, total, 'every template row was seen while scrolling');
  return [...seen.values()].sort((a, b) => a.rank - b.rank);
}

function levelsText(levels) {
  const order = ['NONE', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  return order
    .filter((l) => levels[l])
    .map((l) => `${l}:${levels[l]}`)
    .join(' ');
}

async function waitCount(page, want) {
  await page.waitForFunction(
    (want) => Number(document.querySelector('[data-testid=view-count]')?.dataset.count) === want,
    want,
  );
}

test('every loghub log: the Templates view lists what `logsieve templates` prints', async () => {
  const logs = loghubLogs();
  assert.ok(logs.length >= 8);
  for (const file of logs) {
    const name = path.basename(file);
    const want = cliTemplates(file);
    const st = await openFile(h.page, file);
    assert.equal(st.state, 'done', `${name}: ${st.text}`);
    assert.equal(
      await h.page.textContent('[data-testid=summary-templates]'),
      fmt(want.length),
      `${name}: the summary's template count`,
    );
    const got = await allTemplates(h.page);
    assert.equal(got.length, want.length, `${name}: number of templates`);
    for (let i = 0; i < want.length; i++) {
      const g = got[i];
      const w = want[i];
      const what = `${name}: template #${i} (id ${w.id})`;
      assert.equal(g.rank, i, what);
      assert.equal(g.id, w.id, `${what}: id`);
      assert.equal(g.count, w.count, `${what}: count`);
      assert.equal(g.template, w.template, `${what}: text`);
      assert.equal(g.exampleLine, w.example.line, `${what}: example line`);
      assert.equal(g.example, `line ${fmt(w.example.line)}: ${w.example.message}`, `${what}: example`);
      assert.equal(g.levels, levelsText(w.levels), `${what}: levels`);
      assert.equal(g.sparkPaths, 1, `${what}: a sparkline`);
      assert.ok(g.sparkTotal > 0 && g.sparkTotal <= g.count, `${what}: sparkline total ${g.sparkTotal}`);
    }
    await h.page.click('[data-testid=tab-events]');
  }
  h.assertNoOffOrigin();
  await h.assertNoCspViolations();
  assert.deepEqual(h.consoleErrors, []);
});

test('clicking a template filters the table; with levels and search; the chip clears it', async () => {
  const file = loghubLogs().find((f) => f.includes('Hadoop')) ?? loghubLogs()[0];
  const lines = cliParse(file).stdout.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  const raw = cliParse(file).stdout.toString('utf8').trimEnd().split('\n');
  const want = cliTemplates(file);
  const st = await openFile(h.page, file);
  const total = st.events;
  await showTemplates(h.page);
  // The second most frequent template (the first may be the whole file in some logs).
  const t = want.find((x, i) => i >= 1 && x.count < total) ?? want[0];
  const rank = want.indexOf(t);
  const row = `[data-testid=template-row][data-rank="${rank}"][data-template-id="${t.id}"]`;
  await h.page.waitForSelector(row);
  assert.equal(await h.page.getAttribute(row, 'data-count'), String(t.count));
  await h.page.click(row);

  // The table shows that template's events only.
  await h.page.waitForSelector(`[data-testid=template-filter][data-template-id="${t.id}"]`);
  await h.page.waitForSelector('[data-testid=event-table]', { state: 'visible' });
  await waitCount(h.page, t.count);
  const chip = await h.page.textContent('[data-testid=template-filter]');
  assert.ok(chip.includes(t.template.slice(0, 20)), `chip: ${chip}`);
  await h.page.waitForSelector('[data-testid=event-row][data-line]');
  const shown = await loadedRows(h.page);
  assert.ok(shown.length > 0);
  const ids = await h.page.$$eval('[data-testid=event-row][data-line]', (r) => r.map((x) => x.dataset.templateId));
  assert.ok(
    ids.every((x) => x === String(t.id)),
    `rows carry template ${t.id}: ${ids.join(',')}`,
  );
  for (const r of shown.slice(0, 3)) {
    await h.page.click(`[data-testid=event-row][data-event="${r.event}"]`);
    await h.page.waitForSelector(`[data-testid=event-detail][data-event="${r.event}"] [data-testid=detail-ndjson]`);
    const nd = await h.page.textContent('[data-testid=detail-ndjson]');
    assert.equal(nd, raw[r.event], `detail of event ${r.event} is the CLI's line`);
    assert.equal(JSON.parse(nd).template_id, t.id);
  }
  const mine = lines.filter((l) => l.template_id === t.id);
  assert.equal(mine.length, t.count);

  // With the level filter: uncheck the template's most common level.
  const byLevel = {};
  for (const l of mine) byLevel[l.level ?? 'NONE'] = (byLevel[l.level ?? 'NONE'] ?? 0) + 1;
  const drop = Object.keys(byLevel).sort((a, b) => byLevel[b] - byLevel[a])[0];
  await h.page.click(`[data-testid=level-filter] input[data-level="${drop}"]`);
  await waitCount(h.page, t.count - byLevel[drop]);
  await h.page.click(`[data-testid=level-filter] input[data-level="${drop}"]`);
  await waitCount(h.page, t.count);

  // With the search: a word of the template's example.
  const word = t.example.message.split(/\s+/).find((w) => /^[A-Za-z]{4,}$/.test(w)) ?? 'a';
  await h.page.fill('[data-testid=search]', word.toUpperCase());
  await h.page.press('[data-testid=search]', 'Enter');
  const found = await viewCount(h.page);
  const lower = mine.filter((l) => l.message.toLowerCase().includes(word.toLowerCase())).length;
  const upper = raw.filter((l, i) => lines[i].template_id === t.id && l.toLowerCase().includes(word.toLowerCase())).length;
  assert.ok(found >= lower && found <= upper && found > 0, `search in the template: ${found} in [${lower}, ${upper}]`);
  await h.page.fill('[data-testid=search]', '');
  await h.page.press('[data-testid=search]', 'Enter');
  await waitCount(h.page, t.count);

  // Clear: the whole file again, no chip.
  await h.page.click('[data-testid=template-filter-clear]');
  await waitCount(h.page, total);
  assert.equal(await h.page.$('[data-testid=template-filter]'), null);
  h.assertNoOffOrigin();
});

test('thousands of templates: the list is virtualised and matches the CLI at both ends', async () => {
  // Random words: the miner's bounded mode (thousands of templates, overflow templates).
  const f = path.join(dir, 'random-words.log');
  let x = 88172645463325252n;
  const next = () => {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    return Number(x & 0xffffffn);
  };
  const out = [];
  for (let i = 0; i < 60_000; i++) {
    const words = 1 + (next() % 8);
    const w = [];
    for (let k = 0; k < words; k++) {
      let s = '';
      for (let c = 0; c < 3 + (next() % 5); c++) s += String.fromCharCode(97 + (next() % 26));
      w.push(s);
    }
    out.push(w.join(' '));
  }
  fs.writeFileSync(f, out.join('\n') + '\n');
  const want = cliTemplates(f);
  assert.ok(want.length > 2000, `the file has many templates: ${want.length}`);
  const st = await openFile(h.page, f);
  assert.equal(st.state, 'done');
  await showTemplates(h.page);
  assert.equal(Number(await h.page.getAttribute('[data-testid=templates-view]', 'data-templates')), want.length);
  await h.page.waitForSelector('[data-testid=template-row][data-rank="0"][data-template-id]');
  const check = async (rank) => {
    const sel = `[data-testid=template-row][data-rank="${rank}"][data-template-id]`;
    await h.page.waitForSelector(sel);
    const r = (await templateRows(h.page)).find((x) => x.rank === rank);
    assert.equal(r.id, want[rank].id, `rank ${rank}: id`);
    assert.equal(r.count, want[rank].count, `rank ${rank}: count`);
    assert.equal(r.template, want[rank].template, `rank ${rank}: text`);
  };
  await check(0);
  const gaps = await h.page.evaluate(async () => {
    const v = document.querySelector('.tviewport');
    let last = performance.now();
    let worst = 0;
    for (let i = 0; i <= 40; i++) {
      v.scrollTop = (v.scrollHeight * i) / 40;
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }
    return { worst, rows: document.querySelectorAll('[data-testid=template-row]').length };
  });
  assert.ok(gaps.rows < 100, `template rows in the DOM: ${gaps.rows}`);
  assert.ok(gaps.worst < 500, `worst frame while scrolling: ${gaps.worst} ms`);
  await h.page.$eval('.tviewport', (v) => (v.scrollTop = v.scrollHeight));
  await check(want.length - 1);
  const mid = Math.floor(want.length / 2);
  await h.page.$eval('.tviewport', (v, top) => (v.scrollTop = top), mid * ROW_PX);
  await check(mid);

  // A filter on the last (rarest) template.
  const last = want[want.length - 1];
  await h.page.$eval('.tviewport', (v) => (v.scrollTop = v.scrollHeight));
  await h.page.click(`[data-testid=template-row][data-rank="${want.length - 1}"]`);
  await waitCount(h.page, last.count);
  await h.page.click('[data-testid=template-filter-clear]');
  await waitCount(h.page, st.events);
});

test('templates and examples are shown as text, never as markup', async () => {
  const f = path.join(dir, 'markup.log');
  const evil = [
    '<img src=x onerror="window.__xss=1"> user 1 logged in',
    '<img src=x onerror="window.__xss=1"> user 2 logged in',
    '<script>window.__xss=2</script> <b>bold</b> &amp; done',
  ];
  fs.writeFileSync(f, evil.join('\n') + '\n');
  const want = cliTemplates(f);
  await openFile(h.page, f);
  const got = await allTemplates(h.page);
  assert.deepEqual(
    got.map((g) => g.template),
    want.map((w) => w.template),
  );
  assert.ok(got.some((g) => g.template.includes('<img')));
  const inside = await h.page.$$eval(
    '[data-testid=templates-view] img, [data-testid=templates-view] script, [data-testid=templates-view] b',
    (e) => e.length,
  );
  assert.equal(inside, 0);
  assert.equal(await h.page.evaluate(() => window.__xss), undefined);
  await h.page.click('[data-testid=template-row][data-rank="0"]');
  await h.page.waitForSelector('[data-testid=template-filter]');
  assert.equal(await h.page.$$eval('[data-testid=template-filter] img', (e) => e.length), 0);
  await h.assertNoCspViolations();
});
