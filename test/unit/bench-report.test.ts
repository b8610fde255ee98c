import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselinesOf, familyOf } from '../../src/bench/families.js';
import { parseListeningUrl } from '../../src/bench/listen-line.js';
import type { LevelResult } from '../../src/bench/results.js';
import { MetricMeans, parseServerTiming } from '../../src/bench/server-timing.js';
import {
  formatBytes,
  formatMs,
  formatRatio,
  formatTable,
  resultsTable,
} from '../../src/bench/table.js';

function result(target: string, overrides: Partial<LevelResult> = {}): LevelResult {
  return {
    target,
    concurrency: 1,
    requests: 300,
    errors: 0,
    bytes: 300 * 1_048_576,
    elapsedMs: 3000,
    latency: { count: 300, minMs: 1, meanMs: 3, p50Ms: 2.5, p90Ms: 4, p99Ms: 9.87, maxMs: 123.4 },
    throughput: { requestsPerSecond: 100, mbPerSecond: 104.9 },
    family: familyOf(target),
    ratioBaselines: baselinesOf(target),
    ratios: { p50VsFloor: 1.25, p99VsFloor: 2 },
    serverTimingMeansMs: {},
    cdf: [],
    histogram: '',
    ...overrides,
  };
}

describe('the results table', () => {
  it('aligns columns: names left, numbers right', () => {
    const table = formatTable(
      ['name', 'n'],
      [
        ['a', '1'],
        ['longer', '100'],
      ],
      ['left', 'right'],
    );
    assert.equal(table, ['name      n', '------  ---', 'a         1', 'longer  100'].join('\n'));
  });

  it('shows latencies, rates, ratios and verification per target', () => {
    const lines = resultsTable([
      result('floor', { ratios: { p50VsFloor: 1, p99VsFloor: 1 } }),
      result('serve-spool', { verified: { ok: 319, total: 320 } }),
    ]).split('\n');
    assert.match(
      lines[0] ?? '',
      /^target\s+conc\s+p50 ms\s+p90 ms\s+p99 ms\s+max ms\s+req\/s\s+MB\/s/,
    );
    assert.match(
      lines[0] ?? '',
      /p50\/floor\s+p99\/floor\s+p50\/naive\s+p99\/naive\s+errors\s+verified$/,
    );
    assert.match(
      lines[2] ?? '',
      /^floor\s+1\s+2\.50\s+4\.00\s+9\.87\s+123\s+100\s+105\s+1\.00x\s+1\.00x\s+-\s+-\s+0\s+-$/,
    );
    assert.match(lines[3] ?? '', /^serve-spool .* 1\.25x\s+2\.00x\s+-\s+-\s+0\s+319\/320$/);
  });

  it('shows no latency for a row where every request failed', () => {
    const failed = result('naive', {
      requests: 0,
      errors: 3,
      latency: { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 },
      ratios: {},
    });
    assert.match(resultsTable([failed]).split('\n')[2] ?? '', /^naive\s+1\s+-\s+-\s+-\s+-\s/);
  });

  it('formats milliseconds to about three significant digits', () => {
    assert.deepEqual([0.4123, 4.123, 41.23, 412.3].map(formatMs), ['0.412', '4.12', '41.2', '412']);
    assert.equal(formatRatio(1.234), '1.23x');
    assert.equal(formatRatio(12.34), '12.3x');
    assert.equal(formatRatio(undefined), '-');
    assert.deepEqual([1_048_576, 4096, 1000].map(formatBytes), ['1 MiB', '4 KiB', '1000 B']);
  });
});

describe('what the bench reads from its children and servers', () => {
  it('finds the URL in a JSON listening line or in serve’s stderr line', () => {
    assert.equal(
      parseListeningUrl('noise\n{"level":30,"url":"http://127.0.0.1:4321","msg":"listening"}\n'),
      'http://127.0.0.1:4321',
    );
    assert.equal(
      parseListeningUrl('quickstow sync mode, s3 store: listening on http://127.0.0.1:5555\n'),
      'http://127.0.0.1:5555',
    );
    assert.equal(
      parseListeningUrl('{"msg":"request","url":"http://x"}\n{"msg":"listen'),
      undefined,
    );
  });

  it('parses Server-Timing and averages it', () => {
    const metrics = parseServerTiming(
      'recv;dur=1.5;desc="receive body", hash;dur=0.5, commit;desc="sync";dur=30, total;dur=33',
    );
    assert.deepEqual(metrics, { recv: 1.5, hash: 0.5, commit: 30, total: 33 });
    assert.deepEqual(parseServerTiming(undefined), {});
    const means = new MetricMeans();
    means.add({ commit: 10 });
    means.add({ commit: 20, recv: 1 });
    assert.deepEqual(means.means(), { commit: 15, recv: 1 });
  });
});
