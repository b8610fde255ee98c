/**
 * The `floor-fsync` target as the bench starts it (the floor with --fsync-dir): every answered
 * body is in its file, back to back, and each answer carries the body's SHA-256.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawnListening } from '../../src/bench/child.js';
import { Cleanup } from '../../src/bench/cleanup.js';
import { nodeArgsFor } from '../../src/bench/entry.js';
import { parseListeningUrl } from '../../src/bench/listen-line.js';
import { keepAliveAgent, postPayload } from '../../src/bench/load.js';
import { tempDir } from '../support/temp.js';

const floorModule = nodeArgsFor('./targets/floor');

async function postTwo(url: string): Promise<Buffer[]> {
  const agent = keepAliveAgent(url, 1);
  try {
    const bodies = [randomBytes(300_000), randomBytes(5000)];
    for (const body of bodies) {
      const answer = await postPayload(url, agent, body);
      assert.equal(answer.status, 201);
      const sha256 = createHash('sha256').update(body).digest('hex');
      assert.equal((JSON.parse(answer.body) as { sha256: string }).sha256, sha256);
    }
    return bodies;
  } finally {
    agent.destroy();
  }
}

describe('bench floor-fsync target', () => {
  it('floor-fsync has every acknowledged body in its file, in order', async () => {
    const temp = await tempDir('quickstow-floor-fsync-test-');
    const cleanup = new Cleanup();
    try {
      const floor = await spawnListening(
        'floor-fsync',
        [...floorModule, '--fsync-dir', temp.dir],
        { parseUrl: parseListeningUrl },
        cleanup,
      );
      const bodies = await postTwo(floor.url);
      const written = await readFile(path.join(temp.dir, 'payloads.bin'));
      assert.deepEqual(written, Buffer.concat(bodies));
    } finally {
      await cleanup.run();
      await temp.remove();
    }
  });
});
