/**
 * The naive server: what people write first. It reads the whole body, awaits PutObject, then
 * answers 201. The SDK runs with its defaults (credentials and region from the standard chain,
 * its own keep-alive agent and checksums); only the endpoint and path-style addressing are set,
 * for an S3-compatible endpoint. The S3 round trip is inside every response: the cost quickstow
 * exists to remove.
 *   node dist/bench/targets/naive.js --bucket B [--endpoint URL] [--port 0]
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { listeningLine } from '../listen-line.js';
import { serveUntilSignal } from './lifecycle.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    bucket: { type: 'string' },
    endpoint: { type: 'string' },
  },
});
const bucket = values.bucket;
if (bucket === undefined) throw new Error('--bucket is required');
const s3 = new S3Client(
  values.endpoint === undefined ? {} : { endpoint: values.endpoint, forcePathStyle: true },
);

const server = createServer(async (request, response) => {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const id = randomUUID();
    const key = `payloads/${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/${id}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat(chunks) }));
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ id, key }));
  } catch (error) {
    process.stderr.write(`naive: ${(error as Error).message}\n`);
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: 'store failed' }));
  }
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(listeningLine(`http://127.0.0.1:${port}`));
});
serveUntilSignal(server, () => s3.destroy());
