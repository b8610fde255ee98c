import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { keyOf } from '../../src/core/keys.js';
import { Spool } from '../../src/spool/spool.js';
import { FsStore } from '../../src/store/fs.js';
import { tempDir } from '../support/temp.js';

const spoolModule = fileURLToPath(new URL('../../src/spool/index.ts', import.meta.url));
const testingModule = fileURLToPath(new URL('../support/spool-testing.ts', import.meta.url));

/**
 * The writer: spools payloads as fast as it can against a store that never answers (so nothing
 * is uploaded or deleted), and prints each id once append() resolved, i.e. once acknowledged.
 */
const writer = `
import { Spool } from ${JSON.stringify(spoolModule)};
import { samplePayload } from ${JSON.stringify(testingModule)};
const never = new Promise(() => {});
const store = { kind: 'fs', put: () => never, get: async () => undefined, head: async () => undefined,
  ping: async () => {}, close: async () => {} };
const spool = await Spool.open({ dir: process.argv[1], store, spoolMaxBytes: 1 << 30,
  memoryMaxBytes: 1 << 28, segmentMaxBytes: 64 * 1024, uploadConcurrency: 1 });
for (let i = 0; ; i += 1) {
  await Promise.all(Array.from({ length: 8 }, async (_, j) => {
    const p = samplePayload(Buffer.alloc(1000 + ((i * 8 + j) % 3000), j));
    await spool.append(p.id, p.meta, p.body);
    process.stdout.write(p.id + '\\n');
  }));
}
`;

describe('spool after a real crash (SIGKILL mid-append)', () => {
  let temp: { dir: string; remove: () => Promise<void> };
  let spool: Spool | undefined;

  before(async () => {
    temp = await tempDir('quickstow-spool-crash-');
  });

  after(async () => {
    await spool?.close();
    await temp.remove();
  });

  it('uploads every acknowledged payload after the restart', async () => {
    const spoolDir = path.join(temp.dir, 'spool');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', writer, spoolDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acknowledged: string[] = [];
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged.push(line);
      if (acknowledged.length === 400) child.kill('SIGKILL');
    }
    await exited;
    assert.ok(acknowledged.length >= 400);

    const store = new FsStore({ root: path.join(temp.dir, 'bucket') });
    spool = await Spool.open({
      dir: spoolDir,
      store,
      spoolMaxBytes: 1 << 30,
      memoryMaxBytes: 1 << 28,
      segmentMaxBytes: 64 * 1024,
      uploadConcurrency: 8,
    });
    assert.equal(spool.stats().quarantined, 0, 'a crash tears at most the tail, never the middle');
    assert.ok(spool.stats().pendingRecords >= acknowledged.length);
    await spool.drained();
    for (const id of acknowledged) {
      assert.ok(await store.head(keyOf('payloads/', id)), `acknowledged ${id} is stored`);
    }
  });
});
