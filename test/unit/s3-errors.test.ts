import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoSuchBucket, NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import { QuickstowError } from '../../src/core/errors.js';
import {
  isForbidden,
  isMissingObject,
  isStoreUnavailable,
  toStoreError,
} from '../../src/store/s3-errors.js';

/** An error shaped the way S3 and the SDK report it. */
function s3Error(name: string, httpStatusCode: number, fault: 'client' | 'server' = 'client') {
  return new S3ServiceException({
    name,
    $fault: fault,
    $metadata: { httpStatusCode },
    message: `${name} from S3`,
  });
}

function socketError(code: string, message = `connect ${code} 127.0.0.1:9`) {
  return Object.assign(new Error(message), { code });
}

describe('S3 errors worth retrying become store-unavailable 503 with Retry-After', () => {
  const unavailable: Array<[string, unknown]> = [
    ['connection refused', socketError('ECONNREFUSED')],
    ['connection reset', socketError('ECONNRESET', 'read ECONNRESET')],
    ['socket hang up', new Error('socket hang up')],
    ['connect timeout', socketError('ETIMEDOUT')],
    ['DNS hiccup', socketError('EAI_AGAIN')],
    ['the SDK request timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['our own deadline', Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
    ['SlowDown (503)', s3Error('SlowDown', 503, 'server')],
    ['ServiceUnavailable (503)', s3Error('ServiceUnavailable', 503, 'server')],
    ['InternalError (500)', s3Error('InternalError', 500, 'server')],
    ['a bare 502 from a proxy', s3Error('Unknown', 502, 'server')],
    ['429 throttling', s3Error('TooManyRequestsException', 429)],
    [
      'a socket error wrapped as cause',
      new Error('request failed', { cause: socketError('EPIPE') }),
    ],
  ];
  for (const [label, error] of unavailable) {
    it(label, () => {
      assert.equal(isStoreUnavailable(error), true);
      const mapped = toStoreError(error);
      assert.equal(mapped.code, 'store-unavailable');
      assert.equal(mapped.status, 503);
      assert.deepEqual(mapped.headers, { 'retry-after': '1' });
      assert.equal(mapped.cause, error);
    });
  }
});

describe('other S3 errors become store-failed 500 with a generic message', () => {
  const failed: Array<[string, unknown]> = [
    ['AccessDenied (403)', s3Error('AccessDenied', 403)],
    ['InvalidAccessKeyId (403)', s3Error('InvalidAccessKeyId', 403)],
    ['NoSuchBucket (404)', new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'b' })],
    ['a malformed request (400)', s3Error('InvalidArgument', 400)],
    ['BadDigest (400)', s3Error('BadDigest', 400)],
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['a thrown string', 'something odd'],
  ];
  for (const [label, error] of failed) {
    it(label, () => {
      assert.equal(isStoreUnavailable(error), false);
      const mapped = toStoreError(error);
      assert.equal(mapped.code, 'store-failed');
      assert.equal(mapped.status, 500);
      assert.deepEqual(mapped.headers, {});
      assert.equal(mapped.message, 'The object store failed the request');
      assert.equal(mapped.cause, error);
    });
  }
});

describe('toStoreError', () => {
  it('passes a QuickstowError through unchanged', () => {
    const error = new QuickstowError('bad-request', 400, 'bad key');
    assert.equal(toStoreError(error), error);
  });
});

describe('isMissingObject', () => {
  it('is true for NoSuchKey (GetObject) and a 404 NotFound (HeadObject)', () => {
    assert.equal(
      isMissingObject(new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'not here' })),
      true,
    );
    assert.equal(
      isMissingObject(new NotFound({ $metadata: { httpStatusCode: 404 }, message: 'not here' })),
      true,
    );
  });
  it('is false for a missing bucket and for anything else', () => {
    assert.equal(
      isMissingObject(
        new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'not here' }),
      ),
      false,
    );
    assert.equal(isMissingObject(s3Error('AccessDenied', 403)), false);
    assert.equal(isMissingObject(socketError('ECONNREFUSED')), false);
    assert.equal(isMissingObject(undefined), false);
  });
});

describe('isForbidden', () => {
  it('recognises S3 403 answers, and nothing else', () => {
    assert.equal(isForbidden({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }), true);
    assert.equal(isForbidden({ name: 'Forbidden', $metadata: { httpStatusCode: 403 } }), true);
    assert.equal(isForbidden({ name: 'NotFound', $metadata: { httpStatusCode: 404 } }), false);
    assert.equal(isForbidden(new Error('socket hang up')), false);
    assert.equal(isForbidden(undefined), false);
  });
});
