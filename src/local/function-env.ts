/**
 * The environment `quickstow local` gives quickstow's own handler: what the CDK stack sets on AWS
 * (QUICKSTOW_*), derived from the same store and mode flags as `serve`. Folders are made
 * absolute, since the function runs with its code folder as working directory. AWS credentials
 * and region pass through from this process (on AWS they would come from the function's role).
 */
import path from 'node:path';
import type { Config } from '../core/config.js';
import type { ExtensionKind, LambdaMode } from '../lambda/config.js';

export interface FunctionEnvInput {
  mode: LambdaMode;
  extension: ExtensionKind;
  shared: Config;
}

const passedThrough = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
];

export function functionEnvironment(
  input: FunctionEnvInput,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const { shared } = input;
  const env: Record<string, string> = {
    QUICKSTOW_MODE: input.mode,
    QUICKSTOW_EXTENSION: input.extension,
    QUICKSTOW_STORE: shared.store,
    QUICKSTOW_PREFIX: shared.keyPrefix,
    QUICKSTOW_MAX_BYTES: String(shared.maxBodyBytes),
    QUICKSTOW_MEMORY_MAX_BYTES: String(shared.memoryMaxBytes),
    QUICKSTOW_STORE_TIMEOUT_MS: String(shared.storeTimeoutMs),
    QUICKSTOW_SPOOL_DIR: path.resolve(shared.dataDir, 'lambda-spool'),
    POWERTOOLS_SERVICE_NAME: 'quickstow',
    POWERTOOLS_METRICS_NAMESPACE: 'Quickstow',
  };
  if (shared.store === 'fs') env.QUICKSTOW_BUCKET_DIR = path.resolve(shared.bucketDir);
  if (shared.bucket !== '') env.QUICKSTOW_BUCKET = shared.bucket;
  if (shared.s3Endpoint !== '') env.QUICKSTOW_S3_ENDPOINT = shared.s3Endpoint;
  if (shared.region !== '') env.QUICKSTOW_REGION = shared.region;
  for (const name of passedThrough) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
