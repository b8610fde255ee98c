import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import { Spool, type SpoolOptions } from '../../src/spool/spool.js';
import type { SpoolEvent } from '../../src/spool/types.js';
import { FsStore } from '../../src/store/fs.js';
import type { ObjectMeta, ObjectStore } from '../../src/store/types.js';
import { ControllableStore, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

/** Counts puts running at once, and refuses the keys in `poisoned` for good. */
class Probe extends ControllableStore {
  running = 0;
  maxRunning = 0;
  readonly poisoned = new Set<string>();

  override async put(meta: ObjectMeta, body: Buffer): Promise<void> {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2)); // a store takes some time
      if (this.poisoned.has(meta.key)) throw new QuickstowError('store-failed', 500, 'refused');
      await super.put(meta, body);
    } finally {
      this.running -= 1;
    }
  }
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
};

describe('spool uploader against a real folder store', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let fsStore: ObjectStore;
  let store: Probe;
  let spool: Spool | undefined;
  const events: SpoolEvent[] = [];

  const open = (overrides: Partial<SpoolOptions> = {}) =>
    Spool.open({
      dir: path.join(temp.dir, 'spool'),
      store,
      spoolMaxBytes: 1024 * 1024,
      memoryMaxBytes: 1024 * 1024,
      segmentMaxBytes: 4096,
      uploadConcurrency: 4,
      backoff: { baseMs: 5, maxMs: 40 },
      onEvent: (event) => events.push(event),
      ...overrides,
    });

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-uploader-');
    fsStore = new FsStore({ root: path.join(temp.dir, 'bucket') });
    store = new Probe(fsStore);
    events.length = 0;
  });

  afterEach(async () => {
    await spool?.close();
    await temp.remove();
  });

  it('retries with backoff through an outage, then stores everything', async () => {
    store.down = true;
    spool = await open();
    const payloads = Array.from({ length: 12 }, (_, i) =>
      samplePayload(Buffer.from(`payload number ${i}`), { contentType: 'text/plain' }),
    );
    for (const p of payloads) await spool.append(p.id, p.meta, p.body);

    await until(() => (spool as Spool).stats().failures >= 8);
    let stats = spool.stats();
    assert.equal(stats.uploads, 0);
    assert.equal(stats.pendingRecords, 12);
    assert.ok(stats.retries >= 1);
    store.maxRunning = 0;
    await until(() => (spool as Spool).stats().failures >= 12);
    assert.equal(store.maxRunning, 1, 'while the store fails, one upload at a time probes it');

    store.down = false;
    await spool.drained();
    stats = spool.stats();
    assert.equal(stats.uploads, 12);
    assert.equal(stats.pendingRecords, 0);
    assert.ok(stats.failures >= 12);
    assert.ok(stats.retries >= stats.failures - 4, 'every failure is retried');
    for (const p of payloads) {
      const object = await fsStore.get(p.meta.key);
      assert.deepEqual(object?.meta, p.meta);
      assert.ok(object?.body.equals(p.body));
    }
    assert.ok(events.some((e) => e.type === 'upload-failed' && e.retryInMs <= 40));
    assert.equal(events.filter((e) => e.type === 'uploaded').length, 12);
  });

  it('uploads with bounded concurrency when the store is healthy', async () => {
    spool = await open({ uploadConcurrency: 3 });
    const payloads = Array.from({ length: 30 }, (_, i) => samplePayload(`p${i}`));
    await Promise.all(payloads.map((p) => (spool as Spool).append(p.id, p.meta, p.body)));
    await spool.drained();
    assert.equal(store.maxRunning, 3);
    assert.equal(spool.stats().uploads, 30);
  });

  it('does not let one record the store keeps refusing hold back the others', async () => {
    spool = await open();
    const poison = samplePayload('the store refuses this one');
    store.poisoned.add(poison.meta.key);
    await spool.append(poison.id, poison.meta, poison.body);
    const others = Array.from({ length: 5 }, (_, i) => samplePayload(`fine ${i}`));
    for (const p of others) await spool.append(p.id, p.meta, p.body);
    await until(() => others.every((p) => (spool as Spool).state(p.id) === 'stored'));
    assert.equal(spool.state(poison.id), 'pending', 'still pending, still retried, never dropped');
    store.poisoned.clear();
    await spool.drained();
    assert.equal(spool.state(poison.id), 'stored');
  });

  it('stop drains for at most drainMs and leaves the rest on disk for the next open', async () => {
    store.down = true;
    spool = await open();
    const payloads = Array.from({ length: 5 }, (_, i) => samplePayload(`later ${i}`));
    for (const p of payloads) await spool.append(p.id, p.meta, p.body);
    const started = performance.now();
    await spool.close({ drainMs: 100 });
    const took = performance.now() - started;
    assert.ok(took >= 90 && took < 1000, `close took ${took} ms`);
    assert.equal(spool.stats().pendingRecords, 5);

    store.down = false;
    spool = await open();
    await spool.drained();
    for (const p of payloads) assert.ok(await fsStore.head(p.meta.key));
  });

  it('uses the drain time to finish uploading when the store works', async () => {
    store.hold();
    spool = await open();
    const payloads = Array.from({ length: 5 }, (_, i) => samplePayload(`drained ${i}`));
    for (const p of payloads) await spool.append(p.id, p.meta, p.body);
    setTimeout(() => store.release(), 20);
    await spool.close({ drainMs: 5_000 });
    assert.equal(spool.stats().pendingRecords, 0);
    for (const p of payloads) assert.ok(await fsStore.head(p.meta.key));
  });
});
