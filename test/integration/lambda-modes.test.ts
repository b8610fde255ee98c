/**
 * quickstow on Lambda, each mode, through `quickstow local` (aws-lambda-ric, a real freeze) and
 * a real s3rver. The after-response tests check the object is in the store the moment the
 * sandbox is frozen, with no later invoke: the upload happened after the response and before the
 * freeze, which is the whole point.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { allFrozen, assertNoSandboxProcesses, waitUntil } from '../fixtures/lambda/harness.js';
import { startQuickstowLocal } from '../support/local.js';
import { readObject, type S3rver, s3rverAndTempDirForSuite } from '../support/s3rver.js';
import type { TempDir } from '../support/temp.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function storedSha256(s3: S3rver, key: string): Promise<string | undefined> {
  const bytes = await readObject(s3, key);
  return bytes && sha256(bytes);
}

describe('quickstow on Lambda through quickstow local', () => {
  let s3: S3rver;
  let temp: TempDir;
  s3rverAndTempDirForSuite((started) => {
    ({ s3, temp } = started);
  });

  for (const api of ['rest', 'http'] as const) {
    it(`sync (${api}): 201 once stored, and the bytes come back exactly through GET`, async () => {
      const local = await startQuickstowLocal({ s3, dataDir: temp.dir, mode: 'sync', api });
      try {
        const body = randomBytes(700_000);
        const response = await fetch(`${local.url}/payloads`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'image/png' },
        });
        assert.equal(response.status, 201);
        const receipt = (await response.json()) as {
          id: string;
          key: string;
          durability: string;
          sha256: string;
        };
        assert.equal(receipt.durability, 'sync');
        assert.equal(receipt.sha256, sha256(body));
        assert.equal(await storedSha256(s3, receipt.key), sha256(body));
        const read = await fetch(`${local.url}/payloads/${receipt.id}`);
        assert.equal(read.status, 200);
        assert.equal(read.headers.get('content-type'), 'image/png');
        assert.deepEqual(Buffer.from(await read.arrayBuffer()), body);
        const wrong = await fetch(`${local.url}/payloads`, {
          method: 'POST',
          body,
          headers: {
            'content-digest': `sha-256=:${createHash('sha256').update('x').digest('base64')}:`,
          },
        });
        assert.equal(wrong.status, 400);
        assert.equal(wrong.headers.get('content-type'), 'application/problem+json');
        assert.equal(((await wrong.json()) as { code: string }).code, 'digest-mismatch');
        const logged = local.logs.find((line) => line.includes('"message":"acknowledged"'));
        assert.ok(logged, 'a structured log line for the acknowledgement');
        assert.match(logged, /"function_request_id":"[0-9a-f-]{36}"/);
        assert.match(logged, /"xray_trace_id":"1-[0-9a-f]{8}-[0-9a-f]{24}"/);
      } finally {
        await local.close();
      }
      await assertNoSandboxProcesses(local.functionName);
    });
  }

  for (const extension of ['internal', 'external'] as const) {
    it(`after-response (${extension} extension): 202, and the object is stored before the sandbox freezes`, async () => {
      const local = await startQuickstowLocal({
        s3,
        dataDir: temp.dir,
        mode: 'after-response',
        extension,
      });
      try {
        const body = randomBytes(1024 * 1024);
        const response = await fetch(`${local.url}/payloads`, { method: 'POST', body });
        assert.equal(response.status, 202);
        const receipt = (await response.json()) as { key: string; durability: string };
        assert.equal(receipt.durability, 'after-response');
        await waitUntil(() => allFrozen(local.functionName), 15_000, 'the freeze');
        assert.equal(
          await storedSha256(s3, receipt.key),
          sha256(body),
          'not in the store when the sandbox froze',
        );
        const emf = local.logs.find((line) => line.includes('"UploadLatency"'));
        assert.ok(emf, 'an EMF line with UploadLatency');
        assert.match(emf, /"AckToStoredLag"/);
      } finally {
        await local.close();
      }
      await assertNoSandboxProcesses(local.functionName);
    });
  }

  it('a burst through several sandboxes: every acknowledged payload lands', async () => {
    const local = await startQuickstowLocal({
      s3,
      dataDir: temp.dir,
      mode: 'after-response',
      concurrency: 4,
    });
    try {
      const bodies = Array.from({ length: 8 }, () => randomBytes(256 * 1024));
      const answers = await Promise.all(
        bodies.map(async (body) => {
          const response = await fetch(`${local.url}/payloads`, { method: 'POST', body });
          return {
            status: response.status,
            json: (await response.json()) as { key?: string },
            body,
          };
        }),
      );
      const acked = answers.filter((answer) => answer.status === 202);
      assert.ok(
        acked.length >= 4,
        `only ${acked.length} of 8 acknowledged: ${answers.map((a) => a.status)}`,
      );
      assert.ok(
        local.pool.stats().sandboxes >= 2,
        'the burst should have needed more than one sandbox',
      );
      await waitUntil(() => allFrozen(local.functionName), 20_000, 'every sandbox frozen');
      for (const answer of acked)
        assert.equal(await storedSha256(s3, String(answer.json.key)), sha256(answer.body));
    } finally {
      await local.close();
    }
    await assertNoSandboxProcesses(local.functionName);
  });
});
