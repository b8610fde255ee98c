/**
 * `quickstow bench` from start to end: bring up the S3 stand-in (or use the S3 given) and the
 * targets, measure, read every acknowledged payload back, print the table, write the report,
 * and release everything it started whatever happens (see cleanup.ts). Resolves with the exit
 * code: 1 when a payload was lost or corrupted or a request failed.
 */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import { S3Client } from '@aws-sdk/client-s3';
import { type RunningTarget, startTarget, storesInS3, type TargetS3 } from './catalog.js';
import { Cleanup } from './cleanup.js';
import { familyBaselines } from './families.js';
import { isLocalTarget } from './local-targets.js';
import { describeMachine } from './machine.js';
import { type Measurement, measure } from './measure.js';
import type { BenchOptions } from './options.js';
import { createProgress, type Progress } from './progress.js';
import { writeReport } from './report.js';
import { resultsOf } from './results.js';
import { s3rverEnv, startS3StandIn } from './s3rver-process.js';
import { lambdaTable, resultsTable } from './table.js';
import { contractReader, type Failure, type ReadPayload, s3Reader, verifyAll } from './verify.js';

export interface BenchIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

export async function runBench(options: BenchOptions, io: BenchIo): Promise<number> {
  const cleanup = new Cleanup();
  const progress = createProgress(io.stderr);
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    progress.stop();
    io.stderr.write(`bench: ${signal}: stopping everything it started…\n`);
    interrupt.abort(new Error(`interrupted by ${signal}`));
    void cleanup.run().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await bench(options, io, cleanup, progress, interrupt.signal);
  } finally {
    progress.stop();
    for (const problem of await cleanup.run()) io.stderr.write(`bench: cleanup: ${problem}\n`);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function bench(
  options: BenchOptions,
  io: BenchIo,
  cleanup: Cleanup,
  progress: Progress,
  signal: AbortSignal,
): Promise<number> {
  const date = new Date().toISOString();
  const { targetS3, readClient } = await startS3(options, cleanup, progress);
  signal.throwIfAborted();
  const targets = await startTargets(options, targetS3, cleanup, progress);

  const measurement = await measure(targets, { ...options, progress, signal });
  const failures = await verifyTargets(targets, measurement, options, readClient, progress);
  progress.stop();

  const results = resultsOf(measurement, failures, targets);
  io.stdout.write(`${resultsTable(results)}\n\n`);
  const lambda = lambdaTable(results);
  if (lambda !== undefined) {
    io.stdout.write(
      `Lambda, from the REPORT lines of quickstow local (means per invoke):\n${lambda}\n\n`,
    );
  }
  for (const target of targets) {
    if (target.readBack === 'none') continue;
    const total = measurement.acknowledged.filter((ack) => ack.target === target.name).length;
    const bad = failures.filter((failure) => failure.ack.target === target.name).length;
    io.stdout.write(`${target.name}: verified ${total - bad}/${total}\n`);
  }
  const files = await writeReport(options.reportDir, {
    date,
    machine: describeMachine(),
    options: { ...options },
    targets: targets.map(({ name, description, url, functionName, sandboxes, lambdaLog }) => ({
      name,
      description,
      url,
      ...(functionName === undefined ? {} : { functionName, sandboxes }),
      ...(lambdaLog === undefined || lambdaLog.problems.length === 0
        ? {}
        : { logProblems: lambdaLog.problems }),
    })),
    ratioBaselines: familyBaselines,
    results,
    failures: failures.map(({ ack, problem }) => ({ target: ack.target, id: ack.id, problem })),
  });
  io.stdout.write(`\nreport: ${files.json}\n        ${files.svg}\n`);
  return reportProblems(targets, measurement, failures, io);
}

async function startS3(
  options: BenchOptions,
  cleanup: Cleanup,
  progress: Progress,
): Promise<{ targetS3?: TargetS3; readClient?: S3Client }> {
  if (!options.targets.some(storesInS3)) return {};
  if (options.s3Endpoint !== undefined) {
    // A real S3: the servers and the bench find credentials (and the region) in the AWS chain.
    const readClient = new S3Client({
      endpoint: options.s3Endpoint,
      forcePathStyle: true,
      ...(options.region === undefined ? {} : { region: options.region }),
    });
    cleanup.add('S3 client', async () => readClient.destroy());
    return {
      targetS3: {
        endpoint: options.s3Endpoint,
        bucket: options.bucket,
        ...(options.region === undefined ? {} : { region: options.region }),
        env: {},
      },
      readClient,
    };
  }
  const dataRoot = await standInDataRoot(options);
  const standIn = await startS3StandIn(
    { bucket: options.bucket, delayMs: options.s3DelayMs, ...(dataRoot ? { dataRoot } : {}) },
    cleanup,
  );
  for (const child of standIn.processes) {
    progress.log(`bench: ${child.name} (pid ${child.pid}) at ${child.url}`);
  }
  return {
    targetS3: {
      endpoint: standIn.endpoint,
      bucket: standIn.bucket,
      region: standIn.region,
      env: { ...s3rverEnv },
    },
    readClient: standIn.client,
  };
}

/**
 * Where s3rver keeps the objects: in memory (/dev/shm) when they fit easily. On disk, its writes
 * would share the disk, and the journal, with the spool: ext4 commits other files' dirty data
 * with each fsync, so the spool would pay for the stand-in's writes, which a remote S3 never
 * puts on this machine's disk.
 */
async function standInDataRoot(options: BenchOptions): Promise<string | undefined> {
  const storing = options.targets.filter(storesInS3).length;
  const objects = (options.requests + options.warmup) * options.concurrency.length * storing;
  const fits = objects * options.sizeBytes < os.freemem() / 4;
  return fits && (await isDirectory(memoryFolder)) ? memoryFolder : undefined;
}

const memoryFolder = '/dev/shm';

async function isDirectory(folder: string): Promise<boolean> {
  try {
    return (await stat(folder)).isDirectory();
  } catch {
    return false;
  }
}

async function startTargets(
  options: BenchOptions,
  targetS3: TargetS3 | undefined,
  cleanup: Cleanup,
  progress: Progress,
): Promise<RunningTarget[]> {
  const maxConcurrency = Math.max(...options.concurrency);
  const context = {
    s3: targetS3,
    sizeBytes: options.sizeBytes,
    maxConcurrency,
    s3DelayMs: options.s3DelayMs,
    cleanup,
  };
  const announce = (target: RunningTarget) => {
    const lambda =
      target.functionName === undefined
        ? ''
        : ` (Lambda function ${target.functionName}, ${target.sandboxes} sandboxes prewarmed)`;
    progress.log(`bench: ${target.name} (pid ${target.pid}) at ${target.url}${lambda}`);
    return target;
  };
  // The servers start side by side; the local targets one after another, since each initialises
  // all its sandboxes at once and Lambda caps an init at 10 s, which a crowded machine can miss.
  const servers = Promise.all(
    options.targets
      .filter((name) => !isLocalTarget(name))
      .map(async (name) => announce(await startTarget(name, context))),
  );
  const locals: RunningTarget[] = [];
  try {
    for (const name of options.targets.filter(isLocalTarget)) {
      progress.log(`bench: starting ${name}…`);
      locals.push(announce(await startTarget(name, context)));
    }
  } finally {
    await servers.catch(() => {});
  }
  const started = await servers;
  const byName = new Map([...started, ...locals].map((target) => [target.name, target]));
  const given = options.urls.map(
    ({ name, url }): RunningTarget => ({
      name,
      url,
      readBack: 'contract',
      description: `a server already running at ${url}`,
    }),
  );
  return [...options.targets.map((name) => byName.get(name) as RunningTarget), ...given];
}

async function verifyTargets(
  targets: readonly RunningTarget[],
  measurement: Measurement,
  options: BenchOptions,
  readClient: S3Client | undefined,
  progress: Progress,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const target of targets) {
    const read = readerOf(target, readClient, options.bucket);
    if (read === undefined) continue;
    const acks = measurement.acknowledged.filter((ack) => ack.target === target.name);
    progress.phase(`verifying ${target.name}`, acks.length);
    const found = await verifyAll(acks, read, {
      timeoutMs: options.verifyTimeoutMs,
      concurrency: 8,
      onChecked: () => progress.tick(),
    });
    failures.push(...found);
  }
  return failures;
}

function readerOf(
  target: RunningTarget,
  readClient: S3Client | undefined,
  bucket: string,
): ReadPayload | undefined {
  if (target.readBack === 'contract') return contractReader(target.url);
  if (target.readBack === 's3' && readClient !== undefined) return s3Reader(readClient, bucket);
  return undefined;
}

/** Says loudly what went wrong, and returns the exit code. */
function reportProblems(
  targets: readonly RunningTarget[],
  measurement: Measurement,
  failures: readonly Failure[],
  io: BenchIo,
) {
  const lines: string[] = [];
  for (const target of new Set(failures.map((failure) => failure.ack.target))) {
    const mine = failures.filter((failure) => failure.ack.target === target);
    const total = measurement.acknowledged.filter((ack) => ack.target === target).length;
    lines.push(
      `BENCH FAILED: ${target} acknowledged ${total} payloads and ${mine.length} of them are lost or corrupted:`,
      ...mine.slice(0, 10).map(({ ack, problem }) => `  ${ack.id}: ${problem}`),
    );
    if (mine.length > 10) lines.push(`  … and ${mine.length - 10} more (see results.json)`);
  }
  for (const target of new Set(measurement.errors.map((error) => error.target))) {
    const mine = measurement.errors.filter((error) => error.target === target);
    lines.push(
      `BENCH FAILED: ${mine.length} requests to ${target} failed; the first: ${mine[0]?.error}`,
    );
    const problems = targets.find((t) => t.name === target)?.lambdaLog?.problems ?? [];
    if (problems.length > 0) {
      lines.push(`  its quickstow local says (first ${problems.length}, also in results.json):`);
      lines.push(...problems.slice(0, 3).map((line) => `  ${line.slice(0, 300)}`));
    }
  }
  if (lines.length === 0) return 0;
  io.stderr.write(`\n${lines.join('\n')}\n`);
  return 1;
}
