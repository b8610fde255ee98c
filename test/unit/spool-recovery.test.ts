import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { scanSegment } from '../../src/spool/frame.js';
import { Spool, type SpoolOptions } from '../../src/spool/spool.js';
import type { Logger, SpoolEvent } from '../../src/spool/types.js';
import { FsStore } from '../../src/store/fs.js';
import { ControllableStore, samplePayload } from '../support/spool-testing.js';
import { tempDir } from '../support/temp.js';

describe('spool recovery at open', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let spoolDir: string;
  let store: ControllableStore;
  let spool: Spool | undefined;
  const errors: string[] = [];
  const events: SpoolEvent[] = [];
  const logger: Logger = {
    info() {},
    warn() {},
    error: (_obj, msg) => errors.push(msg),
  };

  const open = (overrides: Partial<SpoolOptions> = {}) =>
    Spool.open({
      dir: spoolDir,
      store,
      logger,
      onEvent: (event) => events.push(event),
      spoolMaxBytes: 1024 * 1024,
      memoryMaxBytes: 1024 * 1024,
      segmentMaxBytes: 1024 * 1024,
      uploadConcurrency: 2,
      backoff: { baseMs: 1, maxMs: 5 },
      ...overrides,
    });

  beforeEach(async () => {
    temp = await tempDir('quickstow-spool-recovery-');
    spoolDir = path.join(temp.dir, 'spool');
    store = new ControllableStore(new FsStore({ root: path.join(temp.dir, 'bucket') }));
    errors.length = 0;
    events.length = 0;
  });

  afterEach(async () => {
    await spool?.close();
    await temp.remove();
  });

  /** Spools the payloads while the store is down, then stops: all of them stay pending. */
  async function spoolWhileStoreDown(texts: string[]) {
    store.down = true;
    spool = await open();
    const payloads = texts.map((text) => samplePayload(text));
    for (const p of payloads) await spool.append(p.id, p.meta, p.body);
    await spool.close();
    store.down = false;
    store.attempts.length = 0; // only what the next open tries counts
    const names = await readdir(spoolDir);
    const segment = path.join(spoolDir, names.find((name) => name.endsWith('.seg')) as string);
    return { payloads, segment };
  }

  it('resumes: records spooled before a restart are uploaded after it', async () => {
    const { payloads } = await spoolWhileStoreDown(['one', 'two', 'three']);
    spool = await open();
    assert.equal(spool.stats().pendingRecords, 3);
    await spool.drained();
    for (const p of payloads) {
      assert.equal((await store.get(p.meta.key))?.body.toString(), p.body.toString());
    }
    assert.equal(spool.stats().pendingRecords, 0);
  });

  it('cuts off a torn tail and keeps every whole record', async () => {
    const { payloads, segment } = await spoolWhileStoreDown(['one', 'two']);
    const whole = (await stat(segment)).size;
    const next = samplePayload('never acknowledged');
    // The first 30 bytes of a third record, as a crash in the middle of its write leaves them.
    const torn = (await readFile(segment)).subarray(0, 30);
    await writeFile(segment, torn, { flag: 'a' });

    store.hold();
    spool = await open();
    assert.equal((await stat(segment)).size, whole, 'the segment was cut back to its last record');
    assert.equal(spool.stats().truncatedBytes, 30);
    assert.equal(spool.stats().quarantined, 0);
    assert.equal(spool.stats().pendingRecords, 2);
    store.release();
    await spool.drained();
    for (const p of payloads) assert.ok(await store.head(p.meta.key));
    assert.equal(await store.head(next.meta.key), undefined);
  });

  it('quarantines a corrupted record in the middle and uploads the good ones around it', async () => {
    const { payloads, segment } = await spoolWhileStoreDown(['first', 'second (damaged)', 'third']);
    const bytes = await readFile(segment);
    const damaged = scanSegment(bytes).records[1];
    assert.ok(damaged);
    bytes[damaged.offset + damaged.size - 3] = 0x58; // bit rot in the payload
    await writeFile(segment, bytes);

    spool = await open();
    await spool.drained();
    const [first, second, third] = payloads as [
      (typeof payloads)[0],
      (typeof payloads)[0],
      (typeof payloads)[0],
    ];
    assert.ok(await store.head(first.meta.key));
    assert.ok(await store.head(third.meta.key));
    assert.equal(
      await store.head(second.meta.key),
      undefined,
      'the damaged record is never uploaded',
    );
    assert.ok(store.attempts.every((a) => a.key !== second.meta.key));

    const stats = spool.stats();
    assert.equal(stats.quarantined, 1);
    assert.equal(stats.pendingRecords, 0);
    assert.equal(spool.state(second.id), undefined);
    assert.ok(
      errors.some((msg) => msg.includes('quarantined')),
      'reported through the logger',
    );
    assert.deepEqual(
      events
        .filter((e) => e.type === 'quarantined')
        .map((e) => e.type === 'quarantined' && e.offset),
      [damaged.offset],
    );

    const kept = await readdir(path.join(spoolDir, 'quarantine'));
    assert.equal(kept.length, 1);
    const keptBytes = await readFile(path.join(spoolDir, 'quarantine', kept[0] as string));
    assert.ok(keptBytes.equals(bytes.subarray(damaged.offset, damaged.offset + damaged.size)));
  });

  it('quarantines a record found damaged when read back for upload', async () => {
    // The store is down and every retry waits 300 ms: the damage lands between two attempts.
    store.down = true;
    spool = await open({ random: () => 1, backoff: { baseMs: 300, maxMs: 300 } });
    const good = samplePayload('good');
    const bad = samplePayload('goes bad on disk after being acknowledged');
    await spool.append(good.id, good.meta, good.body);
    await spool.append(bad.id, bad.meta, bad.body);
    while (spool.stats().failures < 2 || spool.stats().uploadsInFlight > 0) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const names = await readdir(spoolDir);
    const segment = path.join(spoolDir, names.find((name) => name.endsWith('.seg')) as string);
    const bytes = await readFile(segment);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
    await writeFile(segment, bytes);
    store.down = false;
    await spool.drained();
    assert.ok(await store.head(good.meta.key));
    assert.equal(await store.head(bad.meta.key), undefined);
    assert.equal(spool.stats().quarantined, 1);
    assert.equal(spool.stats().uploads, 1);
    assert.equal(await spool.read(bad.id), undefined);
  });

  it('removes an empty segment and an ack file whose segment is gone', async () => {
    await writeFile(path.join(temp.dir, 'placeholder'), '');
    spool = await open();
    await spool.close();
    await writeFile(path.join(spoolDir, '0000000000000003.seg'), '');
    await writeFile(path.join(spoolDir, '0000000000000002.ack'), 'x\n');
    spool = await open();
    const names = (await readdir(spoolDir)).filter((name) => name !== 'quarantine');
    assert.deepEqual(names, []);
    assert.equal(spool.stats().segments, 0);
  });
});
