/**
 * The floor: the least any server can do with a payload. It reads the body, hashes it (every
 * honest ingest hashes) and answers 201 with an id (and the hash); it stores nothing. Its latency
 * is the cost of moving the bytes over loopback plus a SHA-256, which is what quickstow is
 * measured against.
 *
 * With --fsync-dir (the `floor-fsync` target) it also appends the body to one file in that folder
 * and answers only after fdatasync: the least a durable acknowledgement costs on this disk, the
 * floor of the spool mode. Concurrent requests each sync on their own (the kernel merges what it
 * can); the file is never read.
 *   node dist/bench/targets/floor.js [--port 0] [--fsync-dir DIR]
 */
import { createHash, randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listeningLine } from '../listen-line.js';
import { serveUntilSignal } from './lifecycle.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, 'fsync-dir': { type: 'string' } },
});
const fsyncDir = values['fsync-dir'];
const file =
  fsyncDir === undefined ? undefined : await open(path.join(fsyncDir, 'payloads.bin'), 'w');
let end = 0;

/** Writes the body at the end of the file and waits for it to be on disk. */
async function keep(chunks: Buffer[], length: number): Promise<void> {
  if (file === undefined) return;
  const position = end;
  end += length;
  // One buffer, as the spool writes it (ingest concatenates the body too).
  const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
  for (let written = 0; written < length; ) {
    const { bytesWritten } = await file.write(body, written, length - written, position + written);
    written += bytesWritten;
  }
  await file.datasync();
}

const server = createServer((request, response) => {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let length = 0;
  request.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    if (file !== undefined) {
      chunks.push(chunk);
      length += chunk.length;
    }
  });
  request.on('end', () => {
    const sha256 = hash.digest('hex');
    keep(chunks, length).then(
      () => {
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: randomUUID(), sha256 }));
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      },
    );
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(listeningLine(`http://127.0.0.1:${port}`));
});
serveUntilSignal(server);
