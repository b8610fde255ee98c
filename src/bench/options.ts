/**
 * The bench's settings, and the parsers of its list-valued flags. Parsers throw commander's
 * InvalidArgumentError, so a bad value is a usage error (exit 2) with the flag named.
 */
import { InvalidArgumentError } from 'commander';
import { serveTargetNames, type TargetName, targetNames } from './catalog.js';

export interface UrlTarget {
  name: string;
  url: string;
}

export interface BenchOptions {
  targets: TargetName[];
  urls: UrlTarget[];
  sizeBytes: number;
  requests: number;
  warmup: number;
  concurrency: number[];
  s3DelayMs: number;
  /** A real S3 (or compatible) endpoint instead of the stand-in. */
  s3Endpoint?: string;
  bucket: string;
  region?: string;
  reportDir: string;
  verifyTimeoutMs: number;
}

/**
 * The default targets: the serve family, and the local family's baselines with quickstow's
 * default Lambda mode. Every target (`--targets all`) takes about 5 minutes on a 2-core
 * machine at the default workload; these about 3.
 */
export const defaultTargetNames: TargetName[] = [
  ...serveTargetNames,
  'local-floor',
  'local-naive',
  'local-after-response',
];

export const benchDefaults = {
  targets: defaultTargetNames,
  sizeBytes: 1024 * 1024,
  requests: 300,
  warmup: 20,
  concurrency: [1, 8],
  s3DelayMs: 20,
  bucket: 'quickstow-bench',
  reportDir: 'bench-report',
  verifyTimeoutMs: 60_000,
};

function items(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A comma-separated subset of the targets, or `all`. */
export function parseTargets(value: string): TargetName[] {
  if (value.trim() === 'all') return [...targetNames];
  const names = items(value);
  if (names.length === 0) throw new InvalidArgumentError('name at least one target.');
  const unknown = names.filter((name) => !(targetNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown target ${unknown.join(', ')}. Available: ${targetNames.join(', ')}.`,
    );
  }
  return [...new Set(names)] as TargetName[];
}

export function parseConcurrency(value: string): number[] {
  const levels = items(value).map(Number);
  if (levels.length === 0 || levels.some((level) => !Number.isInteger(level) || level < 1)) {
    throw new InvalidArgumentError('expected whole numbers from 1 up, e.g. 1,8.');
  }
  return [...new Set(levels)];
}

/** Collects repeated `--url NAME=URL`. */
export function parseUrlTarget(value: string, previous: UrlTarget[] = []): UrlTarget[] {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(value.trim());
  if (!match?.[1] || !match[2] || !URL.canParse(match[2]) || !/^https?:/.test(match[2])) {
    throw new InvalidArgumentError('expected NAME=URL, e.g. staging=http://127.0.0.1:8080.');
  }
  const name = match[1];
  if ((targetNames as readonly string[]).includes(name) || name.startsWith('local-')) {
    throw new InvalidArgumentError(`${name} is the name of a built-in target; choose another.`);
  }
  if (previous.some((target) => target.name === name)) {
    throw new InvalidArgumentError(`${name} is given twice.`);
  }
  return [...previous, { name, url: match[2] }];
}
