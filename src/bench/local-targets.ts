/**
 * The local family: every target is a `quickstow local` child process (API Gateway REST API +
 * Lambda, emulated with real aws-lambda-ric sandboxes and a real freeze), started as a user would:
 *   quickstow local --port 0 --api rest --function-name <unique> --concurrency N --prewarm N …
 * local-floor and local-naive run the bench's own handlers (src/bench/lambda/, bundled into
 * dist-lambda/bench/ by `npm run build:lambda`) with --code; the others run quickstow's handler
 * in one mode each.
 *
 * Sandboxes: --prewarm equals --concurrency, so every sandbox the run can use is initialised
 * before the first request (provisioned concurrency) and no cold start lands in a timed request.
 * A sandbox is busy until its invoke phase ends, and in the modes that upload after the answer
 * (after-response, external, spool) that is after the upload, about two S3 delays later: such a
 * target needs several sandboxes per request in flight, or the emulator throttles (API Gateway
 * answers 500), as Lambda would. sandboxesFor() sizes the pool for that.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TargetContext } from './catalog.js';
import { type ListeningChild, spawnListening } from './child.js';
import { nodeArgsFor } from './entry.js';
import { LambdaLogStats } from './lambda-logs.js';
import { parseListeningUrl } from './listen-line.js';

export const localTargetNames = [
  'local-floor',
  'local-naive',
  'local-sync',
  'local-after-response',
  'local-external',
  'local-spool',
] as const;
export type LocalTargetName = (typeof localTargetNames)[number];

export function isLocalTarget(name: string): name is LocalTargetName {
  return (localTargetNames as readonly string[]).includes(name);
}

interface LocalSpec {
  /** One of the bench's own handlers (dist-lambda/bench/<code>); absent: quickstow's. */
  code?: 'floor' | 'naive';
  /** quickstow's handler: --mode and --extension. */
  mode?: 'sync' | 'after-response' | 'spool';
  extension?: 'internal' | 'external';
  /** The sandbox keeps working (uploading) after the answer. */
  worksAfterAnswer: boolean;
}

const specs: Record<LocalTargetName, LocalSpec> = {
  'local-floor': { code: 'floor', worksAfterAnswer: false },
  'local-naive': { code: 'naive', worksAfterAnswer: false },
  'local-sync': { mode: 'sync', worksAfterAnswer: false },
  'local-after-response': {
    mode: 'after-response',
    extension: 'internal',
    worksAfterAnswer: true,
  },
  'local-external': { mode: 'after-response', extension: 'external', worksAfterAnswer: true },
  'local-spool': { mode: 'spool', worksAfterAnswer: true },
};

export const localTargetDescriptions: Record<LocalTargetName, string> = {
  'local-floor':
    'Lambda handler that decodes the event body, hashes it and answers 201; stores nothing',
  'local-naive': 'Lambda handler that awaits an SDK PutObject of the body, then answers 201',
  'local-sync': "quickstow's Lambda handler, --mode sync: 201 once S3 has the object",
  'local-after-response':
    "quickstow's Lambda handler, after-response: 202; an internal extension uploads before the freeze",
  'local-external':
    "quickstow's Lambda handler, after-response with the external extension (the layer's process)",
  'local-spool':
    "quickstow's Lambda handler, --mode spool: 202 once fsynced to a spool folder (EFS on AWS)",
};

/** The bundles of the bench's own handlers, beside quickstow's in dist-lambda/. */
export const benchHandlerDir = (code: 'floor' | 'naive') =>
  fileURLToPath(new URL(`../../dist-lambda/bench/${code}`, import.meta.url));

/**
 * Sandboxes (the function's concurrency, all prewarmed) for a target. Two per request in flight
 * where the sandbox is free at the answer: one would do on AWS, but here a runtime starved of CPU
 * can take a hundred milliseconds to ask for its next event after answering, and a request that
 * finds every sandbox busy is throttled at once (seen at concurrency 8 on a loaded 2-core
 * machine). Where the sandbox uploads after the answer, it stays busy for the upload (two S3
 * delays plus the transfer) while the client already sends the next request, so it gets several
 * per request in flight: 42 at the default 20 ms delay and concurrency 8, where a 2-core machine
 * under load was seen to use up to 31. The Lambda table of the report says how many each level
 * used; a throttle fails the bench loudly.
 */
export function sandboxesFor(name: LocalTargetName, maxConcurrency: number, s3DelayMs: number) {
  if (!specs[name].worksAfterAnswer) return maxConcurrency * 2;
  return maxConcurrency * (3 + Math.ceil(s3DelayMs / 10)) + 2;
}

export interface StartedLocal {
  child: ListeningChild;
  lambdaLog: LambdaLogStats;
  functionName: string;
  sandboxes: number;
}

/** Init of many sandboxes at once on a small machine takes a while; so does shutting them down. */
const startTimeoutMs = 180_000;
const stopTimeoutMs = 30_000;

export async function startLocalTarget(
  name: LocalTargetName,
  context: TargetContext,
  { env }: { env: NodeJS.ProcessEnv },
): Promise<StartedLocal> {
  const spec = specs[name];
  const s3 = context.s3;
  if (spec.code !== 'floor' && s3 === undefined) throw new Error(`${name} needs an S3 endpoint`);
  const dataDir = await mkdtemp(path.join(tmpdir(), `quickstow-bench-${name}-`));
  context.cleanup.removeDir(dataDir);
  const functionName = `qsbench-${name.replace(/^local-/, '')}-${process.pid}-${Date.now().toString(36)}`;
  const sandboxes = sandboxesFor(name, context.maxConcurrency, context.s3DelayMs);
  const args = [
    ...nodeArgsFor('../cli/main'),
    'local',
    ...['--port', '0', '--host', '127.0.0.1', '--api', 'rest'],
    ...['--function-name', functionName],
    ...['--concurrency', String(sandboxes), '--prewarm', String(sandboxes)],
    ...['--timeout', '30', '--memory', '1024'],
    ...['--data-dir', dataDir],
    ...(spec.code === undefined
      ? await ownHandlerArgs(spec, context)
      : await codeHandlerArgs(spec.code, context, env, dataDir)),
  ];
  const lambdaLog = new LambdaLogStats();
  const child = await spawnListening(
    name,
    args,
    {
      env,
      parseUrl: parseListeningUrl,
      startTimeoutMs,
      stopTimeoutMs,
      exitSignal: 'SIGTERM',
      onStdout: (chunk) => lambdaLog.write(chunk),
    },
    context.cleanup,
  );
  return { child, lambdaLog, functionName, sandboxes };
}

async function ownHandlerArgs(spec: LocalSpec, context: TargetContext): Promise<string[]> {
  const s3 = context.s3;
  if (s3 === undefined) throw new Error('needs an S3 endpoint');
  return [
    ...['--mode', spec.mode ?? 'after-response', '--extension', spec.extension ?? 'internal'],
    ...['--store', 's3', '--bucket', s3.bucket],
    ...(s3.endpoint === undefined ? [] : ['--s3-endpoint', s3.endpoint]),
    ...(s3.region === undefined ? [] : ['--region', s3.region]),
    ...['--max-bytes', String(context.sizeBytes)],
  ];
}

async function codeHandlerArgs(
  code: 'floor' | 'naive',
  context: TargetContext,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<string[]> {
  const dir = benchHandlerDir(code);
  if (!existsSync(path.join(dir, 'index.mjs'))) {
    throw new Error(`the bench's ${code} handler is not built (${dir}); run: npm run build`);
  }
  const functionEnv: Record<string, string> = {};
  const s3 = context.s3;
  if (code === 'naive' && s3 !== undefined) {
    functionEnv.BENCH_BUCKET = s3.bucket;
    if (s3.endpoint !== undefined) functionEnv.BENCH_S3_ENDPOINT = s3.endpoint;
    if (s3.region !== undefined) {
      functionEnv.AWS_REGION = s3.region;
      functionEnv.AWS_DEFAULT_REGION = s3.region;
    }
    Object.assign(functionEnv, await credentialsEnv(s3.env, env, dataDir));
  }
  return [
    ...['--code', dir, '--handler', 'index.handler'],
    ...Object.entries(functionEnv).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
  ];
}

/**
 * S3 credentials for a --code handler: `quickstow local` passes the AWS chain's variables through
 * to its own handler only. The stand-in's (public, fixed) keys go as --env; real keys would show
 * on a command line, so they go in a credentials file (mode 0600, in the target's temporary
 * folder) named by --env instead. Without keys, the profile variables are passed on.
 */
async function credentialsEnv(
  standIn: Record<string, string>,
  env: NodeJS.ProcessEnv,
  dataDir: string,
): Promise<Record<string, string>> {
  const { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret } = standIn;
  if (keyId !== undefined && secret !== undefined) {
    return { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret };
  }
  if (env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_SECRET_ACCESS_KEY !== undefined) {
    const file = path.join(dataDir, 'aws-credentials');
    const lines = [
      '[default]',
      `aws_access_key_id = ${env.AWS_ACCESS_KEY_ID}`,
      `aws_secret_access_key = ${env.AWS_SECRET_ACCESS_KEY}`,
      ...(env.AWS_SESSION_TOKEN === undefined
        ? []
        : [`aws_session_token = ${env.AWS_SESSION_TOKEN}`]),
    ];
    await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    return { AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'default' };
  }
  const passed: Record<string, string> = {};
  for (const key of ['AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'HOME']) {
    const value = env[key];
    if (value !== undefined) passed[key] = value;
  }
  return passed;
}
