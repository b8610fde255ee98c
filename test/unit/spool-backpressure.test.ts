import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import { Spool, type SpoolOptions } from '../../src/spool/spool.js';
import { FsStore } from '../../src/store/fs.js';
import { ControllableStore, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

/** Never acknowledge what cannot be kept: refuse with 503 + Retry-After, accept again later. */
describe('spool backpressure', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let store: ControllableStore;
  let spool: Spool | undefined;

  const open = (overrides: Partial<SpoolOptions>) =>
    Spool.open({
      dir: path.join(temp.dir, 'spool'),
      store,
      spoolMaxBytes: 1024 * 1024,
      memoryMaxBytes: 1024 * 1024,
      segmentMaxBytes: 1024 * 1024,
      uploadConcurrency: 2,
      ...overrides,
    });

  const kilobyte = (i: number) => samplePayload(Buffer.alloc(1000, i));

  function assertRefused(error: unknown, code: string): boolean {
    assert.ok(error instanceof QuickstowError);
    assert.equal(error.code, code);
    assert.equal(error.status, 503);
    assert.match(error.headers['retry-after'] ?? '', /^[1-9]\d*$/);
    return true;
  }

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-bp-');
    store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
  });

  afterEach(async () => {
    store.release();
    await spool?.drained();
    await spool?.close();
    await temp.remove();
  });

  it('refuses with spool-full when pending bytes would pass spoolMaxBytes, then accepts again', async () => {
    store.hold();
    spool = await open({ spoolMaxBytes: 4500 }); // three records of ~1.3 kB, not four
    const accepted = [];
    for (let i = 0; i < 3; i += 1) {
      const p = kilobyte(i);
      await spool.append(p.id, p.meta, p.body);
      accepted.push(p);
    }
    const refused = kilobyte(9);
    await assert.rejects(spool.append(refused.id, refused.meta, refused.body), (error) =>
      assertRefused(error, 'spool-full'),
    );
    assert.ok(spool.stats().pendingBytes <= 4500);
    assert.equal(spool.state(refused.id), undefined, 'nothing of a refused payload is kept');

    store.release();
    await spool.drained();
    assert.equal(spool.stats().pendingBytes, 0);
    await spool.append(refused.id, refused.meta, refused.body);
    await spool.drained();
    for (const p of [...accepted, refused]) assert.ok(await store.head(p.meta.key));
  });

  it('refuses with memory-full while uploads in flight hold the memory budget', async () => {
    store.hold();
    spool = await open({ memoryMaxBytes: 3000 });
    for (let i = 0; i < 2; i += 1) {
      const p = kilobyte(i);
      await spool.append(p.id, p.meta, p.body);
    }
    // Both uploads are now in flight (held), each holding its record in memory.
    assert.equal(spool.stats().uploadsInFlight, 2);
    assert.ok(spool.stats().memoryBytes > 2000);
    const refused = kilobyte(9);
    await assert.rejects(spool.append(refused.id, refused.meta, refused.body), (error) =>
      assertRefused(error, 'memory-full'),
    );

    store.release();
    await spool.drained();
    assert.equal(spool.stats().memoryBytes, 0);
    await spool.append(refused.id, refused.meta, refused.body);
  });

  it('counts payloads queued for the next write against the memory budget', async () => {
    store.hold();
    spool = await open({ memoryMaxBytes: 3000, uploadConcurrency: 1 });
    const payloads = Array.from({ length: 5 }, (_, i) => kilobyte(i));
    const results = await Promise.allSettled(
      payloads.map((p) => (spool as Spool).append(p.id, p.meta, p.body)),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected'],
    );
    for (const r of results.slice(2))
      assertRefused((r as PromiseRejectedResult).reason, 'memory-full');
  });

  it('refuses a payload that could never fit with 413, not a 503 to retry forever', async () => {
    spool = await open({ spoolMaxBytes: 2000 });
    const huge = samplePayload(Buffer.alloc(5000));
    await assert.rejects(
      spool.append(huge.id, huge.meta, huge.body),
      (error) => error instanceof QuickstowError && error.code === 'payload-too-large',
    );
  });
});
