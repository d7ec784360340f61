// Shared helpers of the browser tests: a static server for dist/, headless Chromium through playwright-core with
// every request recorded, the CLI as the reference, and page actions (open a file, wait for the status, export).
//
// Environment (all required but CHROMIUM):
//   LOGSIEVE_DIST    the built page (dist/ after `trunk build --release` and the post-build step)
//   LOGSIEVE_BIN     the release `logsieve` binary (the reference output)
//   LOGSIEVE_SHARED  the shared folder (loghub/ inside)
//   CHROMIUM         the browser (default /usr/bin/chromium)

import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';

export function env(name, fallback) {
  const v = process.env[name] ?? fallback;
  if (!v) throw new Error(`${name} is not set (see tests/browser/harness.mjs)`);
  return v;
}

export const DIST = () => path.resolve(env('LOGSIEVE_DIST'));
export const BIN = () => path.resolve(env('LOGSIEVE_BIN'));
export const SHARED = () => path.resolve(env('LOGSIEVE_SHARED'));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves `root` on 127.0.0.1 (a free port). Returns { origin, close(), served: [paths] }. */
export async function serve(root) {
  const served = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel).replace(/^([/\\])+/, ''));
    served.push(url.pathname);
    if (!file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await fsp.readFile(file);
      res.writeHead(200, {
        'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    served,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Collects the page's console errors and uncaught exceptions into `consoleErrors`, and (from the next navigation
 * on) its CSP violations into `window.__cspViolations`.
 */
export async function watchPage(page, consoleErrors) {
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
}

/**
 * Starts the server and the browser and opens the page. Every request the page or its worker makes is recorded
 * twice: by the context's `request` event and by a context-wide route (which also blocks anything off-origin, so
 * that nothing could leave even if the page tried). `assertNoOffOrigin()` fails on any of them.
 */
export async function openPage() {
  const server = await serve(DIST());
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({ acceptDownloads: true });
  const requests = [];
  const offOrigin = [];
  const isSameOrigin = (u) => {
    const url = new URL(u);
    if (url.protocol === 'data:') return true;
    return url.origin === server.origin; // blob:http://127.0.0.1:port/... has the page's origin
  };
  context.on('request', (r) => {
    requests.push(r.url());
    if (!isSameOrigin(r.url())) offOrigin.push(r.url());
  });
  await context.route('**/*', (route) => {
    const u = route.request().url();
    requests.push(u);
    if (!isSameOrigin(u)) {
      offOrigin.push(u);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  const consoleErrors = [];
  await watchPage(page, consoleErrors);
  await page.goto(server.origin + '/');
  await page.waitForSelector('[data-testid=status][data-state=idle]');
  return {
    page,
    server,
    browser,
    requests,
    consoleErrors,
    assertNoOffOrigin() {
      assert.deepEqual(offOrigin, [], `off-origin requests: ${offOrigin.join(', ')}`);
    },
    async assertNoCspViolations() {
      const v = await page.evaluate(() => window.__cspViolations);
      assert.deepEqual(v, [], `CSP violations: ${v.join('; ')}`);
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** `logsieve parse FILE`: its stdout (a Buffer) and exit status (1 for a truncated gzip, with the events before). */
export function cliParse(file) {
  const r = spawnSync(BIN(), ['parse', file], { maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, `logsieve parse ${file}: exit ${r.status}: ${r.stderr}`);
  return { stdout: r.stdout, status: r.status, stderr: r.stderr.toString() };
}

export function countLines(buf) {
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** Status attributes. */
export async function status(page) {
  return page.$eval('[data-testid=status]', (el) => ({
    state: el.dataset.state,
    events: el.dataset.events === undefined ? undefined : Number(el.dataset.events),
    bytes: el.dataset.bytes === undefined ? undefined : Number(el.dataset.bytes),
    elapsedMs: el.dataset.elapsedMs === undefined ? undefined : Number(el.dataset.elapsedMs),
    warnings: Number(el.dataset.warnings ?? 0),
    wasmMemoryBytes: Number(el.dataset.wasmMemoryBytes ?? 0),
    text: el.textContent,
  }));
}

/** Marks the status as stale, so that waiting for `done` waits for the next file's. */
async function markStale(page) {
  await page.$eval('[data-testid=status]', (el) => el.setAttribute('data-state', 'stale'));
}

export async function waitFinished(page, timeout = 120_000) {
  await page.waitForSelector('[data-testid=status][data-state=done], [data-testid=status][data-state=error]', {
    timeout,
  });
  return status(page);
}

/** Gives the file to `input[type=file]` and waits for `done` or `error`. */
export async function openFile(page, file, timeout) {
  await markStale(page);
  await page.setInputFiles('input[type=file]', file);
  return waitFinished(page, timeout);
}

/** Drops a file on the drop zone as a real `drop` event with a DataTransfer (bytes given inline). */
export async function dropFile(page, name, bytes) {
  await markStale(page);
  await page.evaluate(
    ({ name, b64 }) => {
      const bin = atob(b64);
      const arr = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([arr], name));
      const zone = document.querySelector('[data-testid=dropzone]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { name, b64: Buffer.from(bytes).toString('base64') },
  );
  return waitFinished(page);
}

/** Clicks "Export NDJSON" and returns the downloaded bytes and the suggested file name. */
export async function exportNdjson(page, timeout = 120_000) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout }),
    page.click('[data-testid=export-ndjson]'),
  ]);
  const p = await download.path();
  return { bytes: await fsp.readFile(p), name: download.suggestedFilename() };
}

/** Asserts two NDJSON outputs are equal, naming the first differing line. */
export function assertSameNdjson(got, want, what) {
  if (Buffer.compare(got, want) === 0) return;
  const g = got.toString('utf8').split('\n');
  const w = want.toString('utf8').split('\n');
  const i = g.findIndex((line, k) => line !== w[k]);
  assert.fail(
    `${what}: the export differs from the CLI (${got.length} vs ${want.length} bytes); first at line ${i + 1}:\n` +
      `  page: ${String(g[i]).slice(0, 300)}\n  cli:  ${String(w[i]).slice(0, 300)}`,
  );
}

export function loghubLogs() {
  const dir = path.join(SHARED(), 'loghub');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      fs
        .readdirSync(path.join(dir, d.name))
        .filter((f) => f.endsWith('_2k.log'))
        .map((f) => path.join(dir, d.name, f)),
    )
    .sort();
}

export async function tempDir() {
  return fsp.mkdtemp(path.join(os.tmpdir(), 'logsieve-browser-'));
}

/** Visible rows with data loaded. */
export async function loadedRows(page) {
  return page.$$eval('[data-testid=event-row][data-line]', (rows) =>
    rows.map((r) => ({ line: Number(r.dataset.line), event: Number(r.dataset.event), text: r.textContent })),
  );
}

export async function viewCount(page) {
  await page.waitForSelector('[data-testid=view-count][data-count]');
  return Number(await page.getAttribute('[data-testid=view-count]', 'data-count'));
}
