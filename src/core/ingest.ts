/**
 * The ingest pipeline, free of I/O: it is handed the request's headers and its body as an async
 * iterable of chunks, and returns the payload with its id, key, digest and timings, or throws a
 * QuickstowError. Checks that need no body (declared length, digest syntax, content type) run
 * before the first byte is read; the size limit and the hash run chunk by chunk while streaming,
 * so an oversize body is refused as soon as it crosses the limit, not after it is all in memory.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseContentDigest } from './digest.js';
import { QuickstowError } from './errors.js';
import { newId } from './ids.js';
import { keyOf } from './keys.js';

export const defaultContentType = 'application/octet-stream';

export interface IngestRequest {
  /** Content-Length as sent, if any. */
  contentLength?: string | undefined;
  contentType?: string | undefined;
  contentDigest?: string | undefined;
}

export interface IngestLimits {
  maxBodyBytes: number;
  keyPrefix: string;
  /** Empty means any Content-Type is accepted. */
  allowedContentTypes: readonly string[];
}

export interface IngestedPayload {
  id: string;
  key: string;
  body: Buffer;
  size: number;
  sha256: Buffer;
  contentType: string;
  receivedAt: string;
  timings: { receiveMs: number; hashMs: number };
}

export interface PreparedIngest {
  contentType: string;
  expectedSha256: Buffer | undefined;
}

/** Everything that can be refused from the headers alone; call it before reading the body. */
export function prepareIngest(request: IngestRequest, limits: IngestLimits): PreparedIngest {
  if (request.contentLength !== undefined) {
    if (!/^\d+$/.test(request.contentLength)) {
      throw new QuickstowError('bad-request', 400, 'Content-Length is not a number');
    }
    if (Number(request.contentLength) > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);
  }
  const contentType = request.contentType?.trim() || defaultContentType;
  if (limits.allowedContentTypes.length > 0) {
    const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    if (!limits.allowedContentTypes.includes(essence)) {
      throw new QuickstowError(
        'unsupported-media-type',
        415,
        `Content-Type ${essence} is not one of: ${limits.allowedContentTypes.join(', ')}`,
      );
    }
  }
  const expectedSha256 =
    request.contentDigest === undefined ? undefined : parseContentDigest(request.contentDigest);
  return { contentType, expectedSha256 };
}

/** Reads the whole body under the limit, hashing as it goes, and names the payload. */
export async function ingestBody(
  body: AsyncIterable<Uint8Array> | null,
  prepared: PreparedIngest,
  limits: IngestLimits,
  now: () => number = Date.now,
): Promise<IngestedPayload> {
  const started = performance.now();
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  let hashMs = 0;
  try {
    for await (const chunk of body ?? []) {
      size += chunk.byteLength;
      if (size > limits.maxBodyBytes) throw tooLarge(limits.maxBodyBytes);
      const hashStart = performance.now();
      hash.update(chunk);
      hashMs += performance.now() - hashStart;
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
  } catch (error) {
    if (error instanceof QuickstowError) throw error;
    throw new QuickstowError(
      'truncated-body',
      400,
      'The request body ended before it was complete',
      {
        cause: error,
      },
    );
  }
  const sha256 = hash.digest();
  if (prepared.expectedSha256 !== undefined && !sha256.equals(prepared.expectedSha256)) {
    throw new QuickstowError(
      'digest-mismatch',
      400,
      `Content-Digest sha-256 is ${prepared.expectedSha256.toString('base64')} but the body hashes to ${sha256.toString('base64')}`,
    );
  }
  const receivedAtMs = now();
  const id = newId(receivedAtMs);
  return {
    id,
    key: keyOf(limits.keyPrefix, id),
    body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size),
    size,
    sha256,
    contentType: prepared.contentType,
    receivedAt: new Date(receivedAtMs).toISOString(),
    timings: { receiveMs: performance.now() - started, hashMs },
  };
}

function tooLarge(maxBodyBytes: number): QuickstowError {
  return new QuickstowError(
    'payload-too-large',
    413,
    `The body is larger than the limit of ${maxBodyBytes} bytes`,
    { headers: { connection: 'close' } },
  );
}
