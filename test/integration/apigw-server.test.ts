/**
 * The API Gateway front over real HTTP on 127.0.0.1, with an in-process Invoker that does what a
 * handler would: decode the event, answer in the payload format of the API. (The real pool of
 * sandboxes is tested end to end elsewhere.)
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FrontLogEntry } from '../../src/local/apigw/log.js';
import { type RunningApiGateway, startApiGateway } from '../../src/local/apigw/server.js';
import type { InvokeOutcome, InvokeRequest, Invoker } from '../../src/local/types.js';
import { connect } from '../support/raw-http.js';

// biome-ignore lint/suspicious/noExplicitAny: events are whatever JSON the gateway built
type Event = any;

/** Invokes `handler` in process, as the runtime would: its return value is the posted response. */
function inProcessInvoker(handler: (event: Event) => unknown): Invoker & { seen: InvokeRequest[] } {
  const seen: InvokeRequest[] = [];
  return {
    seen,
    async invoke(request) {
      seen.push(request);
      const requestId = randomUUID();
      const report = `REPORT RequestId: ${requestId}\tDuration: 1.00 ms\tBilled Duration: 1 ms`;
      let outcome: InvokeOutcome;
      try {
        const result = await handler(JSON.parse(request.event.toString('utf8')));
        outcome = { kind: 'response', payload: Buffer.from(JSON.stringify(result) ?? 'null') };
      } catch (error) {
        const errorMessage = error instanceof Error ? error.message : String(error);
        const payload = Buffer.from(JSON.stringify({ errorType: 'Error', errorMessage }));
        outcome = { kind: 'function-error', errorType: 'Error', errorMessage, payload };
      }
      return { requestId, outcome, coldStart: seen.length === 1, report };
    },
  };
}

function bodyBytes(event: Event): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/**
 * Sends back the body it received, base64 both ways, with what it saw of the event in headers.
 * `/special/...` paths return the result named by the path instead.
 */
function echoHandler(event: Event): unknown {
  const path: string = event.rawPath ?? event.path;
  if (path === '/special/malformed') return { statusCode: 200, body: { not: 'a string' } };
  if (path === '/special/throw') throw new Error('handler failed');
  if (path === '/special/plain-object') return { hello: 'world' };
  if (path === '/special/cookies') {
    return { statusCode: 200, cookies: ['a=1; Path=/', 'b=2'], body: 'with cookies' };
  }
  if (path === '/special/event') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    };
  }
  const received = bodyBytes(event);
  const headers = event.headers as Record<string, string>;
  const contentType =
    Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ??
    'application/octet-stream';
  return {
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'x-seen-base64': String(event.isBase64Encoded),
      'x-seen-bytes': String(received.length),
    },
    body: received.toString('base64'),
    isBase64Encoded: true,
  };
}

async function startFront(api: 'rest' | 'http') {
  const invoker = inProcessInvoker(echoHandler);
  const logs: FrontLogEntry[] = [];
  const front = await startApiGateway({
    api,
    invoker,
    host: '127.0.0.1',
    port: 0,
    log: (entry) => logs.push(entry),
  });
  return { front, invoker, logs };
}

for (const api of ['rest', 'http'] as const) {
  describe(`API Gateway front (${api === 'rest' ? 'REST API' : 'HTTP API'})`, () => {
    let front: RunningApiGateway;
    let invoker: ReturnType<typeof inProcessInvoker>;
    let logs: FrontLogEntry[];
    before(async () => ({ front, invoker, logs } = await startFront(api)));
    after(() => front.close());

    it('carries a 1 MiB binary body byte for byte, base64 both ways', async () => {
      const payload = randomBytes(1024 * 1024);
      const response = await fetch(`${front.url}/payloads`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: payload,
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-seen-base64'), 'true');
      assert.equal(response.headers.get('x-seen-bytes'), String(payload.length));
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(payload));
      const event = JSON.parse(invoker.seen.at(-1)?.event.toString('utf8') ?? '{}');
      assert.ok(Buffer.from(event.body, 'base64').equals(payload));
    });

    it('sends JSON as text to an HTTP API, as base64 to a REST API with binaryMediaTypes */*', async () => {
      const json = '{"greeting":"héllo"}';
      const response = await fetch(`${front.url}/payloads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: json,
      });
      assert.equal(response.headers.get('x-seen-base64'), api === 'rest' ? 'true' : 'false');
      assert.equal(await response.text(), json);
    });

    it('builds the event of its payload format, with gateway request ids on the answer', async () => {
      const response = await fetch(`${front.url}/special/event?tag=a&tag=b`, {
        headers: { 'user-agent': 'apigw-test', cookie: 'a=1; b=2' },
      });
      const event: Event = await response.json();
      if (api === 'rest') {
        assert.equal(event.resource, '/{proxy+}');
        assert.equal(event.path, '/special/event');
        assert.equal(event.requestContext.stage, 'prod');
        assert.equal(event.requestContext.path, '/prod/special/event');
        assert.equal(event.requestContext.identity.sourceIp, '127.0.0.1');
        assert.equal(event.requestContext.identity.userAgent, 'apigw-test');
        assert.deepEqual(event.multiValueQueryStringParameters, { tag: ['a', 'b'] });
        assert.equal(event.body, null);
        assert.equal(response.headers.get('x-amzn-requestid'), event.requestContext.requestId);
        assert.equal(
          response.headers.get('x-amz-apigw-id'),
          event.requestContext.extendedRequestId,
        );
      } else {
        assert.equal(event.version, '2.0');
        assert.equal(event.rawPath, '/special/event');
        assert.equal(event.rawQueryString, 'tag=a&tag=b');
        assert.deepEqual(event.queryStringParameters, { tag: 'a,b' });
        assert.deepEqual(event.cookies, ['a=1', 'b=2']);
        assert.equal(event.requestContext.http.sourceIp, '127.0.0.1');
        assert.equal(event.requestContext.http.userAgent, 'apigw-test');
        assert.equal(event.requestContext.stage, '$default');
        assert.equal(response.headers.get('apigw-requestid'), event.requestContext.requestId);
      }
      const trace = invoker.seen.at(-1)?.traceId ?? '';
      assert.match(trace, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    });

    it('keeps repeated request headers apart (REST) or joins them (HTTP API)', async () => {
      const connection = await connect(front.url);
      connection.socket.write(
        'GET /special/event HTTP/1.1\r\nHost: test\r\nX-Tag: one\r\nX-Tag: two\r\nConnection: close\r\n\r\n',
      );
      await connection.closed;
      const text = connection.received();
      const event = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
      if (api === 'rest') {
        assert.deepEqual(event.multiValueHeaders['X-Tag'], ['one', 'two']);
        assert.equal(event.headers['X-Tag'], 'two');
      } else {
        assert.equal(event.headers['x-tag'], 'one,two');
      }
    });

    it('answers a malformed result as API Gateway does', async () => {
      const response = await fetch(`${front.url}/special/malformed`);
      assert.equal(response.status, api === 'rest' ? 502 : 500);
      assert.equal(
        await response.text(),
        api === 'rest'
          ? '{"message": "Internal server error"}'
          : '{"message":"Internal Server Error"}',
      );
      const entry = logs.at(-1);
      assert.equal(entry?.type === 'request' && entry.failure?.kind, 'integration-failure');
    });

    it('answers a function error as API Gateway does', async () => {
      const response = await fetch(`${front.url}/special/throw`);
      assert.equal(response.status, api === 'rest' ? 502 : 500);
      await response.arrayBuffer();
    });

    if (api === 'http') {
      it('turns cookies into Set-Cookie headers and infers a plain object as a 200 JSON body', async () => {
        const withCookies = await fetch(`${front.url}/special/cookies`);
        assert.deepEqual(withCookies.headers.getSetCookie(), ['a=1; Path=/', 'b=2']);
        assert.equal(await withCookies.text(), 'with cookies');
        const plain = await fetch(`${front.url}/special/plain-object`);
        assert.equal(plain.status, 200);
        assert.equal(plain.headers.get('content-type'), 'application/json');
        assert.deepEqual(await plain.json(), { hello: 'world' });
      });
    } else {
      it('rejects a plain object without statusCode as a malformed proxy response', async () => {
        const response = await fetch(`${front.url}/special/plain-object`);
        assert.equal(response.status, 502);
        await response.arrayBuffer();
      });
    }

    it('logs each request with what Lambda did', async () => {
      const response = await fetch(`${front.url}/payloads`, { method: 'POST', body: 'x' });
      await response.arrayBuffer();
      const entry = logs.at(-1);
      assert.ok(entry?.type === 'request');
      assert.equal(entry.status, 200);
      assert.equal(entry.method, 'POST');
      assert.equal(entry.path, '/payloads');
      assert.equal(entry.invoke?.outcome, 'response');
      assert.match(entry.invoke?.report ?? '', /^REPORT RequestId: /);
      assert.ok(entry.latencyMs >= 0);
    });
  });
}
