import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { QuickstowError } from '../../src/core/errors.js';
import { isId, timeOfId } from '../../src/core/ids.js';
import { ingestBody, prepareIngest } from '../../src/core/ingest.js';

const limits = { maxBodyBytes: 1000, keyPrefix: 'p/', allowedContentTypes: [] as string[] };

async function* chunksOf(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield part;
}

function digestOf(bytes: Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;
}

function rejectsWith(code: string, status: number) {
  return (error: unknown) => {
    assert.ok(error instanceof QuickstowError, `expected a QuickstowError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  };
}

describe('ingest', () => {
  it('hashes, names and keys a body streamed in chunks', async () => {
    const a = randomBytes(300);
    const b = randomBytes(200);
    const now = Date.UTC(2026, 11, 1, 21, 30);
    const prepared = prepareIngest({ contentType: 'image/png' }, limits);
    const payload = await ingestBody(chunksOf(a, b), prepared, limits, () => now);
    assert.equal(payload.size, 500);
    assert.deepEqual(payload.body, Buffer.concat([a, b]));
    assert.deepEqual(
      payload.sha256,
      createHash('sha256')
        .update(Buffer.concat([a, b]))
        .digest(),
    );
    assert.equal(payload.contentType, 'image/png');
    assert.ok(isId(payload.id));
    assert.equal(timeOfId(payload.id), now);
    assert.equal(payload.key, `p/2026/12/01/${payload.id}`);
    assert.equal(payload.receivedAt, '2026-12-01T21:30:00.000Z');
  });

  it('accepts an empty body as a zero-byte payload with the default content type', async () => {
    const payload = await ingestBody(null, prepareIngest({}, limits), limits);
    assert.equal(payload.size, 0);
    assert.equal(payload.body.length, 0);
    assert.equal(payload.contentType, 'application/octet-stream');
    assert.equal(payload.sha256.toString('hex'), createHash('sha256').digest('hex'));
  });

  it('refuses a declared Content-Length over the limit before reading anything', () => {
    assert.throws(
      () => prepareIngest({ contentLength: '1001' }, limits),
      rejectsWith('payload-too-large', 413),
    );
    assert.throws(
      () => prepareIngest({ contentLength: 'ten' }, limits),
      rejectsWith('bad-request', 400),
    );
  });

  it('stops reading at the chunk that crosses the limit', async () => {
    let chunksRead = 0;
    async function* endless(): AsyncIterable<Uint8Array> {
      for (;;) {
        chunksRead += 1;
        yield new Uint8Array(400);
      }
    }
    await assert.rejects(
      ingestBody(endless(), prepareIngest({}, limits), limits),
      rejectsWith('payload-too-large', 413),
    );
    assert.equal(chunksRead, 3);
  });

  it('accepts a body exactly at the limit', async () => {
    const payload = await ingestBody(
      chunksOf(new Uint8Array(1000)),
      prepareIngest({}, limits),
      limits,
    );
    assert.equal(payload.size, 1000);
  });

  it('checks Content-Digest against the streamed bytes', async () => {
    const body = randomBytes(100);
    const ok = prepareIngest({ contentDigest: digestOf(body) }, limits);
    assert.equal((await ingestBody(chunksOf(body), ok, limits)).size, 100);
    const wrong = prepareIngest({ contentDigest: digestOf(randomBytes(100)) }, limits);
    await assert.rejects(
      ingestBody(chunksOf(body), wrong, limits),
      rejectsWith('digest-mismatch', 400),
    );
  });

  it('turns a body stream that fails into truncated-body', async () => {
    async function* broken(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error('aborted');
    }
    await assert.rejects(
      ingestBody(broken(), prepareIngest({}, limits), limits),
      rejectsWith('truncated-body', 400),
    );
  });

  it('enforces a content-type allowlist on the essence of the type', () => {
    const strict = { ...limits, allowedContentTypes: ['application/json'] };
    assert.equal(
      prepareIngest({ contentType: 'application/json; charset=utf-8' }, strict).contentType,
      'application/json; charset=utf-8',
    );
    assert.throws(
      () => prepareIngest({ contentType: 'text/plain' }, strict),
      rejectsWith('unsupported-media-type', 415),
    );
  });
});
