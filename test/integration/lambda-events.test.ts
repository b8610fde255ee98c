/**
 * Real API Gateway REST (v1), HTTP API (v2.0) and Function URL events, kept as fixtures, sent
 * straight to quickstow's handler in a `quickstow local` sandbox: binary bodies base64-encoded,
 * text bodies not. Whatever the encoding, the stored object holds exactly the request's bytes,
 * and the answer is a well-formed proxy result with a base64 body.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertNoSandboxProcesses } from '../fixtures/lambda/harness.js';
import { type QuickstowLocal, startQuickstowLocal } from '../support/local.js';
import { readObject, type S3rver, startS3rver } from '../support/s3rver.js';
import { tempDir } from '../support/temp.js';

const fixtures = [
  'rest-v1-post-binary',
  'rest-v1-post-json-text',
  'http-v2-post-binary',
  'http-v2-post-json',
  'function-url-post-binary',
];

async function fixture(
  name: string,
): Promise<{ body: string; isBase64Encoded: boolean; headers: Record<string, string> }> {
  return JSON.parse(
    await readFile(
      fileURLToPath(new URL(`../fixtures/apigw/${name}.json`, import.meta.url)),
      'utf8',
    ),
  );
}

describe('quickstow handler: real API Gateway and Function URL events', () => {
  let s3: S3rver;
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let local: QuickstowLocal;
  before(async () => {
    s3 = await startS3rver();
    temp = await tempDir();
    local = await startQuickstowLocal({ s3, dataDir: temp.dir, mode: 'sync' });
  });
  after(async () => {
    await local.close();
    await assertNoSandboxProcesses(local.functionName);
    await s3.stop();
    await temp.remove();
  });

  for (const name of fixtures) {
    it(`${name}: stores the exact bytes and answers a proxy result`, async () => {
      const event = await fixture(name);
      const sent = event.isBase64Encoded
        ? Buffer.from(event.body, 'base64')
        : Buffer.from(event.body, 'utf8');
      const result = await local.pool.invoke({ event: Buffer.from(JSON.stringify(event)) });
      assert.equal(result.outcome.kind, 'response', JSON.stringify(result.outcome));
      if (result.outcome.kind !== 'response') return;
      const proxy = JSON.parse(result.outcome.payload.toString()) as {
        statusCode: number;
        body: string;
        isBase64Encoded: boolean;
        headers: Record<string, string>;
      };
      assert.equal(proxy.statusCode, 201);
      assert.equal(proxy.isBase64Encoded, true);
      const receipt = JSON.parse(Buffer.from(proxy.body, 'base64').toString()) as {
        key: string;
        size: number;
        sha256: string;
        contentType: string;
      };
      assert.equal(receipt.size, sent.length);
      assert.equal(receipt.sha256, createHash('sha256').update(sent).digest('hex'));
      const contentType = Object.entries(event.headers).find(
        ([header]) => header.toLowerCase() === 'content-type',
      )?.[1];
      assert.equal(receipt.contentType, contentType);
      assert.deepEqual(await readObject(s3, receipt.key), sent);
    });
  }

  it('an event that is not an HTTP proxy event gets a 400 problem, not a crash', async () => {
    const result = await local.pool.invoke({ event: Buffer.from('{"source":"aws.events"}') });
    assert.equal(result.outcome.kind, 'response', JSON.stringify(result.outcome));
    if (result.outcome.kind !== 'response') return;
    const proxy = JSON.parse(result.outcome.payload.toString()) as {
      statusCode: number;
      body: string;
      headers: Record<string, string>;
    };
    assert.equal(proxy.statusCode, 400);
    assert.equal(proxy.headers['content-type'], 'application/problem+json');
    const problem = JSON.parse(Buffer.from(proxy.body, 'base64').toString()) as { code: string };
    assert.equal(problem.code, 'bad-request');
  });
});
