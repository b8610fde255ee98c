/**
 * S3 (or any S3-compatible endpoint) as an object store.
 *
 * - One PutObject per payload, the body sent as a Buffer so the SDK sends a plain
 *   Content-Length request (no aws-chunked framing), with the sha-256 as S3's own checksum
 *   (`x-amz-checksum-sha256`, so S3 refuses corrupted bytes) and again as user metadata (hex,
 *   which is what receipts show, and which S3-compatible stores without checksums keep too).
 * - The client keeps its connections alive: after the first request (or `warm()`), a put costs
 *   one round trip instead of TCP + TLS handshakes plus one.
 * - Every call has one deadline, `timeoutMs`, covering the SDK's retries too; failures become
 *   `store-unavailable` (retry later) or `store-failed` (see s3-errors.ts).
 */
import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isForbidden, isMissingObject, toStoreError } from './s3-errors.js';
import type { ObjectMeta, ObjectStore, StoredObject } from './types.js';

export interface S3StoreOptions {
  bucket: string;
  /**
   * Empty or absent: the SDK's region chain (AWS_REGION, ~/.aws/config), or us-east-1 when an
   * endpoint is given (S3-compatible stores rarely care, but SigV4 needs some region).
   */
  region?: string;
  /** An S3-compatible endpoint such as http://127.0.0.1:4568; path-style addressing is used then. */
  endpoint?: string;
  /** The deadline of each store call, retries included. */
  timeoutMs: number;
  /** Absent: the standard AWS credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call (1 = no SDK retries, for callers that retry themselves). */
  maxAttempts?: number;
  /** A client to use instead of building one; the store then leaves closing it to its owner. */
  s3?: S3Client;
  /**
   * S3 answers a read of a missing key with 403, not 404, to a role without s3:ListBucket. The
   * Lambda's least-privilege role has none on purpose (it could list every key), so there a 403
   * on a read means "not there". Writes never get this treatment.
   */
  forbiddenMeansMissing?: boolean;
}

/** Parallel sockets per store: enough for the uploader's concurrency with headroom. */
const maxSockets = 64;

export class S3Store implements ObjectStore {
  readonly kind = 's3';
  readonly bucket: string;
  private readonly s3: S3Client;
  private readonly ownsClient: boolean;
  private readonly timeoutMs: number;
  private readonly isMissing: (error: unknown) => boolean;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.isMissing = options.forbiddenMeansMissing
      ? (error) => isMissingObject(error) || isForbidden(error)
      : isMissingObject;
    this.timeoutMs = options.timeoutMs;
    this.ownsClient = options.s3 === undefined;
    this.s3 = options.s3 ?? createS3Client(options);
  }

  async put(meta: ObjectMeta, body: Buffer): Promise<void> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: meta.key,
      Body: body,
      ContentLength: body.length,
      ContentType: meta.contentType,
      ChecksumSHA256: Buffer.from(meta.sha256, 'hex').toString('base64'),
      Metadata: { sha256: meta.sha256, 'received-at': meta.receivedAt },
    });
    // SigV4 signs the payload's SHA-256, which the signer would compute again over the whole
    // body; we have it already. S3 checks this header against the bytes it receives, too.
    command.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) request.headers['x-amz-content-sha256'] = meta.sha256;
        return next(args);
      },
      { step: 'build', name: 'quickstowKnownPayloadHash' },
    );
    try {
      await this.s3.send(command, this.deadline());
    } catch (error) {
      throw toStoreError(error);
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const command = new GetObjectCommand({ Bucket: this.bucket, Key: key });
      const response = await this.s3.send(command, this.deadline());
      const bytes = await response.Body?.transformToByteArray();
      const body = bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : empty;
      const meta = metaOf(key, response);
      // An object written by something else has no sha256 metadata; the bytes are at hand.
      if (meta.sha256 === '') meta.sha256 = createHash('sha256').update(body).digest('hex');
      return { meta, body };
    } catch (error) {
      if (this.isMissing(error)) return undefined;
      throw toStoreError(error);
    }
  }

  async head(key: string): Promise<ObjectMeta | undefined> {
    try {
      const command = new HeadObjectCommand({ Bucket: this.bucket, Key: key });
      return metaOf(key, await this.s3.send(command, this.deadline()));
    } catch (error) {
      if (this.isMissing(error)) return undefined;
      throw toStoreError(error);
    }
  }

  /** HeadBucket: the bucket exists and these credentials may use it. */
  async ping(): Promise<void> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: this.bucket }), this.deadline());
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /**
   * Opens `connections` keep-alive connections ahead of the first payload (a Lambda's init
   * phase, a server's start). Never throws: a store that is down now is reported by the
   * first real call or by ping(). Resolves to whether every connection answered.
   */
  async warm(connections = 1): Promise<boolean> {
    const attempts = Array.from({ length: connections }, () => this.ping());
    const results = await Promise.allSettled(attempts);
    return results.every((result) => result.status === 'fulfilled');
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.s3.destroy();
  }

  /** One deadline per call, across the SDK's retries, so a stuck store cannot hold a request. */
  private deadline(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.timeoutMs) };
  }
}

const empty = Buffer.alloc(0);

interface HeadLike {
  ContentLength?: number;
  ContentType?: string;
  Metadata?: Record<string, string>;
  LastModified?: Date;
}

function metaOf(key: string, response: HeadLike): ObjectMeta {
  const metadata = response.Metadata ?? {};
  return {
    key,
    size: response.ContentLength ?? 0,
    contentType: response.ContentType ?? 'application/octet-stream',
    sha256: metadata.sha256 ?? '',
    receivedAt: metadata['received-at'] ?? response.LastModified?.toISOString() ?? '',
  };
}

/**
 * A client tuned for many ~1 MB puts over kept-alive connections. Exported so that a Lambda can
 * keep one warm between invocations and hand it to each S3Store.
 */
export function createS3Client(options: Omit<S3StoreOptions, 's3' | 'bucket'>): S3Client {
  const agentOptions = { keepAlive: true, maxSockets };
  const region = options.region || (options.endpoint ? 'us-east-1' : undefined);
  return new S3Client({
    ...(region ? { region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    // put() sends its own sha-256 checksum, so the SDK's default CRC32 would only be one more
    // pass over every payload; and where it checksums a streamed body it sends it aws-chunked,
    // which S3-compatible stores such as s3rver keep, framing and all, as the object.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: options.timeoutMs,
      requestTimeout: options.timeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    }),
  });
}
