/**
 * From InvokeOutcome to the client's answer, for both API kinds: the function's own response
 * when it is well formed, API Gateway's own error answer otherwise.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiKind, GatewayResponse } from '../../src/local/apigw/gateway-response.js';
import { gatewayFailure } from '../../src/local/apigw/gateway-response.js';
import type { GatewayRequestIds } from '../../src/local/apigw/ids.js';
import { type AnswerContext, answerForOutcome } from '../../src/local/apigw/outcome.js';
import type { InvokeOutcome } from '../../src/local/types.js';

const ids: GatewayRequestIds = {
  requestId: 'c6af9ac6-0000-4b3e-9a1f-0e2d5c4b3a21',
  extendedRequestId: 'UvZxmplSDoEF5kQ=',
  traceHeader: 'Root=1-65f1c2a0-3f9a2b7c1d4e5f60718293a4',
};

function context(api: ApiKind, overrides: Partial<AnswerContext> = {}): AnswerContext {
  return {
    api,
    ids: api === 'rest' ? ids : { ...ids, requestId: ids.extendedRequestId },
    accept: '*/*',
    binaryMediaTypes: ['*/*'],
    maxBodyBytes: 10485760,
    ...overrides,
  };
}

const response = (result: unknown): InvokeOutcome => ({
  kind: 'response',
  payload: Buffer.from(typeof result === 'string' ? result : JSON.stringify(result)),
});
const rest = (outcome: InvokeOutcome, overrides: Partial<AnswerContext> = {}) =>
  answerForOutcome(outcome, context('rest', overrides));
const http = (outcome: InvokeOutcome) => answerForOutcome(outcome, context('http'));

function header(answer: GatewayResponse, name: string): string | undefined {
  return answer.headers.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
}
function headers(answer: GatewayResponse, name: string): string[] {
  return answer.headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
}

const restInternalError = '{"message": "Internal server error"}';
const httpInternalError = '{"message":"Internal Server Error"}';

describe('REST API: mapping a Lambda proxy result (payload 1.0)', () => {
  it('passes status, headers and body through, with the gateway request-id headers', () => {
    const { response: answer, failure } = rest(
      response({
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'X-A': 1 },
        body: 'hé',
      }),
    );
    assert.equal(failure, undefined);
    assert.equal(answer.statusCode, 201);
    assert.equal(answer.body.toString('utf8'), 'hé');
    assert.equal(header(answer, 'content-type'), 'text/plain');
    assert.equal(header(answer, 'x-a'), '1');
    assert.equal(header(answer, 'x-amzn-RequestId'), ids.requestId);
    assert.equal(header(answer, 'x-amz-apigw-id'), ids.extendedRequestId);
    assert.match(header(answer, 'X-Amzn-Trace-Id') ?? '', /^Root=1-/);
  });

  it('merges headers and multiValueHeaders; a name in both takes the multi values', () => {
    const { response: answer } = rest(
      response({
        statusCode: 200,
        headers: { 'X-One': 'single', 'X-Both': 'from-headers' },
        multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'x-both': ['m1', 'm2'] },
        body: '',
      }),
    );
    assert.deepEqual(headers(answer, 'set-cookie'), ['a=1', 'b=2']);
    assert.deepEqual(headers(answer, 'x-both'), ['m1', 'm2']);
    assert.deepEqual(headers(answer, 'x-one'), ['single']);
  });

  it('adds Content-Type application/json when the function sets none', () => {
    const { response: answer } = rest(response({ statusCode: 204 }));
    assert.equal(header(answer, 'content-type'), 'application/json');
    assert.equal(answer.body.length, 0);
  });

  it('remaps Content-Length, Date, Server and WWW-Authenticate, drops hop-by-hop headers', () => {
    const { response: answer } = rest(
      response({
        statusCode: 401,
        headers: {
          'Content-Length': '999',
          Server: 'handler',
          'WWW-Authenticate': 'Bearer',
          'Transfer-Encoding': 'chunked',
        },
      }),
    );
    assert.equal(header(answer, 'content-length'), undefined);
    assert.equal(header(answer, 'x-amzn-Remapped-Content-Length'), '999');
    assert.equal(header(answer, 'x-amzn-Remapped-Server'), 'handler');
    assert.equal(header(answer, 'x-amzn-Remapped-WWW-Authenticate'), 'Bearer');
    assert.equal(header(answer, 'transfer-encoding'), undefined);
  });

  it('decodes a base64 body byte for byte when the first Accept type is binary', () => {
    const bytes = Buffer.from([0, 255, 254, 128, 10]);
    const result = { statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true };
    assert.deepEqual(rest(response(result)).response.body, bytes);
    const withoutAccept = rest(response(result), { accept: undefined });
    assert.deepEqual(withoutAccept.response.body, bytes);
  });

  it('sends the base64 text itself when the first Accept type is not a binary media type', () => {
    const result = { statusCode: 200, body: 'AP/+gAo=', isBase64Encoded: true };
    const answer = rest(response(result), {
      accept: 'text/html, image/png',
      binaryMediaTypes: ['image/png'],
    });
    assert.equal(answer.response.body.toString(), 'AP/+gAo=');
  });

  it('accepts a statusCode written as a string of digits', () => {
    assert.equal(rest(response({ statusCode: '202' })).response.statusCode, 202);
  });

  const malformed: Array<[string, unknown]> = [
    ['not JSON', 'this is not json'],
    ['a JSON string', '"hello"'],
    ['an array', [{ statusCode: 200 }]],
    ['null', 'null'],
    ['no statusCode', { body: 'x' }],
    ['a statusCode that is not a status', { statusCode: 'OK' }],
    ['a statusCode out of range', { statusCode: 999 }],
    ['a fractional statusCode', { statusCode: 200.5 }],
    ['an object body', { statusCode: 200, body: { a: 1 } }],
    ['a cookies key (payload 2.0 only)', { statusCode: 200, cookies: ['a=1'] }],
    ['an unknown key', { statusCode: 200, statusDescription: 'OK' }],
    ['a header whose value is an object', { statusCode: 200, headers: { 'X-A': { b: 1 } } }],
    ['a header value with a line break', { statusCode: 200, headers: { 'X-A': 'a\r\nB: c' } }],
    ['a header name with a space', { statusCode: 200, headers: { 'X A': 'a' } }],
    ['multiValueHeaders that are not lists', { statusCode: 200, multiValueHeaders: { a: 'b' } }],
    ['a string isBase64Encoded', { statusCode: 200, body: 'AA==', isBase64Encoded: 'true' }],
  ];
  for (const [what, result] of malformed) {
    it(`answers 502 Internal server error to ${what}`, () => {
      const { response: answer, failure } = rest(response(result));
      assert.equal(answer.statusCode, 502);
      assert.equal(answer.body.toString(), restInternalError);
      assert.equal(header(answer, 'x-amzn-ErrorType'), 'InternalServerErrorException');
      assert.equal(header(answer, 'x-amzn-RequestId'), ids.requestId);
      assert.equal(failure?.kind, 'integration-failure');
      assert.match(failure?.detail ?? '', /^Malformed Lambda proxy response/);
    });
  }

  it('answers 500 when isBase64Encoded is set on a body that is not base64', () => {
    const result = { statusCode: 200, body: 'not base64!', isBase64Encoded: true };
    const { response: answer, failure } = rest(response(result));
    assert.equal(answer.statusCode, 500);
    assert.equal(answer.body.toString(), restInternalError);
    assert.equal(failure?.kind, 'gateway-error');
  });
});

describe('HTTP API: mapping a Lambda result (payload 2.0)', () => {
  it('passes status, headers and body through, cookies as Set-Cookie headers', () => {
    const { response: answer } = http(
      response({
        statusCode: 201,
        headers: { 'content-type': 'application/json', 'x-n': 5, 'set-cookie': 'z=0' },
        cookies: ['a=1; Max-Age=60', 'b=2'],
        body: '{"ok":true}',
      }),
    );
    assert.equal(answer.statusCode, 201);
    assert.equal(answer.body.toString(), '{"ok":true}');
    assert.equal(header(answer, 'x-n'), '5');
    assert.deepEqual(headers(answer, 'set-cookie'), ['z=0', 'a=1; Max-Age=60', 'b=2']);
    assert.equal(header(answer, 'apigw-requestid'), ids.extendedRequestId);
    assert.equal(header(answer, 'x-amzn-RequestId'), undefined);
  });

  it('decodes a base64 body byte for byte', () => {
    const bytes = Buffer.from([0, 255, 254, 128, 10]);
    const result = { statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true };
    assert.deepEqual(http(response(result)).response.body, bytes);
  });

  it("drops the function's Content-Length and hop-by-hop headers", () => {
    const result = { statusCode: 200, headers: { 'content-length': '9', connection: 'close' } };
    const { response: answer } = http(response(result));
    assert.equal(header(answer, 'content-length'), undefined);
    assert.equal(header(answer, 'connection'), undefined);
  });

  const inferred: Array<[string, string]> = [
    ['a string', '"Hello, world!"'],
    ['an object without statusCode', '{\n  "message": "Hello, world!"\n}'],
    ['a number', '42'],
    ['null', 'null'],
    ['an array', '[{"statusCode":200}]'],
  ];
  for (const [what, payload] of inferred) {
    it(`answers 200 application/json with the function's own JSON text for ${what}`, () => {
      const { response: answer, failure } = http(response(payload));
      assert.equal(failure, undefined);
      assert.equal(answer.statusCode, 200);
      assert.equal(header(answer, 'content-type'), 'application/json');
      assert.equal(answer.body.toString(), payload);
    });
  }

  const malformed: Array<[string, unknown]> = [
    ['not JSON', 'this is not json'],
    ['a statusCode that is not a status', { statusCode: 'OK' }],
    ['an object body', { statusCode: 200, body: { a: 1 } }],
    ['cookies that are not strings', { statusCode: 200, cookies: [1] }],
    ['a header value with a line break', { statusCode: 200, headers: { a: 'x\nY: z' } }],
  ];
  for (const [what, result] of malformed) {
    it(`answers 500 Internal Server Error to ${what}`, () => {
      const { response: answer, failure } = http(response(result));
      assert.equal(answer.statusCode, 500);
      assert.equal(answer.body.toString(), httpInternalError);
      assert.equal(header(answer, 'apigw-requestid'), ids.extendedRequestId);
      assert.equal(failure?.kind, 'integration-failure');
    });
  }
});

describe('every outcome kind', () => {
  const outcomes: Array<[InvokeOutcome, rest: [number, string], http: [number, string]]> = [
    [
      {
        kind: 'function-error',
        errorType: 'Error',
        errorMessage: 'boom',
        payload: Buffer.from('{}'),
      },
      [502, restInternalError],
      [500, httpInternalError],
    ],
    [{ kind: 'timeout' }, [502, restInternalError], [500, httpInternalError]],
    [
      { kind: 'init-error', errorType: 'Runtime.ImportModuleError', errorMessage: 'no module' },
      [502, restInternalError],
      [500, httpInternalError],
    ],
    [{ kind: 'crash', detail: 'exit 137' }, [502, restInternalError], [500, httpInternalError]],
    [{ kind: 'response-too-large' }, [502, restInternalError], [500, httpInternalError]],
    [{ kind: 'throttled' }, [500, restInternalError], [500, httpInternalError]],
  ];
  for (const [outcome, [restStatus, restBody], [httpStatus, httpBody]] of outcomes) {
    it(`${outcome.kind}: REST ${restStatus}, HTTP API ${httpStatus}`, () => {
      const restAnswer = rest(outcome);
      assert.equal(restAnswer.response.statusCode, restStatus);
      assert.equal(restAnswer.response.body.toString(), restBody);
      assert.equal(header(restAnswer.response, 'content-type'), 'application/json');
      assert.equal(header(restAnswer.response, 'x-amzn-RequestId'), ids.requestId);
      assert.ok(restAnswer.failure);
      const httpAnswer = http(outcome);
      assert.equal(httpAnswer.response.statusCode, httpStatus);
      assert.equal(httpAnswer.response.body.toString(), httpBody);
      assert.equal(header(httpAnswer.response, 'apigw-requestid'), ids.extendedRequestId);
    });
  }

  it('says what went wrong, for the log', () => {
    const { failure } = rest({
      kind: 'function-error',
      errorType: 'TypeError',
      errorMessage: 'x is undefined',
      payload: Buffer.alloc(0),
    });
    assert.deepEqual(failure, { kind: 'integration-failure', detail: 'TypeError: x is undefined' });
  });
});

describe("API Gateway's own answers", () => {
  const limits = { maxBodyBytes: 10485760 };
  const body = (api: ApiKind, failure: Parameters<typeof gatewayFailure>[1]) =>
    gatewayFailure(api, failure, ids, limits);

  it('integration timeout: REST 504 Endpoint request timed out, HTTP API 503', () => {
    assert.equal(body('rest', 'integration-timeout').statusCode, 504);
    assert.equal(
      body('rest', 'integration-timeout').body.toString(),
      '{"message": "Endpoint request timed out"}',
    );
    assert.equal(body('http', 'integration-timeout').statusCode, 503);
    assert.equal(
      body('http', 'integration-timeout').body.toString(),
      '{"message":"Service Unavailable"}',
    );
  });

  it('an event over the 6 MB invoke limit: 413', () => {
    const restAnswer = body('rest', 'invoke-request-too-large');
    assert.equal(restAnswer.statusCode, 413);
    assert.equal(restAnswer.body.toString(), '{"message": "Request Too Long"}');
    assert.equal(header(restAnswer, 'x-amzn-ErrorType'), 'BadRequestException');
    const httpAnswer = body('http', 'invoke-request-too-large');
    assert.equal(httpAnswer.statusCode, 413);
    assert.equal(httpAnswer.body.toString(), '{"message":"Request Entity Too Large"}');
  });

  it('a body over the 10 MB payload limit: 413', () => {
    const restAnswer = body('rest', 'body-too-large');
    assert.equal(restAnswer.statusCode, 413);
    assert.equal(restAnswer.body.toString(), 'HTTP content length exceeded 10485760 bytes.');
    const httpAnswer = body('http', 'body-too-large');
    assert.equal(httpAnswer.statusCode, 413);
    assert.equal(httpAnswer.body.toString(), '{"message":"Request Entity Too Large"}');
  });
});
