import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { vpcNetworkInterfaceActions } from '../lib/policies.js';
import {
  actionsOf,
  arnWithSuffix,
  only,
  resourcesOf,
  roleOfFunction,
  type Statement,
  statementsOfRole,
  synth,
} from './support/synth.js';

/** Every option switched on at once. */
describe('QuickstowApi with every option on', () => {
  const { template, annotations, construct } = synth({}, (stack) => ({
    mode: 'spool',
    api: ['rest', 'http', 'function-url'],
    extension: 'external',
    runtime: 'nodejs24.x',
    memorySize: 2048,
    timeout: Duration.seconds(60),
    provisionedConcurrency: 2,
    reservedConcurrency: 10,
    logRetention: RetentionDays.ONE_WEEK,
    prefix: 'in/',
    maxBytes: 1024 * 1024,
    serviceName: 'qs-test',
    encryption: 'kms',
    versioned: true,
    lifecycle: {
      expireAfterDays: 400,
      infrequentAccessAfterDays: 30,
      noncurrentVersionExpireAfterDays: 7,
      abortIncompleteUploadsAfterDays: 2,
    },
    removalPolicy: RemovalPolicy.DESTROY,
    auth: {
      rest: 'api-key',
      http: 'jwt',
      functionUrl: 'iam',
      jwt: { issuer: 'https://issuer.example.com', audience: ['client-a', 'client-b'] },
    },
    throttle: { rateLimit: 50, burstLimit: 80 },
    tracing: true,
    directS3Route: { prefix: 'direct-in/', path: 'raw' },
    alarms: {
      ackToStoredLagP99Ms: 2000,
      actions: [new SnsAction(new Topic(stack, 'Pager'))],
    },
  }));

  const functions = resourcesOf(template, 'AWS::Lambda::Function');
  const byHandler = (handler: string) => {
    const found = Object.entries(functions).find(([, f]) => f.Properties.Handler === handler);
    assert.ok(found, `a function with handler ${handler}`);
    return { id: found[0], properties: found[1].Properties ?? {} };
  };
  const api = byHandler('index.handler');
  const sweeper = byHandler('sweeper.handler');
  const bucket = only(template, 'AWS::S3::Bucket');
  const key = only(template, 'AWS::KMS::Key');
  const layer = only(template, 'AWS::Lambda::LayerVersion');
  const alias = only(template, 'AWS::Lambda::Alias');
  const fileSystem = only(template, 'AWS::EFS::FileSystem');
  const accessPoint = only(template, 'AWS::EFS::AccessPoint');
  const vpc = only(template, 'AWS::EC2::VPC');
  const accessPointArn = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':elasticfilesystem:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':access-point/',
        { Ref: accessPoint.id },
      ],
    ],
  };

  it('runs both functions on nodejs24.x, arm64, with the chosen memory, X-Ray and log retention', () => {
    assert.equal(Object.keys(functions).length, 2);
    for (const fn of [api, sweeper]) {
      assert.equal(fn.properties.Runtime, 'nodejs24.x');
      assert.deepEqual(fn.properties.Architectures, ['arm64']);
      assert.equal(fn.properties.MemorySize, 2048);
      assert.deepEqual(fn.properties.TracingConfig, { Mode: 'Active' });
    }
    assert.equal(api.properties.Timeout, 60);
    assert.equal(api.properties.ReservedConcurrentExecutions, 10);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
  });

  it('attaches the extension layer (arm64, the same runtime) to the API function only', () => {
    assert.deepEqual(api.properties.Layers, [{ Ref: layer.id }]);
    assert.equal(sweeper.properties.Layers, undefined);
    assert.deepEqual(layer.properties.CompatibleArchitectures, ['arm64']);
    assert.deepEqual(layer.properties.CompatibleRuntimes, ['nodejs24.x']);
    // The layer is its own asset (the layer zip), not the function's.
    const layerKey = (layer.properties.Content as { S3Key: string }).S3Key;
    assert.match(layerKey, /^[0-9a-f]{64}\.zip$/);
    assert.notEqual(layerKey, (api.properties.Code as { S3Key: string }).S3Key);
  });

  it('gives the API function the spool environment, and the sweeper the same spool', () => {
    const common = {
      QUICKSTOW_BUCKET: { Ref: bucket.id },
      QUICKSTOW_PREFIX: 'in/',
      QUICKSTOW_MAX_BYTES: '1048576',
      POWERTOOLS_SERVICE_NAME: 'qs-test',
      POWERTOOLS_METRICS_NAMESPACE: 'Quickstow',
      NODE_OPTIONS: '--enable-source-maps',
    };
    assert.deepEqual(api.properties.Environment, {
      Variables: {
        ...common,
        QUICKSTOW_MODE: 'spool',
        QUICKSTOW_EXTENSION: 'external',
        QUICKSTOW_SPOOL_DIR: '/mnt/quickstow/spool',
      },
    });
    assert.deepEqual(sweeper.properties.Environment, {
      Variables: {
        ...common,
        QUICKSTOW_MODE: 'spool',
        QUICKSTOW_SPOOL_DIR: '/mnt/quickstow/spool',
      },
    });
  });

  it('mounts the EFS access point at /mnt/quickstow in both functions, inside the VPC', () => {
    for (const fn of [api, sweeper]) {
      assert.deepEqual(fn.properties.FileSystemConfigs, [
        { Arn: accessPointArn, LocalMountPath: '/mnt/quickstow' },
      ]);
      const vpcConfig = fn.properties.VpcConfig as { SubnetIds: { Ref: string }[] };
      assert.equal(vpcConfig.SubnetIds.length, 2);
      for (const subnet of vpcConfig.SubnetIds) assert.match(subnet.Ref, /isolated/);
    }
    assert.deepEqual(accessPoint.properties.FileSystemId, { Ref: fileSystem.id });
    assert.deepEqual(accessPoint.properties.PosixUser, { Uid: '1001', Gid: '1001' });
    assert.deepEqual(accessPoint.properties.RootDirectory, {
      Path: '/quickstow',
      CreationInfo: { OwnerUid: '1001', OwnerGid: '1001', Permissions: '750' },
    });
  });

  it('builds the VPC without NAT or internet gateway, with an S3 gateway endpoint on its route tables', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    const routeTables = Object.keys(resourcesOf(template, 'AWS::EC2::RouteTable'));
    assert.equal(routeTables.length, 2);
    template.resourceCountIs('AWS::EC2::Route', 0);
    const endpoint = only(template, 'AWS::EC2::VPCEndpoint');
    assert.equal(endpoint.properties.VpcEndpointType, 'Gateway');
    assert.deepEqual(endpoint.properties.VpcId, { Ref: vpc.id });
    assert.deepEqual(endpoint.properties.ServiceName, {
      'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']],
    });
    assert.deepEqual(
      (endpoint.properties.RouteTableIds as { Ref: string }[]).map((r) => r.Ref).sort(),
      routeTables.sort(),
    );
  });

  it('keeps EFS encrypted, elastic, deleted with the stack, mountable only through IAM and only on NFS', () => {
    assert.equal(fileSystem.properties.Encrypted, true);
    assert.equal(fileSystem.properties.ThroughputMode, 'elastic');
    template.hasResource('AWS::EFS::FileSystem', { DeletionPolicy: 'Delete' });
    template.resourceCountIs('AWS::EFS::MountTarget', 2);
    const policy = fileSystem.properties.FileSystemPolicy as { Statement: { Action: string[] }[] };
    for (const statement of policy.Statement) {
      assert.ok(
        !statement.Action.includes('elasticfilesystem:ClientMount'),
        'no ClientMount for everyone',
      );
    }
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'));
    assert.equal(ingress.length, 2, 'one NFS rule per function');
    for (const rule of ingress) {
      assert.equal(rule.Properties.FromPort, 2049);
      assert.equal(rule.Properties.ToPort, 2049);
    }
    // The functions may reach EFS and HTTPS (the S3 endpoint), nothing else.
    for (const fn of [api, sweeper]) {
      const groupId = (
        fn.properties.VpcConfig as { SecurityGroupIds: { 'Fn::GetAtt': [string] }[] }
      ).SecurityGroupIds[0]?.['Fn::GetAtt'][0];
      const group = resourcesOf(template, 'AWS::EC2::SecurityGroup')[groupId ?? ''];
      assert.deepEqual(group?.Properties.SecurityGroupEgress, [
        {
          CidrIp: '0.0.0.0/0',
          Description: 'S3 through the gateway endpoint',
          FromPort: 443,
          IpProtocol: 'tcp',
          ToPort: 443,
        },
      ]);
    }
  });

  it('runs the sweeper every minute from EventBridge', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweeper.id, 'Arn'] } })],
    });
    assert.ok(Number(sweeper.properties.Timeout) < 60, 'a sweep ends before the next starts');
  });

  it('grants each function exactly: its logs, ENIs, objects under in/, the KMS key, the EFS mount, X-Ray', () => {
    for (const fn of [api, sweeper]) {
      const statements = statementsOfRole(template, roleOfFunction(fn.properties));
      const summary = statements.map((s) => ({
        actions: actionsOf(s).sort(),
        resource: s.Resource,
        condition: s.Condition,
      }));
      const logGroupId = (fn.properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup
        .Ref;
      assert.deepEqual(summary, [
        {
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          condition: undefined,
        },
        { actions: [...vpcNetworkInterfaceActions].sort(), resource: '*', condition: undefined },
        {
          actions: ['s3:GetObject', 's3:PutObject'],
          resource: arnWithSuffix(bucket.id, '/in/*'),
          condition: undefined,
        },
        {
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resource: { 'Fn::GetAtt': [key.id, 'Arn'] },
          condition: undefined,
        },
        {
          actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          resource: { 'Fn::GetAtt': [fileSystem.id, 'Arn'] },
          condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPointArn } },
        },
        {
          actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
          resource: '*',
          condition: undefined,
        },
      ]);
    }
  });

  it('has no wildcard action and no Resource * beyond the ENI and X-Ray actions, in any policy', () => {
    const allowedOnEverything = new Set<string>([
      ...vpcNetworkInterfaceActions,
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
    assert.equal(policies.length, 3, 'the API function, the sweeper and the direct route');
    for (const policy of policies) {
      for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] })
        .Statement) {
        for (const action of actionsOf(statement)) assert.doesNotMatch(action, /\*/);
        if (statement.Resource === '*') {
          for (const action of actionsOf(statement))
            assert.ok(allowedOnEverything.has(action), action);
        }
      }
    }
    for (const role of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) {
      assert.equal(role.Properties.ManagedPolicyArns, undefined);
      assert.equal(role.Properties.Policies, undefined);
    }
  });

  it('encrypts with a new rotating KMS key and a bucket key; versioned; lifecycle on in/; deleted with the stack', () => {
    assert.equal(key.properties.EnableKeyRotation, true);
    assert.deepEqual(only(template, 'AWS::S3::Bucket').properties.BucketEncryption, {
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [key.id, 'Arn'] },
          },
        },
      ],
    });
    assert.deepEqual(bucket.properties.VersioningConfiguration, { Status: 'Enabled' });
    assert.deepEqual(bucket.properties.LifecycleConfiguration, {
      Rules: [
        {
          Id: 'payloads',
          Prefix: 'in/',
          Status: 'Enabled',
          ExpirationInDays: 400,
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
        },
      ],
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('keeps 2 sandboxes provisioned on the alias live, and every front door invokes the alias', () => {
    assert.equal(alias.properties.Name, 'live');
    assert.deepEqual(alias.properties.ProvisionedConcurrencyConfig, {
      ProvisionedConcurrentExecutions: 2,
    });
    assert.equal(construct.alias?.aliasName, 'live');
    const lambdaMethods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).filter(
      (m) => (m.Properties.Integration as { Type: string }).Type === 'AWS_PROXY',
    );
    assert.equal(lambdaMethods.length, 4);
    for (const method of lambdaMethods) {
      const uri = JSON.stringify((method.Properties.Integration as { Uri: unknown }).Uri);
      assert.ok(uri.includes(`{"Ref":"${alias.id}"}`), 'REST integrations invoke the alias');
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { Ref: alias.id },
    });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', Qualifier: 'live' });
    for (const permission of Object.values(resourcesOf(template, 'AWS::Lambda::Permission'))) {
      if (permission.Properties.Principal === 'events.amazonaws.com') continue;
      assert.deepEqual(permission.Properties.FunctionName, { Ref: alias.id });
    }
  });

  it('requires an API key on every REST method, with a usage plan throttled like the stage', () => {
    template.allResourcesProperties('AWS::ApiGateway::Method', {
      ApiKeyRequired: true,
      AuthorizationType: 'NONE',
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 80 },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 })],
    });
  });

  it('checks a JWT on every HTTP API route, and throttles its stage', () => {
    const authorizer = only(template, 'AWS::ApiGatewayV2::Authorizer');
    assert.equal(authorizer.properties.AuthorizerType, 'JWT');
    assert.deepEqual(authorizer.properties.JwtConfiguration, {
      Issuer: 'https://issuer.example.com',
      Audience: ['client-a', 'client-b'],
    });
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
    assert.deepEqual(routes.map((r) => r.Properties.RouteKey).sort(), [
      'GET /payloads/{id}',
      'GET /payloads/{id}/receipt',
      'HEAD /payloads/{id}',
      'POST /payloads',
    ]);
    for (const route of routes) {
      assert.equal(route.Properties.AuthorizationType, 'JWT');
      assert.deepEqual(route.Properties.AuthorizerId, { Ref: authorizer.id });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 },
    });
  });

  it('adds PUT /raw/{name} as an S3 service integration, with a role that may only PutObject under direct-in/', () => {
    const direct = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).filter(
      (m) => (m.Properties.Integration as { Type: string }).Type === 'AWS',
    );
    assert.equal(direct.length, 1);
    const method = direct[0]?.Properties ?? {};
    const integration = method.Integration as Record<string, unknown>;
    assert.equal(method.HttpMethod, 'PUT');
    assert.equal(integration.IntegrationHttpMethod, 'PUT');
    assert.deepEqual(integration.Uri, {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':apigateway:',
          { Ref: 'AWS::Region' },
          ':s3:path/',
          { Ref: bucket.id },
          '/direct-in/{name}',
        ],
      ],
    });
    assert.deepEqual(integration.RequestParameters, {
      'integration.request.path.name': 'method.request.path.name',
      'integration.request.header.Content-Type': 'method.request.header.Content-Type',
    });
    const roleId = (integration.Credentials as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
      },
    });
    const statements = statementsOfRole(template, roleId).map((s) => ({
      actions: actionsOf(s),
      resource: s.Resource,
    }));
    assert.deepEqual(statements, [
      { actions: ['s3:PutObject'], resource: arnWithSuffix(bucket.id, '/direct-in/*') },
      { actions: ['kms:GenerateDataKey'], resource: { 'Fn::GetAtt': [key.id, 'Arn'] } },
    ]);
    const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
    const name = resources[(method.ResourceId as { Ref: string }).Ref]?.Properties ?? {};
    assert.equal(name.PathPart, '{name}');
    assert.equal(resources[(name.ParentId as { Ref: string }).Ref]?.Properties?.PathPart, 'raw');
  });

  it('adds the HTTP API, Function URL and sweeper alarms, and every alarm notifies the action', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    const topic = only(template, 'AWS::SNS::Topic');
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: topic.id }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AckToStoredLag',
      Threshold: 2000,
      Dimensions: [{ Name: 'service', Value: 'qs-test' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Url5xxCount',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweeper.id } }],
    });
  });

  it('outputs every URL, the API key id and the bucket name', () => {
    assert.deepEqual(
      Object.keys(template.findOutputs('*'))
        .map((id) => id.replace(/[0-9A-F]{8}$/, ''))
        .sort(),
      [
        'QuickstowApiKeyId',
        'QuickstowBucketName',
        'QuickstowDirectS3RouteUrl',
        'QuickstowFunctionUrl',
        'QuickstowHttpApiUrl',
        'QuickstowRestApiUrl',
      ],
    );
  });

  it('warns about nothing when every front door has auth', () => {
    annotations.hasNoWarning('*', Match.anyValue());
  });
});
