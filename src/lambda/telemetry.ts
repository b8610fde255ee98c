/**
 * Logs and metrics in Lambda's own conventions, through Powertools: structured JSON logs that
 * carry the request id (and the X-Ray trace id Lambda puts in _X_AMZN_TRACE_ID), and CloudWatch
 * embedded-metric-format lines, flushed by the extension once the post-response work is done.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '../core/ports.js';

export class LambdaTelemetry {
  readonly powertools: PowertoolsLogger;
  readonly metrics: Metrics;
  /** The port the shared code (app, spool) logs through: pino-style (fields, message). */
  readonly logger: Logger;

  /**
   * Every part (handler, external extension, sweeper) reports under the one service name that
   * the alarms watch (POWERTOOLS_SERVICE_NAME); `component` tells them apart in the logs.
   */
  constructor(component: 'handler' | 'extension' | 'sweeper') {
    const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'quickstow';
    this.powertools = new PowertoolsLogger({ serviceName, persistentKeys: { component } });
    this.metrics = new Metrics({
      serviceName,
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Quickstow',
    });
    const pt = this.powertools;
    this.logger = {
      info: (fields, message) => pt.info(message, fields),
      warn: (fields, message) => pt.warn(message, fields),
      error: (fields, message) => pt.error(message, withError(fields)),
    };
  }

  milliseconds(name: 'AckLatency' | 'UploadLatency' | 'AckToStoredLag', value: number): void {
    this.metrics.addMetric(name, MetricUnit.Milliseconds, value);
  }

  count(name: 'UploadFailures' | 'PayloadsLost' | 'PayloadsToFallback', value = 1): void {
    this.metrics.addMetric(name, MetricUnit.Count, value);
  }

  /** Writes the buffered EMF line(s) to stdout, where CloudWatch picks them up. */
  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}

/** Powertools formats an `error` attribute that is an Error; pino's convention is `err`. */
function withError(fields: Record<string, unknown>): Record<string, unknown> {
  if (!('err' in fields)) return fields;
  const { err, ...rest } = fields;
  return { ...rest, error: err };
}
