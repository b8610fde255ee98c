/**
 * The Lambda HTTP adapter on the real event fixtures: method, URL, headers, query, cookies and
 * the body's exact bytes in; status, headers and a base64 body out, in the shape each payload
 * format expects.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ProxyEvent, toRequest, toResult } from '../../src/lambda/http-adapter.js';

async function fixture(name: string): Promise<ProxyEvent> {
  const path = fileURLToPath(new URL(`../fixtures/apigw/${name}.json`, import.meta.url));
  return JSON.parse(await readFile(path, 'utf8'));
}

describe('toRequest', () => {
  it('REST v1: repeated headers and query parameters, base64 body decoded', async () => {
    const event = await fixture('rest-v1-post-binary');
    const { request, incoming } = toRequest(event);
    assert.equal(request.method, 'POST');
    const url = new URL(request.url);
    assert.equal(url.host, 'abc123xmpl.execute-api.eu-west-1.amazonaws.com');
    assert.equal(url.pathname, '/payloads');
    assert.deepEqual(url.searchParams.getAll('tag'), ['a', 'b']);
    assert.equal(url.searchParams.get('note'), 'two words');
    assert.equal(request.headers.get('x-tag'), 'first, second');
    assert.equal(request.headers.get('idempotency-key'), 'order-0042');
    assert.deepEqual(incoming, [Buffer.from(event.body as string, 'base64')]);
    assert.equal(request.headers.get('content-length'), '16');
    assert.equal(request.body, null, 'the body is handed over decoded, not as a stream');
  });

  it('REST v1 text body: UTF-8 bytes, Content-Length of the bytes', async () => {
    const event = await fixture('rest-v1-post-json-text');
    const { request, incoming } = toRequest(event);
    assert.deepEqual(incoming, [Buffer.from('{"greeting":"héllo"}', 'utf8')]);
    assert.equal(request.headers.get('content-length'), '21');
  });

  it('HTTP API v2: raw path and query, cookies back into a Cookie header, no body', async () => {
    const event = await fixture('http-v2-get-cookies');
    const { request, incoming } = toRequest(event);
    assert.equal(request.method, 'GET');
    const url = new URL(request.url);
    assert.equal(url.pathname, '/payloads/0190c3e2-7b1a-7c4d-9e8f-0a1b2c3d4e5f/receipt');
    assert.deepEqual(url.searchParams.getAll('tag'), ['a', 'b']);
    assert.equal(
      request.headers.get('cookie'),
      's_fid=7AABXMPL1AFD9BBF-0643XMPL09956DE2; regStatus=pre-register',
    );
    assert.deepEqual(incoming, []);
  });

  it('Function URL: binary body decoded byte-exact', async () => {
    const event = await fixture('function-url-post-binary');
    const { request, incoming } = toRequest(event);
    assert.equal(request.method, 'POST');
    assert.equal(new URL(request.url).search, '?mode=after-response');
    assert.deepEqual(incoming, [Buffer.from(event.body as string, 'base64')]);
  });

  it('a 1 MiB base64 body round-trips exactly', () => {
    const bytes = Buffer.alloc(1 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
    const event: ProxyEvent = {
      rawPath: '/payloads',
      requestContext: { http: { method: 'POST' } },
      headers: { host: 'x.example' },
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    };
    assert.ok(toRequest(event).incoming[0]?.equals(bytes));
  });

  it('throws a TypeError for an event that is not a proxy event', () => {
    assert.throws(() => toRequest({ body: 'x' }), TypeError);
  });
});

describe('toResult', () => {
  const answer = () => {
    const headers = new Headers({ 'content-type': 'application/json', location: '/payloads/x' });
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    return new Response('{"id":"x"}', { status: 202, headers });
  };

  it('REST v1 with multiValueHeaders: headers as lists, cookies under set-cookie', async () => {
    const result = await toResult(await fixture('rest-v1-post-binary'), answer());
    assert.equal(result.statusCode, 202);
    assert.equal(result.isBase64Encoded, true);
    assert.equal(Buffer.from(result.body, 'base64').toString(), '{"id":"x"}');
    assert.deepEqual(result.multiValueHeaders?.location, ['/payloads/x']);
    assert.deepEqual(result.multiValueHeaders?.['set-cookie'], ['a=1', 'b=2']);
    assert.equal(result.headers, undefined);
  });

  it('v2: flat headers and a cookies list', async () => {
    const result = await toResult(await fixture('http-v2-post-binary'), answer());
    assert.equal(result.headers?.['content-type'], 'application/json');
    assert.equal(result.headers?.['set-cookie'], undefined);
    assert.deepEqual(result.cookies, ['a=1', 'b=2']);
  });

  it('binary bodies come back byte-exact', async () => {
    const bytes = Buffer.from([0, 255, 128, 10, 13, 0xfe]);
    const result = await toResult(await fixture('function-url-post-binary'), new Response(bytes));
    assert.deepEqual(Buffer.from(result.body, 'base64'), bytes);
  });
});
