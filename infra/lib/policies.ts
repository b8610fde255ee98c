/**
 * The IAM statements quickstow's roles get, written out action by action instead of through
 * `grantReadWrite`-style helpers: those add actions quickstow never calls (DeleteObject*,
 * PutObjectTagging, PutObjectLegalHold, ...) and cover the whole bucket. The tests assert these
 * exact lists.
 */
import { Effect, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { PayloadStore } from './bucket.js';

/** Object actions the API function and the sweeper need: store, read back, HEAD (GetObject). */
export const payloadObjectActions = ['s3:PutObject', 's3:GetObject'] as const;
/** With SSE-KMS: a data key to write, and decrypting to read (and for multipart uploads). */
export const payloadKeyActions = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;
/** The direct S3 route only writes. */
export const directRouteKeyActions = ['kms:GenerateDataKey'] as const;
/**
 * What Lambda needs to attach a function to a VPC (the same actions as the AWS managed policy
 * AWSLambdaVPCAccessExecutionRole, without its logs:* on every log group). EC2's Describe* calls
 * support no resource-level permissions, so this is the one statement with `Resource: *`.
 */
export const vpcNetworkInterfaceActions = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

/** Read and write objects under `prefix` only, plus the bucket key's rights when it has one. */
export function grantPayloadAccess(role: IRole, store: PayloadStore, prefix: string): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'PayloadObjects',
      effect: Effect.ALLOW,
      actions: [...payloadObjectActions],
      resources: [store.bucket.arnForObjects(`${prefix}*`)],
    }),
  );
  if (store.key) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PayloadKey',
        effect: Effect.ALLOW,
        actions: [...payloadKeyActions],
        resources: [store.key.keyArn],
      }),
    );
  }
}

/** Only PutObject under `prefix`, for API Gateway's direct route. */
export function grantDirectPut(role: IRole, store: PayloadStore, prefix: string): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'DirectPut',
      effect: Effect.ALLOW,
      actions: ['s3:PutObject'],
      resources: [store.bucket.arnForObjects(`${prefix}*`)],
    }),
  );
  if (store.key) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DirectPutKey',
        effect: Effect.ALLOW,
        actions: [...directRouteKeyActions],
        resources: [store.key.keyArn],
      }),
    );
  }
}

export function grantVpcNetworkInterfaces(role: IRole): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'VpcNetworkInterfaces',
      effect: Effect.ALLOW,
      actions: [...vpcNetworkInterfaceActions],
      resources: ['*'],
    }),
  );
}
