/**
 * A real s3rver in a child process, for tests that need an S3 wire protocol on loopback.
 *
 * It runs as its own process (not in-process) so that `down()` can kill it the way a store
 * really goes away: open sockets reset, new connections refused. `up()` brings it back on the
 * same port with the same data folder, so the same endpoint and the objects written before
 * work again. `stop()` ends it for good and removes its folder; a safety net kills the child
 * and removes the folder if the test process exits without calling it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  s3rverClient,
  s3rverCredentials,
  s3rverRegion,
  s3rverScript,
} from '../../src/bench/s3rver-process.js';
import { type TempDir, tempDir } from './temp.js';

export { s3rverCredentials, s3rverRegion };

export interface S3rver {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  bucket: string;
  port: number;
  /** Where s3rver keeps the objects (removed by stop()). */
  directory: string;
  credentials: typeof s3rverCredentials;
  /** A plain SDK client for the server, to look at what was stored without the code under test. */
  client: S3Client;
  /** Kills the server (SIGKILL, like a crash); keeps its port and its data for up(). */
  down(): Promise<void>;
  /** Starts it again on the same port with the same data; resolves once it answers. */
  up(): Promise<void>;
  /** Kills it and removes its data folder. Safe to call twice. */
  stop(): Promise<void>;
}

const startTimeoutMs = 15_000;

export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rver> {
  const bucket = options.bucket ?? 'quickstow-test';
  const directory = await mkdtemp(path.join(tmpdir(), 'quickstow-s3rver-'));
  let child: ChildProcess | undefined;

  // If the test process ends without stop() (a crash, an uncaught error), leave nothing behind.
  const onExit = () => {
    child?.kill('SIGKILL');
    rmSync(directory, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  try {
    const started = await spawnS3rver(directory, 0);
    child = started.child;
    const port = started.port;
    const endpoint = `http://127.0.0.1:${port}`;
    const client = clientFor(endpoint);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));

    const down = async () => {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      running.ref(); // keep the process alive until the exit this awaits
      running.kill('SIGKILL');
      await once(running, 'exit');
    };

    return {
      endpoint,
      bucket,
      port,
      directory,
      credentials: s3rverCredentials,
      client,
      down,
      async up() {
        if (child !== undefined) return;
        child = (await spawnS3rver(directory, port)).child;
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      },
      async stop() {
        await down();
        client.destroy();
        await rm(directory, { recursive: true, force: true });
        process.removeListener('exit', onExit);
      },
    };
  } catch (error) {
    onExit();
    process.removeListener('exit', onExit);
    throw error;
  }
}

/** Starts s3rver on `port` (0: any free one) and resolves with the port it says it listens on. */
async function spawnS3rver(
  directory: string,
  port: number,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      s3rverScript,
      ...['-d', directory, '-a', '127.0.0.1', '-p', String(port), '--silent'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // A test that forgets stop() must not keep its process alive forever; the exit hook in
  // startS3rver still kills the child when the process ends.
  child.unref();
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  try {
    const listeningPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`s3rver did not start within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      // --silent still prints this one line, and it names the port the kernel chose.
      child.stdout?.on('data', (chunk: string) => {
        stdout += chunk;
        const match = /S3rver listening on [^:\s]+:(\d+)/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited (${code ?? signal}) before listening: ${stderr.trim()}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    for (const stream of [child.stdout, child.stderr]) (stream as Socket | null)?.unref();
    return { child, port: listeningPort };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

function clientFor(endpoint: string): S3Client {
  return s3rverClient(endpoint, {
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 10_000 }),
  });
}

/** The bytes stored under `key`, read with the plain client; undefined when there is none. */
export async function readObject(s3: S3rver, key: string): Promise<Buffer | undefined> {
  try {
    const object = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return Buffer.from((await object.Body?.transformToByteArray()) ?? new Uint8Array());
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * For a describe block: an s3rver and a temp folder, started before its tests and removed after
 * them. They reach the suite through `set`, called once both run:
 *   let s3: S3rver; let temp: TempDir;
 *   s3rverAndTempDirForSuite((started) => ({ s3, temp } = started));
 */
export function s3rverAndTempDirForSuite(
  set: (started: { s3: S3rver; temp: TempDir }) => void,
): void {
  let started: { s3: S3rver; temp: TempDir } | undefined;
  before(async () => {
    started = { s3: await startS3rver(), temp: await tempDir() };
    set(started);
  });
  after(async () => {
    await started?.s3.stop();
    await started?.temp.remove();
  });
}
