/**
 * Configuration is data: one defaults object with units in the names, resolved and validated once
 * at start. Unknown keys and bad values are refused with a QuickstowError naming the key, so a
 * typo in a flag, an environment variable or a config object never silently falls back to a
 * default.
 */
import path from 'node:path';
import { applySettings, type Check, integerFrom, refuseProblems } from './settings.js';

export const modes = ['sync', 'spool'] as const;
export const storeKinds = ['fs', 's3'] as const;
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type Mode = (typeof modes)[number];
export type StoreKind = (typeof storeKinds)[number];
export type LogLevel = (typeof logLevels)[number];

const MiB = 1024 * 1024;

export const defaults = {
  host: '127.0.0.1',
  port: 8080,
  mode: 'spool' as Mode,
  store: 'fs' as StoreKind,
  /** Root of everything quickstow keeps on local disk. */
  dataDir: '.quickstow',
  /** The fs store's folder; empty means `{dataDir}/bucket`. */
  bucketDir: '',
  /** The spool's folder; empty means `{dataDir}/spool`. */
  spoolDir: '',
  bucket: '',
  s3Endpoint: '',
  region: '',
  keyPrefix: 'payloads/',
  maxBodyBytes: 10 * MiB,
  /** Content-Type essences accepted; empty accepts any. */
  allowedContentTypes: [] as string[],
  authTokenFile: '',
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  storeTimeoutMs: 30_000,
  idempotencyWindowMs: 24 * 60 * 60 * 1000,
  spoolMaxBytes: 1024 * MiB,
  memoryMaxBytes: 256 * MiB,
  segmentMaxBytes: 64 * MiB,
  uploadConcurrency: 8,
  /** While payloads keep arriving, how long an upload may wait so acks go first (spool/upload-deferral.ts). */
  uploadDeferMs: 1_000,
  shutdownDrainMs: 10_000,
  logLevel: 'info' as LogLevel,
};

export type Config = typeof defaults;
export type ConfigInput = { [K in keyof Config]?: Config[K] | undefined };

const oneOf =
  (choices: readonly string[]): Check =>
  (key, value) =>
    typeof value === 'string' && choices.includes(value)
      ? undefined
      : `${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`;

const text: Check = (key, value) =>
  typeof value === 'string' ? undefined : `${key} must be a string`;

const stringList: Check = (key, value) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0)
    ? undefined
    : `${key} must be a list of non-empty strings`;

const checks: Record<keyof Config, Check> = {
  host: text,
  port: integerFrom(0, 65535),
  mode: oneOf(modes),
  store: oneOf(storeKinds),
  dataDir: text,
  bucketDir: text,
  spoolDir: text,
  bucket: text,
  s3Endpoint: (key, value) => {
    if (typeof value !== 'string') return `${key} must be a string`;
    if (value === '' || URL.canParse(value)) return undefined;
    return `${key} must be a URL such as http://127.0.0.1:9000, got ${JSON.stringify(value)}`;
  },
  region: text,
  keyPrefix: (key, value) =>
    typeof value === 'string' && !value.split('/').includes('..') && !value.startsWith('/')
      ? undefined
      : `${key} must be a relative key prefix without '..'`,
  maxBodyBytes: integerFrom(0),
  allowedContentTypes: stringList,
  authTokenFile: text,
  headersTimeoutMs: integerFrom(1),
  requestTimeoutMs: integerFrom(1),
  keepAliveTimeoutMs: integerFrom(1),
  storeTimeoutMs: integerFrom(1),
  idempotencyWindowMs: integerFrom(0),
  spoolMaxBytes: integerFrom(1),
  memoryMaxBytes: integerFrom(1),
  segmentMaxBytes: integerFrom(1024),
  uploadConcurrency: integerFrom(1, 1024),
  uploadDeferMs: integerFrom(0, 3_600_000),
  shutdownDrainMs: integerFrom(0),
  logLevel: oneOf(logLevels),
};

/** Defaults, then the given values; refuses unknown keys and bad values, all at once. */
export function resolveConfig(input: ConfigInput | Record<string, unknown> = {}): Config {
  const { values: resolved, problems } = applySettings(defaults, checks, input, 'setting');
  if (resolved.store === 's3' && resolved.bucket === '') {
    problems.push('bucket is required with store s3 (--bucket or QUICKSTOW_BUCKET)');
  }
  if (resolved.maxBodyBytes > resolved.memoryMaxBytes) {
    problems.push('maxBodyBytes must not exceed memoryMaxBytes');
  }
  refuseProblems(problems);
  resolved.allowedContentTypes = resolved.allowedContentTypes.map((t) => t.toLowerCase());
  if (resolved.bucketDir === '') resolved.bucketDir = path.join(resolved.dataDir, 'bucket');
  if (resolved.spoolDir === '') resolved.spoolDir = path.join(resolved.dataDir, 'spool');
  return resolved;
}
