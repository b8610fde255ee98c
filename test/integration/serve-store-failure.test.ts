/**
 * Sync mode when the store fails: a real s3rver that is down, and a real HTTP server that answers
 * every S3 request with 500. The client gets problem+json, and nothing is acknowledged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { S3Store } from '../../src/store/s3.js';
import { startS3rver } from '../support/s3rver.js';
import { startTestServer } from '../support/serve.js';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

describe('serve --mode sync: the store fails', () => {
  it('answers 503 with Retry-After while the store is down, and 201 once it is back', async () => {
    const s3 = await startS3rver();
    const store = new S3Store({
      bucket: s3.bucket,
      endpoint: s3.endpoint,
      region: 'us-east-1',
      timeoutMs: 2000,
      credentials,
    });
    const server = await startTestServer({ mode: 'sync' }, { store });
    try {
      await s3.down();
      const response = await fetch(`${server.url}/payloads`, {
        method: 'POST',
        body: randomBytes(100_000),
      });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.ok(Number(response.headers.get('retry-after')) > 0);
      const problem = (await response.json()) as { code: string; detail: string };
      assert.equal(problem.code, 'store-unavailable');
      assert.equal(response.headers.get('location'), null);
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 503);
      await ready.body?.cancel();

      await s3.up();
      const stored = await fetch(`${server.url}/payloads`, {
        method: 'POST',
        body: randomBytes(100_000),
      });
      assert.equal(stored.status, 201);
      await stored.body?.cancel();
    } finally {
      await server.close();
      await s3.stop();
    }
  });

  it('answers with problem+json and no internals when the store answers 500', async () => {
    let requests = 0;
    const broken = http.createServer((request, response) => {
      requests += 1;
      request.resume();
      request.on('end', () => {
        response.writeHead(500, { 'content-type': 'application/xml' });
        response.end(
          '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>secret-internal-detail</Message></Error>',
        );
      });
    });
    broken.listen(0, '127.0.0.1');
    await once(broken, 'listening');
    const endpoint = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
    const store = new S3Store({
      bucket: 'b',
      endpoint,
      region: 'us-east-1',
      timeoutMs: 5000,
      credentials,
    });
    const server = await startTestServer({ mode: 'sync' }, { store });
    try {
      const response = await fetch(`${server.url}/payloads`, {
        method: 'POST',
        body: randomBytes(10_000),
      });
      assert.ok([500, 503].includes(response.status), `status ${response.status}`);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      const text = await response.text();
      assert.doesNotMatch(text, /secret-internal-detail/);
      assert.ok(requests >= 1);
      const failure = server.logs().find((line) => line.msg === 'request failed');
      assert.ok(failure, 'the failure is logged with its cause');
    } finally {
      await server.close();
      broken.close();
    }
  });
});
