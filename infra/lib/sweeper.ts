import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Architecture, Function as LambdaFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { PayloadStore } from './bucket.js';
import { bundleCode, handlers } from './bundles.js';
import { sweeperEnvironment } from './environment.js';
import { executionRoleWithLogs, runtimeOf } from './lambda-common.js';
import { defaults, type ResolvedOptions } from './options.js';
import { grantPayloadAccess } from './policies.js';
import type { SpoolNetwork } from './spool-network.js';

/**
 * Uploads what sandboxes left in the spool when they died (crash, timeout, OOM) between the
 * answer and the upload. A sandbox that dies takes no further invoke, so nothing else would
 * ever pick those records up; the sweeper runs every minute, mounts the same access point, and
 * uploads them with the same rights as the API function.
 */
export class Sweeper extends Construct {
  readonly function: LambdaFunction;
  readonly schedule: Rule;

  constructor(
    scope: Construct,
    id: string,
    options: ResolvedOptions,
    store: PayloadStore,
    spool: SpoolNetwork,
  ) {
    super(scope, id);
    const { role, logGroup } = executionRoleWithLogs(this, 'Sweeper', options, true);
    grantPayloadAccess(role, store, options.prefix);

    this.function = new LambdaFunction(this, 'Sweeper', {
      description: 'quickstow spool sweeper: uploads records left behind by sandboxes that died',
      code: bundleCode(options.functionZipPath),
      handler: handlers.sweeper,
      runtime: runtimeOf(options),
      architecture: Architecture.ARM_64,
      memorySize: options.memorySizeMb,
      timeout: Duration.seconds(defaults.sweeperTimeoutSeconds),
      role,
      logGroup,
      environment: sweeperEnvironment(options, store, spool),
      tracing: options.tracing ? Tracing.ACTIVE : undefined,
      vpc: spool.vpc,
      vpcSubnets: spool.subnets,
      allowAllOutbound: false,
      filesystem: spool.lambdaFileSystem(),
      // A failed sweep is simply the next minute's work: EventBridge's async retries would only
      // make runs overlap.
      retryAttempts: 0,
    });
    spool.allowFunctionEgress(this.function);

    this.schedule = new Rule(this, 'EveryMinute', {
      description: 'Runs the quickstow spool sweeper',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaTarget(this.function, { retryAttempts: 0 })],
    });
  }
}
