/**
 * `quickstow local`: the API Gateway front and the pool of Lambda sandboxes, wired together.
 * Every log line of the sandboxes (the function's own, the extensions', START/END/REPORT) and
 * one access-log line per request go to `onLog`, as CloudWatch and API Gateway's access logs
 * would hold them.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { QuickstowError } from '../core/errors.js';
import { type ApiKind, startApiGateway } from './apigw/index.js';
import {
  formatLogRecord,
  type LambdaOptionsInput,
  type LambdaPool,
  startLambdaPool,
} from './lambda/index.js';

/** The bundles `npm run build:lambda` makes: quickstow's own function and extension layer. */
export const bundledFunctionDir = fileURLToPath(
  new URL('../../dist-lambda/function', import.meta.url),
);
export const bundledExtensionsDir = fileURLToPath(
  new URL('../../dist-lambda/layer/extensions', import.meta.url),
);

export interface LocalOptions {
  api: ApiKind;
  host: string;
  port: number;
  lambda: LambdaOptionsInput;
  onLog?: (line: string) => void;
}

export interface RunningLocal {
  url: string;
  pool: LambdaPool;
  close(): Promise<void>;
}

export async function startLocal(options: LocalOptions): Promise<RunningLocal> {
  const onLog = options.onLog ?? (() => {});
  for (const folder of [options.lambda.codeDir, options.lambda.extensionsDir]) {
    if (
      folder &&
      (folder === bundledFunctionDir || folder === bundledExtensionsDir) &&
      !existsSync(folder)
    ) {
      throw new QuickstowError(
        'invalid-config',
        400,
        `quickstow's Lambda bundle is missing (${folder}); build it with: npm run build:lambda`,
      );
    }
  }
  const pool = await startLambdaPool(options.lambda, {
    onLog: (record) => onLog(formatLogRecord(record)),
  });
  try {
    const gateway = await startApiGateway({
      api: options.api,
      invoker: pool,
      host: options.host,
      port: options.port,
      log: (entry) => {
        if (entry.type !== 'request') return;
        const invoke = entry.invoke
          ? ` ${entry.invoke.outcome}${entry.invoke.coldStart ? ' (cold start)' : ''}`
          : '';
        const failure = entry.failure ? ` ${entry.failure.kind}: ${entry.failure.detail}` : '';
        onLog(
          `${entry.method} ${entry.path} ${entry.status} ${entry.latencyMs.toFixed(1)} ms${invoke}${failure}`,
        );
      },
    });
    return {
      url: gateway.url,
      pool,
      close: async () => {
        await gateway.close();
        await pool.close();
      },
    };
  } catch (error) {
    await pool.close();
    throw error;
  }
}
