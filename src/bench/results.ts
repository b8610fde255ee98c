/** One run's results, made from the measurement: what the table, chart and results.json show. */
import type { RunningTarget } from './catalog.js';
import { type Baselines, baselinesOf, type Family, families, familyOf } from './families.js';
import type { LambdaLevelStats } from './lambda-logs.js';
import type { LevelStats, Measurement } from './measure.js';
import { type Ratios, ratiosOf } from './ratios.js';
import {
  type CdfPoint,
  cdf,
  encodeHistogram,
  type LatencySummary,
  summarize,
  type Throughput,
  throughput,
} from './stats.js';
import type { Failure } from './verify.js';

export interface Verified {
  ok: number;
  total: number;
}

/** One target at one concurrency level. */
export interface LevelResult {
  target: string;
  concurrency: number;
  /** Timed requests answered 2xx; warm-up requests are not counted here. */
  requests: number;
  /** Timed requests that failed or were not answered 2xx. */
  errors: number;
  bytes: number;
  /** Wall time of this target's batches, added up. */
  elapsedMs: number;
  latency: LatencySummary;
  throughput: Throughput;
  /** The family the target belongs to, whose floor and naive its ratios are to. */
  family: Family;
  /** The targets the ratios compare with (same concurrency): `floor`/`naive` or `local-*`. */
  ratioBaselines: Baselines;
  ratios: Ratios;
  /** Absent where the target stores nothing to read back (floor). Counts warm-up payloads too. */
  verified?: Verified;
  /** local-* targets: the function's REPORT lines and sandboxes (lambda-logs.ts). */
  lambda?: LambdaLevelStats;
  /** Means of the server's own Server-Timing metrics, where it sends them. */
  serverTimingMeansMs: Record<string, number>;
  cdf: CdfPoint[];
  /** HdrHistogram compressed base64, in microseconds. */
  histogram: string;
}

export function resultsOf(
  measurement: Measurement,
  failures: readonly Failure[],
  targets: readonly RunningTarget[],
): LevelResult[] {
  const summaries = measurement.levels.map((level) => ({
    level,
    latency: summarize(level.histogram),
  }));
  const ratioRows = summaries.map(({ level, latency }) => ({
    target: level.target,
    concurrency: level.concurrency,
    p50Ms: latency.p50Ms,
    p99Ms: latency.p99Ms,
  }));
  const results = summaries.map(({ level, latency }, index): LevelResult => {
    const target = targets.find((candidate) => candidate.name === level.target);
    return {
      target: level.target,
      concurrency: level.concurrency,
      requests: level.requests,
      errors: level.errors,
      bytes: level.bytes,
      elapsedMs: level.elapsedMs,
      latency,
      throughput: throughput(level.requests, level.bytes, level.elapsedMs),
      family: familyOf(level.target),
      ratioBaselines: baselinesOf(level.target),
      ratios: ratiosOf(ratioRows[index] as (typeof ratioRows)[number], ratioRows),
      ...(target?.readBack === 'none'
        ? {}
        : { verified: verifiedOf(level, measurement, failures) }),
      ...lambdaOf(target, level.concurrency),
      serverTimingMeansMs: level.serverTiming.means(),
      cdf: cdf(level.histogram),
      histogram: encodeHistogram(level.histogram),
    };
  });
  // One family after the other, each by concurrency level (sort is stable).
  return results.sort((a, b) => families.indexOf(a.family) - families.indexOf(b.family));
}

function lambdaOf(target: RunningTarget | undefined, concurrency: number) {
  const lambda = target?.lambdaLog?.summary(concurrency);
  if (lambda === undefined) return {};
  return {
    lambda: {
      ...lambda,
      ...(target?.sandboxes === undefined ? {} : { sandboxesPrewarmed: target.sandboxes }),
    },
  };
}

function verifiedOf(level: LevelStats, measurement: Measurement, failures: readonly Failure[]) {
  const mine = (ack: { target: string; concurrency: number }) =>
    ack.target === level.target && ack.concurrency === level.concurrency;
  const total = measurement.acknowledged.filter(mine).length;
  return { ok: total - failures.filter((failure) => mine(failure.ack)).length, total };
}
