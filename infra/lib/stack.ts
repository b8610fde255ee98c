import { Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { QuickstowApiProps } from './props.js';
import { QuickstowApi } from './quickstow-api.js';

export interface QuickstowStackProps extends StackProps {
  /**
   * The construct's options, except `bucket` and `alarms.actions`, which the stack makes from
   * the plain values below (what a command line can give).
   * @default {}
   */
  readonly quickstow?: Omit<QuickstowApiProps, 'bucket'>;
  /**
   * Use this existing bucket instead of creating one.
   * @default - a new bucket
   */
  readonly existingBucketName?: string;
  /**
   * The KMS key ARN of the existing bucket, if it is SSE-KMS encrypted.
   * @default - the existing bucket uses SSE-S3
   */
  readonly existingBucketKeyArn?: string;
  /**
   * Send every alarm to this address (through an SNS topic; the address must confirm).
   * @default - alarms notify no one
   */
  readonly alarmEmail?: string;
}

/** The deployable unit of the app in bin/app.ts: one QuickstowApi and what the CLI can't pass it. */
export class QuickstowStack extends Stack {
  readonly quickstow: QuickstowApi;

  constructor(scope: Construct, id: string, props: QuickstowStackProps = {}) {
    super(scope, id, {
      description: 'quickstow: answer large-payload uploads fast, store them in S3',
      ...props,
    });
    const bucket = props.existingBucketName
      ? Bucket.fromBucketAttributes(this, 'ExistingBucket', {
          bucketName: props.existingBucketName,
          encryptionKey: props.existingBucketKeyArn
            ? Key.fromKeyArn(this, 'ExistingBucketKey', props.existingBucketKeyArn)
            : undefined,
        })
      : undefined;
    const actions = [...(props.quickstow?.alarms?.actions ?? [])];
    if (props.alarmEmail) {
      const topic = new Topic(this, 'Alarms', { displayName: 'quickstow alarms' });
      topic.addSubscription(new EmailSubscription(props.alarmEmail));
      actions.push(new SnsAction(topic));
    }
    this.quickstow = new QuickstowApi(this, 'Quickstow', {
      ...props.quickstow,
      bucket,
      alarms: { ...props.quickstow?.alarms, actions },
    });
  }
}
