/**
 * The S3 stand-in of the bench: a real s3rver in its own process (it speaks the S3 wire protocol
 * on loopback), with the delay proxy in front of it, in a process of its own too, so that the
 * servers under test reach "S3" across a modelled network (`delayMs` each way) while the bench
 * reads objects back directly. The bucket is created before this resolves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { type ListeningChild, spawnListening } from './child.js';
import { Cleanup } from './cleanup.js';
import { nodeArgsFor } from './entry.js';
import { parseListeningUrl } from './listen-line.js';

export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const s3rverRegion = 'us-east-1';

/** The environment a server needs to use the stand-in through the standard AWS chain. */
export const s3rverEnv = {
  AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
  AWS_REGION: s3rverRegion,
} as const;

export interface S3StandIn {
  /** The delayed endpoint, for the servers under test. */
  endpoint: string;
  /** s3rver itself, without the delay: for reading back, which is not timed. */
  directEndpoint: string;
  bucket: string;
  region: string;
  processes: ListeningChild[];
  /** A client of the direct endpoint (the caller must not destroy it; stop() does). */
  client: S3Client;
  stop(): Promise<void>;
}

export interface S3StandInOptions {
  bucket: string;
  delayMs: number;
  /** Folder to keep s3rver's data folder in (default: the OS temp folder). */
  dataRoot?: string;
}

export const s3rverScript = path.join(
  path.dirname(createRequire(import.meta.url).resolve('s3rver/package.json')),
  'bin',
  's3rver.js',
);

/** An SDK client for s3rver: path-style, its fixed credentials, and no checksum framing. */
export function s3rverClient(endpoint: string, extra: S3ClientConfig = {}): S3Client {
  return new S3Client({
    ...extra,
    endpoint,
    region: s3rverRegion,
    forcePathStyle: true,
    credentials: s3rverCredentials,
    // s3rver stores an aws-chunked body with its framing; only send checksums when S3 requires.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * Starts s3rver and the proxy. With a `cleanup`, they are also released by it (the bench's way);
 * without one, stop() is the only way, and a process exit still kills the children.
 */
export async function startS3StandIn(
  options: S3StandInOptions,
  cleanup: Cleanup = new Cleanup(),
): Promise<S3StandIn> {
  const directory = await mkdtemp(
    path.join(options.dataRoot ?? tmpdir(), 'quickstow-bench-s3rver-'),
  );
  cleanup.removeDir(directory);
  const s3rver = await spawnListening(
    's3rver',
    [
      // s3rver 3 uses a hash that OpenSSL 3 keeps in its legacy provider.
      '--openssl-legacy-provider',
      s3rverScript,
      ...['-d', directory, '-a', '127.0.0.1', '-p', '0', '--silent'],
    ],
    {
      // --silent still prints this one line, with the port the kernel chose.
      parseUrl: (output) => {
        const match = /S3rver listening on ([^:\s]+):(\d+)/.exec(output);
        return match ? `http://${match[1]}:${match[2]}` : undefined;
      },
    },
    cleanup,
  );
  const client = s3rverClient(s3rver.url);
  cleanup.add('s3rver client', async () => client.destroy());
  await client.send(new CreateBucketCommand({ Bucket: options.bucket }));

  const proxy = await spawnListening(
    `delay proxy (${options.delayMs} ms each way)`,
    [
      ...nodeArgsFor('./delay-proxy-main'),
      ...['--target-port', new URL(s3rver.url).port, '--delay-ms', String(options.delayMs)],
    ],
    { parseUrl: parseListeningUrl },
    cleanup,
  );
  return {
    endpoint: proxy.url,
    directEndpoint: s3rver.url,
    bucket: options.bucket,
    region: s3rverRegion,
    processes: [s3rver, proxy],
    client,
    stop: async () => {
      client.destroy();
      await proxy.stop();
      await s3rver.stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
