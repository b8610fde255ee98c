/**
 * The crash test of the spool: `quickstow serve --mode spool` as a real child process, under
 * concurrent 1 MiB load, killed with SIGKILL at random moments and restarted, several rounds.
 * Afterwards every payload that was acknowledged must be in the store byte-exact, and every
 * object in the store must be whole (its bytes match its metadata): nothing half-stored.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServe } from '../support/cli.js';
import { listFiles } from '../support/files.js';
import { type Acked, startLoad } from '../support/load.js';
import { tempDir } from '../support/temp.js';

const MiB = 1024 * 1024;
const rounds = 5;

describe('spool: SIGKILL under load', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('keeps every acknowledged payload and half-stores nothing', async () => {
    const temp = await tempDir();
    cleanups.push(temp.remove);
    const bucket = path.join(temp.dir, 'bucket');
    // Small segments so that kills land in every phase: appends, rotation, uploads, deletion.
    const args = [
      '--mode',
      'spool',
      '--data-dir',
      temp.dir,
      '--segment-max-bytes',
      '4MiB',
      '--log-level',
      'warn',
    ];
    const acked: Acked[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const server = await spawnServe(args);
      cleanups.push(() => server.stop('SIGKILL'));
      const load = startLoad(server.url, { workers: 6, size: MiB });
      await sleep(150 + Math.floor(Math.random() * 900));
      server.child.kill('SIGKILL');
      const result = await load.stop();
      await server.stop('SIGKILL');
      acked.push(...result.acked);
    }
    assert.ok(
      acked.length >= rounds,
      `only ${acked.length} payloads were acknowledged in ${rounds} rounds`,
    );

    const final = await spawnServe(args);
    cleanups.push(() => final.stop('SIGKILL'));
    const deadline = Date.now() + 60_000;
    for (const payload of acked) {
      for (;;) {
        const response = await fetch(`${final.url}/payloads/${payload.id}/receipt`);
        const receipt = (await response.json()) as { state?: string; sha256?: string };
        assert.equal(
          response.status,
          200,
          `acknowledged payload ${payload.id} is unknown after the crashes`,
        );
        assert.equal(receipt.sha256, payload.sha256);
        if (receipt.state === 'stored') break;
        assert.ok(Date.now() < deadline, `payload ${payload.id} still pending after 60 s`);
        await sleep(100);
      }
      const bytes = await readFile(path.join(bucket, payload.key));
      assert.equal(bytes.length, payload.size);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), payload.sha256, payload.id);
    }
    assert.equal(await final.stop('SIGTERM'), 0);

    const objects = (await listFiles(bucket)).filter((file) => file.endsWith('.meta.json'));
    assert.ok(objects.length >= acked.length);
    for (const metaFile of objects) {
      const meta = JSON.parse(await readFile(path.join(bucket, metaFile), 'utf8')) as {
        sha256: string;
        size: number;
      };
      const bytes = await readFile(path.join(bucket, metaFile.slice(0, -'.meta.json'.length)));
      assert.equal(bytes.length, meta.size, metaFile);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), meta.sha256, metaFile);
    }
  });
});
