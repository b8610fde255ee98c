import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import { Spool, type SpoolOptions } from '../../src/spool/spool.js';
import { FsStore } from '../../src/store/fs.js';
import { ControllableStore, FaultyFs, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

/**
 * A failed write or fsync must reject every append of its batch, leave the spool usable, and the
 * rejected records must never reach the store: not now, not after a restart.
 */
describe('spool write and fsync failures', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let fs: FaultyFs;
  let store: ControllableStore;
  let spool: Spool | undefined;

  const open = (overrides: Partial<SpoolOptions> = {}) =>
    Spool.open({
      dir: path.join(temp.dir, 'spool'),
      store,
      fs,
      spoolMaxBytes: 1024 * 1024,
      memoryMaxBytes: 1024 * 1024,
      segmentMaxBytes: 1024 * 1024,
      uploadConcurrency: 2,
      ...overrides,
    });

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-faults-');
    fs = new FaultyFs();
    store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
    spool = await open();
  });

  afterEach(async () => {
    await spool?.close();
    await temp.remove();
  });

  /** Appends `count` payloads in one tick, so they form one batch. */
  async function appendBatch(count: number, label: string) {
    const payloads = Array.from({ length: count }, (_, i) => samplePayload(`${label} ${i}`));
    const results = await Promise.allSettled(
      payloads.map((p) => (spool as Spool).append(p.id, p.meta, p.body)),
    );
    return { payloads, results };
  }

  /** Nothing of `failed` in the store, every one of `good` there, before and after a restart. */
  async function assertOnlyGoodStored(
    good: Array<{ meta: { key: string } }>,
    failed: Array<{ id: string; meta: { key: string } }>,
  ) {
    await (spool as Spool).drained();
    await (spool as Spool).close();
    spool = await open({ fs: new FaultyFs() });
    await spool.drained();
    for (const p of good) assert.ok(await store.head(p.meta.key), `${p.meta.key} stored`);
    for (const p of failed) {
      assert.equal(await store.head(p.meta.key), undefined, `${p.meta.key} never stored`);
      assert.equal(spool.state(p.id), undefined);
    }
    assert.deepEqual(
      store.attempts.filter((a) => failed.some((p) => p.meta.key === a.key)),
      [],
      'no upload of a rejected record was even attempted',
    );
    const stats = spool.stats();
    assert.equal(stats.quarantined, 0, 'the cut-back left no damage for recovery to find');
    assert.equal(stats.truncatedBytes, 0, 'the cut-back left no torn tail either');
  }

  const cases = [
    { op: 'write', code: 'EIO', expect: { code: 'spool-failed', status: 500 } },
    { op: 'write', code: 'ENOSPC', expect: { code: 'spool-full', status: 503 } },
    { op: 'sync', code: 'EIO', expect: { code: 'spool-failed', status: 500 } },
    { op: 'sync', code: 'ENOSPC', expect: { code: 'spool-full', status: 503 } },
    { op: 'sync', code: 'EDQUOT', expect: { code: 'spool-full', status: 503 } },
  ] as const;

  for (const { op, code, expect } of cases) {
    it(`${code} on ${op} rejects the whole batch as ${expect.code}, and the spool goes on`, async () => {
      const before = await appendBatch(3, 'before');
      assert.ok(before.results.every((r) => r.status === 'fulfilled'));

      // A torn write (a few bytes really reach the file) is the nastier case for a write.
      fs.failNext(op, code, { pathIncludes: '.seg', partialBytes: 100 });
      const failed = await appendBatch(5, 'failed');
      for (const result of failed.results) {
        assert.equal(result.status, 'rejected');
        const error = (result as PromiseRejectedResult).reason;
        assert.ok(error instanceof QuickstowError);
        assert.equal(error.code, expect.code);
        assert.equal(error.status, expect.status);
        if (expect.status === 503) assert.ok(Number(error.headers['retry-after']) >= 1);
      }

      const after = await appendBatch(3, 'after');
      assert.ok(
        after.results.every((r) => r.status === 'fulfilled'),
        'usable after the failure',
      );
      assert.ok(await (spool as Spool).writable());

      await assertOnlyGoodStored([...before.payloads, ...after.payloads], failed.payloads);
    });
  }

  it('refuses every append when a failed write cannot even be cut back', async () => {
    fs.failNext('sync', 'EIO', { pathIncludes: '.seg' });
    fs.failNext('truncate', 'EIO', { pathIncludes: '.seg' });
    const failed = await appendBatch(2, 'failed');
    assert.ok(failed.results.every((r) => r.status === 'rejected'));
    const later = await appendBatch(1, 'later');
    const refusal = (later.results[0] as PromiseRejectedResult).reason;
    assert.ok(refusal instanceof QuickstowError);
    assert.equal(refusal.code, 'spool-failed');
    assert.equal(await (spool as Spool).writable(), false);
    assert.equal((spool as Spool).stats().broken, true);
  });

  it('fails the batch, not the spool, when creating a segment hits ENOSPC', async () => {
    fs.failNext('open', 'ENOSPC', { pathIncludes: '.seg' });
    const failed = await appendBatch(2, 'failed');
    for (const result of failed.results) {
      assert.equal((result as PromiseRejectedResult).reason.code, 'spool-full');
    }
    const after = await appendBatch(2, 'after');
    assert.ok(after.results.every((r) => r.status === 'fulfilled'));
    await assertOnlyGoodStored(after.payloads, failed.payloads);
  });
});
