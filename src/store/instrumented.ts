import { performance } from 'node:perf_hooks';
import type { Metrics } from '../observability/metrics.js';
import type { ObjectMeta, ObjectStore, StoredObject } from './types.js';

/** Wraps a store so that every operation's latency lands in the store histogram. */
export function instrumentStore(store: ObjectStore, metrics: Metrics): ObjectStore {
  async function timed<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = 'error';
    try {
      const result = await run();
      outcome = 'ok';
      return result;
    } finally {
      metrics.storeDuration.observe({ operation, outcome }, (performance.now() - started) / 1000);
    }
  }
  return {
    kind: store.kind,
    put: (meta: ObjectMeta, body: Buffer) => timed('put', () => store.put(meta, body)),
    get: (key: string): Promise<StoredObject | undefined> => timed('get', () => store.get(key)),
    head: (key: string) => timed('head', () => store.head(key)),
    ping: () => timed('ping', () => store.ping()),
    close: () => store.close(),
  };
}
