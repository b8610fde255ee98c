import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type DelayProxy, startDelayProxy } from '../../src/bench/delay-proxy.js';

/** A server that echoes everything, then half-closes after the client does. */
async function echoServer(): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('end', () => socket.end('<eof>'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function exchange(
  proxy: DelayProxy,
  payload: Buffer[],
): Promise<{ reply: Buffer; ms: number }> {
  const socket = net.connect({ host: proxy.host, port: proxy.port, allowHalfOpen: true });
  await once(socket, 'connect');
  const started = performance.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  for (const part of payload) socket.write(part);
  socket.end();
  await once(socket, 'end');
  const ms = performance.now() - started;
  socket.destroy();
  return { reply: Buffer.concat(chunks), ms };
}

describe('the delay proxy', () => {
  let server: net.Server;
  const proxies: DelayProxy[] = [];
  const proxyWith = async (delayMs: number) => {
    const { port } = server.address() as net.AddressInfo;
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: port, delayMs });
    proxies.push(proxy);
    return proxy;
  };

  before(async () => {
    server = await echoServer();
  });
  after(async () => {
    for (const proxy of proxies) await proxy.close();
    server.close();
  });

  it('keeps every byte in order, and carries the half-close both ways', async () => {
    const proxy = await proxyWith(5);
    const parts = Array.from({ length: 50 }, (_, i) => randomBytes(1 + i * 997));
    const { reply } = await exchange(proxy, parts);
    assert.ok(reply.equals(Buffer.concat([...parts, Buffer.from('<eof>')])));
  });

  it('delays each direction: an echo takes at least the round trip', async () => {
    const proxy = await proxyWith(30);
    const { ms } = await exchange(proxy, [Buffer.from('ping')]);
    assert.ok(ms >= 60, `round trip took ${ms} ms, expected at least 60`);
    assert.ok(ms < 1000, `round trip took ${ms} ms`);
  });

  it('forwards at once with no delay, and large bodies whole', async () => {
    const proxy = await proxyWith(0);
    const body = randomBytes(8 * 1024 * 1024);
    const { reply } = await exchange(proxy, [body]);
    assert.ok(reply.subarray(0, body.length).equals(body));
  });

  it('passes a reset on to the other side, both ways', async () => {
    const accepted: net.Socket[] = [];
    const upstream = net.createServer((socket) => {
      accepted.push(socket);
      socket.on('error', () => {}).resume();
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const { port } = upstream.address() as net.AddressInfo;
    const proxy = await startDelayProxy({ targetHost: '127.0.0.1', targetPort: port, delayMs: 1 });
    proxies.push(proxy);
    const connect = async () => {
      const client = net.connect({ host: proxy.host, port: proxy.port });
      client.on('error', () => {}).resume();
      client.write('x');
      while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      return { client, server: accepted.shift() as net.Socket };
    };

    const first = await connect();
    const serverClosed = once(first.server, 'close');
    first.client.resetAndDestroy();
    await serverClosed;

    const second = await connect();
    const clientClosed = once(second.client, 'close');
    second.server.resetAndDestroy();
    await clientClosed;
    upstream.close();
  });
});
