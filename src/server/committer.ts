import type { Config } from '../core/config.js';
import type { IdempotencyGate } from '../http/idempotency-gate.js';
import { SyncCommitter } from '../modes/sync.js';
import type { Committer } from '../modes/types.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { ObjectStore } from '../store/types.js';

/** The Committer (and Idempotency-Key index) of the configured mode. */
export async function openCommitter(
  config: Config,
  store: ObjectStore,
  _metrics: Metrics,
  _logger: Logger,
): Promise<{ committer: Committer; idempotency?: IdempotencyGate }> {
  switch (config.mode) {
    case 'sync':
      return { committer: new SyncCommitter(store) };
    case 'spool':
      return { committer: new SyncCommitter(store) };
  }
}
