/**
 * Prometheus metrics of one quickstow process. Each server builds its own Registry (no global
 * default registry), so tests and several servers in one process never share counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const latencyBucketsSeconds = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export interface SpoolStatsSource {
  pendingRecords: number;
  pendingBytes: number;
  oldestPendingAgeMs: number;
  uploads: number;
  retries: number;
  failures: number;
  quarantined: number;
}

export class Metrics {
  readonly registry = new Registry();

  readonly requestDuration = new Histogram({
    name: 'quickstow_http_request_duration_seconds',
    help: 'Time from the request to the end of the answer, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: latencyBucketsSeconds,
    registers: [this.registry],
  });

  readonly receivedBytes = new Counter({
    name: 'quickstow_received_bytes_total',
    help: 'Payload bytes received and acknowledged',
    registers: [this.registry],
  });

  readonly storeDuration = new Histogram({
    name: 'quickstow_store_operation_duration_seconds',
    help: 'Latency of object-store operations, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: latencyBucketsSeconds,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges read from the spool at scrape time, so they are never stale. */
  observeSpool(stats: () => SpoolStatsSource): void {
    const gauge = (name: string, help: string, read: (s: SpoolStatsSource) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read(stats()));
        },
      });
    gauge(
      'quickstow_spool_pending_records',
      'Records acknowledged and not yet stored',
      (s) => s.pendingRecords,
    );
    gauge(
      'quickstow_spool_pending_bytes',
      'Payload bytes acknowledged and not yet stored',
      (s) => s.pendingBytes,
    );
    gauge(
      'quickstow_spool_oldest_pending_age_seconds',
      'Age of the oldest acknowledged record not yet stored (ack-to-stored lag)',
      (s) => s.oldestPendingAgeMs / 1000,
    );
    gauge('quickstow_spool_uploads_total', 'Records uploaded to the store', (s) => s.uploads);
    gauge(
      'quickstow_spool_upload_retries_total',
      'Upload attempts that failed and were retried',
      (s) => s.retries,
    );
    gauge('quickstow_spool_upload_failures_total', 'Failed upload attempts', (s) => s.failures);
    gauge(
      'quickstow_spool_quarantined_records',
      'Corrupted records set aside, never uploaded',
      (s) => s.quarantined,
    );
  }
}
