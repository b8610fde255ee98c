/**
 * quickstow on Lambda when S3 is down, through `quickstow local` and a real s3rver that is
 * killed: after-response never loses a payload silently (error log with the id, EMF counters,
 * and the fallback folder when one is configured), and spool mode keeps the record on its
 * folder when the sandbox dies, for the sweeper to upload once S3 is back.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import {
  allFrozen,
  assertNoSandboxProcesses,
  sandboxProcesses,
  waitUntil,
} from '../fixtures/lambda/harness.js';
import { startQuickstowLocal } from '../support/local.js';
import { readObject, type S3rver, s3rverAndTempDirForSuite } from '../support/s3rver.js';
import type { TempDir } from '../support/temp.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('quickstow on Lambda when S3 is down', () => {
  let s3: S3rver;
  let temp: TempDir;
  s3rverAndTempDirForSuite((started) => {
    ({ s3, temp } = started);
  });
  afterEach(() => s3.up());

  /** One run of the sweeper entry in its own `quickstow local` sandbox; its JSON result. */
  async function runSweeper(
    mode: 'after-response' | 'spool',
    env: Record<string, string>,
  ): Promise<{ uploaded?: number }> {
    const sweeper = await startQuickstowLocal({
      s3,
      dataDir: temp.dir,
      mode,
      handler: 'sweeper.handler',
      env,
    });
    try {
      const result = await sweeper.pool.invoke({ event: Buffer.from('{}') });
      assert.equal(result.outcome.kind, 'response', JSON.stringify(result.outcome));
      return JSON.parse(
        result.outcome.kind === 'response' ? result.outcome.payload.toString() : '{}',
      );
    } finally {
      await sweeper.close();
      await assertNoSandboxProcesses(sweeper.functionName);
    }
  }

  it('after-response: retries until the deadline, keeps the payload in the fallback and says so; the sweeper uploads it', async () => {
    const fallbackDir = path.join(temp.dir, 'fallback');
    let key = '';
    let sent = Buffer.alloc(0);
    const local = await startQuickstowLocal({
      s3,
      dataDir: temp.dir,
      mode: 'after-response',
      timeoutMs: 3000,
      env: { QUICKSTOW_FALLBACK_DIR: fallbackDir },
    });
    try {
      await s3.down();
      const body = randomBytes(200_000);
      const response = await fetch(`${local.url}/payloads`, { method: 'POST', body });
      assert.equal(response.status, 202);
      const receipt = (await response.json()) as { id: string; key: string };
      key = receipt.key;
      sent = body;
      await waitUntil(() => allFrozen(local.functionName), 15_000, 'the freeze');
      const kept = await readFile(path.join(fallbackDir, receipt.key));
      assert.equal(sha256(kept), sha256(body));
      const logged = local.logs.find((line) => line.includes('kept in the fallback store'));
      assert.ok(logged, 'an error line about the fallback');
      assert.match(logged, new RegExp(receipt.id));
      assert.match(logged, /"level":"ERROR"/);
      assert.ok(
        local.logs.some((line) => /"PayloadsToFallback":1/.test(line)),
        'the PayloadsToFallback metric',
      );
      assert.ok(
        local.logs.some((line) => /"UploadFailures":(\[\d|[1-9])/.test(line)),
        `the UploadFailures metric:\n${local.logs.join('\n')}`,
      );
    } finally {
      await local.close();
    }
    await assertNoSandboxProcesses(local.functionName);
    await s3.up();
    await runSweeper('after-response', { QUICKSTOW_FALLBACK_DIR: fallbackDir });
    assert.equal(sha256((await readObject(s3, key)) ?? Buffer.alloc(0)), sha256(sent));
    assert.deepEqual(
      await readdir(fallbackDir, { recursive: true }).then((files) =>
        files.filter((f) => f.includes('.meta.json')),
      ),
      [],
    );
  });

  it('after-response without a fallback: PAYLOAD LOST is logged with the id and counted', async () => {
    const local = await startQuickstowLocal({
      s3,
      dataDir: temp.dir,
      mode: 'after-response',
      extension: 'external',
      timeoutMs: 3000,
    });
    try {
      await s3.down();
      const response = await fetch(`${local.url}/payloads`, {
        method: 'POST',
        body: randomBytes(50_000),
      });
      assert.equal(response.status, 202);
      const receipt = (await response.json()) as { id: string };
      await waitUntil(() => allFrozen(local.functionName), 15_000, 'the freeze');
      const logged = local.logs.find((line) => line.includes('PAYLOAD LOST'));
      assert.ok(logged, 'an error line for the lost payload');
      assert.match(logged, new RegExp(receipt.id));
      assert.ok(
        local.logs.some((line) => /"PayloadsLost":1/.test(line)),
        'the PayloadsLost metric',
      );
    } finally {
      await local.close();
    }
    await assertNoSandboxProcesses(local.functionName);
  });

  it('spool: a sandbox killed after the ack leaves the record; the sweeper uploads it', async () => {
    const local = await startQuickstowLocal({
      s3,
      dataDir: temp.dir,
      mode: 'spool',
      timeoutMs: 3000,
    });
    const body = randomBytes(300_000);
    let key = '';
    try {
      await s3.down();
      const response = await fetch(`${local.url}/payloads`, { method: 'POST', body });
      assert.equal(response.status, 202);
      const receipt = (await response.json()) as { key: string; durability: string };
      assert.equal(receipt.durability, 'spool');
      key = receipt.key;
      await waitUntil(() => allFrozen(local.functionName), 15_000, 'the freeze');
      for (const process_ of await sandboxProcesses(local.functionName))
        process.kill(process_.pid, 'SIGKILL');
    } finally {
      await local.close();
    }
    await assertNoSandboxProcesses(local.functionName);
    await s3.up();

    const swept = await runSweeper('spool', { QUICKSTOW_SWEEP_STALE_AFTER_MS: '0' });
    assert.equal(swept.uploaded, 1);
    assert.equal(sha256((await readObject(s3, key)) ?? Buffer.alloc(0)), sha256(body));
  });
});
