// Bad and unusual input: gzip, a truncated gzip, an empty file, CRLF with invalid UTF-8, binary content, a 50 MB
// line. Each gives a clear status, loses nothing, and exports exactly what the CLI prints.
//
// A truncated gzip ends `done` with a visible warning (the engine's message), and its events before the cut are
// kept, counted and exported, as `logsieve parse` prints them (it exits 1).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  openPage,
  openFile,
  dropFile,
  cliParse,
  countLines,
  exportNdjson,
  assertSameNdjson,
  loghubLogs,
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

/** Opens `file`, checks the count and the export against the CLI; returns the status. */
async function checkAgainstCli(file, { state = 'done' } = {}) {
  const cli = cliParse(file);
  const st = await openFile(h.page, file);
  assert.equal(st.state, state, `${path.basename(file)}: ${st.text}`);
  assert.equal(st.events, countLines(cli.stdout), `${path.basename(file)}: events`);
  assert.equal(st.bytes, fs.statSync(file).size);
  const ex = await exportNdjson(h.page);
  assertSameNdjson(ex.bytes, cli.stdout, path.basename(file));
  return { st, cli };
}

function pickLog(name) {
  return loghubLogs().find((f) => f.includes(name)) ?? loghubLogs()[0];
}

test('gzip', async () => {
  const src = pickLog('HDFS');
  const gz = path.join(dir, path.basename(src) + '.gz');
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(src)));
  const { st } = await checkAgainstCli(gz);
  assert.match(st.text, /gzip/);
  // Rows are read back from the decoded text.
  await h.page.waitForSelector('[data-testid=event-row][data-line="1"]');
});

test('truncated gzip: done, the events before the cut, and a visible warning', async () => {
  const src = pickLog('Hadoop');
  const full = zlib.gzipSync(fs.readFileSync(src));
  const cut = path.join(dir, 'cut.log.gz');
  fs.writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
  const { st, cli } = await checkAgainstCli(cut);
  assert.equal(cli.status, 1, 'the CLI reports the truncation');
  assert.ok(st.events > 0, 'events before the cut are kept');
  assert.ok(st.warnings >= 1);
  const warning = await h.page.textContent('[data-testid=warning]');
  assert.match(warning, /truncated/);
});

test('empty file', async () => {
  const empty = path.join(dir, 'empty.log');
  fs.writeFileSync(empty, '');
  const { st } = await checkAgainstCli(empty);
  assert.equal(st.events, 0);
  assert.match(await h.page.textContent('[data-testid=warning]'), /empty/);
});

test('CRLF and invalid UTF-8', async () => {
  const f = path.join(dir, 'crlf.log');
  const parts = [];
  for (let i = 0; i < 500; i++) {
    parts.push(Buffer.from(`2024-05-0${1 + (i % 9)} 10:00:${String(i % 60).padStart(2, '0')} INFO line ${i} `));
    if (i % 7 === 0) parts.push(Buffer.from([0xff, 0xfe, 0xc3]));
    parts.push(Buffer.from(i % 11 === 0 ? '\r\n  continued\r\n' : '\r\n'));
  }
  fs.writeFileSync(f, Buffer.concat(parts));
  await checkAgainstCli(f);
});

test('binary content: read as text, with a warning', async () => {
  const f = path.join(dir, 'binary.bin');
  const b = Buffer.alloc(300_000);
  let x = 12345;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  fs.writeFileSync(f, b);
  const { st } = await checkAgainstCli(f);
  assert.ok(st.warnings >= 1, 'a warning says the file looks binary');
});

test('a 50 MB line', async () => {
  const f = path.join(dir, 'long-line.log');
  const fd = fs.openSync(f, 'w');
  fs.writeSync(fd, 'first line\nstart of a long one ');
  const block = Buffer.alloc(1 << 20, 'x');
  for (let i = 0; i < 50; i++) fs.writeSync(fd, block);
  fs.writeSync(fd, '\nlast line\n');
  fs.closeSync(fd);
  await checkAgainstCli(f);
  // The long row renders (cut to a preview) and its detail opens.
  await h.page.click('[data-testid=event-row][data-line="2"]');
  await h.page.waitForSelector('[data-testid=event-detail] [data-testid=detail-ndjson]');
  const nd = await h.page.textContent('[data-testid=detail-ndjson]');
  assert.match(nd, /"truncated":true/);
});

test('a dropped file (a real drop event) and nothing off-origin', async () => {
  const st = await dropFile(h.page, 'dropped.log', Buffer.from('a\nb\nc\n'));
  assert.equal(st.state, 'done');
  assert.equal(st.events, 3);
  h.assertNoOffOrigin();
  await h.assertNoCspViolations();
});
