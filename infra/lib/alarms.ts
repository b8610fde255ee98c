/**
 * The alarms that make a lost or late payload visible. `UploadFailures`, `PayloadsLost`,
 * `PayloadsToFallback` and `AckToStoredLag` are the EMF metrics the function writes (namespace
 * Quickstow, dimension service); the others are API Gateway's and Lambda's own. Counting alarms fire on the first
 * occurrence: an acknowledged payload that did not reach S3 is never normal.
 */
import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { defaults, type ResolvedOptions } from './options.js';

export interface AlarmTargets {
  readonly handler: LambdaFunction;
  readonly sweeper: LambdaFunction | undefined;
  readonly restApi: RestApi | undefined;
  readonly httpApi: HttpApi | undefined;
  readonly functionUrl: boolean;
}

/** The function's EMF metric names (issue 5's contract). */
export const emfMetrics = {
  uploadFailures: 'UploadFailures',
  payloadsLost: 'PayloadsLost',
  ackToStoredLag: 'AckToStoredLag',
  payloadsToFallback: 'PayloadsToFallback',
} as const;

export class QuickstowAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, options: ResolvedOptions, targets: AlarmTargets) {
    super(scope, id);
    const minute = Duration.minutes(1);
    const emf = (metricName: string, statistic: string, period: Duration) =>
      new Metric({
        namespace: defaults.metricsNamespace,
        metricName,
        dimensionsMap: { service: options.serviceName },
        statistic,
        period,
      });

    this.countAlarm(
      'UploadFailures',
      emf(emfMetrics.uploadFailures, 'Sum', minute),
      'An upload to S3 failed (it may still succeed on retry; PayloadsLost says if it did not)',
    );
    this.countAlarm(
      'PayloadsLost',
      emf(emfMetrics.payloadsLost, 'Sum', minute),
      'An acknowledged payload was neither uploaded nor saved to the fallback: it is lost. Its id is in the error log.',
    );
    if (options.efsFallback) {
      this.countAlarm(
        'PayloadsToFallback',
        emf(emfMetrics.payloadsToFallback, 'Sum', minute),
        `A payload could not be uploaded in time and was saved to EFS (${defaults.spool.fallbackDir}): it is safe but not in S3 yet`,
      );
    }
    this.add(
      new Alarm(this, 'AckToStoredLag', {
        alarmDescription: `p99 time from the answer to the object being in S3 is over ${options.ackToStoredLagP99Ms} ms`,
        metric: emf(emfMetrics.ackToStoredLag, 'p99', Duration.minutes(5)),
        threshold: options.ackToStoredLagP99Ms,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    if (targets.restApi) {
      this.countAlarm(
        'RestApi5xx',
        targets.restApi.metricServerError({ period: minute, statistic: 'Sum' }),
        'The REST API answered 5xx',
      );
    }
    if (targets.httpApi) {
      this.countAlarm(
        'HttpApi5xx',
        targets.httpApi.metricServerError({ period: minute, statistic: 'Sum' }),
        'The HTTP API answered 5xx',
      );
    }
    if (targets.functionUrl) {
      this.countAlarm(
        'FunctionUrl5xx',
        targets.handler.metric('Url5xxCount', { period: minute, statistic: 'Sum' }),
        'The Function URL answered 5xx',
      );
    }
    this.countAlarm(
      'HandlerThrottles',
      targets.handler.metricThrottles({ period: minute }),
      'Requests were refused for lack of concurrency (reserved concurrency or the account limit)',
    );
    this.countAlarm(
      'HandlerErrors',
      targets.handler.metricErrors({ period: minute }),
      'The API function crashed or timed out: a payload acknowledged in that sandbox may be lost',
    );
    if (targets.sweeper) {
      this.countAlarm(
        'SweeperErrors',
        targets.sweeper.metricErrors({ period: minute }),
        'The spool sweeper failed: records left in the spool are not being uploaded',
      );
    }

    for (const alarm of this.alarms) alarm.addAlarmAction(...options.alarmActions);
  }

  private countAlarm(id: string, metric: IMetric, description: string): void {
    this.add(
      new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private add(alarm: Alarm): void {
    this.alarms.push(alarm);
  }
}
