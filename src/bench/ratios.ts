/**
 * A target's latency as a multiple of a baseline's at the same concurrency: the numbers that stay
 * meaningful when absolute times drift from one shared machine (or one minute) to the next. The
 * baselines are the floor and naive of the target's own family (families.ts).
 */
import { type Baselines, baselinesOf } from './families.js';

export function ratio(value: number, baseline: number | undefined): number | undefined {
  // Zero is no measurement (every request failed), never a real latency.
  if (baseline === undefined || !(baseline > 0) || !(value > 0)) return undefined;
  return value / baseline;
}

export interface RatioRow {
  target: string;
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Ratios {
  p50VsFloor?: number;
  p99VsFloor?: number;
  p50VsNaive?: number;
  p99VsNaive?: number;
}

/**
 * Ratios to the floor and naive rows of the row's family (floor and naive, or local-floor and
 * local-naive) at the same concurrency, where they were run.
 */
export function ratiosOf(
  row: RatioRow,
  rows: readonly RatioRow[],
  baselines: Baselines = baselinesOf(row.target),
): Ratios {
  const baseline = (name: string) =>
    rows.find((other) => other.target === name && other.concurrency === row.concurrency);
  const floor = baseline(baselines.floor);
  const naive = baseline(baselines.naive);
  const ratios: Ratios = {};
  const set = (key: keyof Ratios, value: number | undefined) => {
    if (value !== undefined) ratios[key] = value;
  };
  set('p50VsFloor', ratio(row.p50Ms, floor?.p50Ms));
  set('p99VsFloor', ratio(row.p99Ms, floor?.p99Ms));
  set('p50VsNaive', ratio(row.p50Ms, naive?.p50Ms));
  set('p99VsNaive', ratio(row.p99Ms, naive?.p99Ms));
  return ratios;
}
