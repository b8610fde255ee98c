/**
 * The spool's storage on AWS: an EFS file system the functions mount, which needs them in a VPC.
 *
 * The VPC has isolated subnets only (no NAT gateway: one costs about 33 USD a month per AZ
 * before any traffic, and quickstow talks to nothing but S3 and EFS). S3 is reached through a gateway
 * endpoint, which is free and keeps payload bytes off the internet; EFS has mount targets in
 * each subnet. CloudWatch Logs and EMF metrics need no route: Lambda ships a function's logs
 * itself, outside the function's network.
 */

import {
  GatewayVpcEndpointAwsService,
  type IConnectable,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  type AccessPoint,
  FileSystem as EfsFileSystem,
  PerformanceMode,
  ThroughputMode,
} from 'aws-cdk-lib/aws-efs';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type FileSystemConfig, FileSystem as LambdaFileSystem } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { defaults, type ResolvedOptions } from './options.js';

export class SpoolNetwork extends Construct {
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection = { subnetType: SubnetType.PRIVATE_ISOLATED };
  readonly fileSystem: EfsFileSystem;
  readonly accessPoint: AccessPoint;
  /** Where the access point is mounted in the functions. */
  readonly mountPath = defaults.spool.mountPath;
  /** The spool directory under the mount (each sandbox spools to a folder of its own in it). */
  readonly spoolDir = defaults.spool.spoolDir;
  /** Where after-response keeps payloads it could not upload, with `efsFallback`. */
  readonly fallbackDir = defaults.spool.fallbackDir;

  constructor(scope: Construct, id: string, options: ResolvedOptions) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3, subnets: [this.subnets] },
      },
      // Restricting the default security group needs a custom-resource Lambda of its own; nothing
      // here uses the default group (the functions and EFS get their own), so it is left alone.
      restrictDefaultSecurityGroup: false,
    });
    this.fileSystem = new EfsFileSystem(this, 'FileSystem', {
      vpc: this.vpc,
      vpcSubnets: this.subnets,
      // EFS only answers; the functions' mounts add the one ingress rule it needs (NFS, 2049).
      securityGroup: new SecurityGroup(this, 'FileSystemSecurityGroup', {
        vpc: this.vpc,
        description: 'quickstow spool EFS: NFS from the quickstow functions only',
        allowAllOutbound: false,
      }),
      encrypted: true,
      performanceMode: PerformanceMode.GENERAL_PURPOSE,
      // Billed per byte read and written. Bursting throughput earns its credits from the size
      // stored, and a spool holds little for long: it would be throttled in the first burst.
      throughputMode: ThroughputMode.ELASTIC,
      removalPolicy: options.removalPolicy,
      // CDK then writes a file system policy that grants no ClientMount to anyone: a client with
      // network access to a mount target but no IAM identity allowed to mount gets nothing. The
      // functions' roles are allowed to mount through the access point only (lambdaFileSystem).
      allowAnonymousAccess: false,
    });
    this.accessPoint = this.fileSystem.addAccessPoint('AccessPoint', {
      path: defaults.spool.accessPointPath,
      // Every function mounts as the same POSIX user, so a record written by one sandbox can be
      // read, uploaded and deleted by any other sandbox or by the sweeper.
      posixUser: { uid: defaults.spool.posixUid, gid: defaults.spool.posixGid },
      createAcl: {
        ownerUid: defaults.spool.posixUid,
        ownerGid: defaults.spool.posixGid,
        permissions: '750',
      },
    });
  }

  /**
   * A function in this VPC may reach two things: EFS (the rule is added by the mount) and S3
   * over HTTPS. S3's addresses come from a per-region prefix list that a template cannot name
   * without an account lookup, so HTTPS is allowed to any address: with no NAT gateway and no
   * internet gateway, the S3 gateway endpoint is the only thing it can reach.
   */
  allowFunctionEgress(fn: IConnectable): void {
    fn.connections.allowTo(Peer.anyIpv4(), Port.tcp(443), 'S3 through the gateway endpoint');
  }

  /**
   * The mount for a function. CDK's `FileSystem.fromEfsAccessPoint` grants ClientMount on every
   * file system (`Resource: *` with a condition); this grants mount and write on this file
   * system only, and only through this access point.
   */
  lambdaFileSystem(): LambdaFileSystem {
    return new AccessPointMount({
      localMountPath: this.mountPath,
      arn: this.accessPoint.accessPointArn,
      dependency: [this.fileSystem.mountTargetsAvailable],
      connections: this.fileSystem.connections,
      policies: [
        new PolicyStatement({
          sid: 'SpoolMount',
          effect: Effect.ALLOW,
          actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          resources: [this.fileSystem.fileSystemArn],
          conditions: {
            StringEquals: { 'elasticfilesystem:AccessPointArn': this.accessPoint.accessPointArn },
          },
        }),
      ],
    });
  }
}

/** lambda.FileSystem's constructor is protected: its static factories are the intended way in. */
class AccessPointMount extends LambdaFileSystem {
  // Not useless: it makes the protected constructor public.
  constructor(config: FileSystemConfig) {
    super(config);
  }
}
