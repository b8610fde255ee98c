/**
 * The targets the bench can start, each in a child process of its own so that the load generator
 * never shares an event loop with a server, and what each one models. The serve family runs
 * node:http servers and `quickstow serve`; the local family runs `quickstow local` (API Gateway +
 * Lambda emulated, see local-targets.ts). families.ts says which baselines each compares with.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ListeningChild, spawnListening } from './child.js';
import type { Cleanup } from './cleanup.js';
import { nodeArgsFor } from './entry.js';
import type { LambdaLogStats } from './lambda-logs.js';
import { parseListeningUrl } from './listen-line.js';
import {
  isLocalTarget,
  type LocalTargetName,
  localTargetDescriptions,
  localTargetNames,
  startLocalTarget,
} from './local-targets.js';

export const serveTargetNames = [
  'floor',
  'floor-fsync',
  'naive',
  'serve-sync',
  'serve-spool',
] as const;
export { localTargetNames };
export const targetNames = [...serveTargetNames, ...localTargetNames] as const;
export type ServeTargetName = (typeof serveTargetNames)[number];
export type TargetName = ServeTargetName | LocalTargetName;

export const targetDescriptions: Record<TargetName, string> = {
  floor: 'node:http that reads the body, hashes it and answers 201; stores nothing',
  'floor-fsync':
    'the floor, plus: appends the body to a local file and answers after fdatasync (durable floor)',
  naive: 'node:http that awaits an SDK PutObject of the whole body, then answers 201',
  'serve-sync': 'quickstow serve --mode sync --store s3: answers 201 once S3 has the object',
  'serve-spool':
    'quickstow serve --mode spool --store s3: answers 202 once fsynced to the spool; uploads later',
  ...localTargetDescriptions,
};

/** Where a target's payloads can be read back from, to check them. */
export type ReadBack = 'none' | 's3' | 'contract';

export interface RunningTarget {
  name: string;
  url: string;
  /** The server's process, where the bench started one. */
  pid?: number;
  readBack: ReadBack;
  description: string;
  /** local-* targets: the function's name (its sandboxes carry it in their environment). */
  functionName?: string;
  /** local-* targets: sandboxes initialised before the run (= the function's concurrency). */
  sandboxes?: number;
  /** local-* targets: what the function's log says, per level. */
  lambdaLog?: LambdaLogStats;
}

/** The S3 the storing targets use. */
export interface TargetS3 {
  /** Absent: AWS's own endpoint for the region. */
  endpoint?: string;
  bucket: string;
  region?: string;
  /** Added to the targets' environment (the stand-in's credentials). */
  env: Record<string, string>;
}

export interface TargetContext {
  s3: TargetS3 | undefined;
  sizeBytes: number;
  maxConcurrency: number;
  s3DelayMs: number;
  cleanup: Cleanup;
}

export function storesInS3(name: TargetName): boolean {
  return name !== 'floor' && name !== 'floor-fsync' && name !== 'local-floor';
}

export async function startTarget(
  name: TargetName,
  context: TargetContext,
): Promise<RunningTarget> {
  if (isLocalTarget(name)) {
    const { child, lambdaLog, functionName, sandboxes } = await startLocalTarget(name, context, {
      env: targetEnv(context),
    });
    return { ...running(name, child), functionName, sandboxes, lambdaLog };
  }
  const child = await spawnListening(
    name,
    await argsOf(name, context),
    { env: targetEnv(context), parseUrl: parseListeningUrl },
    context.cleanup,
  );
  return running(name, child);
}

function running(name: TargetName, child: ListeningChild): RunningTarget {
  return {
    name,
    url: child.url,
    pid: child.pid,
    readBack: storesInS3(name) ? 's3' : 'none',
    description: targetDescriptions[name],
  };
}

async function argsOf(name: ServeTargetName, context: TargetContext): Promise<string[]> {
  const s3 = context.s3;
  if (name === 'floor') return nodeArgsFor('./targets/floor');
  if (name === 'floor-fsync') {
    const fsyncDir = await mkdtemp(path.join(tmpdir(), 'quickstow-bench-floor-fsync-'));
    context.cleanup.removeDir(fsyncDir);
    return [...nodeArgsFor('./targets/floor'), '--fsync-dir', fsyncDir];
  }
  if (s3 === undefined) throw new Error(`${name} needs an S3 endpoint`);
  if (name === 'naive') {
    return [
      ...nodeArgsFor('./targets/naive'),
      ...['--bucket', s3.bucket],
      ...(s3.endpoint === undefined ? [] : ['--endpoint', s3.endpoint]),
    ];
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), `quickstow-bench-${name}-`));
  context.cleanup.removeDir(dataDir);
  return [
    ...nodeArgsFor('../cli/main'),
    'serve',
    ...['--mode', name === 'serve-sync' ? 'sync' : 'spool', '--store', 's3'],
    ...['--bucket', s3.bucket],
    ...(s3.endpoint === undefined ? [] : ['--s3-endpoint', s3.endpoint]),
    ...(s3.region === undefined ? [] : ['--region', s3.region]),
    ...['--data-dir', dataDir, '--port', '0', '--log-level', 'warn'],
    ...['--max-bytes', String(context.sizeBytes)],
    ...memoryBudgetArgs(context),
  ];
}

const defaultMemoryMaxBytes = 256 * 1024 * 1024;

/** quickstow's default in-memory budget, raised only where the workload would not fit in it. */
export function memoryBudgetArgs({ sizeBytes, maxConcurrency }: TargetContext): string[] {
  const needed = sizeBytes * maxConcurrency * 2;
  return needed > defaultMemoryMaxBytes ? ['--memory-max-bytes', String(needed)] : [];
}

/**
 * The bench's environment without QUICKSTOW_* settings, which would change the servers under
 * test behind the bench's back, plus the S3 credentials of the stand-in.
 */
function targetEnv(context: TargetContext): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('QUICKSTOW_')) env[key] = value;
  }
  return { ...env, ...(context.s3?.env ?? {}) };
}
