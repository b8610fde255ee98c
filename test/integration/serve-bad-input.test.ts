/**
 * Bad input over real sockets: bodies over the limit (declared or chunked), bodies cut short by
 * the client, and clients that stall. Each must get a clear answer or a closed connection, and
 * leave nothing stored or acknowledged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { listFiles } from '../support/files.js';
import { connect, writeQuietly } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/serve.js';

const limit = 256 * 1024;

describe('serve: bad input', () => {
  let server: TestServer;
  const bucket = () => listFiles(path.join(server.dataDir, 'bucket'));
  before(async () => {
    server = await startTestServer({
      mode: 'sync',
      maxBodyBytes: limit,
      headersTimeoutMs: 300,
      requestTimeoutMs: 1000,
    });
  });
  after(() => server.close());

  it('refuses a declared Content-Length over the limit before the body is sent', async () => {
    const connection = await connect(server.url);
    connection.socket.write(
      `POST /payloads HTTP/1.1\r\nHost: test\r\nContent-Length: ${limit + 1}\r\nExpect: 100-continue\r\n\r\n`,
    );
    const answer = await connection.waitFor(/\r\n\r\n\{.*\}$/s);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.doesNotMatch(answer, /100 Continue/);
    assert.match(answer, /connection: close/i);
    assert.match(answer, /"code":"payload-too-large"/);
    await connection.closed;
    assert.deepEqual(await bucket(), []);
  });

  it('refuses a chunked body once it crosses the limit, and closes the connection', async () => {
    const connection = await connect(server.url);
    connection.socket.write(
      'POST /payloads HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    const chunk = randomBytes(64 * 1024);
    let sent = 0;
    while (!/\r\n\r\n\{/.test(connection.received()) && sent < 64 * limit) {
      if (
        !(await writeQuietly(
          connection.socket,
          Buffer.concat([
            Buffer.from(`${chunk.length.toString(16)}\r\n`),
            chunk,
            Buffer.from('\r\n'),
          ]),
        ))
      )
        break;
      sent += chunk.length;
      await sleep(1);
    }
    const answer = await connection.waitFor(/\r\n\r\n\{.*\}$/s);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.ok(sent < 4 * limit, `the server read ${sent} bytes before refusing`);
    await connection.closed;
    assert.deepEqual(await bucket(), []);
  });

  it('refuses a body over the limit sent with a lying Content-Length (fetch, undeclared length)', async () => {
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i += 1) controller.enqueue(randomBytes(limit / 2));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/payloads`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { code: string }).code, 'payload-too-large');
    assert.deepEqual(await bucket(), []);
  });

  it('stores and acknowledges nothing when the client disconnects mid-upload', async () => {
    const connection = await connect(server.url);
    connection.socket.write(
      `POST /payloads HTTP/1.1\r\nHost: test\r\nContent-Length: ${limit}\r\n\r\n`,
    );
    await writeQuietly(connection.socket, randomBytes(limit / 2));
    await sleep(50);
    connection.socket.destroy();
    await sleep(300);
    assert.equal(connection.received(), '');
    assert.deepEqual(await bucket(), []);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    await health.body?.cancel();
  });

  it('closes a connection whose headers stall past the headers timeout', async () => {
    const connection = await connect(server.url);
    connection.socket.write('POST /payloads HTTP/1.1\r\nHost: test\r\n');
    const started = Date.now();
    await connection.closed;
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(await bucket(), []);
  });

  it('answers 408 and closes when the body stalls past the request timeout', async () => {
    const connection = await connect(server.url);
    connection.socket.write(
      'POST /payloads HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n0123456789',
    );
    await connection.closed;
    assert.match(connection.received(), /^HTTP\/1\.1 408 /);
    assert.deepEqual(await bucket(), []);
  });
});
