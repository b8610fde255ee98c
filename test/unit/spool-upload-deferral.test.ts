/**
 * Uploads yield to acknowledgements: while appends keep arriving a record waits for a pause or
 * for its maximum deferral, whichever comes first; closing ends every deferral.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Spool, type SpoolOptions } from '../../src/spool/spool.js';
import { UploadDeferral } from '../../src/spool/upload-deferral.js';
import { FsStore } from '../../src/store/fs.js';
import { ControllableStore, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

describe('UploadDeferral', () => {
  it('waits for a pause in appends, or until the record is due, whichever is first', () => {
    let now = 0;
    const deferral = new UploadDeferral(1000, 20, () => now);
    const first = deferral.noteAppend();
    now = 5;
    assert.equal(deferral.waitMs(first), 15, 'until 20 ms without an append');
    // Appends every 10 ms: never a pause, so the first record waits until it is due.
    for (now = 10; now <= 990; now += 10) deferral.noteAppend();
    now = 995;
    assert.equal(deferral.waitMs(first), 5);
    now = 1000;
    assert.equal(deferral.waitMs(first), 0);
    const later = deferral.noteAppend();
    assert.equal(deferral.waitMs(later), 20);
    now = 1020;
    assert.equal(deferral.waitMs(later), 0, 'the pause came before it was due');
  });

  it('never holds records found at open, nor anything when the deferral is 0', () => {
    let now = 0;
    const deferral = new UploadDeferral(1000, 20, () => now);
    deferral.noteAppend();
    assert.equal(deferral.waitMs(Number.NEGATIVE_INFINITY), 0);
    const off = new UploadDeferral(0, 20, () => now);
    now = 1;
    assert.equal(off.waitMs(off.noteAppend()), 0);
  });
});

describe('spool with deferred uploads', () => {
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
      uploadConcurrency: 4,
      ...overrides,
    });

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-defer-');
    store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
  });

  afterEach(async () => {
    await spool?.close();
    spool = undefined;
    await temp.remove();
  });

  it('holds uploads while no pause came, and uploads them all when closing', async () => {
    spool = await open({ uploadDeferMs: 60_000, uploadQuietMs: 60_000 });
    const payloads = [0, 1, 2].map((i) => samplePayload(`payload ${i}`));
    for (const p of payloads) await spool.append(p.id, p.meta, p.body);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(store.attempts.length, 0, 'nothing uploaded yet');
    assert.equal(spool.state(payloads[0]?.id as string), 'pending');
    await spool.close({ drainMs: 10_000 });
    assert.deepEqual(
      store.attempts.map((attempt) => attempt.ok),
      [true, true, true],
    );
    for (const p of payloads) assert.ok(await store.head(p.meta.key), p.id);
  });

  it('uploads a record once it is due even if appends never pause', async () => {
    spool = await open({ uploadDeferMs: 50, uploadQuietMs: 60_000 });
    const p = samplePayload('due');
    await spool.append(p.id, p.meta, p.body);
    await spool.drained();
    assert.equal(spool.state(p.id), 'stored');
    assert.deepEqual(await store.head(p.meta.key), p.meta);
  });
});
