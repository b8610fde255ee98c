/**
 * Latency maths. Latencies are recorded in an HDR histogram in whole microseconds (3 significant
 * digits, so every percentile is within 0.1% of the true value) and reported in milliseconds.
 * Percentiles come from the histogram itself, never from a mean or a sorted sample of it.
 */
import { build, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** One hour: nothing the bench measures may legitimately take longer. */
const highestTrackableUs = 3_600_000_000;

export function newLatencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: highestTrackableUs,
    numberOfSignificantValueDigits: 3,
    // A fixed range: a value over an hour is a bug to surface, not a reason to grow.
    autoResize: false,
  });
}

/** Records a latency given in milliseconds (fractions allowed) at microsecond resolution. */
export function recordLatencyMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.min(highestTrackableUs, Math.max(1, Math.round(ms * 1000))));
}

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The value at a percentile, in ms. The histogram answers with the top of the value's bucket,
 * which near the maximum can exceed the largest value actually recorded; it is capped there.
 */
function valueAtMs(histogram: Histogram, percentile: number): number {
  return Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue) / 1000;
}

export function summarize(histogram: Histogram): LatencySummary {
  const atMs = (percentile: number) => valueAtMs(histogram, percentile);
  if (histogram.totalCount === 0) {
    return { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, maxMs: 0 };
  }
  return {
    count: histogram.totalCount,
    minMs: histogram.minNonZeroValue / 1000,
    meanMs: histogram.mean / 1000,
    p50Ms: atMs(50),
    p90Ms: atMs(90),
    p99Ms: atMs(99),
    maxMs: histogram.maxValue / 1000,
  };
}

export interface CdfPoint {
  /** 0 to 100. */
  percentile: number;
  ms: number;
}

/**
 * The percentiles a CDF is drawn through: every whole percent, then finer steps in the tail,
 * where latency distributions differ most and a whole-percent grid would hide the p99.9.
 */
export function cdfPercentiles(): number[] {
  const points: number[] = [];
  for (let p = 0; p <= 99; p += 1) points.push(p);
  for (let p = 99.1; p < 99.95; p += 0.1) points.push(Math.round(p * 10) / 10);
  points.push(99.95, 99.99, 100);
  return points;
}

export function cdf(histogram: Histogram): CdfPoint[] {
  if (histogram.totalCount === 0) return [];
  return cdfPercentiles().map((percentile) => ({
    percentile,
    ms: valueAtMs(histogram, percentile),
  }));
}

/** The histogram in HdrHistogram's portable compressed form, for results.json. */
export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export interface Throughput {
  requestsPerSecond: number;
  /** Payload bytes per second, in MB (10^6 bytes). */
  mbPerSecond: number;
}

export function throughput(requests: number, bytes: number, elapsedMs: number): Throughput {
  if (elapsedMs <= 0) return { requestsPerSecond: 0, mbPerSecond: 0 };
  return {
    requestsPerSecond: (requests * 1000) / elapsedMs,
    mbPerSecond: bytes / 1e6 / (elapsedMs / 1000),
  };
}
