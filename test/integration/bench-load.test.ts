/**
 * The load generator's one retry: a request written to a kept-alive socket that the server
 * resets without answering is sent once more on a new socket; a reset of a fresh socket is an
 * error. A raw TCP server decides per connection and per request what to do.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { keepAliveAgent, postPayload } from '../../src/bench/load.js';

const receipt = '{"id":"x"}';
const answer = [
  'HTTP/1.1 201 Created',
  'content-type: application/json',
  `content-length: ${receipt.length}`,
  'connection: keep-alive',
  '',
  receipt,
].join('\r\n');

describe('bench load generator: a stale keep-alive socket', () => {
  let server: net.Server;
  let url: string;
  /** What to do with the n-th request overall (0-based): answer or reset the connection. */
  let plan: Array<'answer' | 'reset'> = [];
  let requests = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();

  before(async () => {
    server = net.createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      let buffered = '';
      socket.on('data', (chunk) => {
        buffered += chunk.toString('latin1');
        // Requests here are small: one whole request per headers-end plus its 4-byte body.
        while (
          buffered.includes('\r\n\r\n') &&
          buffered.length >= buffered.indexOf('\r\n\r\n') + 8
        ) {
          buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 8);
          const action = plan[requests] ?? 'answer';
          requests += 1;
          if (action === 'reset') {
            socket.resetAndDestroy();
            return;
          }
          socket.write(answer);
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    server.close();
    await once(server, 'close');
  });

  it('sends the request again on a new socket when a reused one is reset unanswered', async () => {
    plan = ['answer', 'reset', 'answer'];
    requests = 0;
    connections = 0;
    const agent = keepAliveAgent(url, 1);
    try {
      const first = await postPayload(url, agent, Buffer.from('abcd'));
      assert.equal(first.status, 201);
      const second = await postPayload(url, agent, Buffer.from('efgh'));
      assert.equal(second.status, 201);
      assert.equal(requests, 3, 'the reset request was sent twice');
      assert.equal(connections, 2, 'the second attempt went over a new socket');
    } finally {
      agent.destroy();
    }
  });

  it('counts a reset of a fresh socket as an error', async () => {
    plan = ['reset'];
    requests = 0;
    const agent = keepAliveAgent(url, 1);
    try {
      await assert.rejects(
        postPayload(url, agent, Buffer.from('abcd')),
        /ECONNRESET|socket hang up/,
      );
      assert.equal(requests, 1, 'not sent again');
    } finally {
      agent.destroy();
    }
  });
});
