/**
 * What long-lived components are handed from outside rather than reaching for globals: a clock
 * (so tests can move time) and a logger (pino's logger fits as it is).
 */

/** Wall-clock milliseconds. */
export interface Clock {
  now(): number;
}

/** The few logger methods used. */
export interface Logger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
