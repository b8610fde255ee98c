/**
 * Reads a request body into memory (API Gateway buffers it whole before invoking), refusing it
 * as soon as it crosses the limit: a declared Content-Length over the limit is refused before a
 * byte is read, and a chunked body is refused at the chunk that crosses it, never buffered whole.
 */
import type { IncomingMessage } from 'node:http';

export type BodyRead =
  | { kind: 'complete'; body: Buffer }
  | { kind: 'too-large' }
  /** The client went away (or the stream failed) before the body ended. */
  | { kind: 'aborted' };

export function declaresBodyOver(request: IncomingMessage, maxBytes: number): boolean {
  const declared = Number(request.headers['content-length']);
  return Number.isFinite(declared) && declared > maxBytes;
}

export function readBodyWithin(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  if (declaresBodyOver(request, maxBytes)) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (read: BodyRead) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('close', onAbort);
      resolve(read);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        // Keep nothing more: the rest of the body is discarded and the connection closed.
        settle({ kind: 'too-large' });
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => settle({ kind: 'complete', body: Buffer.concat(chunks, received) });
    const onAbort = () => settle({ kind: 'aborted' });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAbort);
    request.on('close', onAbort);
  });
}
