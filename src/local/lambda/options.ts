/**
 * The Lambda side's settings: one defaults object with units in the names, resolved and
 * validated once (unknown keys and bad values refused with a QuickstowError naming them).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { applySettings, type Check, integerFrom, refuseProblems } from '../../core/settings.js';

export const lambdaDefaults = {
  functionName: 'quickstow-local',
  /** The code folder (LAMBDA_TASK_ROOT); required. */
  codeDir: '',
  /** Lambda's handler notation, `file.export` (the runtime reads it from _HANDLER). */
  handler: 'index.handler',
  /** Like /opt/extensions: every executable file in it is an external extension. '' for none. */
  extensionsDir: '',
  /** The function timeout; it bounds the whole invoke phase, post-response extension work too. */
  timeoutMs: 3_000,
  memoryMb: 128,
  /** At most this many sandboxes at once (reserved concurrency). */
  concurrency: 10,
  /** Sandboxes initialised before the first invoke and kept (provisioned concurrency). */
  prewarm: 0,
  /** An on-demand sandbox idle this long is shut down (reason spindown). */
  idleMs: 300_000,
  /** Lambda's cap on the init phase. */
  initTimeoutMs: 10_000,
  /**
   * When every sandbox is busy and `concurrency` is reached: 0 answers `throttled` at once, as
   * Lambda does (429 TooManyRequestsException); more waits in a queue up to that long first.
   */
  queueTimeoutMs: 0,
  region: 'us-east-1',
  /** Added to the function's environment; they override what Lambda sets. */
  env: {} as Record<string, string>,
  /** argv of the runtime; empty: `bootstrap` in codeDir when executable, else aws-lambda-ric. */
  runtimeCommand: [] as string[],
};

export type LambdaOptions = typeof lambdaDefaults;
export type LambdaOptionsInput = { [K in keyof LambdaOptions]?: LambdaOptions[K] | undefined };

const folder: Check = (key, value) => {
  if (typeof value !== 'string') return `${key} must be a string`;
  if (value === '') return undefined;
  try {
    return statSync(value).isDirectory() ? undefined : `${key} ${value} is not a folder`;
  } catch {
    return `${key} ${value} does not exist`;
  }
};

const checks: Record<keyof LambdaOptions, Check> = {
  functionName: (key, value) =>
    typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value)
      ? undefined
      : `${key} must be 1 to 64 letters, digits, '-' or '_', got ${JSON.stringify(value)}`,
  codeDir: folder,
  handler: (key, value) =>
    typeof value === 'string' && value.trim() !== ''
      ? undefined
      : `${key} must be a handler such as index.handler`,
  extensionsDir: folder,
  timeoutMs: integerFrom(1, 900_000),
  memoryMb: integerFrom(128, 10_240),
  concurrency: integerFrom(1, 1000),
  prewarm: integerFrom(0, 1000),
  idleMs: integerFrom(0, 24 * 60 * 60 * 1000),
  initTimeoutMs: integerFrom(1, 600_000),
  queueTimeoutMs: integerFrom(0, 900_000),
  region: (key, value) =>
    typeof value === 'string' && /^[a-z0-9-]+$/.test(value) ? undefined : `${key} must be a region`,
  env: (key, value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return `${key} must be an object of strings`;
    }
    for (const [name, item] of Object.entries(value)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `${key}: bad variable name ${name}`;
      if (typeof item !== 'string') return `${key}.${name} must be a string`;
    }
    return undefined;
  },
  runtimeCommand: (key, value) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '')
      ? undefined
      : `${key} must be a list of non-empty strings`,
};

/** Defaults, then the given values; refuses unknown keys and bad values, all at once. */
export function resolveLambdaOptions(
  input: LambdaOptionsInput | Record<string, unknown>,
): LambdaOptions {
  const { values: options, problems } = applySettings(
    lambdaDefaults,
    checks,
    input,
    'Lambda setting',
  );
  if (options.codeDir === '') problems.push('codeDir is required');
  if (options.prewarm > options.concurrency) {
    problems.push('prewarm must not exceed concurrency');
  }
  refuseProblems(problems);
  options.codeDir = path.resolve(options.codeDir);
  if (options.extensionsDir !== '') options.extensionsDir = path.resolve(options.extensionsDir);
  options.env = { ...options.env };
  options.runtimeCommand = [...options.runtimeCommand];
  return options;
}
