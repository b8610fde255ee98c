import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ContextError, stackPropsFromContext } from '../lib/app-context.js';
import { QuickstowStack } from '../lib/stack.js';
import { cdkJsonContext, infraDir, placeholderZips } from './support/synth.js';

const run = promisify(execFile);

describe('the app reads its options from context', () => {
  it('turns -c strings into the construct props', () => {
    const { stackName, props } = stackPropsFromContext({
      stackName: 'Qs',
      mode: 'spool',
      api: 'rest, http,function-url',
      extension: 'external',
      runtime: 'nodejs24.x',
      memorySize: '2048',
      timeoutSeconds: '45',
      provisionedConcurrency: '1',
      reservedConcurrency: '5',
      logRetentionDays: '14',
      prefix: 'in/',
      maxBytes: '1000000',
      encryption: 'kms',
      versioned: 'true',
      expireAfterDays: '90',
      removalPolicy: 'destroy',
      restAuth: 'api-key',
      httpAuth: 'jwt',
      jwtIssuer: 'https://issuer.example.com',
      jwtAudience: 'a,b',
      functionUrlAuth: 'none',
      throttleRate: '10',
      throttleBurst: '20',
      tracing: 'true',
      directS3Route: 'true',
      lagAlarmMs: '3000',
      alarmEmail: 'ops@example.com',
      '@aws-cdk/core:someFlag': true,
      'aws:cdk:enable-path-metadata': true,
    });
    assert.equal(stackName, 'Qs');
    const q = props.quickstow ?? {};
    assert.equal(q.mode, 'spool');
    assert.deepEqual(q.api, ['rest', 'http', 'function-url']);
    assert.equal(q.extension, 'external');
    assert.equal(q.runtime, 'nodejs24.x');
    assert.equal(q.memorySize, 2048);
    assert.equal(q.timeout?.toSeconds(), 45);
    assert.equal(q.provisionedConcurrency, 1);
    assert.equal(q.reservedConcurrency, 5);
    assert.equal(q.logRetention, 14);
    assert.equal(q.prefix, 'in/');
    assert.equal(q.maxBytes, 1_000_000);
    assert.equal(q.encryption, 'kms');
    assert.equal(q.versioned, true);
    assert.deepEqual(q.lifecycle, {
      expireAfterDays: 90,
      infrequentAccessAfterDays: undefined,
      noncurrentVersionExpireAfterDays: undefined,
    });
    assert.equal(q.removalPolicy, RemovalPolicy.DESTROY);
    assert.deepEqual(q.auth, {
      rest: 'api-key',
      http: 'jwt',
      functionUrl: 'none',
      jwt: { issuer: 'https://issuer.example.com', audience: ['a', 'b'] },
    });
    assert.deepEqual(q.throttle, { rateLimit: 10, burstLimit: 20 });
    assert.equal(q.tracing, true);
    assert.deepEqual(q.directS3Route, { prefix: undefined, path: undefined });
    assert.equal(q.alarms?.ackToStoredLagP99Ms, 3000);
    assert.equal(props.alarmEmail, 'ops@example.com');
  });

  it('leaves everything to the construct defaults when no context is given', () => {
    const { stackName, props } = stackPropsFromContext(cdkJsonContext());
    assert.equal(stackName, 'Quickstow');
    const defined = Object.entries(props.quickstow ?? {}).filter(
      ([, value]) =>
        value !== undefined &&
        !(typeof value === 'object' && Object.values(value).every((v) => v === undefined)),
    );
    assert.deepEqual(defined, []);
  });

  it('refuses unknown keys and bad values, all at once', () => {
    assert.throws(
      () =>
        stackPropsFromContext({
          mdoe: 'spool',
          memorySize: 'big',
          tracing: 'yes',
          api: 'rest,grpc',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ContextError);
        assert.match(error.message, /unknown context key mdoe/);
        assert.match(error.message, /memorySize must be a whole number/);
        assert.match(error.message, /tracing must be true or false/);
        assert.match(error.message, /api: grpc is not one of/);
        return true;
      },
    );
    assert.throws(
      () => stackPropsFromContext({ logRetentionDays: '8' }),
      /logRetentionDays must be one of/,
    );
    assert.throws(() => stackPropsFromContext({ throttleRate: '5' }), /go together/);
    assert.throws(
      () => stackPropsFromContext({ bucketKeyArn: 'arn:aws:kms:...' }),
      /bucketKeyArn needs bucketName/,
    );
  });

  it('applies the auth shorthand to every deployed API, and refuses it where it does not exist', () => {
    const iam = stackPropsFromContext({ auth: 'iam', api: 'rest,http,function-url' }).props
      .quickstow?.auth;
    assert.deepEqual(
      { ...iam, jwt: undefined },
      { rest: 'iam', http: 'iam', functionUrl: 'iam', jwt: undefined },
    );
    const apiKey = stackPropsFromContext({ auth: 'api-key' }).props.quickstow?.auth;
    assert.equal(apiKey?.rest, 'api-key');
    assert.throws(
      () => stackPropsFromContext({ auth: 'api-key', api: 'rest,http' }),
      /auth=api-key does not exist for http/,
    );
    assert.throws(
      () => stackPropsFromContext({ auth: 'jwt', api: 'function-url' }),
      /does not exist for function-url/,
    );
  });
});

describe('QuickstowStack', () => {
  it('imports an existing bucket and sends every alarm to an e-mail topic', () => {
    const app = new App({ context: cdkJsonContext() });
    const stack = new QuickstowStack(app, 'Quickstow', {
      existingBucketName: 'my-payloads',
      alarmEmail: 'ops@example.com',
      quickstow: placeholderZips(),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    assert.ok(alarms.length > 0);
    for (const alarm of alarms) assert.equal(alarm.Properties.AlarmActions.length, 1);
  });
});

describe('synthesis needs no AWS account', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'quickstow-cdk-out-'));
  after(() => rmSync(outDir, { recursive: true, force: true }));
  // No credentials, region or profile: whatever the machine has must not be what makes it work.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(AWS_|CDK_)/.test(name)),
  ) as NodeJS.ProcessEnv;

  it('`cdk synth` of bin/app.ts writes the template, offline, with context from -c', async () => {
    const { functionZipPath, extensionLayerZipPath } = placeholderZips();
    // npm workspaces put the CLI in the root's node_modules/.bin unless versions conflict.
    const local = path.join(infraDir, 'node_modules', '.bin', 'cdk');
    const cli = existsSync(local)
      ? local
      : path.join(infraDir, '..', 'node_modules', '.bin', 'cdk');
    await run(
      cli,
      [
        'synth',
        '--quiet',
        '--no-notices',
        '--output',
        outDir,
        '-c',
        `functionZip=${functionZipPath}`,
        '-c',
        `layerZip=${extensionLayerZipPath}`,
        '-c',
        'mode=spool',
        '-c',
        'api=rest,http',
        '-c',
        'extension=external',
      ],
      { cwd: infraDir, env, timeout: 60_000 },
    );
    const template = Template.fromJSON(
      JSON.parse(readFileSync(path.join(outDir, 'Quickstow.template.json'), 'utf8')) as Record<
        string,
        unknown
      >,
    );
    template.resourceCountIs('AWS::EFS::FileSystem', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    // Environment-agnostic: the account and region are left to deploy time.
    assert.doesNotMatch(JSON.stringify(template.toJSON()), /\b\d{12}\b/);
  });
});
