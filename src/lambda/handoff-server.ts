import { rm } from 'node:fs/promises';
import http from 'node:http';
import { QuickstowError } from '../core/errors.js';
import { decodeMeta, encodeMeta, metaHeader } from './handoff-protocol.js';
import type { InvocationLatch } from './invocation-latch.js';
import type { PendingUploads } from './pending-uploads.js';

/**
 * The external extension's side of the handoff (see handoff-protocol.ts), on a Unix socket.
 * `POST /shutdown` (→ 204) calls `onShutdown`: the runtime got SIGTERM, so the sandbox is being
 * shut down. The extension hears SHUTDOWN only at its next `next`, which it does not call while
 * an upload is in progress, and would be killed in the middle of it.
 */
export async function startHandoffServer(
  socketPath: string,
  uploads: PendingUploads,
  latch: InvocationLatch,
  onShutdown: () => void,
): Promise<{ socketPath: string; close(): void }> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = request.url ?? '';
      const payload = /^\/payloads\/([0-9a-f-]{36})$/.exec(url);
      const done = /^\/invocations\/([^/]+)\/done$/.exec(url);
      try {
        if (payload?.[1] && request.method === 'POST') {
          const meta = decodeMeta(String(request.headers[metaHeader]));
          uploads.add({ id: payload[1], meta, body: Buffer.concat(chunks), ackedAtMs: Date.now() });
          response.writeHead(204).end();
        } else if (payload?.[1] && request.method === 'GET') {
          const held = uploads.get(payload[1]);
          if (held === undefined) response.writeHead(404).end();
          else response.writeHead(200, { [metaHeader]: encodeMeta(held.meta) }).end(held.body);
        } else if (done?.[1] && request.method === 'POST') {
          latch.markDone(decodeURIComponent(done[1]));
          response.writeHead(204).end();
        } else if (url === '/shutdown' && request.method === 'POST') {
          response.writeHead(204).end();
          onShutdown();
        } else {
          response.writeHead(404).end();
        }
      } catch (error) {
        response.writeHead(error instanceof QuickstowError ? error.status : 500).end();
      }
    });
  });
  // A socket file left by a previous extension process of this sandbox is stale by now.
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return { socketPath, close: () => server.close() };
}
