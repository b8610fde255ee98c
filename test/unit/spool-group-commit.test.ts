import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Spool } from '../../src/spool/spool.js';
import { FsStore } from '../../src/store/fs.js';
import { ControllableStore, FaultyFs, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

describe('spool group commit', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let fs: FaultyFs;
  let spool: Spool;

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-gc-');
    fs = new FaultyFs();
    const store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
    store.hold(); // keep the uploader's reads out of the picture
    spool = await Spool.open({
      dir: path.join(temp.dir, 'spool'),
      store,
      fs,
      spoolMaxBytes: 16 * 1024 * 1024,
      memoryMaxBytes: 16 * 1024 * 1024,
      segmentMaxBytes: 16 * 1024 * 1024,
      uploadConcurrency: 1,
    });
  });

  afterEach(async () => {
    await spool.close();
    await temp.remove();
  });

  it('shares one write + fsync among many concurrent appends', async () => {
    const payloads = Array.from({ length: 50 }, (_, i) => samplePayload(`payload ${i}`));
    await Promise.all(payloads.map((p) => spool.append(p.id, p.meta, p.body)));
    const fsyncs = fs.count('sync', '.seg');
    assert.ok(fsyncs >= 1 && fsyncs < 10, `50 appends took ${fsyncs} fsyncs`);
    assert.equal(spool.stats().commits, fsyncs);
  });

  it('batches the appends that arrive while the previous fsync runs', async () => {
    fs.delayMs.sync = 100;
    const first = samplePayload('first');
    const firstDone = spool.append(first.id, first.meta, first.body);
    while (!fs.events.some((e) => e.op === 'sync' && e.path.endsWith('.seg'))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const later: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i += 1) {
      await new Promise((resolve) => setImmediate(resolve)); // each in its own turn of the loop
      const p = samplePayload(`later ${i}`);
      later.push(spool.append(p.id, p.meta, p.body));
    }
    await Promise.all([firstDone, ...later]);
    assert.equal(
      fs.count('sync', '.seg'),
      2,
      'one fsync for the first, one for the 20 that queued',
    );
  });

  it('resolves no append before the fsync covering its bytes has returned', async () => {
    fs.delayMs.sync = 5;
    const resolvedAt = new Map<string, number>();
    const payloads = Array.from({ length: 30 }, (_, i) => samplePayload(`ordered ${i}`));
    await Promise.all(
      payloads.map(async (p, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 5)); // spread over a few batches
        await spool.append(p.id, p.meta, p.body);
        resolvedAt.set(p.id, fs.events.length);
      }),
    );
    const events = fs.events;
    for (const p of payloads) {
      const written = events.findIndex(
        (e) => e.op === 'write' && e.phase === 'done' && e.bytes?.includes(p.id, 0, 'latin1'),
      );
      assert.ok(written >= 0, `the record of ${p.id} was written`);
      const synced = events.findIndex(
        (e, i) =>
          i > written && e.op === 'sync' && e.phase === 'done' && e.path === events[written]?.path,
      );
      assert.ok(synced > written, `an fsync followed the write of ${p.id}`);
      assert.ok(
        (resolvedAt.get(p.id) ?? -1) > synced,
        `append of ${p.id} resolved after that fsync returned`,
      );
    }
  });
});
