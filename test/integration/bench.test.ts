/**
 * `quickstow bench` end to end, as a user runs it: the built command in a child process starting
 * its own s3rver, delay proxy and targets. A tiny workload (the numbers mean nothing here); what
 * is checked is that every target starts, answers, is verified and is stopped, and that the
 * report is written.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BenchReport } from '../../src/bench/report.js';
import { type CliRun, isRunning, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/serve.js';
import { tempDir } from '../support/temp.js';

/** The pids the bench says it started ("bench: NAME (pid N) at URL"). */
function startedPids(stderr: string): Map<string, number> {
  return new Map(
    [...stderr.matchAll(/^bench: (.+?) \(pid (\d+)\) at /gm)].map((m) => [
      m[1] as string,
      Number(m[2]),
    ]),
  );
}

describe('quickstow bench', () => {
  let report: Awaited<ReturnType<typeof tempDir>>;
  let contractServer: TestServer;
  let run: CliRun;

  before(async () => {
    report = await tempDir('quickstow-bench-test-');
    // A server the bench did not start, verified through its own GET /payloads/{id}.
    contractServer = await startTestServer({ mode: 'sync', store: 'fs' });
    run = await runCli(
      [
        'bench',
        // The serve family; bench-local.test.ts runs the local-* targets.
        ...['--targets', 'floor,floor-fsync,naive,serve-sync,serve-spool'],
        ...['--requests', '6', '--warmup', '1', '--size', '4096', '--concurrency', '1,2'],
        ...['--s3-delay-ms', '1', '--report-dir', report.dir],
        ...['--url', `given=${contractServer.url}`],
      ],
      {},
      30_000,
    );
  });
  after(async () => {
    await contractServer.close();
    await report.remove();
  });

  it('exits 0 and verifies every acknowledged payload of every storing target', () => {
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    for (const target of ['naive', 'serve-sync', 'serve-spool', 'given']) {
      // 6 timed + 1 warm-up, at two concurrency levels.
      assert.match(run.stdout, new RegExp(`^${target}: verified 14/14$`, 'm'));
    }
    assert.doesNotMatch(run.stdout, /^floor(-fsync)?: verified/m);
    assert.match(run.stdout, /^floor-fsync\s+2\s/m);
    assert.match(
      run.stdout,
      /^target\s+conc\s+p50 ms\s+p90 ms\s+p99 ms\s+max ms\s+req\/s\s+MB\/s/m,
    );
    assert.match(run.stdout, /^serve-spool\s+2\s/m);
  });

  it('writes results.json with the machine, the options and a row per target and level', async () => {
    const json = JSON.parse(
      await readFile(path.join(report.dir, 'results.json'), 'utf8'),
    ) as BenchReport;
    assert.equal(json.machine.nodeVersion, process.version);
    assert.ok(json.machine.cores >= 1 && json.machine.cpuModel.length > 0);
    assert.equal(json.options.sizeBytes, 4096);
    assert.deepEqual(json.failures, []);
    const rows = json.results;
    assert.equal(rows.length, 12);
    for (const row of rows) {
      assert.equal(row.requests, 6);
      assert.equal(row.errors, 0);
      assert.ok(row.latency.p50Ms > 0 && row.latency.p50Ms <= row.latency.p99Ms);
      assert.ok(row.latency.p99Ms <= row.latency.maxMs);
      assert.ok(row.throughput.requestsPerSecond > 0);
      assert.equal(row.cdf.at(-1)?.percentile, 100);
    }
    const floor = rows.find((row) => row.target === 'floor' && row.concurrency === 1);
    assert.equal(floor?.ratios.p50VsFloor, 1);
    assert.equal(floor?.verified, undefined);
    const sync = rows.find((row) => row.target === 'serve-sync' && row.concurrency === 2);
    assert.deepEqual(sync?.verified, { ok: 7, total: 7 });
    assert.ok((sync?.ratios.p50VsNaive ?? 0) > 0);
  });

  it('writes a well-formed SVG chart and says where', async () => {
    const svg = await readFile(path.join(report.dir, 'latency.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
    assert.match(svg, /<\/svg>\s*$/);
    assert.equal(svg.match(/<polyline /g)?.length, 12);
    assert.ok(!svg.includes('NaN'));
    assert.ok(run.stdout.includes(path.join(report.dir, 'latency.svg')));
  });

  it('leaves no process behind', async () => {
    const pids = startedPids(run.stderr);
    assert.deepEqual([...pids.keys()].map((name) => name.replace(/ \(.*/, '')).sort(), [
      'delay proxy',
      'floor',
      'floor-fsync',
      'naive',
      's3rver',
      'serve-spool',
      'serve-sync',
    ]);
    for (const [name, pid] of pids) assert.equal(isRunning(pid), false, `${name} (pid ${pid})`);
  });
});

describe('quickstow bench refusals and failures', () => {
  it('refuses unknown targets with exit 2, naming the available ones', async () => {
    const unknown = await runCli(['bench', '--targets', 'floor,flor']);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /unknown target flor\. Available: floor, floor-fsync, naive, serve-sync, serve-spool, local-floor, local-naive/,
    );
  });

  it('fails loudly, exit 1, when a server acknowledges payloads it does not keep', async () => {
    // Answers 201 like a contract server, then has nothing to give back.
    const liar = createServer((request, response) => {
      request.resume().on('end', () => {
        const status = request.method === 'POST' ? 201 : 404;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(status === 201 ? JSON.stringify({ id: randomUUID() }) : '{}');
      });
    });
    liar.listen(0, '127.0.0.1');
    await once(liar, 'listening');
    const { port } = liar.address() as AddressInfo;
    const report = await tempDir('quickstow-bench-test-');
    try {
      const result = await runCli(
        [
          'bench',
          ...['--targets', 'floor', '--url', `liar=http://127.0.0.1:${port}`],
          ...['--requests', '3', '--warmup', '0', '--size', '1KiB', '--concurrency', '1'],
          ...['--report-dir', report.dir],
        ],
        {},
        20_000,
      );
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /^liar: verified 0\/3$/m);
      assert.match(
        result.stderr,
        /BENCH FAILED: liar acknowledged 3 payloads and 3 of them are lost or corrupted/,
      );
      assert.match(result.stderr, /not in the store/);
      const json = JSON.parse(await readFile(path.join(report.dir, 'results.json'), 'utf8'));
      assert.equal(json.failures.length, 3);
    } finally {
      liar.close();
      await report.remove();
    }
  });
});
