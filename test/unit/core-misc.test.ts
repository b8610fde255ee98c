import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaults, resolveConfig } from '../../src/core/config.js';
import { QuickstowError, toProblem } from '../../src/core/errors.js';
import { isId, newId, timeOfId } from '../../src/core/ids.js';
import { keyOf } from '../../src/core/keys.js';

describe('ids and keys', () => {
  it('makes UUIDv7 ids that carry their time and sort by it', () => {
    const a = newId(Date.UTC(2026, 0, 2));
    const b = newId(Date.UTC(2026, 0, 3));
    assert.ok(isId(a) && isId(b));
    assert.ok(a < b);
    assert.equal(timeOfId(a), Date.UTC(2026, 0, 2));
  });

  it('refuses what is not a lower-case UUIDv7', () => {
    assert.equal(isId('not-an-id'), false);
    assert.equal(isId('6ba7b810-9dad-11d1-80b4-00c04fd430c8'), false); // v1
    assert.equal(isId(newId().toUpperCase()), false);
    assert.equal(isId('../../etc/passwd'), false);
  });

  it('derives the dated key from the id alone, in UTC', () => {
    const id = newId(Date.UTC(2026, 1, 28, 23, 59, 59));
    assert.equal(keyOf('payloads/', id), `payloads/2026/02/28/${id}`);
    assert.equal(keyOf('', id), `2026/02/28/${id}`);
  });
});

describe('errors', () => {
  it('turns a QuickstowError into problem+json with its code, status and headers', () => {
    const problem = toProblem(
      new QuickstowError('spool-full', 503, 'full', { headers: { 'retry-after': '2' } }),
      '/payloads',
    );
    assert.equal(problem.status, 503);
    assert.equal(problem.headers['content-type'], 'application/problem+json');
    assert.equal(problem.headers['retry-after'], '2');
    const body = JSON.parse(problem.body);
    assert.equal(body.code, 'spool-full');
    assert.equal(body.status, 503);
    assert.equal(body.instance, '/payloads');
    assert.equal(body.detail, 'full');
  });

  it('hides the message of anything else behind a generic 500', () => {
    const problem = toProblem(new Error('ECONNREFUSED 10.1.2.3 secret path'));
    assert.equal(problem.status, 500);
    assert.doesNotMatch(problem.body, /secret|ECONNREFUSED/);
    assert.equal(JSON.parse(problem.body).code, 'internal');
  });
});

describe('config', () => {
  it('starts from the defaults and derives the folders from dataDir', () => {
    const config = resolveConfig({ dataDir: '/tmp/q' });
    assert.equal(config.port, defaults.port);
    assert.equal(config.bucketDir, '/tmp/q/bucket');
    assert.equal(config.spoolDir, '/tmp/q/spool');
  });

  it('refuses unknown keys and bad values, naming each', () => {
    assert.throws(
      () => resolveConfig({ prot: 8080, port: -1, mode: 'fast' } as Record<string, unknown>),
      (error: unknown) =>
        error instanceof QuickstowError &&
        error.code === 'invalid-config' &&
        /"prot"/.test(error.message) &&
        /port must be/.test(error.message) &&
        /mode must be one of/.test(error.message),
    );
  });

  it('requires a bucket for the s3 store', () => {
    assert.throws(() => resolveConfig({ store: 's3' }), /bucket is required/);
  });
});
