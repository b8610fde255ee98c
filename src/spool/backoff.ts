export interface BackoffOptions {
  /** Delay ceiling of the first retry. */
  baseMs: number;
  /** No delay is ever longer than this. */
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 100, maxMs: 5_000 };

/**
 * Exponential backoff with full jitter (a uniformly random delay up to base * 2^(n-1), capped):
 * spreads the retries of many instances over the whole window instead of syncing them up.
 */
export function fullJitterDelayMs(
  failures: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.floor(random() * ceiling);
}
