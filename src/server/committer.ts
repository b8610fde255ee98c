import path from 'node:path';
import type { Config } from '../core/config.js';
import { IdempotencyIndex } from '../idempotency/index.js';
import { SpoolCommitter } from '../modes/spool.js';
import { SyncCommitter } from '../modes/sync.js';
import type { Committer } from '../modes/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { Spool, type SpoolFs } from '../spool/index.js';
import type { ObjectStore } from '../store/types.js';

export interface OpenedMode {
  committer: Committer;
  idempotency: IdempotencyIndex;
  /** Releases what the mode holds open, after the committer has drained. */
  close(): Promise<void>;
}

/** The Committer of the configured mode, and the Idempotency-Key index every mode shares. */
export async function openMode(
  config: Config,
  deps: { store: ObjectStore; metrics: Metrics; logger: Logger; spoolFs?: SpoolFs | undefined },
): Promise<OpenedMode> {
  const { store, metrics, logger } = deps;
  const idempotency = await IdempotencyIndex.open({
    file: path.join(config.dataDir, 'idempotency.jsonl'),
    windowMs: config.idempotencyWindowMs,
    logger,
  });
  let committer: Committer;
  if (config.mode === 'sync') {
    committer = new SyncCommitter(store);
  } else {
    const spool = await Spool.open({
      dir: config.spoolDir,
      store,
      spoolMaxBytes: config.spoolMaxBytes,
      memoryMaxBytes: config.memoryMaxBytes,
      segmentMaxBytes: config.segmentMaxBytes,
      uploadConcurrency: config.uploadConcurrency,
      uploadDeferMs: config.uploadDeferMs,
      recycleSegments: true,
      logger,
      fs: deps.spoolFs,
    });
    metrics.observeSpool(() => spool.stats());
    committer = new SpoolCommitter(spool, store);
  }
  return { committer, idempotency, close: () => idempotency.close() };
}
