/**
 * The floor: the least any server can do with a payload. It reads the body, hashes it (every
 * honest ingest hashes) and answers 201 with an id (and the hash); it stores nothing. Its latency is the cost of
 * moving the bytes over loopback plus a SHA-256, which is what quickstow is measured against.
 *   node dist/bench/targets/floor.js [--port 0]
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { listeningLine } from '../listen-line.js';
import { serveUntilSignal } from './lifecycle.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });

const server = createServer((request, response) => {
  const hash = createHash('sha256');
  request.on('data', (chunk: Buffer) => hash.update(chunk));
  request.on('end', () => {
    const sha256 = hash.digest('hex');
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ id: randomUUID(), sha256 }));
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(listeningLine(`http://127.0.0.1:${port}`));
});
serveUntilSignal(server);
