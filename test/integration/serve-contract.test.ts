/** The HTTP contract of DESIGN.md, in sync mode over the folder store, called over real HTTP. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listFiles } from '../support/files.js';
import { startTestServer, type TestServer } from '../support/serve.js';
import { tempDir } from '../support/temp.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

async function postPayload(url: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/payloads`, { method: 'POST', body, headers });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

describe('serve --mode sync: the contract', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ mode: 'sync', maxBodyBytes: 2 * MiB });
  });
  after(() => server.close());

  it('stores a 1 MiB payload and answers 201 with a receipt, Location and Server-Timing', async () => {
    const body = randomBytes(MiB);
    const { response, json } = await postPayload(server.url, body, { 'content-type': 'image/png' });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('location'), `/payloads/${json.id}`);
    assert.match(
      response.headers.get('server-timing') ?? '',
      /recv;dur=[\d.]+.*hash;dur=.*commit;dur=.*total;dur=/,
    );
    assert.ok(response.headers.get('x-request-id'));
    assert.deepEqual(Object.keys(json).sort(), [
      'contentType',
      'durability',
      'id',
      'key',
      'receivedAt',
      'sha256',
      'size',
    ]);
    assert.equal(json.size, MiB);
    assert.equal(json.sha256, sha256(body).toString('hex'));
    assert.equal(json.contentType, 'image/png');
    assert.equal(json.durability, 'sync');
    assert.match(String(json.key), new RegExp(`^payloads/\\d{4}/\\d{2}/\\d{2}/${json.id}$`));

    const read = await fetch(`${server.url}/payloads/${json.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.headers.get('content-type'), 'image/png');
    assert.equal(
      read.headers.get('content-digest'),
      `sha-256=:${sha256(body).toString('base64')}:`,
    );
    assert.ok(read.headers.get('server-timing'));
    assert.deepEqual(Buffer.from(await read.arrayBuffer()), body);

    const head = await fetch(`${server.url}/payloads/${json.id}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(MiB));
    assert.equal(head.headers.get('content-type'), 'image/png');
    assert.equal((await head.arrayBuffer()).byteLength, 0);

    const receipt = await fetch(`${server.url}/payloads/${json.id}/receipt`);
    assert.deepEqual(await receipt.json(), { ...json, state: 'stored' });

    const stored = await listFiles(path.join(server.dataDir, 'bucket'));
    assert.deepEqual(stored, [`${json.key}`, `${json.key}.meta.json`].sort());
  });

  it('stores an empty body as a zero-byte object', async () => {
    const { response, json } = await postPayload(server.url, new Uint8Array(0));
    assert.equal(response.status, 201);
    assert.equal(json.size, 0);
    assert.equal(json.contentType, 'application/octet-stream');
    const read = await fetch(`${server.url}/payloads/${json.id}`);
    assert.equal(read.status, 200);
    assert.equal((await read.arrayBuffer()).byteLength, 0);
  });

  it('accepts a matching Content-Digest, refuses a wrong or malformed one and stores nothing', async () => {
    const body = randomBytes(1000);
    const good = await postPayload(server.url, body, {
      'content-digest': `sha-256=:${sha256(body).toString('base64')}:`,
    });
    assert.equal(good.response.status, 201);
    const before = await listFiles(path.join(server.dataDir, 'bucket'));
    const wrong = await postPayload(server.url, body, {
      'content-digest': `sha-256=:${sha256(randomBytes(9)).toString('base64')}:`,
    });
    assert.equal(wrong.response.status, 400);
    assert.equal(wrong.response.headers.get('content-type'), 'application/problem+json');
    assert.equal(wrong.json.code, 'digest-mismatch');
    const malformed = await postPayload(server.url, body, { 'content-digest': 'sha-256=nope' });
    assert.equal(malformed.response.status, 400);
    assert.equal(malformed.json.code, 'malformed-digest');
    assert.deepEqual(await listFiles(path.join(server.dataDir, 'bucket')), before);
  });

  it('answers 404 for an unknown id and 400 for a malformed one, as problem+json', async () => {
    const unknown = await fetch(`${server.url}/payloads/01900000-0000-7000-8000-000000000000`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await unknown.json()) as { code: string }).code, 'not-found');
    const receipt = await fetch(
      `${server.url}/payloads/01900000-0000-7000-8000-000000000000/receipt`,
    );
    assert.equal(receipt.status, 404);
    for (const bad of ['nope', '..%2F..%2Fetc%2Fpasswd', '6ba7b810-9dad-11d1-80b4-00c04fd430c8']) {
      const response = await fetch(`${server.url}/payloads/${bad}`);
      assert.equal(response.status, 400, bad);
      assert.equal(((await response.json()) as { code: string }).code, 'invalid-id');
    }
  });

  it('answers 405 with Allow for a method the route lacks, and 404 for an unknown route', async () => {
    const put = await fetch(`${server.url}/payloads`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'POST');
    assert.equal(((await put.json()) as { code: string }).code, 'method-not-allowed');
    const missing = await fetch(`${server.url}/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    await missing.body?.cancel();
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    await ready.body?.cancel();
    const metrics = await fetch(`${server.url}/metrics`);
    assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
    const text = await metrics.text();
    assert.match(
      text,
      /quickstow_http_request_duration_seconds_bucket\{.*route="\/payloads".*status="201"/,
    );
    assert.match(text, /quickstow_received_bytes_total \d+/);
    assert.match(
      text,
      /quickstow_store_operation_duration_seconds_count\{operation="put",outcome="ok"\} \d+/,
    );
  });

  it('logs one JSON line per request with its request id', async () => {
    const response = await fetch(`${server.url}/healthz`, {
      headers: { 'x-request-id': 'trace-me-123' },
    });
    assert.equal(response.headers.get('x-request-id'), 'trace-me-123');
    await response.body?.cancel();
    const line = server.logs().find((entry) => entry.reqId === 'trace-me-123');
    assert.equal(line?.msg, 'request');
    assert.equal(line?.status, 200);
    assert.equal(line?.path, '/healthz');
  });
});

describe('serve: content-type allowlist', () => {
  it('answers 415 for a type not on the list', async () => {
    const server = await startTestServer({
      mode: 'sync',
      allowedContentTypes: ['application/json'],
    });
    try {
      const refused = await postPayload(server.url, Buffer.from('x'), {
        'content-type': 'text/plain',
      });
      assert.equal(refused.response.status, 415);
      assert.equal(refused.json.code, 'unsupported-media-type');
      const accepted = await postPayload(server.url, Buffer.from('{}'), {
        'content-type': 'application/json',
      });
      assert.equal(accepted.response.status, 201);
    } finally {
      await server.close();
    }
  });
});

describe('serve: bearer-token auth', () => {
  it('requires a token from the file on /payloads, compares it exactly, and leaves probes open', async () => {
    const temp = await tempDir();
    const tokenFile = path.join(temp.dir, 'tokens');
    await writeFile(tokenFile, '# tokens\nfirst-token-abc\n\nsecond-token-xyz\n');
    const server = await startTestServer({ mode: 'sync', authTokenFile: tokenFile });
    try {
      const none = await postPayload(server.url, Buffer.from('x'));
      assert.equal(none.response.status, 401);
      assert.equal(none.response.headers.get('content-type'), 'application/problem+json');
      assert.match(none.response.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal(none.json.code, 'unauthorized');
      for (const wrong of [
        'Bearer first-token-ab',
        'Bearer first-token-abcd',
        'Basic Zmlyc3QtdG9rZW4tYWJj',
        'Bearer ',
      ]) {
        const refused = await postPayload(server.url, Buffer.from('x'), { authorization: wrong });
        assert.equal(refused.response.status, 401, wrong);
      }
      const ok = await postPayload(server.url, Buffer.from('x'), {
        authorization: 'Bearer second-token-xyz',
      });
      assert.equal(ok.response.status, 201);
      const readWithout = await fetch(`${server.url}/payloads/${ok.json.id}`);
      assert.equal(readWithout.status, 401);
      await readWithout.body?.cancel();
      const health = await fetch(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      await health.body?.cancel();
    } finally {
      await server.close();
      await temp.remove();
    }
  });

  it('warns loudly when serving beyond loopback without auth', async () => {
    const server = await startTestServer({ mode: 'sync', host: '0.0.0.0' });
    try {
      const warning = server.logs().find((entry) => entry.level === 40);
      assert.match(String(warning?.msg), /WITHOUT AUTHENTICATION/);
    } finally {
      await server.close();
    }
  });
});
