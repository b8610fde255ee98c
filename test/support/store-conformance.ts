/**
 * The one conformance suite every ObjectStore passes (src/store/types.ts). A store file runs it
 * with a factory that makes a fresh store against a real backend; store-specific behaviour
 * (atomic writes on disk, an S3 endpoint going down) is tested beside it, not here.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/core/ids.js';
import { keyOf } from '../../src/core/keys.js';
import type { ObjectMeta, ObjectStore } from '../../src/store/types.js';

export interface StoreUnderTest {
  store: ObjectStore;
  cleanup: () => Promise<void>;
}

const MiB = 1024 * 1024;

/** Metadata for `body` under a fresh key shaped like the real ones. */
export function metaFor(body: Buffer, contentType = 'application/octet-stream'): ObjectMeta {
  return {
    key: keyOf('payloads/', newId()),
    size: body.length,
    contentType,
    sha256: createHash('sha256').update(body).digest('hex'),
    receivedAt: new Date().toISOString(),
  };
}

export function storeConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name} store conformance`, () => {
    let subject: StoreUnderTest | undefined;
    const store = (): ObjectStore => {
      assert.ok(subject, 'the store factory failed');
      return subject.store;
    };

    before(async () => {
      subject = await makeStore();
    });
    after(async () => {
      await subject?.cleanup();
    });

    it('ping resolves', async () => {
      await store().ping();
    });

    it('gives back 1 MiB of random binary byte for byte', async () => {
      const body = randomBytes(MiB);
      const meta = metaFor(body);
      await store().put(meta, body);
      const stored = await store().get(meta.key);
      assert.ok(stored);
      assert.equal(stored.body.length, body.length);
      assert.ok(stored.body.equals(body), 'bytes differ');
    });

    it('keeps a 0-byte object', async () => {
      const body = Buffer.alloc(0);
      const meta = metaFor(body, 'text/plain');
      await store().put(meta, body);
      const stored = await store().get(meta.key);
      assert.ok(stored);
      assert.equal(stored.body.length, 0);
      assert.deepEqual(stored.meta, meta);
    });

    it('keeps the content type, parameters included', async () => {
      for (const contentType of ['application/json; charset=utf-8', 'image/png']) {
        const body = Buffer.from(`{"type":"${contentType}"}`);
        const meta = metaFor(body, contentType);
        await store().put(meta, body);
        assert.equal((await store().get(meta.key))?.meta.contentType, contentType);
        assert.equal((await store().head(meta.key))?.contentType, contentType);
      }
    });

    it('round-trips key, size, sha256 and receivedAt through get and head', async () => {
      const body = randomBytes(4096);
      const meta = { ...metaFor(body), receivedAt: '2025-03-04T05:06:07.089Z' };
      await store().put(meta, body);
      assert.deepEqual((await store().get(meta.key))?.meta, meta);
      assert.deepEqual(await store().head(meta.key), meta);
    });

    it('head gives the metadata alone, without the bytes', async () => {
      const body = randomBytes(1024);
      const meta = metaFor(body);
      await store().put(meta, body);
      const head = await store().head(meta.key);
      assert.ok(head);
      assert.equal('body' in head, false);
      assert.deepEqual(Object.keys(head).sort(), Object.keys(meta).sort());
    });

    it('answers undefined for an unknown key', async () => {
      const key = keyOf('payloads/', newId());
      assert.equal(await store().get(key), undefined);
      assert.equal(await store().head(key), undefined);
    });

    it('accepts the same put twice (a retried upload) and keeps one whole object', async () => {
      const body = randomBytes(64 * 1024);
      const meta = metaFor(body);
      await store().put(meta, body);
      await store().put(meta, body);
      const stored = await store().get(meta.key);
      assert.ok(stored);
      assert.ok(stored.body.equals(body));
      assert.deepEqual(stored.meta, meta);
    });

    it('accepts concurrent puts of the same key', async () => {
      const body = randomBytes(256 * 1024);
      const meta = metaFor(body);
      await Promise.all([store().put(meta, body), store().put(meta, body)]);
      const stored = await store().get(meta.key);
      assert.ok(stored?.body.equals(body));
    });

    it('keeps objects apart: keys in the same day folder do not clash', async () => {
      const bodies = [randomBytes(100), randomBytes(200), randomBytes(300)];
      const metas = bodies.map((body) => metaFor(body));
      await Promise.all(metas.map((meta, i) => store().put(meta, bodies[i] as Buffer)));
      for (const [i, meta] of metas.entries()) {
        assert.ok((await store().get(meta.key))?.body.equals(bodies[i] as Buffer));
      }
    });
  });
}
