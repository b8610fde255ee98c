import http from 'node:http';
import { QuickstowError } from '../core/errors.js';
import type { ObjectMeta } from '../store/types.js';
import { decodeMeta, encodeMeta, metaHeader } from './handoff-protocol.js';

/** The handler's side of the handoff to the external extension (see handoff-protocol.ts). */
export class HandoffClient {
  // No keep-alive: the extension's server closes idle connections, and a sandbox frozen longer
  // than that would write to a dead socket (EPIPE) at its next invoke. A new connection to a
  // Unix socket costs next to nothing.
  private readonly agent = new http.Agent({ keepAlive: false });

  constructor(private readonly socketPath: string) {}

  async send(id: string, meta: ObjectMeta, body: Buffer): Promise<void> {
    const response = await this.request('POST', `/payloads/${id}`, body, {
      [metaHeader]: encodeMeta(meta),
    });
    if (response.status === 204) return;
    if (response.status === 503) {
      throw new QuickstowError('memory-full', 503, 'The upload extension holds too many payloads', {
        headers: { 'retry-after': '1' },
      });
    }
    throw new QuickstowError('internal', 500, `The upload extension answered ${response.status}`);
  }

  async fetch(id: string): Promise<{ meta: ObjectMeta; body: Buffer } | undefined> {
    const response = await this.request('GET', `/payloads/${id}`);
    const header = response.headers[metaHeader];
    if (response.status !== 200 || typeof header !== 'string') return undefined;
    return { meta: decodeMeta(header), body: response.body };
  }

  async done(requestId: string): Promise<void> {
    await this.request('POST', `/invocations/${encodeURIComponent(requestId)}/done`);
  }

  /** The runtime got SIGTERM: the extension drains now, even in the middle of an invoke. */
  async shutdown(): Promise<void> {
    await this.request('POST', '/shutdown');
  }

  private request(
    method: string,
    path: string,
    body?: Buffer,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          socketPath: this.socketPath,
          method,
          path,
          headers,
          agent: this.agent,
          timeout: 5000,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('handoff to the extension timed out')));
      request.on('error', (error) =>
        reject(
          new QuickstowError('internal', 500, 'The upload extension is unreachable', {
            cause: error,
          }),
        ),
      );
      request.end(body);
    });
  }
}
