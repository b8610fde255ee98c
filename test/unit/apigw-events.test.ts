/**
 * The event builders against events captured from AWS (test/fixtures/apigw): fed the request a
 * fixture describes, a builder must reproduce the fixture exactly; fed any other request, its
 * output must have the fixture's shape (same keys, same value types).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { buildHttpApiEvent, type HttpApiEvent } from '../../src/local/apigw/http-event.js';
import {
  type GatewayRequestIds,
  newHttpApiRequestIds,
  newRestRequestIds,
} from '../../src/local/apigw/ids.js';
import type { GatewayRequest } from '../../src/local/apigw/request.js';
import {
  buildRestEvent,
  type RestApiEvent,
  type RestApiSettings,
} from '../../src/local/apigw/rest-event.js';

const fixturesDir = new URL('../fixtures/apigw/', import.meta.url);
const fixtureNames = readdirSync(fixturesDir).filter((name) => name.endsWith('.json'));
const loadFixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as T;

/** Headers API Gateway writes itself: the builders add them, so they are not client input. */
const gatewayWritten = /^(x-forwarded-(for|port|proto)|x-amzn-trace-id)$/i;

function bodyOf(event: { body?: string | null; isBase64Encoded: boolean }): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function headerValue(headers: Record<string, string>, name: string): string {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  assert.ok(found, `fixture has no ${name} header`);
  return found[1];
}

/** The request, ids and settings a REST fixture was made from. */
function restInputs(event: RestApiEvent) {
  const context = event.requestContext;
  const query = Object.entries(event.multiValueQueryStringParameters ?? {}).flatMap(
    ([name, values]) =>
      values.map((value) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`),
  );
  const request: GatewayRequest = {
    method: event.httpMethod,
    path: event.path,
    rawQueryString: query.join('&'),
    headers: Object.entries(event.multiValueHeaders)
      .filter(([name]) => !gatewayWritten.test(name))
      .flatMap(([name, values]) => values.map((value) => [name, value] as const)),
    body: bodyOf(event),
    sourceIp: context.identity.sourceIp,
    receivedAtMs: context.requestTimeEpoch,
    localPort: Number(headerValue(event.headers, 'x-forwarded-port')),
    scheme: headerValue(event.headers, 'x-forwarded-proto') as 'https',
  };
  const ids: GatewayRequestIds = {
    requestId: context.requestId,
    extendedRequestId: context.extendedRequestId,
    traceHeader: headerValue(event.headers, 'x-amzn-trace-id'),
  };
  const settings: RestApiSettings = {
    accountId: context.accountId,
    apiId: context.apiId,
    region: context.domainName.split('.')[2] as string,
    stage: context.stage,
    // A text body in a fixture is what an API without a matching binary media type receives.
    binaryMediaTypes: event.body !== null && !event.isBase64Encoded ? ['image/png'] : ['*/*'],
    resourceIds: { root: context.resourceId, proxy: context.resourceId },
  };
  return { request, ids, settings };
}

/** The request, ids and settings an HTTP API or Function URL fixture was made from. */
function httpInputs(event: HttpApiEvent) {
  const context = event.requestContext;
  const headers: Array<readonly [string, string]> = Object.entries(event.headers).filter(
    ([name]) => !gatewayWritten.test(name),
  );
  if (event.cookies !== undefined) headers.push(['cookie', event.cookies.join('; ')]);
  const request: GatewayRequest = {
    method: context.http.method,
    path: event.rawPath,
    rawQueryString: event.rawQueryString,
    headers,
    body: bodyOf(event),
    sourceIp: context.http.sourceIp,
    receivedAtMs: context.timeEpoch,
    localPort: Number(event.headers['x-forwarded-port']),
    scheme: event.headers['x-forwarded-proto'] as 'https',
  };
  const ids: GatewayRequestIds = {
    requestId: context.requestId,
    extendedRequestId: context.requestId,
    traceHeader: event.headers['x-amzn-trace-id'] as string,
  };
  const settings = {
    accountId: context.accountId,
    apiId: context.apiId,
    domainName: context.domainName,
  };
  return { request, ids, settings };
}

/** Values of these keys are maps of arbitrary names: only their value types are compared. */
const mapKeys = new Set([
  'headers',
  'multiValueHeaders',
  'queryStringParameters',
  'multiValueQueryStringParameters',
  'pathParameters',
  'stageVariables',
]);

function shapeOf(value: unknown, key = ''): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return distinct(value.map((item) => shapeOf(item)));
  if (typeof value !== 'object') return typeof value;
  if (mapKeys.has(key)) return { '*': distinct(Object.values(value).map((item) => shapeOf(item))) };
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, item]) => [name, shapeOf(item, name)]),
  );
}

function distinct(shapes: unknown[]): unknown[] {
  const byText = new Map(shapes.map((shape) => [JSON.stringify(shape), shape]));
  return [...byText.values()];
}

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'POST',
    path: '/payloads',
    rawQueryString: '',
    headers: [
      ['Host', '127.0.0.1:3000'],
      ['User-Agent', 'node'],
      ['Content-Type', 'application/octet-stream'],
    ],
    body: Buffer.from([0, 1, 2, 255]),
    sourceIp: '127.0.0.1',
    receivedAtMs: Date.UTC(2024, 2, 13, 15, 13, 36, 123),
    localPort: 3000,
    scheme: 'http',
    ...overrides,
  };
}

const restSettings: RestApiSettings = {
  accountId: '123456789012',
  apiId: 'qs0local01',
  region: 'us-east-1',
  stage: 'prod',
  binaryMediaTypes: ['*/*'],
  resourceIds: { root: 'qsroot', proxy: 'qsprxy' },
};
const httpSettings = {
  accountId: '123456789012',
  apiId: 'qs0local01',
  domainName: 'qs0local01.execute-api.us-east-1.amazonaws.com',
};
const rest = (overrides: Partial<GatewayRequest> = {}, settings = restSettings) =>
  buildRestEvent(request(overrides), newRestRequestIds(Date.now()), settings);
const http = (overrides: Partial<GatewayRequest> = {}) =>
  buildHttpApiEvent(request(overrides), newHttpApiRequestIds(Date.now()), httpSettings);

describe('API Gateway events: reproducing captured events', () => {
  it('has fixtures of every kind', () => {
    for (const prefix of ['rest-v1-', 'http-v2-', 'function-url-']) {
      assert.ok(
        fixtureNames.some((name) => name.startsWith(prefix)),
        prefix,
      );
    }
  });

  for (const name of fixtureNames.filter((n) => n.startsWith('rest-v1-'))) {
    it(`rebuilds ${name}`, () => {
      const fixture = loadFixture<RestApiEvent>(name);
      const { request: input, ids, settings } = restInputs(fixture);
      assert.deepEqual(buildRestEvent(input, ids, settings), fixture);
    });
  }

  for (const name of fixtureNames.filter((n) => !n.startsWith('rest-v1-'))) {
    it(`rebuilds ${name}`, () => {
      const fixture = loadFixture<HttpApiEvent>(name);
      const { request: input, ids, settings } = httpInputs(fixture);
      assert.deepEqual(buildHttpApiEvent(input, ids, settings), fixture);
    });
  }
});

describe('API Gateway events: the shape of new events', () => {
  it('REST events have the keys and types of the captured ones', () => {
    const binary = rest({ rawQueryString: 'tag=a&tag=b' });
    assert.deepEqual(shapeOf(binary), shapeOf(loadFixture('rest-v1-post-binary.json')));
    const root = rest({ method: 'GET', path: '/', body: Buffer.alloc(0) });
    assert.deepEqual(shapeOf(root), shapeOf(loadFixture('rest-v1-get-root.json')));
    const json: GatewayRequest['headers'] = [
      ['User-Agent', 'node'],
      ['Content-Type', 'application/json'],
    ];
    const text = rest({ headers: json }, { ...restSettings, binaryMediaTypes: ['image/png'] });
    assert.deepEqual(shapeOf(text), shapeOf(loadFixture('rest-v1-post-json-text.json')));
  });

  it('HTTP API events have the keys and types of the captured ones', () => {
    assert.deepEqual(shapeOf(http()), shapeOf(loadFixture('http-v2-post-binary.json')));
    const get = http({
      method: 'GET',
      path: '/payloads/x/receipt',
      rawQueryString: 'tag=a&tag=b',
      headers: [['Cookie', 'a=1; b=2']],
      body: Buffer.alloc(0),
    });
    assert.deepEqual(shapeOf(get), shapeOf(loadFixture('http-v2-get-cookies.json')));
    const json = http({ headers: [['content-type', 'application/json']], body: Buffer.from('{}') });
    assert.deepEqual(shapeOf(json), shapeOf(loadFixture('http-v2-post-json.json')));
  });

  it('a Function URL event is an HTTP API event with the Function URL domain', () => {
    const ids = newHttpApiRequestIds(Date.now());
    const domainName = 'a1b2c3xmplexampleurlid0123456789.lambda-url.us-east-1.on.aws';
    const settings = {
      accountId: 'anonymous',
      apiId: 'a1b2c3xmplexampleurlid0123456789',
      domainName,
    };
    const event = buildHttpApiEvent(request({ rawQueryString: 'mode=x' }), ids, settings);
    assert.deepEqual(shapeOf(event), shapeOf(loadFixture('function-url-post-binary.json')));
    assert.equal(event.requestContext.domainPrefix, 'a1b2c3xmplexampleurlid0123456789');
  });

  it('ids look like API Gateway ids', () => {
    const event = rest();
    assert.match(event.requestContext.requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
    assert.match(event.requestContext.extendedRequestId, /^[A-Za-z0-9+/]{15}=$/);
    assert.match(event.headers['X-Amzn-Trace-Id'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.match(http().requestContext.requestId, /^[A-Za-z0-9+/]{15}=$/);
  });

  it('stamps the request time in Common Log Format and epoch milliseconds', () => {
    const event = rest();
    assert.equal(event.requestContext.requestTime, '13/Mar/2024:15:13:36 +0000');
    assert.equal(event.requestContext.requestTimeEpoch, Date.UTC(2024, 2, 13, 15, 13, 36, 123));
    assert.equal(http().requestContext.time, '13/Mar/2024:15:13:36 +0000');
  });
});

describe('API Gateway events: headers, query strings and cookies', () => {
  const repeated: GatewayRequest['headers'] = [
    ['X-Tag', 'one'],
    ['x-tag', 'two'],
    ['Accept', 'text/plain, */*'],
  ];

  it('REST: last value wins in headers, every value in multiValueHeaders, case as sent', () => {
    const event = rest({ headers: repeated });
    assert.equal(event.headers['X-Tag'], 'two');
    assert.deepEqual(event.multiValueHeaders['X-Tag'], ['one', 'two']);
    assert.equal(event.headers['x-tag'], undefined);
    assert.equal(event.headers.Accept, 'text/plain, */*');
  });

  it('HTTP API: names lower-cased, repeated values joined with commas', () => {
    const event = http({ headers: repeated });
    assert.equal(event.headers['x-tag'], 'one,two');
    assert.equal(event.headers.accept, 'text/plain, */*');
  });

  it('adds the forwarding and trace headers, appending the peer to X-Forwarded-For', () => {
    const headers: GatewayRequest['headers'] = [
      ['X-Forwarded-For', '192.0.2.1'],
      ['X-Forwarded-Proto', 'https'],
      ['X-Amzn-Trace-Id', 'Root=client-chosen'],
    ];
    const event = rest({ headers, sourceIp: '198.51.100.9', localPort: 3000 });
    assert.equal(event.headers['X-Forwarded-For'], '192.0.2.1, 198.51.100.9');
    assert.equal(event.headers['X-Forwarded-Port'], '3000');
    assert.equal(event.headers['X-Forwarded-Proto'], 'http');
    assert.notEqual(event.headers['X-Amzn-Trace-Id'], 'Root=client-chosen');
    assert.equal(http({ sourceIp: '198.51.100.9' }).headers['x-forwarded-for'], '198.51.100.9');
  });

  it('drops hop-by-hop headers', () => {
    const headers: GatewayRequest['headers'] = [
      ['Connection', 'keep-alive'],
      ['Transfer-Encoding', 'chunked'],
      ['Expect', '100-continue'],
      ['Content-Type', 'application/octet-stream'],
    ];
    const names = Object.keys(rest({ headers }).headers).map((name) => name.toLowerCase());
    for (const dropped of ['connection', 'transfer-encoding', 'expect']) {
      assert.ok(!names.includes(dropped), dropped);
    }
    assert.ok(names.includes('content-type'));
  });

  it('REST: repeated query parameters, last value in the single-value map', () => {
    const event = rest({ rawQueryString: 'tag=a&tag=b&note=two%20words&plus=a+b&flag' });
    assert.deepEqual(event.queryStringParameters, {
      tag: 'b',
      note: 'two words',
      plus: 'a+b',
      flag: '',
    });
    assert.deepEqual(event.multiValueQueryStringParameters?.tag, ['a', 'b']);
    assert.equal(rest().queryStringParameters, null);
    assert.equal(rest().multiValueQueryStringParameters, null);
  });

  it('HTTP API: repeated query parameters joined with commas, raw query kept', () => {
    const event = http({ rawQueryString: 'tag=a&tag=b&bad=%E0%A4%A' });
    assert.deepEqual(event.queryStringParameters, { tag: 'a,b', bad: '%E0%A4%A' });
    assert.equal(event.rawQueryString, 'tag=a&tag=b&bad=%E0%A4%A');
    assert.equal('queryStringParameters' in http(), false);
  });

  it('HTTP API: cookies split out of the Cookie headers, which leave the headers', () => {
    const event = http({
      headers: [
        ['Cookie', 'a=1; b=2'],
        ['cookie', 'c=3;'],
      ],
    });
    assert.deepEqual(event.cookies, ['a=1', 'b=2', 'c=3']);
    assert.equal(event.headers.cookie, undefined);
    assert.equal('cookies' in http(), false);
  });

  it('REST keeps the Cookie header as a header', () => {
    assert.equal(rest({ headers: [['Cookie', 'a=1; b=2']] }).headers.Cookie, 'a=1; b=2');
  });

  it('REST: the root path is the / resource, anything else {proxy+}', () => {
    const root = rest({ path: '/' });
    assert.equal(root.resource, '/');
    assert.equal(root.pathParameters, null);
    assert.equal(root.requestContext.path, '/prod/');
    const nested = rest({ path: '/payloads/abc/receipt' });
    assert.equal(nested.resource, '/{proxy+}');
    assert.deepEqual(nested.pathParameters, { proxy: 'payloads/abc/receipt' });
    assert.equal(nested.requestContext.path, '/prod/payloads/abc/receipt');
    assert.equal(nested.requestContext.resourcePath, '/{proxy+}');
  });
});

describe('API Gateway events: bodies', () => {
  const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x22]);

  it('REST with binaryMediaTypes */*: every non-empty body is base64, byte for byte', () => {
    for (const contentType of ['application/octet-stream', 'application/json', 'text/plain']) {
      const event = rest({ headers: [['Content-Type', contentType]], body: bytes });
      assert.equal(event.isBase64Encoded, true, contentType);
      assert.deepEqual(Buffer.from(event.body ?? '', 'base64'), bytes);
    }
    const untyped = rest({ headers: [], body: bytes });
    assert.equal(untyped.isBase64Encoded, true);
  });

  it('REST without a matching binary media type: UTF-8 text, and binary bytes are corrupted', () => {
    const settings = { ...restSettings, binaryMediaTypes: ['image/*'] };
    const event = rest({ body: bytes }, settings);
    assert.equal(event.isBase64Encoded, false);
    assert.notDeepEqual(Buffer.from(event.body ?? '', 'utf8'), bytes);
    const png = rest({ headers: [['Content-Type', 'image/png']], body: bytes }, settings);
    assert.equal(png.isBase64Encoded, true);
  });

  it('REST: an empty body is null', () => {
    const event = rest({ method: 'GET', body: Buffer.alloc(0) });
    assert.equal(event.body, null);
    assert.equal(event.isBase64Encoded, false);
  });

  it('HTTP API: text, JSON and XML as text; everything else base64', () => {
    const text = ['text/plain', 'application/json; charset=utf-8', 'application/problem+json'];
    for (const contentType of [...text, 'application/xml', 'image/svg+xml', 'text/csv']) {
      const event = http({ headers: [['content-type', contentType]], body: Buffer.from('hé') });
      assert.equal(event.isBase64Encoded, false, contentType);
      assert.equal(event.body, 'hé');
    }
    for (const contentType of [
      'application/octet-stream',
      'image/png',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const event = http({ headers: [['content-type', contentType]], body: bytes });
      assert.equal(event.isBase64Encoded, true, contentType);
      assert.deepEqual(Buffer.from(event.body ?? '', 'base64'), bytes);
    }
    assert.equal(http({ headers: [], body: bytes }).isBase64Encoded, true);
  });

  it('HTTP API: an empty body has no body key', () => {
    const event = http({ method: 'GET', body: Buffer.alloc(0) });
    assert.equal('body' in event, false);
    assert.equal(event.isBase64Encoded, false);
  });
});
