import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ResolvedOptions } from './options.js';
import { grantVpcNetworkInterfaces } from './policies.js';

export function runtimeOf(options: ResolvedOptions): Runtime {
  return options.runtime === 'nodejs24.x' ? Runtime.NODEJS_24_X : Runtime.NODEJS_22_X;
}

/**
 * A function's own log group and an execution role that may write to that group only. CDK's
 * default role carries AWSLambdaBasicExecutionRole, which may write to every log group in the
 * account; an explicit group also makes the retention part of the stack instead of a
 * custom resource that sets it after the fact.
 */
export function executionRoleWithLogs(
  scope: Construct,
  id: string,
  options: ResolvedOptions,
  inVpc: boolean,
): { role: Role; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: options.logRetention });
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `quickstow ${id}: logs, payloads under ${options.prefix}`,
  });
  logGroup.grantWrite(role);
  if (inVpc) grantVpcNetworkInterfaces(role);
  return { role, logGroup };
}
