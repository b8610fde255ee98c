/**
 * quickstow's own Lambda bundle (dist-lambda, built by `npm test` first) run by `quickstow local`
 * in-process: the API Gateway front and the pool live in the test, the sandboxes are real
 * processes running aws-lambda-ric, the function talks to a real s3rver.
 */
import { resolveConfig } from '../../src/core/config.js';
import type { ExtensionKind, LambdaMode } from '../../src/lambda/config.js';
import { functionEnvironment } from '../../src/local/function-env.js';
import {
  bundledExtensionsDir,
  bundledFunctionDir,
  type RunningLocal,
  startLocal,
} from '../../src/local/start.js';
import { uniqueFunctionName } from '../fixtures/lambda/harness.js';
import { type S3rver, s3rverCredentials } from './s3rver.js';

export interface QuickstowLocal extends RunningLocal {
  functionName: string;
  logs: string[];
}

export interface QuickstowLocalOptions {
  s3: S3rver;
  dataDir: string;
  mode: LambdaMode;
  extension?: ExtensionKind;
  api?: 'rest' | 'http';
  timeoutMs?: number;
  concurrency?: number;
  handler?: string;
  env?: Record<string, string>;
}

export async function startQuickstowLocal(options: QuickstowLocalOptions): Promise<QuickstowLocal> {
  const functionName = uniqueFunctionName('qs');
  const extension = options.extension ?? 'internal';
  const shared = resolveConfig({
    store: 's3',
    bucket: options.s3.bucket,
    s3Endpoint: options.s3.endpoint,
    region: 'us-east-1',
    dataDir: options.dataDir,
    storeTimeoutMs: 2000,
  });
  const env = {
    ...functionEnvironment(
      { mode: options.mode, extension, shared },
      {
        AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
      },
    ),
    ...options.env,
  };
  const logs: string[] = [];
  const running = await startLocal({
    api: options.api ?? 'rest',
    host: '127.0.0.1',
    port: 0,
    lambda: {
      functionName,
      codeDir: bundledFunctionDir,
      handler: options.handler ?? 'index.handler',
      extensionsDir:
        options.mode === 'after-response' && extension === 'external' ? bundledExtensionsDir : '',
      timeoutMs: options.timeoutMs ?? 10_000,
      memoryMb: 1024,
      concurrency: options.concurrency ?? 2,
      env,
    },
    onLog: (line) => logs.push(line),
  });
  return { ...running, functionName, logs };
}
