import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import {
  actionsOf,
  arnWithSuffix,
  only,
  resourcesOf,
  roleOfFunction,
  stackName,
  statementsOfRole,
  synth,
} from './support/synth.js';

describe('QuickstowApi with default props', () => {
  const { template, annotations } = synth();
  const fn = only(template, 'AWS::Lambda::Function');
  const bucket = only(template, 'AWS::S3::Bucket');
  const restApi = only(template, 'AWS::ApiGateway::RestApi');

  it('deploys one function: nodejs22.x on arm64, 1024 MB, 30 s, the API handler, no layer, no VPC', () => {
    assert.equal(fn.properties.Runtime, 'nodejs22.x');
    assert.deepEqual(fn.properties.Architectures, ['arm64']);
    assert.equal(fn.properties.Handler, 'index.handler');
    assert.equal(fn.properties.MemorySize, 1024);
    assert.equal(fn.properties.Timeout, 30);
    for (const absent of [
      'Layers',
      'VpcConfig',
      'FileSystemConfigs',
      'ReservedConcurrentExecutions',
      'TracingConfig',
    ]) {
      assert.equal(fn.properties[absent], undefined, `${absent} is not set by default`);
    }
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    template.resourceCountIs('AWS::Lambda::Alias', 0);
  });

  it('gives the handler exactly the environment of the Lambda contract', () => {
    assert.deepEqual(fn.properties.Environment, {
      Variables: {
        QUICKSTOW_MODE: 'after-response',
        QUICKSTOW_EXTENSION: 'internal',
        QUICKSTOW_BUCKET: { Ref: bucket.id },
        QUICKSTOW_PREFIX: 'payloads/',
        QUICKSTOW_MAX_BYTES: String(4 * 1024 * 1024),
        POWERTOOLS_SERVICE_NAME: 'quickstow',
        POWERTOOLS_METRICS_NAMESPACE: 'Quickstow',
        NODE_OPTIONS: '--enable-source-maps',
      },
    });
  });

  it('lets the function write its own log group (30 days) and put/get objects under payloads/ only', () => {
    const logGroup = only(template, 'AWS::Logs::LogGroup');
    assert.equal(logGroup.properties.RetentionInDays, 30);
    assert.deepEqual(fn.properties.LoggingConfig, { LogGroup: { Ref: logGroup.id } });
    const roleId = roleOfFunction(fn.properties);
    const role = resourcesOf(template, 'AWS::IAM::Role')[roleId];
    assert.equal(role?.Properties?.ManagedPolicyArns, undefined, 'no AWS managed policies');
    const statements = statementsOfRole(template, roleId).map((s) => ({
      actions: actionsOf(s).sort(),
      resource: s.Resource,
      effect: s.Effect,
    }));
    assert.deepEqual(statements, [
      {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resource: { 'Fn::GetAtt': [logGroup.id, 'Arn'] },
        effect: 'Allow',
      },
      {
        actions: ['s3:GetObject', 's3:PutObject'],
        resource: arnWithSuffix(bucket.id, '/payloads/*'),
        effect: 'Allow',
      },
    ]);
  });

  it('creates a private bucket: all public access blocked, ACLs off, SSE-S3, no versioning, no lifecycle, retained', () => {
    assert.deepEqual(bucket.properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.deepEqual(bucket.properties.OwnershipControls, {
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    assert.deepEqual(bucket.properties.BucketEncryption, {
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    assert.equal(bucket.properties.VersioningConfiguration, undefined);
    assert.equal(bucket.properties.LifecycleConfiguration, undefined);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('denies every request to the bucket that is not over TLS 1.2 or later', () => {
    const bucketAndObjects = [{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, arnWithSuffix(bucket.id, '/*')];
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket.id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: bucketAndObjects,
          },
          {
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            Resource: bucketAndObjects,
          },
        ]),
      },
    });
  });

  it('fronts it with a regional REST API with binaryMediaTypes */*, so binary bodies arrive base64', () => {
    assert.deepEqual(restApi.properties.BinaryMediaTypes, ['*/*']);
    assert.deepEqual(restApi.properties.EndpointConfiguration, { Types: ['REGIONAL'] });
    assert.equal(restApi.properties.Name, `${stackName}-quickstow`);
  });

  it('routes exactly the contract, each method signed with IAM, proxied to the function', () => {
    const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
    const pathOf = (id: string): string => {
      const resource = resources[id];
      if (!resource) return '';
      const parent = resource.Properties.ParentId as { Ref?: string };
      return `${parent.Ref ? pathOf(parent.Ref) : ''}/${resource.Properties.PathPart as string}`;
    };
    const methods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).map(
      (method) => {
        const p = method.Properties ?? {};
        return {
          route: `${p.HttpMethod as string} ${pathOf((p.ResourceId as { Ref: string }).Ref)}`,
          auth: p.AuthorizationType,
          apiKey: p.ApiKeyRequired,
          type: (p.Integration as { Type: string }).Type,
          target: JSON.stringify((p.Integration as { Uri: unknown }).Uri).includes(fn.id),
        };
      },
    );
    assert.deepEqual(methods.map((m) => m.route).sort(), [
      'GET /payloads/{id}',
      'GET /payloads/{id}/receipt',
      'HEAD /payloads/{id}',
      'POST /payloads',
    ]);
    for (const method of methods) {
      assert.deepEqual(
        { auth: method.auth, apiKey: method.apiKey, type: method.type, target: method.target },
        { auth: 'AWS_IAM', apiKey: false, type: 'AWS_PROXY', target: true },
        method.route,
      );
    }
    // One invoke permission covers every route of this API, and only this API.
    const permission = only(template, 'AWS::Lambda::Permission');
    assert.equal(permission.properties.Principal, 'apigateway.amazonaws.com');
    assert.match(
      JSON.stringify(permission.properties.SourceArn),
      new RegExp(`"Ref":"${restApi.id}"},"/\\*/\\*/\\*"`),
    );
  });

  it('throttles the stage to 100 requests/s with bursts of 200, without X-Ray', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: false,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
        }),
      ],
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
  });

  it('creates no HTTP API, Function URL, direct route, VPC, EFS or sweeper', () => {
    for (const type of [
      'AWS::ApiGatewayV2::Api',
      'AWS::Lambda::Url',
      'AWS::EC2::VPC',
      'AWS::EFS::FileSystem',
      'AWS::Events::Rule',
    ]) {
      template.resourceCountIs(type, 0);
    }
    template.resourcePropertiesCountIs(
      'AWS::ApiGateway::Method',
      { Integration: { Type: 'AWS' } },
      0,
    );
    template.resourceCountIs('AWS::IAM::Role', 1);
  });

  it('alarms on upload failures, lost payloads, ack-to-stored lag, 5xx, throttles and errors', () => {
    const service = [{ Name: 'service', Value: 'quickstow' }];
    const countAlarm = (namespace: string, metricName: string, dimensions: unknown) => ({
      Namespace: namespace,
      MetricName: metricName,
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      countAlarm('Quickstow', 'UploadFailures', service),
    );
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      countAlarm('Quickstow', 'PayloadsLost', service),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Quickstow',
      MetricName: 'AckToStoredLag',
      Dimensions: service,
      ExtendedStatistic: 'p99',
      Period: 300,
      Threshold: 10_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      countAlarm('AWS/ApiGateway', '5XXError', [
        { Name: 'ApiName', Value: `${stackName}-quickstow` },
      ]),
    );
    const functionDimension = [{ Name: 'FunctionName', Value: { Ref: fn.id } }];
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      countAlarm('AWS/Lambda', 'Throttles', functionDimension),
    );
    template.hasResourceProperties(
      'AWS::CloudWatch::Alarm',
      countAlarm('AWS/Lambda', 'Errors', functionDimension),
    );
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
  });

  it('outputs the REST API URL and the bucket name, and nothing else', () => {
    const outputs = template.findOutputs('*');
    assert.deepEqual(
      Object.keys(outputs)
        .map((id) => id.replace(/[0-9A-F]{8}$/, ''))
        .sort(),
      ['QuickstowBucketName', 'QuickstowRestApiUrl'],
    );
    template.hasOutput('*', { Value: { Ref: bucket.id } });
    template.hasOutput('*', {
      Value: {
        'Fn::Join': ['', Match.arrayWith(['https://', { Ref: restApi.id }, '.execute-api.'])],
      },
    });
  });

  it('has nothing to warn about', () => {
    annotations.hasNoWarning('*', Match.anyValue());
  });
});
