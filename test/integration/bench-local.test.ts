/**
 * `quickstow bench` with the local-* targets, end to end: the built command starting its own
 * s3rver and delay proxy and one `quickstow local` per target (API Gateway + Lambda, real
 * aws-lambda-ric sandboxes), a tiny workload (the numbers mean nothing here). What is checked:
 * every target starts, answers, is verified from S3 and compared with its own family's
 * baselines, and nothing is left behind: no emulator process, no sandbox process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localTargetNames } from '../../src/bench/local-targets.js';
import type { BenchReport } from '../../src/bench/report.js';
import { assertNoSandboxProcesses } from '../fixtures/lambda/harness.js';
import { type CliRun, cliPath, isRunning, runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

/** "bench: NAME (pid N) at URL (Lambda function F, S sandboxes prewarmed)" */
function startedLocals(stderr: string) {
  return [
    ...stderr.matchAll(
      /^bench: (local-\S+) \(pid (\d+)\) at (\S+) \(Lambda function (\S+), (\d+) sandboxes prewarmed\)$/gm,
    ),
  ].map((m) => ({
    name: m[1] as string,
    pid: Number(m[2]),
    functionName: m[4] as string,
    sandboxes: Number(m[5]),
  }));
}

describe('quickstow bench: the local-* targets', () => {
  let report: Awaited<ReturnType<typeof tempDir>>;
  let run: CliRun;

  before(async () => {
    report = await tempDir('quickstow-bench-local-test-');
    run = await runCli(
      [
        'bench',
        ...['--targets', localTargetNames.join(',')],
        ...['--requests', '4', '--warmup', '1', '--size', '4096', '--concurrency', '1,2'],
        ...['--s3-delay-ms', '1', '--report-dir', report.dir],
      ],
      {},
      60_000,
    );
  });
  after(async () => {
    await report.remove();
  });

  it('exits 0 and verifies every acknowledged payload of every storing target in S3', () => {
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const target of localTargetNames.filter((name) => name !== 'local-floor')) {
      // 4 timed + 1 warm-up, at two concurrency levels.
      assert.match(run.stdout, new RegExp(`^${target}: verified 10/10$`, 'm'));
    }
    assert.doesNotMatch(run.stdout, /^local-floor: verified/m);
    assert.match(run.stdout, /^local-after-response\s+2\s/m);
    assert.match(run.stdout, /local-\* targets against local-floor and local-naive/);
    assert.match(run.stdout, /^Lambda, from the REPORT lines/m);
  });

  it('compares each local target with local-floor and local-naive, and says so in results.json', async () => {
    const json = JSON.parse(
      await readFile(path.join(report.dir, 'results.json'), 'utf8'),
    ) as BenchReport;
    assert.deepEqual(json.failures, []);
    assert.deepEqual(json.ratioBaselines.local, { floor: 'local-floor', naive: 'local-naive' });
    assert.equal(json.results.length, 12);
    for (const row of json.results) {
      assert.equal(row.family, 'local');
      assert.deepEqual(row.ratioBaselines, { floor: 'local-floor', naive: 'local-naive' });
      assert.equal(row.requests, 4);
      assert.equal(row.errors, 0);
      assert.ok((row.ratios.p50VsFloor ?? 0) > 0 && (row.ratios.p50VsNaive ?? 0) > 0);
      // Every sandbox was prewarmed: no cold start, no throttle, and the REPORT lines were read.
      assert.ok(row.lambda !== undefined, row.target);
      assert.equal(row.lambda.coldStarts, 0, row.target);
      assert.equal(row.lambda.throttles, 0, row.target);
      assert.ok(row.lambda.invokes >= 1, `${row.target}: ${row.lambda.invokes} invokes`);
    }
    // A REPORT line counts toward the level running when it arrives; where the sandbox works
    // after the answer, the last ones of a level may land in the next: count them per target.
    for (const target of localTargetNames) {
      const invokes = json.results
        .filter((row) => row.target === target)
        .reduce((sum, row) => sum + (row.lambda?.invokes ?? 0), 0);
      assert.ok(invokes >= 8, `${target}: ${invokes} invokes of 10`);
    }
    const floor = json.results.find((r) => r.target === 'local-floor' && r.concurrency === 2);
    assert.equal(floor?.ratios.p50VsFloor, 1);
    assert.equal(floor?.verified, undefined);
    assert.equal(json.targets.length, 6);
    for (const target of json.targets) assert.match(target.functionName ?? '', /^qsbench-/);
  });

  it('stops every quickstow local and leaves no sandbox process behind', async () => {
    const locals = startedLocals(run.stderr);
    assert.deepEqual(locals.map((local) => local.name).sort(), [...localTargetNames].sort());
    const names = new Set(locals.map((local) => local.functionName));
    assert.equal(names.size, locals.length, 'function names are unique per target');
    for (const local of locals) {
      assert.equal(isRunning(local.pid), false, `${local.name} (pid ${local.pid})`);
      await assertNoSandboxProcesses(local.functionName);
    }
    // prewarm = concurrency >= the highest level, more where the sandbox uploads after the answer.
    const sandboxes = new Map(locals.map((local) => [local.name, local.sandboxes]));
    assert.equal(sandboxes.get('local-floor'), 4);
    assert.ok((sandboxes.get('local-after-response') ?? 0) > 4);
  });
});

describe('quickstow bench: interrupted while local-* targets run', () => {
  it('stops quickstow local and every sandbox on Ctrl-C, exit 130', async () => {
    const report = await tempDir('quickstow-bench-local-test-');
    const child = spawn(
      process.execPath,
      [
        cliPath,
        'bench',
        ...['--targets', 'local-floor,local-after-response', '--requests', '100000'],
        ...['--size', '4096', '--concurrency', '2', '--s3-delay-ms', '1'],
        ...['--report-dir', report.dir],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.resume();
    const exited = once(child, 'exit');
    try {
      const deadline = Date.now() + 30_000;
      while (!/^bench: concurrency 2: warm-up/m.test(stderr) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(stderr, /^bench: concurrency 2: warm-up/m, stderr);
      child.kill('SIGINT');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 130, stderr);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await report.remove();
    }
    const locals = startedLocals(stderr);
    assert.equal(locals.length, 2, stderr);
    for (const local of locals) {
      assert.equal(isRunning(local.pid), false, `${local.name} (pid ${local.pid})`);
      await assertNoSandboxProcesses(local.functionName);
    }
  });
});
