import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Spool, type SpoolOptions } from '../../src/spool/spool.js';
import { FsStore } from '../../src/store/fs.js';
import { ControllableStore, FaultyFs, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

describe('spool read-your-writes, state and stats', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let store: ControllableStore;
  let fs: FaultyFs;
  let spool: Spool | undefined;
  let nowMs = Date.UTC(2026, 0, 2, 3, 4, 5);

  const open = (overrides: Partial<SpoolOptions> = {}) =>
    Spool.open({
      dir: path.join(temp.dir, 'spool'),
      store,
      fs,
      clock: { now: () => nowMs },
      spoolMaxBytes: 1024 * 1024,
      memoryMaxBytes: 1024 * 1024,
      segmentMaxBytes: 1024,
      uploadConcurrency: 2,
      ...overrides,
    });

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-read-');
    store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
    fs = new FaultyFs();
  });

  afterEach(async () => {
    // Let held uploads finish before the folder goes (close does not wait past drainMs).
    store.down = false;
    store.release();
    await spool?.drained();
    await spool?.close();
    await temp.remove();
  });

  it('serves a pending payload from its segment on disk', async () => {
    store.hold();
    spool = await open();
    const p = samplePayload('read me back', { contentType: 'text/plain', nowMs });
    await spool.append(p.id, p.meta, p.body);
    const readsBefore = fs.count('read', '.seg');
    const read = await spool.read(p.id);
    assert.deepEqual(read?.meta, p.meta);
    assert.equal(read?.body.toString(), 'read me back');
    assert.ok(fs.count('read', '.seg') > readsBefore, 'read from the segment file');
    assert.deepEqual(spool.head(p.id), p.meta);
    assert.equal(spool.state(p.id), 'pending');
  });

  it('reports pending, then stored, then nothing once its segment is gone', async () => {
    store.hold();
    spool = await open();
    const first = samplePayload(Buffer.alloc(600, 1));
    await spool.append(first.id, first.meta, first.body);
    assert.equal(spool.state(first.id), 'pending');

    store.release();
    await spool.drained();
    assert.equal(spool.state(first.id), 'stored', 'remembered while its segment is active');

    const second = samplePayload(Buffer.alloc(600, 2)); // does not fit: rolls the segment over
    await spool.append(second.id, second.meta, second.body);
    await spool.drained();
    assert.equal(spool.state(first.id), undefined, 'forgotten: ask the store');
    assert.equal(await spool.read(first.id), undefined);
    assert.ok(await store.head(first.meta.key));
    assert.equal(spool.state(samplePayload('never seen').id), undefined);
  });

  it('never fails a read that races with the upload and deletion of its segment', async () => {
    spool = await open({ segmentMaxBytes: 512 });
    const payloads = Array.from({ length: 20 }, (_, i) => samplePayload(`racing ${i}`));
    await Promise.all(
      payloads.map(async (p) => {
        await (spool as Spool).append(p.id, p.meta, p.body);
        const read = await (spool as Spool).read(p.id);
        // Either still in the spool, or already stored and gone from it.
        if (read !== undefined) assert.equal(read.body.toString(), p.body.toString());
        else assert.ok(await store.head(p.meta.key));
      }),
    );
  });

  it('exposes pending records, bytes and the age of the oldest for metrics', async () => {
    store.down = true;
    spool = await open({ backoff: { baseMs: 1000, maxMs: 1000 } });
    assert.equal(spool.stats().oldestPendingAgeMs, 0);
    const old = samplePayload('old', { nowMs: nowMs - 1500 });
    const young = samplePayload('young', { nowMs: nowMs - 200 });
    await spool.append(old.id, old.meta, old.body);
    await spool.append(young.id, young.meta, young.body);
    nowMs += 100;
    const stats = spool.stats();
    assert.equal(stats.pendingRecords, 2);
    assert.ok(stats.pendingBytes > old.body.length + young.body.length);
    assert.equal(stats.oldestPendingAgeMs, 1600);
    assert.ok(stats.commits >= 1);
    assert.equal(stats.broken, false);
    assert.equal(await spool.writable(), true);
    await spool.close();
    assert.equal(await spool.writable(), false, 'not ready once closing');
  });
});
