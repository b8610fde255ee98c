import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { QuickstowError } from '../../src/core/errors.js';
import { FsStore } from '../../src/store/fs.js';
import { metaFor, storeConformance } from '../support/store-conformance.js';

const tempRoot = () => mkdtemp(path.join(tmpdir(), 'quickstow-fs-store-'));

/** Every file under root, relative, sorted. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

storeConformance('fs', async () => {
  const root = await tempRoot();
  return {
    store: new FsStore({ root }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('FsStore writes atomically', () => {
  let root: string;
  let store: FsStore;
  let watcher: FSWatcher | undefined;

  before(async () => {
    root = await tempRoot();
    store = new FsStore({ root });
  });
  afterEach(() => watcher?.close());
  after(() => rm(root, { recursive: true, force: true }));

  it('leaves exactly the object and its metadata, no temp files', async () => {
    const bodies = [randomBytes(1000), randomBytes(0), randomBytes(100_000)];
    const metas = bodies.map((body) => metaFor(body));
    const [first, , third] = metas;
    assert.ok(first && third);
    await Promise.all(metas.map((meta, i) => store.put(meta, bodies[i] as Buffer)));
    await Promise.all([
      store.put(first, bodies[0] as Buffer),
      store.put(first, bodies[0] as Buffer),
      store.put(third, bodies[2] as Buffer),
    ]);
    const expected = metas.flatMap((meta) => [meta.key, `${meta.key}.meta.json`]).sort();
    assert.deepEqual(await filesUnder(root), expected);
  });

  it('renames the bytes into place before the metadata', async () => {
    const body = randomBytes(10_000);
    const meta = metaFor(body);
    const dir = path.join(root, path.dirname(meta.key));
    await mkdir(dir, { recursive: true });
    // inotify reports events in the order they happened, so this is the real order on disk.
    const seen: string[] = [];
    watcher = watch(dir, (_event, filename) => {
      if (filename) seen.push(filename);
    });
    await store.put(meta, body);
    const name = path.basename(meta.key);
    // Events arrive asynchronously; wait for the last one this put makes.
    for (
      let waitedMs = 0;
      !seen.includes(`${name}.meta.json`) && waitedMs < 2_000;
      waitedMs += 10
    ) {
      await sleep(10);
    }
    const bytesAt = seen.indexOf(name);
    const metaAt = seen.indexOf(`${name}.meta.json`);
    assert.ok(bytesAt >= 0 && metaAt >= 0, `events: ${seen.join(', ')}`);
    assert.ok(bytesAt < metaAt, `metadata appeared first: ${seen.join(', ')}`);
  });

  it('leaves no object and no temp files when the bytes cannot be put in place', async () => {
    const body = randomBytes(1000);
    const meta = metaFor(body);
    // A directory where the bytes should go makes the rename fail after both temp files exist.
    await mkdir(path.join(root, meta.key), { recursive: true });
    await assert.rejects(store.put(meta, body), { code: 'store-failed', status: 500 });
    assert.equal(await store.head(meta.key), undefined);
    const leftovers = (await filesUnder(root)).filter((file) => file.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });
});

/**
 * A real full disk: a 256 KiB tmpfs. Mounting needs root (CI runs as root); elsewhere the test
 * is skipped rather than faked.
 */
describe('FsStore on a full disk', () => {
  let mountPoint: string | undefined;
  let mounted = false;
  const unmount = () => {
    if (mounted) spawnSync('umount', ['-l', mountPoint as string]);
    mounted = false;
  };

  before(async () => {
    mountPoint = await tempRoot();
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    mounted = mount.status === 0;
    // A crash in a test must not leave a mount behind.
    if (mounted) process.once('exit', unmount);
  });
  after(async () => {
    unmount();
    process.removeListener('exit', unmount);
    if (mountPoint) await rm(mountPoint, { recursive: true, force: true });
  });

  it('maps ENOSPC to store-unavailable 503 and cleans up its temp files', async () => {
    // CI and these machines run as root; a full disk is worth a tmpfs mount to test for real.
    assert.ok(mounted && mountPoint !== undefined, 'cannot mount a 256 KiB tmpfs (needs root)');
    const store = new FsStore({ root: mountPoint });
    const body = randomBytes(1024 * 1024);
    const error = await store.put(metaFor(body), body).then(
      () => assert.fail('a 1 MiB put fit on a 256 KiB disk'),
      (rejection: unknown) => rejection,
    );
    assert.ok(error instanceof QuickstowError);
    assert.equal(error.code, 'store-unavailable');
    assert.equal(error.status, 503);
    assert.ok(error.headers['retry-after']);
    assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOSPC');
    assert.deepEqual(await filesUnder(mountPoint), []);

    const small = randomBytes(1024);
    const meta = metaFor(small);
    await store.put(meta, small);
    assert.ok((await store.get(meta.key))?.body.equals(small), 'the space was given back');
  });
});
