// The Charts panel: a loghub syslog file gets only the charts that apply (no status, clients, countries or
// latency) and never requests the geo database; the shared Apache access log draws every chart the CLI draws for
// it, with visible marks, and each canvas' data-series equals the member of `logsieve analyze FILE --charts DIR
// --geo dist/geo/country.bin`'s series.json; hover shows a value; the charts follow the dark theme and a resize;
// the device pixel ratio; a drag across the volume chart narrows the table, the other charts and the findings, and Reset restores them;
// each chart saves as a PNG; a failed geo fetch leaves the clients without countries (as the CLI without --geo),
// the countries chart out, and says why.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openPage, dropFile, BIN, SHARED, DIST, tempDir, viewCount } from './harness.mjs';

const ACCESS = () => path.join(SHARED(), 'samples/access_log/apache_combined_elastic_examples.log');
const SYSLOG = () => path.join(SHARED(), 'loghub/Linux/Linux_2k.log');
const GEO_PATH = '/geo/country.bin';
/** The members of series.json that are charts, by canvas name. */
const CHART_KEYS = { volume: 'volume', status: 'status', clients: 'clients', geo: 'countries', templates: 'templates', latency: 'latency' };

let h;
before(async () => {
  h = await openPage();
});
after(async () => {
  await h?.close();
});

/** `logsieve analyze FILE --charts DIR --geo dist/geo/country.bin` (without `--geo` if `geo` is false): its series.json. */
async function cliSeries(file, geo = true) {
  const dir = await tempDir();
  const args = ['analyze', file, '--charts', dir];
  if (geo) args.push('--geo', path.join(DIST(), 'geo/country.bin'));
  const r = spawnSync(BIN(), args, { maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `logsieve analyze ${file} --charts: exit ${r.status}: ${r.stderr}`);
  const series = JSON.parse(fs.readFileSync(path.join(dir, 'series.json'), 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  return series;
}

/** Drops `file` and waits until every shown chart has drawn the file's series. */
async function openAndDraw(page, file) {
  const st = await dropFile(page, path.basename(file), fs.readFileSync(file));
  assert.equal(st.state, 'done', `${file}: ${st.text}`);
  await page.waitForSelector('[data-testid=charts][data-state=done][data-drawn]', { timeout: 60_000 });
  return st;
}

async function canvasNames(page) {
  return page.$$eval('[data-testid=charts] canvas', (cs) => cs.map((c) => c.dataset.testid.replace(/^chart-/, '')));
}

/** The canvas' pixels: how many differ from its top-left corner (the background), its size and that colour. */
async function pixels(page, name) {
  return page.$eval(`[data-testid=chart-${name}]`, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const bg = [d[0], d[1], d[2]];
    let marks = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) marks++;
    }
    return { marks, total: d.length / 4, bg, width: c.width, height: c.height, cssWidth: c.clientWidth, dpr: devicePixelRatio };
  });
}

async function dataSeries(page, name) {
  return JSON.parse(await page.getAttribute(`[data-testid=chart-${name}]`, 'data-series'));
}

/** Drags across the volume chart from `from` to `to` (fractions of its width), through the middle. */
async function dragVolume(page, from, to) {
  await page.locator('[data-testid=chart-volume]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid=chart-volume]').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 5 });
  await page.mouse.move(box.x + box.width * to, y, { steps: 5 });
  await page.mouse.up();
}

function geoRequests() {
  return h.server.served.filter((p) => p === GEO_PATH).length;
}

test('a syslog file: volume and templates only, and no request for the geo database', async () => {
  const { page } = h;
  await openAndDraw(page, SYSLOG());
  const names = await canvasNames(page);
  assert.deepEqual(names, ['volume', 'templates']);
  for (const absent of ['status', 'clients', 'geo', 'latency']) {
    assert.equal(await page.$(`[data-testid=chart-${absent}]`), null, `no ${absent} chart`);
  }
  for (const name of names) {
    const p = await pixels(page, name);
    assert.ok(p.marks > p.total * 0.01, `${name}: marks drawn (${p.marks} of ${p.total} pixels)`);
  }
  const cli = await cliSeries(SYSLOG());
  assert.deepEqual(await dataSeries(page, 'volume'), cli.volume);
  assert.deepEqual(await dataSeries(page, 'templates'), cli.templates);
  assert.equal(geoRequests(), 0, 'geo/country.bin is not requested for a syslog file');
  assert.ok(!h.requests.some((u) => u.includes('country.bin')), 'nor seen by the browser');
});

test('the shared access log: every chart of the CLI, equal series, hover, theme, resize, PNG', async () => {
  const { page } = h;
  await openAndDraw(page, ACCESS());
  assert.equal(geoRequests(), 1, 'the geo database is fetched once, for the access log');
  const cli = await cliSeries(ACCESS());
  const want = Object.keys(CHART_KEYS).filter((k) => cli[CHART_KEYS[k]] !== undefined);
  for (const k of ['volume', 'status', 'clients', 'geo', 'templates']) assert.ok(want.includes(k), `the CLI draws ${k}`);
  assert.deepEqual(await canvasNames(page), want);
  for (const name of want) {
    assert.deepEqual(await dataSeries(page, name), cli[CHART_KEYS[name]], `${name}: data-series equals series.json`);
    const p = await pixels(page, name);
    assert.ok(p.marks > p.total * 0.02, `${name}: marks drawn (${p.marks} of ${p.total} pixels)`);
    assert.equal(p.width, Math.round(p.cssWidth * Math.max(1, p.dpr)), `${name}: canvas pixels follow the device pixel ratio`);
  }
  const source = await page.textContent('[data-testid=geo-source]');
  assert.match(source, /CC0/);
  assert.ok(source.includes(cli.geo.date), `the geo caption shows the data set's date (${cli.geo.date})`);
  // The top client is in the data set's country table (a public address), and the series labels countries.
  assert.match(cli.clients[0].country, /^[A-Z]{2}$/);

  // Hover: the status chart's tooltip names a code and its requests.
  await page.locator('[data-testid=chart-status]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid=chart-status]').boundingBox();
  const codes = cli.status.codes;
  // The plot spans most of the width; the first bar is the most frequent code here (200) and the widest target.
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.8);
  await page.mouse.move(box.x + 56 + 8 + (box.width - 56 - 16) / codes.length / 2 + 2, box.y + box.height - 40);
  const tip = await page.waitForSelector('[data-testid=chart-tip]', { timeout: 5_000 });
  assert.match(await tip.textContent(), /^\d{3}: \d+ requests/);
  await page.mouse.move(0, 0);

  // Dark theme: the background follows prefers-color-scheme, the series do not change.
  const light = await pixels(page, 'volume');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid=chart-volume]');
    const d = c.getContext('2d').getImageData(1, 1, 1, 1).data;
    return d[0] < 100;
  });
  const dark = await pixels(page, 'volume');
  assert.ok(light.bg[0] > 200 && dark.bg[0] < 100, `light ${light.bg} then dark ${dark.bg} background`);
  await page.emulateMedia({ colorScheme: 'light' });

  // Resize: the canvases are redrawn at their new size.
  const before = await pixels(page, 'volume');
  const vp = page.viewportSize();
  await page.setViewportSize({ width: Math.round(vp.width * 0.7), height: vp.height });
  await page.waitForFunction(
    (w) => document.querySelector('[data-testid=chart-volume]').width !== w,
    before.width,
  );
  const after = await pixels(page, 'volume');
  assert.ok(after.marks > after.total * 0.02, 'redrawn after the resize');
  await page.setViewportSize(vp);

  // Device pixel ratio 2 (emulated): redrawn with twice the pixels; then back to 1. (Chromium's emulation does not
  // fire the `(resolution: …)` query's change event the page also listens to, so the width changes too: the
  // resize redraw must take the new ratio.)
  const cdp = await page.context().newCDPSession(page);
  const metrics = (deviceScaleFactor) => ({
    width: vp.width - (deviceScaleFactor === 2 ? 100 : 0),
    height: vp.height,
    deviceScaleFactor,
    mobile: false,
  });
  const ratio = (r) =>
    page.waitForFunction((r) => {
      const c = document.querySelector('[data-testid=chart-volume]');
      return c.clientWidth > 0 && c.width === Math.round(c.clientWidth * r);
    }, r);
  await cdp.send('Emulation.setDeviceMetricsOverride', metrics(2));
  await ratio(2);
  const sharp = await pixels(page, 'volume');
  assert.ok(sharp.marks > sharp.total * 0.02, 'drawn at ratio 2');
  await cdp.send('Emulation.setDeviceMetricsOverride', metrics(1));
  await ratio(1);
  await cdp.detach();
  await page.setViewportSize(vp);

  // PNG export of each chart.
  for (const name of want) {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.click(`[data-testid=chart-png-${name}]`),
    ]);
    assert.equal(download.suggestedFilename(), `logsieve-${name}.png`);
    const bytes = fs.readFileSync(await download.path());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}: a PNG`);
    assert.ok(bytes.length > 2000, `${name}: a PNG of the chart (${bytes.length} bytes)`);
  }
  h.assertNoOffOrigin();
  await h.assertNoCspViolations();
});

test('dragging across the volume chart narrows the table, the charts and the findings; Reset restores them', async () => {
  const { page } = h;
  // Still the access log of the previous test; open it again if this test runs alone.
  if ((await page.$('[data-testid=chart-status]')) === null) await openAndDraw(page, ACCESS());
  const total = await viewCount(page);
  assert.equal(total, 10_000);
  const fullStatus = await dataSeries(page, 'status');
  const fullVolume = await dataSeries(page, 'volume');
  await page.waitForSelector('[data-testid=findings-view][data-state=done]', { state: 'attached' });
  const drawnBefore = await page.getAttribute('[data-testid=charts]', 'data-drawn');

  await dragVolume(page, 0.3, 0.6);
  await page.waitForSelector('[data-testid=chart-range]');
  await page.waitForFunction(
    (d) => {
      const el = document.querySelector('[data-testid=charts]');
      return el.dataset.state === 'done' && el.dataset.drawn && el.dataset.drawn !== d;
    },
    drawnBefore,
    { timeout: 60_000 },
  );
  await page.waitForSelector('[data-testid=view-count][data-count]');
  const narrowed = await viewCount(page);
  assert.ok(narrowed > 0 && narrowed < total, `the table narrows: ${narrowed} of ${total}`);
  const status = await dataSeries(page, 'status');
  const requests = status.codes.reduce((a, c) => a + c[1], 0);
  assert.equal(requests, narrowed, 'the status chart counts the selected events');
  assert.ok(requests < fullStatus.codes.reduce((a, c) => a + c[1], 0));
  assert.deepEqual(await dataSeries(page, 'volume'), fullVolume, 'the volume chart stays the whole file');
  await page.waitForSelector('[data-testid=findings-view][data-state=done]', { state: 'attached', timeout: 60_000 });
  // The selected range's rows are the table's first rows.
  await page.waitForSelector('[data-testid=event-row][data-line]');
  // The Findings tab says that its findings are the range's, with the range the charts show.
  const selected = (await page.textContent('[data-testid=chart-range]')).match(/^Selected: (.+ UTC) · /)[1];
  const findingsRange = await page.textContent('[data-testid=findings-range]');
  assert.ok(
    findingsRange.startsWith(`Findings for ${selected} (selected on the volume chart)`),
    `findings range line: ${findingsRange}`,
  );

  await page.click('[data-testid=chart-reset]');
  await page.waitForSelector(`[data-testid=view-count][data-count="${total}"]`, { timeout: 60_000 });
  assert.equal(await page.$('[data-testid=chart-range]'), null);
  assert.equal(await page.$('[data-testid=findings-range]'), null, 'the range line goes with the selection');
  await page.waitForSelector('[data-testid=charts][data-state=done][data-drawn]');
  assert.deepEqual(await dataSeries(page, 'status'), fullStatus, 'reset restores the full file');
  await page.waitForSelector('[data-testid=findings-view][data-state=done]', { state: 'attached', timeout: 60_000 });

  // The Findings tab's own Reset clears the selection too.
  await dragVolume(page, 0.3, 0.5);
  await page.waitForSelector('[data-testid=chart-range]');
  await page.click('[data-testid=tab-findings]');
  await page.click('[data-testid=findings-range-reset]');
  await page.waitForSelector(`[data-testid=view-count][data-count="${total}"]`, { timeout: 60_000 });
  assert.equal(await page.$('[data-testid=findings-range]'), null);
  assert.equal(await page.$('[data-testid=chart-range]'), null);
  await page.waitForSelector('[data-testid=findings-view][data-state=done]', { state: 'attached', timeout: 60_000 });
  h.assertNoOffOrigin();
  await h.assertNoCspViolations();
});

test('without the geo database (a failed fetch) the charts still come, without countries, saying why', async () => {
  const { page } = h;
  await page.route('**/geo/country.bin', (route) => route.fulfill({ status: 404, body: 'not found' }));
  try {
    await openAndDraw(page, ACCESS());
    assert.equal(await page.$('[data-testid=chart-geo]'), null, 'no countries chart');
    const note = await page.textContent('[data-testid=geo-note]');
    assert.match(note, /404/);
    const cli = await cliSeries(ACCESS(), false);
    assert.deepEqual(await dataSeries(page, 'clients'), cli.clients, 'clients as `analyze --charts` without --geo');
    assert.deepEqual(await dataSeries(page, 'status'), cli.status);
  } finally {
    await page.unroute('**/geo/country.bin');
  }
});
