/**
 * The Lambda function's configuration, from its environment (QUICKSTOW_*; the CDK construct sets
 * them), resolved and validated once during init. A bad value fails init, which Lambda reports
 * as an init error, rather than failing every request later.
 */
import { type Config, resolveConfig } from '../core/config.js';
import { refuseProblems } from '../core/settings.js';

export const lambdaModes = ['after-response', 'sync', 'spool'] as const;
export const extensionKinds = ['internal', 'external'] as const;
export type LambdaMode = (typeof lambdaModes)[number];
export type ExtensionKind = (typeof extensionKinds)[number];

export interface LambdaConfig {
  mode: LambdaMode;
  extension: ExtensionKind;
  /** The shared settings (bucket, prefix, limits, endpoint) as the server has them. */
  shared: Config;
  /** spool mode: the spool's root on the mounted file system (EFS). */
  spoolDir: string;
  /** after-response: where a payload that could not be uploaded in time is kept; '' for none. */
  fallbackDir: string;
  /**
   * The Unix socket of the external extension's handoff server. Named after the sandbox's
   * Runtime API address: on AWS every sandbox has its own /tmp, but under `quickstow local`
   * sandboxes share this machine's, and a fixed TCP port would be shared too.
   */
  extensionSocket: string;
  /** Kept free before the function deadline for the fallback and the `next` call. */
  deadlineMarginMs: number;
}

export function lambdaConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  const mode = (env.QUICKSTOW_MODE ?? 'after-response') as LambdaMode;
  const extension = (env.QUICKSTOW_EXTENSION ?? 'internal') as ExtensionKind;
  const problems: string[] = [];
  if (!lambdaModes.includes(mode))
    problems.push(`QUICKSTOW_MODE must be one of ${lambdaModes.join(', ')}`);
  if (!extensionKinds.includes(extension))
    problems.push(`QUICKSTOW_EXTENSION must be one of ${extensionKinds.join(', ')}`);
  const spoolDir = env.QUICKSTOW_SPOOL_DIR ?? '';
  if (!['s3', 'fs', undefined].includes(env.QUICKSTOW_STORE))
    problems.push('QUICKSTOW_STORE must be s3 or fs');
  if (mode === 'spool' && spoolDir === '')
    problems.push('QUICKSTOW_SPOOL_DIR is required in spool mode');
  refuseProblems(problems);
  const shared = resolveConfig({
    mode: 'sync',
    // S3 on AWS; a folder under `quickstow local --store fs`.
    store: env.QUICKSTOW_STORE === 'fs' ? 'fs' : 's3',
    bucketDir: env.QUICKSTOW_BUCKET_DIR,
    bucket: env.QUICKSTOW_BUCKET,
    s3Endpoint: env.QUICKSTOW_S3_ENDPOINT,
    region: env.QUICKSTOW_REGION ?? env.AWS_REGION,
    keyPrefix: env.QUICKSTOW_PREFIX,
    maxBodyBytes: optionalInteger(env.QUICKSTOW_MAX_BYTES),
    memoryMaxBytes: optionalInteger(env.QUICKSTOW_MEMORY_MAX_BYTES),
    storeTimeoutMs: optionalInteger(env.QUICKSTOW_STORE_TIMEOUT_MS),
    uploadConcurrency: optionalInteger(env.QUICKSTOW_UPLOAD_CONCURRENCY),
    spoolMaxBytes: optionalInteger(env.QUICKSTOW_SPOOL_MAX_BYTES),
    dataDir: '/tmp/quickstow',
    logLevel: 'info',
  });
  return {
    mode,
    extension,
    shared,
    spoolDir,
    fallbackDir: env.QUICKSTOW_FALLBACK_DIR ?? '',
    extensionSocket:
      env.QUICKSTOW_EXTENSION_SOCKET ??
      `/tmp/quickstow-extension-${(env.AWS_LAMBDA_RUNTIME_API ?? 'local').replace(/[^A-Za-z0-9]/g, '_')}.sock`,
    deadlineMarginMs: integer(env.QUICKSTOW_DEADLINE_MARGIN_MS, 500),
  };
}

function optionalInteger(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : integer(value, Number.NaN);
}

function integer(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : Number.NaN;
}
