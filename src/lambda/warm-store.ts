/**
 * The one store (its S3 client) a Lambda sandbox keeps between invocations, on purpose (DESIGN.md allows this
 * single module-level singleton): created during init, its connection opened before the first
 * invoke, so a cold start pays the TCP/TLS handshake once, not per request.
 */
import type { Logger } from '../core/ports.js';
import { FsStore } from '../store/fs.js';
import { S3Store } from '../store/s3.js';
import type { ObjectStore } from '../store/types.js';
import type { LambdaConfig } from './config.js';

export async function openWarmStore(config: LambdaConfig, logger: Logger): Promise<ObjectStore> {
  const { shared } = config;
  if (shared.store === 'fs') return new FsStore({ root: shared.bucketDir });
  const store = new S3Store({
    bucket: shared.bucket,
    region: shared.region,
    endpoint: shared.s3Endpoint,
    timeoutMs: shared.storeTimeoutMs,
    forbiddenMeansMissing: true,
  });
  const started = Date.now();
  const warmed = await store.warm();
  logger.info({ warmed, durationMs: Date.now() - started }, 'S3 connection opened during init');
  return store;
}
