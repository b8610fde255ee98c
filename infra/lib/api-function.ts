import {
  Alias,
  Architecture,
  type IFunction,
  Function as LambdaFunction,
  LayerVersion,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { PayloadStore } from './bucket.js';
import { bundleCode, handlers } from './bundles.js';
import { apiEnvironment } from './environment.js';
import { executionRoleWithLogs, runtimeOf } from './lambda-common.js';
import type { ResolvedOptions } from './options.js';
import { grantPayloadAccess } from './policies.js';
import type { SpoolNetwork } from './spool-network.js';

/**
 * The function behind every front door: the quickstow handler from the function zip, on arm64
 * (Graviton: Lambda bills it about 20% less per GB-second than x86), with the external
 * extension's layer when asked for, and an alias holding provisioned concurrency when asked for.
 */
export class ApiFunction extends Construct {
  readonly function: LambdaFunction;
  /** The provisioned-concurrency alias, when there is one. */
  readonly alias: Alias | undefined;
  /** What the front doors invoke: the alias when there is one (or it would never be used). */
  readonly target: IFunction;
  readonly extensionLayer: LayerVersion | undefined;

  constructor(
    scope: Construct,
    id: string,
    options: ResolvedOptions,
    store: PayloadStore,
    spool: SpoolNetwork | undefined,
  ) {
    super(scope, id);
    const runtime = runtimeOf(options);
    const { role, logGroup } = executionRoleWithLogs(this, 'Handler', options, spool !== undefined);
    grantPayloadAccess(role, store, options.prefix);

    this.extensionLayer =
      options.extension === 'external'
        ? new LayerVersion(this, 'ExtensionLayer', {
            code: bundleCode(options.extensionLayerZipPath),
            compatibleArchitectures: [Architecture.ARM_64],
            compatibleRuntimes: [runtime],
            description: 'quickstow external extension: uploads payloads after the response',
          })
        : undefined;

    this.function = new LambdaFunction(this, 'Handler', {
      description: `quickstow API (${options.mode}, ${options.extension} extension)`,
      code: bundleCode(options.functionZipPath),
      handler: handlers.api,
      runtime,
      architecture: Architecture.ARM_64,
      memorySize: options.memorySizeMb,
      timeout: options.timeout,
      role,
      logGroup,
      environment: apiEnvironment(options, store, spool),
      layers: this.extensionLayer ? [this.extensionLayer] : undefined,
      reservedConcurrentExecutions: options.reservedConcurrency,
      tracing: options.tracing ? Tracing.ACTIVE : undefined,
      vpc: spool?.vpc,
      vpcSubnets: spool?.subnets,
      allowAllOutbound: spool ? false : undefined,
      filesystem: spool?.lambdaFileSystem(),
    });
    spool?.allowFunctionEgress(this.function);

    this.alias =
      options.provisionedConcurrency === undefined
        ? undefined
        : new Alias(this, 'Live', {
            aliasName: 'live',
            version: this.function.currentVersion,
            provisionedConcurrentExecutions: options.provisionedConcurrency,
          });
    this.target = this.alias ?? this.function;
  }
}
