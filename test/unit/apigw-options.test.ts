/** The front's options: defaults per API kind, and refusals of what cannot be meant. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64Strictly } from '../../src/local/apigw/base64.js';
import {
  firstAcceptType,
  isTextMediaType,
  matchesBinaryMediaTypes,
} from '../../src/local/apigw/media-type.js';
import { type ApiGatewayOptions, resolveApiGatewayOptions } from '../../src/local/apigw/options.js';
import { splitRequestTarget } from '../../src/local/apigw/server.js';
import type { Invoker } from '../../src/local/types.js';

const invoker: Invoker = {
  invoke: async () => ({
    requestId: 'r',
    outcome: { kind: 'throttled' },
    coldStart: false,
    report: '',
  }),
};

describe('API Gateway front options', () => {
  it('REST defaults: stage prod, 29 s integration timeout, binaryMediaTypes */*', () => {
    const options = resolveApiGatewayOptions({ api: 'rest', invoker });
    assert.equal(options.stage, 'prod');
    assert.equal(options.integrationTimeoutMs, 29_000);
    assert.deepEqual(options.binaryMediaTypes, ['*/*']);
    assert.equal(options.maxBodyBytes, 10_485_760);
    assert.equal(options.invokeRequestMaxBytes, 6_291_456);
    assert.equal(options.host, '127.0.0.1');
    assert.equal(options.port, 3000);
  });

  it('HTTP API defaults: stage $default, 30 s integration timeout', () => {
    const options = resolveApiGatewayOptions({ api: 'http', invoker, port: 0 });
    assert.equal(options.stage, '$default');
    assert.equal(options.integrationTimeoutMs, 30_000);
    assert.equal(options.port, 0);
  });

  const refused: Array<[string, ApiGatewayOptions, RegExp]> = [
    [
      'an unknown key',
      { api: 'rest', invoker, timeoutMs: 5 } as ApiGatewayOptions,
      /unknown option: timeoutMs/,
    ],
    [
      'an unknown api',
      { api: 'websocket', invoker } as unknown as ApiGatewayOptions,
      /api must be/,
    ],
    ['a missing invoker', { api: 'rest' } as ApiGatewayOptions, /invoker/],
    ['a stage on an HTTP API', { api: 'http', invoker, stage: 'prod' }, /\$default/],
    [
      'binaryMediaTypes on an HTTP API',
      { api: 'http', invoker, binaryMediaTypes: ['*/*'] },
      /REST/,
    ],
    ['a zero timeout', { api: 'rest', invoker, integrationTimeoutMs: 0 }, /integrationTimeoutMs/],
    ['a fractional limit', { api: 'rest', invoker, maxBodyBytes: 1.5 }, /maxBodyBytes/],
    ['a port out of range', { api: 'rest', invoker, port: 70000 }, /port/],
    ['a stage with a slash', { api: 'rest', invoker, stage: 'a/b' }, /stage/],
  ];
  for (const [what, input, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(
        () => resolveApiGatewayOptions(input),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'invalid-config');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('media types, base64 and request targets', () => {
  it('matches binaryMediaTypes exactly, by type wildcard, or by the catch-all', () => {
    assert.equal(matchesBinaryMediaTypes('image/png', ['image/*']), true);
    assert.equal(matchesBinaryMediaTypes('Image/PNG; q=1', ['image/png']), true);
    assert.equal(matchesBinaryMediaTypes('text/plain', ['image/*']), false);
    assert.equal(matchesBinaryMediaTypes(undefined, ['image/*']), false);
    assert.equal(matchesBinaryMediaTypes(undefined, ['*/*']), true);
    assert.equal(matchesBinaryMediaTypes('application/json', []), false);
  });

  it('looks only at the first Accept type', () => {
    assert.equal(firstAcceptType('image/webp,image/*,*/*;q=0.8'), 'image/webp');
    assert.equal(firstAcceptType(undefined), undefined);
  });

  it('knows text types', () => {
    assert.equal(isTextMediaType('application/vnd.api+json'), true);
    assert.equal(isTextMediaType('application/x-www-form-urlencoded'), false);
    assert.equal(isTextMediaType(undefined), false);
  });

  it('decodes base64 strictly, even megabytes of it', () => {
    assert.equal(decodeBase64Strictly('AP/+gAo=')?.toString('hex'), '00fffe800a');
    assert.equal(decodeBase64Strictly('AP/+gAo')?.toString('hex'), '00fffe800a');
    for (const bad of ['A', 'AA=', 'A===', 'AA==AA==', 'not base64!']) {
      assert.equal(decodeBase64Strictly(bad), undefined, bad);
    }
    const large = Buffer.alloc(8 * 1024 * 1024, 7);
    assert.deepEqual(decodeBase64Strictly(large.toString('base64')), large);
  });

  it('splits origin-form and absolute-form request targets', () => {
    assert.deepEqual(splitRequestTarget('/a/b?x=1&y'), { path: '/a/b', rawQueryString: 'x=1&y' });
    assert.deepEqual(splitRequestTarget('/a?'), { path: '/a', rawQueryString: '' });
    assert.deepEqual(splitRequestTarget('http://h:1/a%20b?q=%2F'), {
      path: '/a%20b',
      rawQueryString: 'q=%2F',
    });
  });
});
