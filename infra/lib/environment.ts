import type { PayloadStore } from './bucket.js';
import { defaults, type ResolvedOptions } from './options.js';
import type { SpoolNetwork } from './spool-network.js';

/**
 * The environment the handler reads (the contract with the Lambda bundle, issue 5). Both
 * functions get the same service name, so the sweeper's upload failures count in the same
 * alarm as the API function's.
 */
export function apiEnvironment(
  options: ResolvedOptions,
  store: PayloadStore,
  spool: SpoolNetwork | undefined,
): Record<string, string> {
  const environment: Record<string, string> = {
    ...commonEnvironment(options, store),
    QUICKSTOW_MODE: options.mode,
    QUICKSTOW_EXTENSION: options.extension,
  };
  if (spool && options.mode === 'spool') environment.QUICKSTOW_SPOOL_DIR = spool.spoolDir;
  if (spool && options.efsFallback) environment.QUICKSTOW_FALLBACK_DIR = spool.fallbackDir;
  return environment;
}

/**
 * The sweeper drains the spool: records left there by sandboxes that died before their upload
 * finished. It always gets the spool folder (its handler refuses to start without one, even when
 * only the fallback exists), and the fallback folder when there is one.
 */
export function sweeperEnvironment(
  options: ResolvedOptions,
  store: PayloadStore,
  spool: SpoolNetwork,
): Record<string, string> {
  const environment: Record<string, string> = {
    ...commonEnvironment(options, store),
    QUICKSTOW_MODE: 'spool',
    QUICKSTOW_SPOOL_DIR: spool.spoolDir,
  };
  if (options.efsFallback) environment.QUICKSTOW_FALLBACK_DIR = spool.fallbackDir;
  return environment;
}

function commonEnvironment(options: ResolvedOptions, store: PayloadStore): Record<string, string> {
  return {
    QUICKSTOW_BUCKET: store.bucket.bucketName,
    QUICKSTOW_PREFIX: options.prefix,
    QUICKSTOW_MAX_BYTES: String(options.maxBytes),
    POWERTOOLS_SERVICE_NAME: options.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: defaults.metricsNamespace,
    NODE_OPTIONS: '--enable-source-maps',
  };
}
