import { type Logger, pino } from 'pino';
import type { LogLevel } from '../core/config.js';

export type { Logger };

/** Structured JSON logs on stdout (or the given stream), one object a line. */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'quickstow' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
