import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselinesOf, familyOf, ratioFootnote } from '../../src/bench/families.js';
import { LambdaLogStats } from '../../src/bench/lambda-logs.js';
import { sandboxesFor } from '../../src/bench/local-targets.js';
import { ratiosOf } from '../../src/bench/ratios.js';
import { renderChart } from '../../src/bench/svg/chart.js';

describe('target families', () => {
  it('puts local-* targets in the local family and everything else (--url too) in serve', () => {
    assert.equal(familyOf('local-after-response'), 'local');
    assert.equal(familyOf('local-floor'), 'local');
    for (const name of ['floor', 'naive', 'serve-spool', 'staging']) {
      assert.equal(familyOf(name), 'serve');
    }
    assert.deepEqual(baselinesOf('local-spool'), { floor: 'local-floor', naive: 'local-naive' });
    assert.deepEqual(baselinesOf('serve-sync'), { floor: 'floor', naive: 'naive' });
  });

  it('compares each target with the floor and naive of its own family only', () => {
    const rows = [
      { target: 'floor', concurrency: 1, p50Ms: 2, p99Ms: 4 },
      { target: 'naive', concurrency: 1, p50Ms: 40, p99Ms: 80 },
      { target: 'local-floor', concurrency: 1, p50Ms: 10, p99Ms: 20 },
      { target: 'local-naive', concurrency: 1, p50Ms: 50, p99Ms: 100 },
      { target: 'local-after-response', concurrency: 1, p50Ms: 12, p99Ms: 30 },
      { target: 'serve-spool', concurrency: 1, p50Ms: 3, p99Ms: 8 },
    ];
    assert.deepEqual(ratiosOf(rows[4] as (typeof rows)[number], rows), {
      p50VsFloor: 1.2,
      p99VsFloor: 1.5,
      p50VsNaive: 0.24,
      p99VsNaive: 0.3,
    });
    assert.deepEqual(ratiosOf(rows[5] as (typeof rows)[number], rows), {
      p50VsFloor: 1.5,
      p99VsFloor: 2,
      p50VsNaive: 0.075,
      p99VsNaive: 0.1,
    });
    // A local target without its family's baselines in the run has no ratios, not serve's.
    assert.deepEqual(ratiosOf(rows[4] as (typeof rows)[number], rows.slice(0, 2)), {});
  });

  it('says under the table which baselines each family uses', () => {
    assert.match(
      ratioFootnote(['floor', 'local-sync']),
      /floor, naive, serve-\* and --url targets against floor and naive; local-\* targets against local-floor and local-naive/,
    );
    assert.doesNotMatch(ratioFootnote(['floor']), /local/);
  });

  it('gives the modes that upload after the answer more sandboxes than requests in flight', () => {
    assert.equal(sandboxesFor('local-floor', 8, 20), 16);
    assert.equal(sandboxesFor('local-sync', 8, 20), 16);
    for (const name of ['local-after-response', 'local-external', 'local-spool'] as const) {
      assert.equal(sandboxesFor(name, 8, 20), 42, name);
      assert.ok(sandboxesFor(name, 2, 1) > 2 * 2, name);
    }
  });
});

describe("the Lambda side of a local target, from quickstow local's log", () => {
  const report = (id: string, duration: number, post: number, memory = 90) =>
    `REPORT RequestId: ${id}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.ceil(duration)} ms\tMemory Size: 1024 MB\tMax Memory Used: ${memory} MB\tPost Runtime Extensions Duration: ${post.toFixed(2)} ms`;

  it('counts invokes, sandboxes, durations, cold starts and throttles per level', () => {
    const stats = new LambdaLogStats();
    stats.write('2026-12-01T10:00:00.000Z [aaaaaaaa] START RequestId: r0 Version: $LATEST\n');
    assert.equal(stats.summary(1), undefined, 'lines before the first level are not counted');
    stats.startLevel(1);
    const log = [
      '2026-12-01T10:00:01.000Z [aaaaaaaa] START RequestId: r1 Version: $LATEST',
      '2026-12-01T10:00:01.001Z [aaaaaaaa] runtime: {"level":"INFO","message":"acknowledged"}',
      'POST /payloads 202 12.0 ms response',
      `2026-12-01T10:00:01.050Z [aaaaaaaa] ${report('r1', 50, 40, 90)}`,
      '2026-12-01T10:00:01.060Z [bbbbbbbb] START RequestId: r2 Version: $LATEST',
      'POST /payloads 202 30.0 ms response (cold start)',
      `2026-12-01T10:00:01.100Z [bbbbbbbb] ${report('r2', 30, 10, 120)}`,
      'POST /payloads 500 0.4 ms throttled invoke-rejected: Lambda throttled the invoke',
      '',
    ].join('\n');
    // Cut anywhere, as a pipe delivers it.
    for (let at = 0; at < log.length; at += 37) stats.write(log.slice(at, at + 37));
    assert.deepEqual(stats.summary(1), {
      invokes: 2,
      sandboxesUsed: 2,
      meanDurationMs: 40,
      meanRuntimeMs: 15,
      meanPostRuntimeMs: 25,
      maxMemoryUsedMb: 120,
      coldStarts: 1,
      throttles: 1,
    });
    stats.startLevel(8);
    stats.write(`2026-12-01T10:00:02.000Z [aaaaaaaa] ${report('r3', 10, 1)}\tStatus: timeout\n`);
    assert.equal(stats.summary(8)?.invokes, 1);
    assert.equal(stats.summary(1)?.invokes, 2);
    // What failed is kept for the report: non-2xx answers and failed invokes.
    assert.equal(stats.problems.length, 2);
    assert.match(stats.problems[0] ?? '', /^POST \/payloads 500 .* throttled/);
    assert.match(stats.problems[1] ?? '', /Status: timeout$/);
  });
});

describe('the chart with both families', () => {
  it('draws a distinct colour per target for all eleven targets, and names the family per row', () => {
    const names = [
      'floor',
      'floor-fsync',
      'naive',
      'serve-sync',
      'serve-spool',
      'local-floor',
      'local-naive',
      'local-sync',
      'local-after-response',
      'local-external',
      'local-spool',
    ];
    const series = (target: string) => ({
      target,
      p50Ms: 3,
      p90Ms: 5,
      p99Ms: 9,
      cdf: [
        { percentile: 0, ms: 1 },
        { percentile: 100, ms: 9 },
      ],
    });
    const svg = renderChart({
      title: 't',
      subtitle: 's',
      panels: [
        { concurrency: 1, label: 'node:http / serve', series: names.slice(0, 5).map(series) },
        { concurrency: 1, label: 'API Gateway + Lambda', series: names.slice(5).map(series) },
      ],
    });
    const strokes = new Set([...svg.matchAll(/<polyline [^>]*stroke="([^"]+)"/g)].map((m) => m[1]));
    assert.equal(strokes.size, 11);
    assert.match(svg, /Latency CDF, concurrency 1 · API Gateway \+ Lambda/);
    assert.ok(!svg.includes('NaN'));
  });
});
