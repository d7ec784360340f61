// The Findings tab: a Spring Boot log with an exhausted HikariCP pool shows a critical `db_pool_exhausted`
// finding; the page's findings are `logsieve analyze FILE --json`'s (kind and severity, in order); an evidence line
// jumps to its event in the (unfiltered) table and selects it; a Kubernetes manifest gets the Kubernetes view with
// the corrected YAML; planted secrets never reach the findings panel.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { openPage, dropFile, BIN, SHARED } from './harness.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'crates/findings/tests/fixtures');
const HIKARI = path.join(FIXTURES, 'spring_hikari_websocket.log');
const TOMCAT_FD = path.join(FIXTURES, 'tomcat_too_many_open_files.log');
const SECRETS = path.join(FIXTURES, 'secrets_planted.log');
const SECRETS_EXPECT = path.join(FIXTURES, 'secrets_planted.expect');

let h;
before(async () => {
  h = await openPage();
});
after(async () => {
  await h?.close();
});

/** `logsieve analyze FILE --json`: its findings. */
function cliFindings(file) {
  const r = spawnSync(BIN(), ['analyze', file, '--json'], { maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  assert.ok(r.status === 0 || r.status === 1, `logsieve analyze ${file}: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8')).findings;
}

/** Drops `file`, waits for the findings and shows the Findings tab. */
async function showFindings(page, file) {
  const st = await dropFile(page, path.basename(file), fs.readFileSync(file));
  assert.equal(st.state, 'done', `${file}: ${st.text}`);
  await page.waitForSelector('[data-testid=findings-view][data-state=done]', { state: 'attached', timeout: 60_000 });
  await page.click('[data-testid=tab-findings]');
  await page.waitForSelector('[data-testid=findings-view]', { state: 'visible' });
}

async function pageFindings(page) {
  return page.$$eval('[data-testid=finding]', (els) =>
    els.map((e) => ({ kind: e.dataset.kind, severity: e.dataset.severity })),
  );
}

test('a Spring Boot log: db_pool_exhausted, the CLI findings in order, evidence jumps to its event', async () => {
  const { page } = h;
  await showFindings(page, HIKARI);
  await page.waitForSelector('[data-testid=finding][data-kind=db_pool_exhausted][data-severity=critical]', {
    state: 'visible',
  });
  const want = cliFindings(HIKARI).map((f) => ({ kind: f.kind, severity: f.severity }));
  assert.ok(want.length > 0, 'the CLI finds something');
  assert.deepEqual(await pageFindings(page), want);

  // Filters first, so that the jump has to clear them.
  await page.click('[data-testid=tab-events]');
  await page.fill('[data-testid=search]', 'no event has this text');
  await page.press('[data-testid=search]', 'Enter');
  await page.waitForSelector('[data-testid=view-count][data-count="0"]');
  await page.click('[data-testid=tab-findings]');

  const link = page.locator(
    '[data-testid=finding][data-kind=db_pool_exhausted] [data-testid=evidence-line]',
  ).last();
  const line = Number(await link.getAttribute('data-line'));
  await link.click();
  await page.waitForSelector('[data-testid=event-table]', { state: 'visible' });
  const row = page.locator('[data-testid=event-row].selected');
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(Number(await row.getAttribute('data-line')), line, 'the selected row is the evidence line');
  await page.waitForSelector(`[data-testid=event-detail]`, { state: 'visible' });
  assert.equal(await page.inputValue('[data-testid=search]'), '', 'the search is cleared');
  h.assertNoOffOrigin();
  await h.assertNoCspViolations();
});

test('a Kubernetes manifest: the Kubernetes view with the corrected YAML', async () => {
  const { page } = h;
  const file = path.join(SHARED(), 'samples/k8s_manifests/privileged__privileged-true.yml');
  await showFindings(page, file);
  const f = page.locator('[data-testid=k8s-view] [data-testid=finding][data-kind=k8s_privileged]').first();
  await f.waitFor({ state: 'visible' });
  const fix = await f.locator('[data-testid=k8s-fix]').textContent();
  assert.match(fix, /privileged: false/);
  assert.ok((await f.locator('[data-testid=copy]').count()) > 0, 'a Copy button');
  const want = cliFindings(file).map((f) => ({ kind: f.kind, severity: f.severity }));
  const got = await pageFindings(page);
  const sort = (v) => v.map((x) => `${x.severity} ${x.kind}`).sort();
  assert.deepEqual(sort(got), sort(want), 'the same findings as logsieve analyze');
});

test('kubectl get pods -A text: the Kubernetes view with the cluster-state findings', async () => {
  const { page } = h;
  const file = path.resolve('crates/k8s/tests/fixtures/get-pods-A.txt');
  await showFindings(page, file);
  for (const kind of ['k8s_evicted', 'k8s_oomkilled', 'k8s_crash_loop', 'k8s_image_pull', 'k8s_pending']) {
    const f = page.locator(`[data-testid=k8s-view] [data-testid=finding][data-kind=${kind}]`).first();
    await f.waitFor({ state: 'visible' });
  }
  const want = cliFindings(file).map((f) => ({ kind: f.kind, severity: f.severity }));
  const got = await pageFindings(page);
  const sort = (v) => v.map((x) => `${x.severity} ${x.kind}`).sort();
  assert.deepEqual(sort(got), sort(want), 'the same findings as logsieve analyze');
});

test('planted secrets never reach the findings panel', async () => {
  const { page } = h;
  await showFindings(page, SECRETS);
  const values = fs
    .readFileSync(SECRETS_EXPECT, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t').slice(1).join('\t'))
    .filter((v) => v);
  assert.ok(values.length > 0);
  assert.ok((await page.locator('[data-testid=finding]').count()) > 0, 'some findings');
  const text = await page.$eval('[data-testid=findings-view]', (el) => el.textContent + '\n' + el.outerHTML);
  for (const v of values) assert.ok(!text.includes(v), `a planted value is in the findings panel: ${v}`);
});

test('Too many open files: the page names the CLI\'s top suspect first, in the summary and the suspects list', async () => {
  const { page } = h;
  await showFindings(page, TOMCAT_FD);
  const want = cliFindings(TOMCAT_FD).find((f) => f.kind === 'fd_exhaustion');
  assert.ok(want?.suspects?.length > 0, 'the CLI names suspects');
  const card = page.locator('[data-testid=finding][data-kind=fd_exhaustion]');
  await card.waitFor({ state: 'visible' });
  const summary = await card.locator('.finding-summary').textContent();
  assert.ok(summary.includes(`probably through '${want.suspects[0].name}'`), summary);
  const first = card.locator('[data-testid=suspect]').first();
  assert.equal(await first.getAttribute('data-kind'), want.suspects[0].kind);
  assert.equal(await first.locator('code').textContent(), want.suspects[0].name);
  assert.equal(await card.locator('[data-testid=suspect]').count(), want.suspects.length);
});
