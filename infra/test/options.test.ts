import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { QuickstowOptionsError, resolveOptions } from '../lib/options.js';
import type { QuickstowApiProps } from '../lib/props.js';
import {
  actionsOf,
  only,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
  synth,
} from './support/synth.js';

const refused = (props: QuickstowApiProps, message: RegExp) =>
  assert.throws(
    () => resolveOptions(props),
    (error: unknown) => {
      assert.ok(error instanceof QuickstowOptionsError);
      assert.match(error.message, message);
      return true;
    },
  );

describe('props that contradict each other or are out of range are refused before anything is built', () => {
  it('prefixes: non-empty, ending with /, no wildcards (the IAM boundary is the prefix)', () => {
    for (const prefix of ['', 'payloads', '/payloads/', 'pay*/', 'a//b/']) {
      refused({ prefix }, /prefix must be a non-empty key prefix/);
    }
    assert.equal(resolveOptions({ prefix: 'tenant-1/payloads/' }).prefix, 'tenant-1/payloads/');
  });

  it('the direct route needs the REST API and a prefix disjoint from the payloads', () => {
    refused({ api: ['http'], directS3Route: true }, /directS3Route needs the rest API/);
    refused({ directS3Route: { prefix: 'payloads/direct/' } }, /overlaps prefix/);
    refused({ prefix: 'a/', directS3Route: { prefix: 'a/' } }, /overlaps prefix/);
    refused({ directS3Route: { path: 'payloads' } }, /one path segment other than payloads/);
    assert.deepEqual(resolveOptions({ directS3Route: true }).directS3Route, {
      prefix: 'direct/',
      path: 'direct',
    });
  });

  it('provisioned concurrency may not exceed reserved concurrency', () => {
    refused(
      { provisionedConcurrency: 5, reservedConcurrency: 4 },
      /must not exceed reservedConcurrency/,
    );
    refused({ provisionedConcurrency: 0 }, /provisionedConcurrency must be an integer from 1/);
  });

  it('ranges: memory, timeout, maxBytes, throttling, lag threshold', () => {
    refused({ memorySize: 64 }, /memorySize/);
    refused({ timeout: Duration.minutes(16) }, /timeout/);
    refused({ maxBytes: 0 }, /maxBytes/);
    refused({ throttle: { rateLimit: 0, burstLimit: 1 } }, /throttle.rateLimit/);
    refused({ alarms: { ackToStoredLagP99Ms: 0 } }, /ackToStoredLagP99Ms/);
  });

  it('api: at least one, known, not twice', () => {
    refused({ api: [] }, /at least one/);
    refused({ api: ['rest', 'rest'] }, /twice/);
    refused({ api: ['grpc' as 'rest'] }, /api must be among/);
  });

  it('efsFallback only in after-response mode', () => {
    refused({ mode: 'sync', efsFallback: true }, /efsFallback applies to after-response mode only/);
  });

  it('lifecycle: IA after at least 30 days, expiry after the transition, old versions only when versioned', () => {
    refused(
      { lifecycle: { infrequentAccessAfterDays: 10 } },
      /infrequentAccessAfterDays must be an integer from 30/,
    );
    refused(
      { lifecycle: { infrequentAccessAfterDays: 30, expireAfterDays: 30 } },
      /expireAfterDays must come after/,
    );
    refused({ lifecycle: { noncurrentVersionExpireAfterDays: 3 } }, /needs versioned: true/);
  });

  it('KMS: a key with SSE-S3 is a contradiction; a key alone implies KMS', () => {
    refused(
      { encryption: 's3', encryptionKey: {} as never },
      /encryptionKey is set but encryption is s3/,
    );
    assert.equal(resolveOptions({ encryptionKey: {} as never }).encryption, 'kms');
  });

  it('says how to build a missing bundle instead of CDK’s bare "cannot find asset"', () => {
    assert.throws(
      () => synth({ functionZipPath: '/nonexistent/function.zip' }),
      /npm run build:lambda/,
    );
    assert.throws(
      () => synth({ extension: 'external', extensionLayerZipPath: '/nonexistent/layer.zip' }),
      /layer\.zip does not exist/,
    );
  });

  it('reports every problem at once', () => {
    refused({ memorySize: 1, prefix: 'x', maxBytes: -1 }, /memorySize[\s\S]*prefix[\s\S]*maxBytes/);
  });

  it('warns, without refusing, about an external extension in sync mode and about bodies over 4 MiB', () => {
    assert.match(
      resolveOptions({ mode: 'sync', extension: 'external' }).warnings.join(),
      /the layer only adds/,
    );
    assert.match(
      resolveOptions({ maxBytes: 5 * 1024 * 1024 }).warnings.join(),
      /6 MB invoke limit/,
    );
    const { annotations } = synth({ mode: 'sync', extension: 'external' });
    annotations.hasWarning('*', Match.stringLikeRegexp('the layer only adds'));
  });
});

describe('after-response with the EFS fallback', () => {
  const { template } = synth({ efsFallback: true });
  const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
  const variablesOf = (handler: string) => {
    const fn = functions.find((f) => f.Properties.Handler === handler);
    assert.ok(fn, `a function with handler ${handler}`);
    return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
  };

  it('points QUICKSTOW_FALLBACK_DIR at its own folder on EFS, keeps the mode, and sets no spool dir', () => {
    const variables = variablesOf('index.handler');
    assert.equal(variables.QUICKSTOW_MODE, 'after-response');
    assert.equal(variables.QUICKSTOW_FALLBACK_DIR, '/mnt/quickstow/fallback');
    assert.equal(variables.QUICKSTOW_SPOOL_DIR, undefined);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      FileSystemConfigs: [Match.objectLike({ LocalMountPath: '/mnt/quickstow' })],
    });
  });

  it('creates the VPC, EFS and the sweeper, which gets the spool and the fallback folders', () => {
    assert.equal(functions.length, 2);
    const variables = variablesOf('sweeper.handler');
    assert.equal(variables.QUICKSTOW_SPOOL_DIR, '/mnt/quickstow/spool');
    assert.equal(variables.QUICKSTOW_FALLBACK_DIR, '/mnt/quickstow/fallback');
    template.resourceCountIs('AWS::EFS::FileSystem', 1);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  });

  it('alarms on every payload saved to the fallback instead of S3', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Quickstow',
      MetricName: 'PayloadsToFallback',
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('sync mode', () => {
  it('needs no VPC, EFS or sweeper', () => {
    const { template } = synth({ mode: 'sync' });
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUICKSTOW_MODE: 'sync' }) },
    });
  });
});

describe('an existing bucket', () => {
  it('is used as it is, and the function gets its objects under the prefix and its KMS key', () => {
    const { template } = synth({}, (stack) => ({
      bucket: Bucket.fromBucketAttributes(stack, 'Existing', {
        bucketName: 'my-existing-bucket',
        encryptionKey: Key.fromKeyArn(
          stack,
          'ExistingKey',
          'arn:aws:kms:eu-west-1:111122223333:key/abcd',
        ),
      }),
    }));
    template.resourceCountIs('AWS::S3::Bucket', 0);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    const fn = only(template, 'AWS::Lambda::Function');
    const statements = statementsOfRole(template, roleOfFunction(fn.properties));
    const s3 = statements.find((s) => actionsOf(s).includes('s3:PutObject'));
    assert.deepEqual(s3?.Resource, {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-existing-bucket/payloads/*']],
    });
    const kms = statements.find((s) => actionsOf(s).includes('kms:GenerateDataKey'));
    assert.equal(kms?.Resource, 'arn:aws:kms:eu-west-1:111122223333:key/abcd');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUICKSTOW_BUCKET: 'my-existing-bucket' }) },
    });
  });

  it('refuses the options that only a new bucket has', () => {
    assert.throws(
      () =>
        synth({}, (stack) => ({
          bucket: Bucket.fromBucketName(stack, 'B', 'bucket-b'),
          versioned: true,
          encryption: 'kms',
        })),
      /existing bucket: encryption, versioned only apply to a new one/,
    );
  });
});
