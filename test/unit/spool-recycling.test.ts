/**
 * Drained segment files are reused for new segments: the new records are written over the old
 * ones, and a reopened spool finds exactly the new segment's records, nothing of the old ones.
 */
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import { Spool, type SpoolOptions } from '../../src/spool/spool.js';
import { FsStore } from '../../src/store/fs.js';
import { ControllableStore, FaultyFs, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

describe('spool segment recycling', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let store: ControllableStore;
  let spool: Spool | undefined;
  const spoolDir = () => path.join(temp.dir, 'spool');

  const open = (overrides: Partial<SpoolOptions> = {}) =>
    Spool.open({
      dir: spoolDir(),
      store,
      spoolMaxBytes: 1024 * 1024,
      memoryMaxBytes: 1024 * 1024,
      // About three 1 kB records per segment, so a few dozen appends go through many segments.
      segmentMaxBytes: 4096,
      uploadConcurrency: 2,
      recycleSegments: true,
      ...overrides,
    });

  const appendMany = async (target: Spool, count: number, tag: string) => {
    const payloads = [];
    for (let i = 0; i < count; i += 1) {
      const p = samplePayload(Buffer.alloc(1000, `${tag}${i}`));
      await target.append(p.id, p.meta, p.body);
      payloads.push(p);
    }
    return payloads;
  };

  /** Inode numbers of the files with this suffix. */
  const inodes = async (suffix: string) => {
    const names = (await readdir(spoolDir())).filter((name) => name.endsWith(suffix));
    return new Set(
      await Promise.all(names.map(async (name) => (await stat(path.join(spoolDir(), name))).ino)),
    );
  };

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-recycle-');
    store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
  });

  afterEach(async () => {
    store.release();
    await spool?.close();
    spool = undefined;
    await temp.remove();
  });

  it('keeps drained segment files (at most four) and writes the next segments into them', async () => {
    spool = await open();
    await appendMany(spool, 18, 'a');
    await spool.drained();
    const free = await inodes('.free');
    assert.equal(free.size, 4, 'four drained files kept, the others deleted');

    store.hold();
    await appendMany(spool, 9, 'b');
    const segments = await inodes('.seg');
    const reused = [...segments].filter((ino) => free.has(ino));
    assert.ok(reused.length >= 3, `new segments reuse the kept files (${reused.length} did)`);
    store.release();
    await spool.drained();
  });

  it('deletes drained segment files unless asked to keep them (the Lambda spool on EFS)', async () => {
    spool = await open({ recycleSegments: false });
    await appendMany(spool, 18, 'a');
    await spool.drained();
    assert.equal((await inodes('.free')).size, 0);
  });

  it("after a restart, finds only the new segment's records in a reused file", async () => {
    spool = await open();
    await appendMany(spool, 18, 'a');
    await spool.drained();
    store.hold();
    const pending = await appendMany(spool, 5, 'b');
    const uploadsBefore = store.attempts.length;
    await spool.close();
    store.release();

    spool = await open();
    const stats = spool.stats();
    assert.equal(
      stats.pendingRecords,
      pending.length,
      'the old records in reused files are not back',
    );
    assert.equal(stats.quarantined, 0);
    await spool.drained();
    const uploadedAfter = store.attempts.slice(uploadsBefore).map((attempt) => attempt.key);
    assert.deepEqual(new Set(uploadedAfter), new Set(pending.map((p) => p.meta.key)));
    for (const p of pending) assert.deepEqual((await store.get(p.meta.key))?.body, p.body);
  });

  it('never gives a new segment a number that a kept file was last used for', async () => {
    spool = await open();
    await appendMany(spool, 18, 'a');
    await spool.drained();
    await spool.close();
    const free = (await readdir(spoolDir())).filter((name) => name.endsWith('.free')).sort();
    assert.equal(free.length, 4);
    spool = await open();
    store.hold();
    await appendMany(spool, 1, 'b');
    const segments = (await readdir(spoolDir())).filter((name) => name.endsWith('.seg'));
    assert.equal(segments.length, 1);
    assert.ok(
      (segments[0] as string) > (free.at(-1) as string),
      `${segments[0]} after ${free.at(-1)}`,
    );
    store.release();
    await spool.drained();
  });

  it('a kept file that cannot be renamed fails that batch only; the next gets a new file', async () => {
    const fs = new FaultyFs();
    spool = await open({ fs });
    await appendMany(spool, 18, 'a');
    await spool.drained();
    // Appends fill the active segment; the one that needs a new segment takes a kept file, and
    // that rename fails.
    fs.failNext('rename', 'EIO', { pathIncludes: '.free' });
    let failed: ReturnType<typeof samplePayload> | undefined;
    for (let i = 0; i < 10 && failed === undefined; i += 1) {
      const p = samplePayload(Buffer.alloc(1000, `b${i}`));
      try {
        await spool.append(p.id, p.meta, p.body);
      } catch (error) {
        assert.ok(error instanceof QuickstowError);
        assert.equal(error.status, 500);
        failed = p;
      }
    }
    assert.ok(failed !== undefined, 'an append needing a new segment failed');
    const second = samplePayload('second after');
    await spool.append(second.id, second.meta, second.body);
    await spool.drained();
    assert.deepEqual((await store.get(second.meta.key))?.body, second.body);
    assert.equal(await store.get(failed.meta.key), undefined, 'nothing of the failed one stored');
  });
});
