/**
 * The limits of the API Gateway front over real sockets: the 10 MB payload limit (refused while
 * streaming, connection closed), Lambda's 6 MB invoke limit, the integration timeout, throttling,
 * and an orderly close.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FrontLogEntry } from '../../src/local/apigw/log.js';
import { type RunningApiGateway, startApiGateway } from '../../src/local/apigw/server.js';
import type { InvokeOutcome, Invoker } from '../../src/local/types.js';
import { connect, writeQuietly } from '../support/raw-http.js';

const tenMegabytes = 10 * 1024 * 1024;

/**
 * Answers every invoke with `outcome` after `delayMs` (never, for Infinity); without an outcome
 * it echoes the request body, base64 both ways, so byte-exactness can be checked.
 */
function scriptedInvoker(script: { delayMs?: number; outcome?: InvokeOutcome } = {}) {
  let calls = 0;
  const invoker: Invoker = {
    async invoke(request) {
      calls += 1;
      if (script.delayMs === Number.POSITIVE_INFINITY) await new Promise(() => {});
      if (script.delayMs !== undefined) await sleep(script.delayMs);
      const event = JSON.parse(request.event.toString('utf8'));
      const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
      const outcome: InvokeOutcome = script.outcome ?? {
        kind: 'response',
        payload: Buffer.from(
          JSON.stringify({ statusCode: 200, body: body.toString('base64'), isBase64Encoded: true }),
        ),
      };
      return { requestId: randomUUID(), outcome, coldStart: false, report: 'REPORT' };
    },
  };
  return { invoker, calls: () => calls };
}

async function startFront(
  api: 'rest' | 'http',
  script: Parameters<typeof scriptedInvoker>[0] = {},
  options: { integrationTimeoutMs?: number; closeTimeoutMs?: number } = {},
) {
  const { invoker, calls } = scriptedInvoker(script);
  const logs: FrontLogEntry[] = [];
  const front = await startApiGateway({
    api,
    invoker,
    port: 0,
    log: (entry) => logs.push(entry),
    ...options,
  });
  return { front, calls, logs };
}

for (const api of ['rest', 'http'] as const) {
  describe(`API Gateway front limits (${api})`, () => {
    let front: RunningApiGateway;
    let calls: () => number;
    before(async () => ({ front, calls } = await startFront(api)));
    after(() => front.close());

    it('refuses a declared body over 10 MB before it is sent, and closes the connection', async () => {
      const connection = await connect(front.url);
      connection.socket.write(
        `POST /payloads HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\nContent-Length: ${tenMegabytes + 1}\r\nExpect: 100-continue\r\n\r\n`,
      );
      await connection.closed;
      const answer = connection.received();
      assert.match(answer, /^HTTP\/1\.1 413 /);
      assert.doesNotMatch(answer, /100 Continue/);
      assert.match(answer, /\r\nConnection: close\r\n/i);
      assert.ok(
        answer.endsWith(
          api === 'rest'
            ? '\r\n\r\nHTTP content length exceeded 10485760 bytes.'
            : '\r\n\r\n{"message":"Request Entity Too Large"}',
        ),
        answer,
      );
      assert.equal(calls(), 0);
    });

    it('refuses a chunked body at the chunk that crosses 10 MB, and closes the connection', async () => {
      const connection = await connect(front.url);
      connection.socket.write(
        'POST /payloads HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      const chunk = randomBytes(256 * 1024);
      const frame = Buffer.concat([
        Buffer.from(`${chunk.length.toString(16)}\r\n`),
        chunk,
        Buffer.from('\r\n'),
      ]);
      let sent = 0;
      while (!/\r\n\r\n./s.test(connection.received()) && sent < 4 * tenMegabytes) {
        if (!(await writeQuietly(connection.socket, frame))) break;
        sent += chunk.length;
      }
      // The answer arrives whole although the client was still sending (no reset), with the
      // connection marked for closing; a client that then stops sending sees it closed.
      const answer = await connection.waitFor(/\r\n\r\n.+/s);
      assert.match(answer, /^HTTP\/1\.1 413 /);
      assert.match(answer, /\r\nConnection: close\r\n/i);
      assert.ok(sent > tenMegabytes, `sent ${sent}`);
      connection.socket.end();
      await connection.closed;
      assert.equal(calls(), 0);
    });

    it("refuses a 5 MB binary body: in base64 the event is over Lambda's 6 MB limit", async () => {
      const response = await fetch(`${front.url}/payloads`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: randomBytes(5 * 1024 * 1024),
      });
      assert.equal(response.status, 413);
      assert.equal(
        await response.text(),
        api === 'rest'
          ? '{"message": "Request Too Long"}'
          : '{"message":"Request Entity Too Large"}',
      );
      assert.equal(calls(), 0);
    });

    it('carries a 4 MiB binary body (5.3 MB in base64) byte for byte', async () => {
      const payload = randomBytes(4 * 1024 * 1024);
      const response = await fetch(`${front.url}/payloads`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: payload,
      });
      assert.equal(response.status, 200);
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(payload));
      assert.equal(calls(), 1);
    });

    it('serves the next request on a connection that was not refused', async () => {
      for (let i = 0; i < 3; i += 1) {
        const response = await fetch(`${front.url}/payloads`, { method: 'POST', body: 'again' });
        assert.equal(await response.text(), 'again');
      }
    });
  });

  describe(`API Gateway front integration timeout and throttling (${api})`, () => {
    it('answers when the integration timeout passes, and logs the invoke when it ends', async () => {
      const { front, logs } = await startFront(
        api,
        { delayMs: 1000 },
        { integrationTimeoutMs: 100 },
      );
      try {
        const started = Date.now();
        const response = await fetch(`${front.url}/slow`);
        const elapsed = Date.now() - started;
        assert.equal(response.status, api === 'rest' ? 504 : 503);
        assert.equal(
          await response.text(),
          api === 'rest'
            ? '{"message": "Endpoint request timed out"}'
            : '{"message":"Service Unavailable"}',
        );
        assert.ok(elapsed >= 100 && elapsed < 900, `answered after ${elapsed} ms`);
        const request = logs.find((entry) => entry.type === 'request');
        assert.equal(request?.type === 'request' && request.failure?.kind, 'integration-timeout');
        await sleep(1000);
        const late = logs.find((entry) => entry.type === 'invoke-after-timeout');
        assert.equal(late?.invoke?.outcome, 'response');
        assert.equal(late?.requestId, request?.requestId);
      } finally {
        await front.close();
      }
    });

    it('answers a throttled invoke with 500, as API Gateway answers Lambda throttling', async () => {
      const { front } = await startFront(api, { outcome: { kind: 'throttled' } });
      try {
        const response = await fetch(`${front.url}/payloads`, { method: 'POST', body: 'x' });
        assert.equal(response.status, 500);
        assert.equal(
          await response.text(),
          api === 'rest'
            ? '{"message": "Internal server error"}'
            : '{"message":"Internal Server Error"}',
        );
      } finally {
        await front.close();
      }
    });
  });
}

describe('API Gateway front: close()', () => {
  it('lets a request in flight finish, then refuses connections', async () => {
    const { front } = await startFront('rest', { delayMs: 200 });
    const pending = fetch(`${front.url}/payloads`, { method: 'POST', body: 'in flight' });
    await sleep(50);
    await front.close();
    const response = await pending;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'in flight');
    await assert.rejects(fetch(`${front.url}/payloads`));
  });

  it('cuts requests still waiting after closeTimeoutMs, without waiting for the invoke', async () => {
    const { front } = await startFront(
      'http',
      { delayMs: Number.POSITIVE_INFINITY },
      { closeTimeoutMs: 100 },
    );
    const pending = fetch(`${front.url}/payloads`, { method: 'POST', body: 'never answered' });
    await sleep(50);
    const started = Date.now();
    await front.close();
    assert.ok(Date.now() - started < 1000);
    await assert.rejects(pending);
  });
});
