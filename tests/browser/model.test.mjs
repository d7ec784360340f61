// The Model panel: nothing of the model is fetched until the user turns it on; then the model worker loads a real
// (tiny, generated, random-weight) Qwen3 GGUF and tokenizer served from model-assets/ next to the page, names each
// template of a log of unknown format once (data-calls = templates sent), and the same log dropped again makes no
// new call (answers cached in IndexedDB by template hash). Then an answer with names (as a real model would give,
// put in the page's cache and in a CLI cache folder) reaches the table's rows and the export, byte for byte what
// `logsieve parse --model` writes with the same cache.
//
// The tiny model is written by `logsieve model-bench --write-tiny DIR` into LOGSIEVE_DIST/model-assets/ for the
// test and removed afterwards.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  openPage,
  openFile,
  dropFile,
  exportNdjson,
  assertSameNdjson,
  tempDir,
  DIST,
  BIN,
  SHARED,
} from './harness.mjs';

let dir;
const written = [];
before(async () => {
  dir = await tempDir();
});
after(() => {
  for (const f of written) fs.rmSync(f, { force: true });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A log no format rule knows, with three templates that have values. */
function unknownLog() {
  let s = '';
  for (let i = 0; i < 40; i++) {
    s += `widget ${i} entered state s${i % 3} after ${10 + i}ms\n`;
    if (i % 2 === 0) s += `spindle ${i * 7} rotated by ${i + 90} degrees\n`;
    if (i % 5 === 0) s += `operator carol${i} logged off console ${i % 4}\n`;
  }
  return s;
}

function run(args) {
  const r = spawnSync(BIN(), args, { maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `logsieve ${args.join(' ')}: ${r.stderr}`);
  return r;
}

function isModelRequest(u) {
  const p = new URL(u).pathname;
  return p.includes('model-worker') || p.includes('/model-assets/');
}

async function modelState(page) {
  return page.$eval('[data-testid=model-state]', (el) => ({
    state: el.dataset.state,
    done: Number(el.dataset.templatesDone),
    total: Number(el.dataset.templatesTotal),
    calls: Number(el.dataset.calls),
    named: Number(el.dataset.named),
  }));
}

/** Waits until every template of the current file was answered and the model is idle. */
async function waitNamed(page, timeout = 180_000) {
  await page.waitForFunction(
    () => {
      const el = document.querySelector('[data-testid=model-state]');
      const total = Number(el.dataset.templatesTotal);
      return el.dataset.state === 'ready' && total > 0 && Number(el.dataset.templatesDone) === total;
    },
    null,
    { timeout },
  );
  return modelState(page);
}

async function turnOn(page) {
  await page.click('[data-testid=model-toggle]');
  await page.waitForSelector('[data-testid=model-state][data-state=ready]', { timeout: 180_000 });
}

test('a page whose model is never turned on fetches no model worker and no model file', async () => {
  const h = await openPage();
  try {
    const log = path.join(dir, 'plain.log');
    fs.writeFileSync(log, unknownLog());
    const st = await openFile(h.page, log);
    assert.equal(st.state, 'done');
    await h.page.waitForSelector('[data-testid=event-row][data-line]');
    // Give anything lazy a moment to show up in the request log.
    await h.page.waitForTimeout(1500);
    assert.equal((await modelState(h.page)).state, 'off');
    assert.ok(h.requests.length > 3, 'the request log records the page');
    const model = h.requests.filter(isModelRequest);
    assert.deepEqual(model, [], `model requests without the model on: ${model.join(', ')}`);
    assert.ok(!h.server.served.some((p) => p.includes('model')), h.server.served.join(', '));
    h.assertNoOffOrigin();
    await h.assertNoCspViolations();
  } finally {
    await h.close();
  }
});

test('turned on, the model names each template once; the same log again makes no call', async () => {
  const assets = path.join(DIST(), 'model-assets');
  fs.mkdirSync(assets, { recursive: true });
  for (const f of ['model.gguf', 'tokenizer.json']) {
    assert.ok(!fs.existsSync(path.join(assets, f)), `${f} already in the dist's model-assets/: a real model?`);
    written.push(path.join(assets, f));
  }
  run(['model-bench', '--write-tiny', assets]);

  const log = path.join(dir, 'widgets.log');
  const text = unknownLog();
  fs.writeFileSync(log, text);
  // The CLI with a cache folder of its own: how many templates need the model.
  const cache = path.join(dir, 'cli-cache');
  const first = run(['parse', log, '--model', assets, '--model-cache', cache, '--model-stats']);
  const cliStats = JSON.parse(first.stderr.toString().trim().split('\n').find((l) => l.startsWith('{')));
  assert.equal(cliStats.templates, 3, JSON.stringify(cliStats));
  assert.equal(cliStats.calls, 3);

  const h = await openPage();
  try {
    assert.deepEqual(h.requests.filter(isModelRequest), []);
    await turnOn(h.page);
    const served = h.server.served;
    assert.ok(served.includes('/model-assets/model.gguf'), served.join(', '));
    assert.ok(served.includes('/model-assets/tokenizer.json'));
    assert.ok(served.some((p) => /model-worker.*\.wasm$/.test(p)), served.join(', '));

    // First drop: every template goes to the model once.
    let st = await dropFile(h.page, 'widgets.log', Buffer.from(text));
    assert.equal(st.state, 'done');
    let m = await waitNamed(h.page);
    assert.equal(m.total, cliStats.templates, JSON.stringify(m));
    assert.equal(m.calls, m.total, `one call per template sent: ${JSON.stringify(m)}`);

    // The same log again: all answers come from the cache.
    st = await dropFile(h.page, 'widgets.log', Buffer.from(text));
    assert.equal(st.state, 'done');
    m = await waitNamed(h.page);
    assert.equal(m.total, cliStats.templates);
    assert.equal(m.calls, cliStats.templates, `no new call: ${JSON.stringify(m)}`);

    // A named answer for the widget template (what a real model gives), in the CLI's cache folder and in the
    // page's IndexedDB under the same key.
    const entries = fs.readdirSync(cache).filter((f) => f.endsWith('.json'));
    assert.equal(entries.length, 3);
    const widgetFile = entries.find((f) =>
      JSON.parse(fs.readFileSync(path.join(cache, f), 'utf8')).template.startsWith('widget'),
    );
    assert.ok(widgetFile, 'the widget template is cached');
    const answer = JSON.parse(fs.readFileSync(path.join(cache, widgetFile), 'utf8'));
    assert.equal(answer.status, 'failed', 'the tiny model gives no JSON');
    const vars = answer.template.split('<*>').length - 1;
    assert.ok(vars >= 2, answer.template);
    answer.status = 'named';
    answer.fields = [];
    answer.names = {
      names: ['widget_id', 'state', 'duration_ms'].slice(0, vars).concat(Array(Math.max(0, vars - 3)).fill(null)),
      constants: [],
      unmatched: [],
    };
    answer.reason = '';
    fs.writeFileSync(path.join(cache, widgetFile), JSON.stringify(answer));
    const key = widgetFile.replace(/\.json$/, '');
    await h.page.evaluate(
      ({ key, value }) =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open('logsieve-model', 1);
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const tx = req.result.transaction('answers', 'readwrite');
            tx.objectStore('answers').put(value, key);
            tx.oncomplete = () => {
              req.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
      { key, value: JSON.stringify(answer) },
    );
    // The worker reads the cache when the model loads: off and on again.
    await h.page.click('[data-testid=model-toggle]');
    await h.page.waitForSelector('[data-testid=model-state][data-state=off]');
    await turnOn(h.page);
    m = await waitNamed(h.page);
    assert.equal(m.calls, 0, `all cached: ${JSON.stringify(m)}`);
    assert.equal(m.named, 1, JSON.stringify(m));

    // The rows of the widget template show the fields, with each event's own values.
    await h.page.waitForSelector('[data-testid=row-fields]', { timeout: 30_000 });
    const rows = await h.page.$$eval('[data-testid=event-row]', (els) =>
      els
        .filter((e) => e.querySelector('[data-testid=row-fields]'))
        .map((e) => ({
          msg: e.querySelector('.c-msg').textContent,
          fields: e.querySelector('[data-testid=row-fields]').textContent,
        })),
    );
    assert.ok(rows.length >= 5, JSON.stringify(rows));
    for (const r of rows) {
      const id = r.msg.split(' ')[1];
      assert.ok(r.msg.startsWith('widget '), JSON.stringify(r));
      assert.ok(r.fields.includes(`widget_id=${id}`), JSON.stringify(r));
    }

    // The export carries them exactly as `logsieve parse --model` with the same cache.
    const cli = run(['parse', log, '--model', assets, '--model-cache', cache, '--model-stats']);
    const again = JSON.parse(cli.stderr.toString().trim().split('\n').find((l) => l.startsWith('{')));
    assert.equal(again.calls, 0);
    assert.ok(cli.stdout.toString().includes('"fields":{"widget_id":"0"'));
    const { bytes } = await exportNdjson(h.page);
    assertSameNdjson(bytes, cli.stdout, 'export with model fields');

    // The detail of a widget event shows them too.
    await h.page.click('[data-testid=event-row][data-event="0"]');
    await h.page.waitForSelector('[data-testid=event-detail][data-event="0"] [data-testid=detail-ndjson]');
    const nd = await h.page.textContent('[data-testid=detail-ndjson]');
    assert.equal(nd, cli.stdout.toString().split('\n')[0]);

    h.assertNoOffOrigin();
    await h.assertNoCspViolations();
  } finally {
    await h.close();
  }
});

test('without OPFS the model files are kept in IndexedDB', async () => {
  const assets = path.join(DIST(), 'model-assets');
  if (!fs.existsSync(path.join(assets, 'model.gguf'))) {
    for (const f of ['model.gguf', 'tokenizer.json']) written.push(path.join(assets, f));
    run(['model-bench', '--write-tiny', assets]);
  }
  const h = await openPage();
  try {
    // A browser without the origin-private file system.
    await h.page.addInitScript(() => {
      StorageManager.prototype.getDirectory = () => Promise.reject(new DOMException('no OPFS', 'SecurityError'));
    });
    await h.page.reload();
    await h.page.waitForSelector('[data-testid=status][data-state=idle]');
    await turnOn(h.page);
    const stored = await h.page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open('logsieve-model-files');
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            const get = req.result.transaction('files').objectStore('files').getAll();
            get.onsuccess = () => {
              // Closed, or it would block the page's deleteDatabase below.
              req.result.close();
              resolve(get.result.map((b) => b.size).sort((a, b) => a - b));
            };
            get.onerror = () => reject(get.error);
          };
        }),
    );
    const sizes = ['tokenizer.json', 'model.gguf'].map((f) => fs.statSync(path.join(assets, f)).size);
    assert.deepEqual(stored, sizes.sort((a, b) => a - b));
    // A later visit loads them from there, not from model-assets/.
    await h.page.click('[data-testid=model-toggle]');
    await h.page.waitForSelector('[data-testid=model-state][data-state=off]');
    const before = h.server.served.filter((p) => p.startsWith('/model-assets/')).length;
    await turnOn(h.page);
    const msg = await h.page.textContent('[data-testid=model-message]');
    assert.equal(h.server.served.filter((p) => p.startsWith('/model-assets/')).length, before, msg);
    // Delete removes them.
    await h.page.click('[data-testid=model-delete]');
    await h.page.waitForFunction(() =>
      document.querySelector('[data-testid=model-message]').textContent.includes('deleted'),
    );
    const names = await h.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    assert.ok(!names.includes('logsieve-model-files'), names.join(', '));
  } finally {
    await h.close();
  }
});

test('a new file while the model works stops it and names the new file', async () => {
  const assets = path.join(DIST(), 'model-assets');
  if (!fs.existsSync(path.join(assets, 'model.gguf'))) {
    for (const f of ['model.gguf', 'tokenizer.json']) written.push(path.join(assets, f));
    run(['model-bench', '--write-tiny', assets]);
  }
  // A log with many templates (Android's 158), so that the model is still at work when the next file comes.
  const many = path.join(SHARED(), 'loghub', 'Android', 'Android_2k.log');
  assert.ok(fs.existsSync(many), many);
  const h = await openPage();
  try {
    await turnOn(h.page);
    const wasmFetches = () => h.server.served.filter((p) => /model-worker.*\.wasm$/.test(p)).length;
    assert.equal(wasmFetches(), 1);
    const st = await openFile(h.page, many);
    assert.equal(st.state, 'done');
    await h.page.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid=model-state]');
        return el.dataset.state === 'running' && Number(el.dataset.templatesDone) >= 2;
      },
      null,
      { timeout: 120_000 },
    );
    const busy = await modelState(h.page);
    assert.ok(busy.total > 20 && busy.done < busy.total, JSON.stringify(busy));

    // The next file: the running generation is stopped (a fresh worker loads the model again), the queue is the
    // new file's.
    await dropFile(h.page, 'widgets.log', Buffer.from(unknownLog()));
    const m = await waitNamed(h.page);
    assert.equal(m.total, 3, JSON.stringify(m));
    assert.ok(m.calls >= busy.calls + 3, `${JSON.stringify(busy)} then ${JSON.stringify(m)}`);
    assert.equal(wasmFetches(), 2, 'a fresh model worker');
  } finally {
    await h.close();
  }
});
