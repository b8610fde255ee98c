import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { formatContentDigest, parseContentDigest } from '../../src/core/digest.js';
import { QuickstowError } from '../../src/core/errors.js';

const sha = createHash('sha256').update('hello').digest();
const b64 = sha.toString('base64');

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof QuickstowError);
    return error.code;
  }
  return 'no error';
}

describe('Content-Digest (RFC 9530)', () => {
  it('reads the sha-256 member, alone or among others', () => {
    assert.deepEqual(parseContentDigest(`sha-256=:${b64}:`), sha);
    assert.deepEqual(parseContentDigest(`sha-512=:AAAA:, SHA-256=:${b64}:`), sha);
  });

  it('formats what it parses', () => {
    assert.deepEqual(parseContentDigest(formatContentDigest(sha)), sha);
  });

  it('refuses malformed values', () => {
    assert.equal(
      code(() => parseContentDigest('sha-256=abc')),
      'malformed-digest',
    );
    assert.equal(
      code(() => parseContentDigest(`sha-256=${b64}`)),
      'malformed-digest',
    );
    assert.equal(
      code(() => parseContentDigest('sha-256=:AAAA:')),
      'malformed-digest',
    );
    assert.equal(
      code(() => parseContentDigest('garbage')),
      'malformed-digest',
    );
    assert.equal(
      code(() => parseContentDigest('')),
      'malformed-digest',
    );
  });

  it('refuses a header with no algorithm it can check', () => {
    assert.equal(
      code(() => parseContentDigest('sha-512=:AAAA:')),
      'unsupported-digest',
    );
  });
});
