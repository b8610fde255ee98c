import { Duration } from 'aws-cdk-lib';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { defaults, type ResolvedOptions } from './options.js';

/** The bucket payloads are stored in, and the KMS key whose rights writers need (if any). */
export interface PayloadStore {
  readonly bucket: IBucket;
  readonly key: IKey | undefined;
}

/**
 * The payload bucket: an existing one as given, or a new private one. A new bucket blocks all
 * public access, has ACLs disabled, denies any request not made over TLS 1.2 or later, and is
 * encrypted with SSE-S3 or SSE-KMS.
 */
export class PayloadBucket extends Construct implements PayloadStore {
  readonly bucket: IBucket;
  readonly key: IKey | undefined;

  constructor(scope: Construct, id: string, options: ResolvedOptions) {
    super(scope, id);
    if (options.existingBucket) {
      this.bucket = options.existingBucket;
      this.key = options.existingBucket.encryptionKey;
      return;
    }
    const kms = options.encryption === 'kms';
    this.key = kms
      ? (options.encryptionKey ??
        new Key(this, 'Key', {
          description: 'Encrypts quickstow payloads',
          enableKeyRotation: true,
          removalPolicy: options.removalPolicy,
        }))
      : undefined;
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: kms ? BucketEncryption.KMS : BucketEncryption.S3_MANAGED,
      encryptionKey: this.key,
      // One data key per bucket instead of one KMS request per object: KMS is billed per request.
      bucketKeyEnabled: kms ? true : undefined,
      versioned: options.versioned,
      lifecycleRules: lifecycleRules(options),
      removalPolicy: options.removalPolicy,
    });
  }
}

function lifecycleRules(options: ResolvedOptions): LifecycleRule[] | undefined {
  const lifecycle = options.lifecycle;
  if (!lifecycle) return undefined;
  const days = (value: number | undefined) =>
    value === undefined ? undefined : Duration.days(value);
  return [
    {
      id: 'payloads',
      prefix: options.prefix,
      expiration: days(lifecycle.expireAfterDays),
      transitions:
        lifecycle.infrequentAccessAfterDays === undefined
          ? undefined
          : [
              {
                storageClass: StorageClass.INFREQUENT_ACCESS,
                transitionAfter: Duration.days(lifecycle.infrequentAccessAfterDays),
              },
            ],
      noncurrentVersionExpiration: days(lifecycle.noncurrentVersionExpireAfterDays),
      abortIncompleteMultipartUploadAfter: Duration.days(
        lifecycle.abortIncompleteUploadsAfterDays ?? defaults.abortIncompleteUploadsAfterDays,
      ),
    },
  ];
}
