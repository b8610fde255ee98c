/**
 * Spool mode over HTTP, in-process: read-your-writes while the store is held back, the
 * Idempotency-Key index (across a restart), fsync and write failures injected through the spool's
 * fs seam, and a corrupted record found at start.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FsStore } from '../../src/store/fs.js';
import { startTestServer, type TestServer } from '../support/serve.js';
import { ControllableStore, FaultyFs } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

type Json = Record<string, unknown>;

async function post(url: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/payloads`, { method: 'POST', body, headers });
  return { response, json: (await response.json()) as Json };
}

async function receiptState(url: string, id: unknown): Promise<unknown> {
  return ((await (await fetch(`${url}/payloads/${id}/receipt`)).json()) as Json).state;
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('serve --mode spool', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(options: { spoolFs?: FaultyFs } = {}) {
    const temp = await tempDir();
    cleanups.push(temp.remove);
    const store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
    const start = async () => {
      const server = await startTestServer(
        { mode: 'spool', shutdownDrainMs: 100 },
        { dataDir: temp.dir, store, spoolFs: options.spoolFs },
      );
      cleanups.push(() => server.close());
      return server;
    };
    return { dir: temp.dir, store, start };
  }

  it('answers 202 once spooled, serves the bytes from the spool while pending, then from the store', async () => {
    const { store, start } = await setUp();
    store.hold();
    const server = await start();
    const body = randomBytes(300_000);
    const { response, json } = await post(server.url, body, { 'content-type': 'application/pdf' });
    assert.equal(response.status, 202);
    assert.equal(json.durability, 'spool');
    assert.equal(await receiptState(server.url, json.id), 'pending');
    const pending = await fetch(`${server.url}/payloads/${json.id}`);
    assert.equal(pending.status, 200);
    assert.equal(pending.headers.get('content-type'), 'application/pdf');
    assert.equal(
      pending.headers.get('content-digest'),
      `sha-256=:${createHash('sha256').update(body).digest('base64')}:`,
    );
    assert.deepEqual(Buffer.from(await pending.arrayBuffer()), body);
    const head = await fetch(`${server.url}/payloads/${json.id}`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(body.length));

    store.release();
    await waitFor(async () => (await receiptState(server.url, json.id)) === 'stored', 'the upload');
    const stored = await fetch(`${server.url}/payloads/${json.id}`);
    assert.deepEqual(Buffer.from(await stored.arrayBuffer()), body);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /quickstow_spool_uploads_total 1/);
    assert.match(metrics, /quickstow_spool_pending_records 0/);
  });

  it('replays an Idempotency-Key with the first receipt, refuses it for another body, and remembers it across a restart', async () => {
    const { start } = await setUp();
    const body = randomBytes(5000);
    let server: TestServer = await start();
    const first = await post(server.url, body, { 'idempotency-key': 'order-42' });
    assert.equal(first.response.status, 202);
    assert.equal(first.response.headers.get('idempotent-replayed'), null);
    const again = await post(server.url, body, { 'idempotency-key': 'order-42' });
    assert.equal(again.response.status, 202);
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.json, first.json);
    const other = await post(server.url, randomBytes(5000), { 'idempotency-key': 'order-42' });
    assert.equal(other.response.status, 422);
    assert.equal(other.json.code, 'idempotency-key-reused');
    const [a, b] = await Promise.all([
      post(server.url, body, { 'idempotency-key': 'same-time' }),
      post(server.url, body, { 'idempotency-key': 'same-time' }),
    ]);
    assert.equal(a.json.id, b.json.id);

    await server.close();
    server = await start();
    const afterRestart = await post(server.url, body, { 'idempotency-key': 'order-42' });
    assert.equal(afterRestart.response.headers.get('idempotent-replayed'), 'true');
    assert.equal(afterRestart.json.id, first.json.id);
  });

  it('acknowledges nothing when fsync fails (500) or the disk is full (503), and recovers', async () => {
    const spoolFs = new FaultyFs();
    const { store, start } = await setUp({ spoolFs });
    store.hold();
    const server = await start();
    spoolFs.failNext('sync', 'EIO', { pathIncludes: '.seg' });
    const eio = await post(server.url, randomBytes(10_000));
    assert.equal(eio.response.status, 500);
    assert.equal(eio.json.code, 'spool-failed');
    spoolFs.failNext('write', 'ENOSPC', { pathIncludes: '.seg', partialBytes: 100 });
    const full = await post(server.url, randomBytes(10_000));
    assert.equal(full.response.status, 503);
    assert.equal(full.json.code, 'spool-full');
    assert.ok(Number(full.response.headers.get('retry-after')) > 0);

    const ok = await post(server.url, randomBytes(10_000));
    assert.equal(ok.response.status, 202);
    store.release();
    await waitFor(
      async () => (await receiptState(server.url, ok.json.id)) === 'stored',
      'the upload',
    );
    await sleep(200);
    assert.deepEqual(
      store.attempts.map((attempt) => attempt.key),
      [ok.json.key],
      'only the acknowledged payload may ever reach the store',
    );
  });

  it('fails /readyz once the spool cannot repair a failed write, and refuses payloads', async () => {
    const spoolFs = new FaultyFs();
    const { start } = await setUp({ spoolFs });
    const server = await start();
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    spoolFs.failNext('sync', 'EIO', { pathIncludes: '.seg' });
    spoolFs.failNext('truncate', 'EIO', { pathIncludes: '.seg' });
    assert.equal((await post(server.url, randomBytes(1000))).response.status, 500);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as Json).code, 'spool-failed');
    const refused = await post(server.url, randomBytes(1000));
    assert.ok(refused.response.status >= 500);
  });

  it('quarantines a corrupted record at start, keeps the good ones, and says so in logs and metrics', async () => {
    const { dir, store, start } = await setUp();
    store.down = true;
    let server = await start();
    const sent = [randomBytes(20_000), randomBytes(20_000), randomBytes(20_000)];
    const receipts: Json[] = [];
    for (const body of sent) receipts.push((await post(server.url, body)).json);
    await server.close();
    store.down = false;

    const spoolDir = path.join(dir, 'spool');
    const segment = (await readdir(spoolDir)).find((name) => name.endsWith('.seg'));
    assert.ok(segment);
    const bytes = await readFile(path.join(spoolDir, segment));
    const at = bytes.indexOf(String(receipts[1]?.id)) + 5000;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    await writeFile(path.join(spoolDir, segment), bytes);

    server = await start();
    for (const index of [0, 2]) {
      await waitFor(
        async () => (await receiptState(server.url, receipts[index]?.id)) === 'stored',
        `record ${index}`,
      );
    }
    const lost = await fetch(`${server.url}/payloads/${receipts[1]?.id}`);
    assert.equal(lost.status, 404);
    await lost.body?.cancel();
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /quickstow_spool_quarantined_records 1/);
    const logged = server.logs().find((line) => /quarantined/.test(String(line.msg)));
    assert.equal(logged?.level, 50);
    assert.ok((await readdir(path.join(spoolDir, 'quarantine'))).length === 1);
  });
});
