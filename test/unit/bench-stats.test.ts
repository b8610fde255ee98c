import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import {
  cdf,
  cdfPercentiles,
  encodeHistogram,
  newLatencyHistogram,
  recordLatencyMs,
  summarize,
  throughput,
} from '../../src/bench/stats.js';

/** Within 0.1% (the histogram's 3 significant digits) plus the 1 µs it rounds to. */
function assertClose(actual: number, expected: number, relative = 0.001): void {
  const tolerance = Math.abs(expected) * relative + 0.001;
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${actual} is not within ${tolerance} of ${expected}`,
  );
}

function histogramOf(valuesMs: Iterable<number>) {
  const histogram = newLatencyHistogram();
  for (const value of valuesMs) recordLatencyMs(histogram, value);
  return histogram;
}

/** The nearest-rank percentile of a sample: the reference the histogram must agree with. */
function nearestRank(sorted: readonly number[], percentile: number): number {
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

describe('latency percentiles from the HDR histogram', () => {
  it('match the uniform distribution 1 … 10 000 µs', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 1000);
    const summary = summarize(histogramOf(values));
    assert.equal(summary.count, 10_000);
    assertClose(summary.p50Ms, 5);
    assertClose(summary.p90Ms, 9);
    assertClose(summary.p99Ms, 9.9);
    assertClose(summary.minMs, 0.001);
    assertClose(summary.maxMs, 10);
    assertClose(summary.meanMs, 5.0005);
  });

  it('match the quantiles of an exponential distribution (mean 20 ms)', () => {
    const mean = 20;
    const n = 100_000;
    // Deterministic: the distribution's own quantile function at evenly spaced points.
    const values = Array.from({ length: n }, (_, i) => -mean * Math.log(1 - (i + 0.5) / n));
    const summary = summarize(histogramOf(values));
    assertClose(summary.p50Ms, mean * Math.LN2, 0.002);
    assertClose(summary.p90Ms, mean * Math.log(10), 0.002);
    assertClose(summary.p99Ms, mean * Math.log(100), 0.002);
    assertClose(summary.meanMs, mean, 0.002);
  });

  it('agree with nearest-rank percentiles of a random log-normal sample', () => {
    let seed = 42;
    const random = () => {
      // A small LCG: the test must be the same on every run.
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return (seed + 0.5) / 2 ** 31;
    };
    const values = Array.from({ length: 20_000 }, () => {
      const normal = Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
      return Math.exp(1.5 + 0.6 * normal); // median about 4.5 ms, a long right tail
    });
    const sorted = [...values].sort((a, b) => a - b);
    const summary = summarize(histogramOf(values));
    assertClose(summary.p50Ms, nearestRank(sorted, 50));
    assertClose(summary.p90Ms, nearestRank(sorted, 90));
    assertClose(summary.p99Ms, nearestRank(sorted, 99));
    assertClose(summary.maxMs, sorted.at(-1) as number);
  });

  it('put each percentile on the right side of a step (bimodal: 90% fast, 10% slow)', () => {
    const values = [...Array<number>(900).fill(1), ...Array<number>(100).fill(100)];
    const histogram = histogramOf(values);
    const summary = summarize(histogram);
    assertClose(summary.p50Ms, 1);
    assertClose(summary.p90Ms, 1);
    assertClose(summary.p99Ms, 100);
    assertClose(histogram.getValueAtPercentile(90.1) / 1000, 100);
  });

  it('gives every percentile of a single value as that value', () => {
    const summary = summarize(histogramOf([42.5]));
    for (const value of [summary.p50Ms, summary.p99Ms, summary.maxMs, summary.minMs]) {
      assertClose(value, 42.5);
    }
  });

  it('records at microsecond resolution and never below 1 µs', () => {
    const histogram = histogramOf([0.0001, 0.0004]);
    assert.equal(histogram.minNonZeroValue, 1);
    assert.equal(summarize(histogramOf([0.123])).p50Ms, 0.123);
  });

  it('summarizes an empty histogram as zeros', () => {
    assert.deepEqual(summarize(newLatencyHistogram()), {
      count: 0,
      minMs: 0,
      meanMs: 0,
      p50Ms: 0,
      p90Ms: 0,
      p99Ms: 0,
      maxMs: 0,
    });
  });
});

describe('the CDF', () => {
  it('runs from the minimum to the maximum, never decreasing', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1 + (i % 97) * 0.37);
    const points = cdf(histogramOf(values));
    assert.equal(points.length, cdfPercentiles().length);
    assert.equal(points[0]?.percentile, 0);
    assertClose(points[0]?.ms ?? 0, 1);
    assert.equal(points.at(-1)?.percentile, 100);
    assertClose(points.at(-1)?.ms ?? 0, Math.max(...values));
    for (let i = 1; i < points.length; i += 1) {
      const [previous, point] = [points[i - 1], points[i]];
      assert.ok(
        previous && point && point.ms >= previous.ms && point.percentile > previous.percentile,
      );
    }
  });

  it('is empty for no samples', () => {
    assert.deepEqual(cdf(newLatencyHistogram()), []);
  });
});

describe('throughput and encoding', () => {
  it('divides requests and MB (10^6 bytes) by the wall time', () => {
    assert.deepEqual(throughput(100, 100e6, 1000), { requestsPerSecond: 100, mbPerSecond: 100 });
    assert.deepEqual(throughput(0, 0, 0), { requestsPerSecond: 0, mbPerSecond: 0 });
  });

  it('encodes the histogram in HdrHistogram’s portable form', () => {
    const histogram = histogramOf([1, 2, 3, 50]);
    const decoded = decodeFromCompressedBase64(encodeHistogram(histogram));
    assert.equal(decoded.totalCount, 4);
    assert.equal(decoded.getValueAtPercentile(50), histogram.getValueAtPercentile(50));
    assert.equal(decoded.getValueAtPercentile(100), histogram.getValueAtPercentile(100));
  });
});
