import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { resolveConfig } from '../../src/core/config.js';
import { QuickstowError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/open.js';
import { S3Store, type S3StoreOptions } from '../../src/store/s3.js';
import { type S3rver, startS3rver } from '../support/s3rver.js';
import { metaFor, storeConformance } from '../support/store-conformance.js';

function storeFor(s3rver: S3rver, overrides: Partial<S3StoreOptions> = {}): S3Store {
  return new S3Store({
    bucket: s3rver.bucket,
    endpoint: s3rver.endpoint,
    credentials: s3rver.credentials,
    timeoutMs: 5_000,
    ...overrides,
  });
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

storeConformance('s3 (s3rver)', async () => {
  const s3rver = await startS3rver();
  const store = storeFor(s3rver);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await s3rver.stop();
    },
  };
});

describe('S3Store against s3rver', () => {
  let s3rver: S3rver;
  const stores: S3Store[] = [];
  const open = (overrides: Partial<S3StoreOptions> = {}) => {
    const store = storeFor(s3rver, overrides);
    stores.push(store);
    return store;
  };

  before(async () => {
    s3rver = await startS3rver();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
    await s3rver.up();
  });
  after(async () => {
    await s3rver?.stop();
  });

  it('stores what a plain SDK client reads back: bytes, type and metadata', async () => {
    const body = randomBytes(300_000);
    const meta = metaFor(body, 'application/x-quickstow-test');
    await open().put(meta, body);

    const head = await s3rver.client.send(
      new HeadObjectCommand({ Bucket: s3rver.bucket, Key: meta.key }),
    );
    assert.equal(head.ContentLength, body.length);
    assert.equal(head.ContentType, meta.contentType);
    assert.deepEqual(head.Metadata, { sha256: meta.sha256, 'received-at': meta.receivedAt });
    const got = await s3rver.client.send(
      new GetObjectCommand({ Bucket: s3rver.bucket, Key: meta.key }),
    );
    assert.ok(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(body));
  });

  it('rejects a put with store-unavailable 503 and Retry-After while the store is down', async () => {
    const store = open();
    await store.warm();
    await s3rver.down();
    const body = randomBytes(1024);
    const error = await store.put(metaFor(body), body).then(
      () => assert.fail('put resolved with the store down'),
      (rejection: unknown) => rejection,
    );
    assert.ok(error instanceof QuickstowError);
    assert.equal(error.code, 'store-unavailable');
    assert.equal(error.status, 503);
    assert.equal(error.headers['retry-after'], '1');
    assert.ok(error.cause, 'the SDK error is kept as cause');
    await assert.rejects(store.ping(), { code: 'store-unavailable' });
    assert.equal(await store.warm(), false);
  });

  it('works again, with the same client, once the store comes back', async () => {
    const store = open();
    const before = randomBytes(2048);
    const beforeMeta = metaFor(before);
    await store.put(beforeMeta, before);
    await s3rver.down();
    await assert.rejects(store.head(beforeMeta.key), { code: 'store-unavailable' });
    await s3rver.up();

    const body = randomBytes(2048);
    const meta = metaFor(body);
    await store.put(meta, body);
    assert.ok((await store.get(meta.key))?.body.equals(body));
    assert.ok((await store.get(beforeMeta.key))?.body.equals(before), 'data survived the restart');
  });

  it('turns a missing bucket into store-failed 500 with a generic message', async () => {
    const store = open({ bucket: 'no-such-bucket' });
    const body = randomBytes(16);
    const error = await store.put(metaFor(body), body).then(
      () => assert.fail('put into a missing bucket resolved'),
      (rejection: unknown) => rejection,
    );
    assert.ok(error instanceof QuickstowError);
    assert.equal(error.code, 'store-failed');
    assert.equal(error.status, 500);
    assert.doesNotMatch(error.message, /no-such-bucket/);
    assert.equal((error.cause as Error).name, 'NoSuchBucket');
    await assert.rejects(store.ping(), { code: 'store-failed' });
  });

  it('openStore reaches it with credentials from the standard chain (the environment)', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = s3rver.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3rver.credentials.secretAccessKey;
    const config = resolveConfig({
      store: 's3',
      bucket: s3rver.bucket,
      s3Endpoint: s3rver.endpoint,
    });
    const store = openStore(config);
    try {
      await store.ping();
      const body = randomBytes(512);
      const meta = metaFor(body);
      await store.put(meta, body);
      assert.deepEqual(await store.head(meta.key), meta);
    } finally {
      await store.close();
      restoreEnv('AWS_ACCESS_KEY_ID', saved.id);
      restoreEnv('AWS_SECRET_ACCESS_KEY', saved.secret);
    }
  });

  it('turns unknown credentials into store-failed 500', async () => {
    const store = open({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'NOTHING' } });
    const body = randomBytes(16);
    await assert.rejects(store.put(metaFor(body), body), { code: 'store-failed', status: 500 });
  });
});

/**
 * A store that hangs rather than fails: it takes the request and never answers a PUT, and
 * starts a GET's body and never finishes it. Only the per-call deadline can end these.
 */
describe('S3Store against an endpoint that stops answering', () => {
  let server: Server;
  let store: S3Store;
  const deadlineMs = 300;

  before(async () => {
    server = createServer((request, response) => {
      request.resume();
      if (request.method !== 'GET') return;
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      response.write('only the first bytes');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    store = new S3Store({
      bucket: 'quickstow-test',
      endpoint: `http://127.0.0.1:${address.port}`,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      timeoutMs: deadlineMs,
    });
  });
  after(async () => {
    await store?.close();
    server.closeAllConnections();
    server.close();
  });

  async function assertGivesUpInTime(call: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    await assert.rejects(call(), { code: 'store-unavailable', status: 503 });
    const elapsedMs = performance.now() - started;
    assert.ok(elapsedMs < deadlineMs * 5, `took ${elapsedMs} ms for a ${deadlineMs} ms deadline`);
  }

  it('a put that gets no answer fails with store-unavailable after the deadline', async () => {
    const body = randomBytes(1024);
    await assertGivesUpInTime(() => store.put(metaFor(body), body));
  });

  it('a get whose body stops halfway fails with store-unavailable after the deadline', async () => {
    await assertGivesUpInTime(() => store.get('payloads/2025/01/01/stalled'));
  });
});
